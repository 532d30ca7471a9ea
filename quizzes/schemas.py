from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import BaseModel, Field, StrictInt, TypeAdapter, model_validator

from curriculum.quizzes import MAX_QUESTIONS, MIN_QUESTIONS
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


class QuestionOut(Schema):
    prompt: str
    options: list[str]
    correct_index: int
    answer: str
    explanation: str
    topic: str


class QuestionForStudentOut(Schema):
    """A question as the student taking the quiz sees it: no answer, no explanation."""

    index: int
    prompt: str
    options: list[str]
    topic: str


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


class StoredQuestion(BaseModel):
    """A question as ``Quiz.questions`` must hold it for every reader (the API, grading, live
    sessions): what a reader cannot rely on makes the quiz unreadable (``toolbox.stored``)."""

    prompt: str
    options: list[str] = Field(min_length=2)
    correct_index: StrictInt
    answer: str
    explanation: str
    topic: str

    @model_validator(mode="after")
    def _correct_index_names_an_option(self) -> StoredQuestion:
        if not 0 <= self.correct_index < len(self.options):
            raise ValueError("correct_index does not name an option")
        return self


STORED_QUESTIONS = TypeAdapter(list[StoredQuestion])
