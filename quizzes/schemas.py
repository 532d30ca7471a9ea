from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field, StrictInt, TypeAdapter, create_model, model_validator

from curriculum.quizzes import MAX_QUESTIONS, MIN_QUESTIONS
from curriculum.shapes import QuizQuestion, reader_fields
from providers.base import MAX_SEED, FallbackReason, GradeLevel, ProviderName, QuizSubject
from quizzes.models import Difficulty


class QuizIn(Schema):
    subject: QuizSubject
    grade_level: GradeLevel
    difficulty: Difficulty = Difficulty.MEDIUM
    question_count: int = Field(default=10, ge=MIN_QUESTIONS, le=MAX_QUESTIONS)
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="Same request and seed: same offline quiz"
    )


class QuizPublishIn(Schema):
    classroom_id: int = Field(ge=1)


def _question_fields(*, student: bool = False) -> dict[str, Any]:
    """A stored question's fields, from ``curriculum.shapes.QuizQuestion`` without the writers'
    limits (why: ``curriculum.shapes``): a field added to the shape appears in the API, the
    sockets and the stored questions' check without being declared again. A student's leave
    out the answers (``teacher_only``); a teacher's add ``answer`` (the right option's text,
    stored by ``QuizQuestion.to_dict``) after ``correct_index``, where it has always been."""
    if student:
        return reader_fields(QuizQuestion, exclude=QuizQuestion.teacher_only)
    fields: dict[str, Any] = {}
    for name, definition in reader_fields(QuizQuestion).items():
        fields[name] = definition
        if name == "correct_index":
            fields["answer"] = (str, ...)
    return fields


QuestionOut = create_model(
    "QuestionOut", __base__=Schema, __module__=__name__, **_question_fields()
)

QuestionForStudentOut = create_model(
    "QuestionForStudentOut",
    __base__=Schema,
    __module__=__name__,
    __doc__="A question as the student taking the quiz sees it: no answer, no explanation.",
    index=(int, ...),
    **_question_fields(student=True),
)
#: What a student reads of each stored question (``index`` is its place in the quiz).
STUDENT_QUESTION_FIELDS: tuple[str, ...] = tuple(_question_fields(student=True))


class QuizSummaryOut(Schema):
    id: int
    title: str
    subject: str
    grade_level: int
    difficulty: str
    question_count: int
    created_at: datetime


class QuizOut(QuizSummaryOut):
    seed: int
    provider: ProviderName
    fallback_reason: FallbackReason | None = Field(
        description="Why the offline generator answered instead of the LLM, if it did"
    )
    questions: list[QuestionOut]
    owner_id: int
    classroom_ids: list[int]


class QuizForStudentOut(QuizSummaryOut):
    questions: list[QuestionForStudentOut]


class AttemptIn(Schema):
    answers: list[StrictInt | None] = Field(
        max_length=MAX_QUESTIONS,
        description="The chosen option's index for each question, in order; null = unanswered",
    )


class QuestionResultOut(Schema):
    index: int
    correct: bool
    chosen: int | None
    correct_index: int
    explanation: str


class AttemptOut(Schema):
    id: int
    quiz_id: int
    score: int
    total: int
    percentage: float
    results: list[QuestionResultOut]
    created_at: datetime


class StoredQuestion(create_model("StoredQuestionFields", **_question_fields())):
    """A question as ``Quiz.questions`` must hold it for every reader (the API, grading, live
    sessions): what a reader cannot rely on makes the quiz unreadable (``toolbox.stored``).
    Grading needs a real index into at least two options, whatever the writers' limits."""

    options: list[str] = Field(min_length=2)
    correct_index: StrictInt

    @model_validator(mode="after")
    def _correct_index_names_an_option(self) -> StoredQuestion:
        if not 0 <= self.correct_index < len(self.options):
            raise ValueError("correct_index does not name an option")
        return self


STORED_QUESTIONS = TypeAdapter(list[StoredQuestion])
