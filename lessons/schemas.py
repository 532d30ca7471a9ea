from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter

from curriculum.lessons import MAX_OBJECTIVE_LENGTH, MAX_OBJECTIVES
from lessons.models import Complexity, ContentType
from providers.base import MAX_SEED, FallbackReason, GradeLevel, LessonSubject, ProviderName

Objective = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_OBJECTIVE_LENGTH)
]


class LessonIn(Schema):
    subject: LessonSubject
    grade_level: GradeLevel
    learning_objectives: list[Objective] = Field(min_length=1, max_length=MAX_OBJECTIVES)
    content_type: ContentType = ContentType.LESSON
    complexity: Complexity = Complexity.INTERMEDIATE
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="Same request and seed: same offline lesson"
    )


class LessonPublishIn(Schema):
    classroom_id: int = Field(ge=1)


class SectionOut(Schema):
    heading: str
    body: str


class VocabularyTermOut(Schema):
    term: str
    definition: str


class ActivityOut(Schema):
    title: str
    instructions: str
    duration_minutes: int


class AssessmentItemOut(Schema):
    question: str
    answer: str


class AssessmentQuestionOut(Schema):
    """An assessment item as a student sees it: the question, not the model answer."""

    question: str


class LessonSummaryOut(Schema):
    id: int
    title: str
    subject: str
    grade_level: int
    content_type: str
    complexity: str
    provider: ProviderName
    owner_id: int
    created_at: datetime


class LessonOut(LessonSummaryOut):
    learning_objectives: list[str]
    seed: int
    fallback_reason: FallbackReason | None = Field(
        description="Why the offline generator answered instead of the LLM, if it did"
    )
    summary: str
    sections: list[SectionOut]
    vocabulary: list[VocabularyTermOut]
    activities: list[ActivityOut]
    assessment: list[AssessmentItemOut]
    estimated_duration_minutes: int
    classroom_ids: list[int]


class LessonForStudentOut(Schema):
    """A lesson as a student in a class it was published to sees it. Not a subclass of
    ``LessonOut``: teacher-only fields (the assessment's model answers, the classes it was
    published to, generation details) are absent by construction."""

    id: int
    title: str
    subject: str
    grade_level: int
    content_type: str
    complexity: str
    learning_objectives: list[str]
    summary: str
    sections: list[SectionOut]
    vocabulary: list[VocabularyTermOut]
    activities: list[ActivityOut]
    assessment: list[AssessmentQuestionOut]
    estimated_duration_minutes: int
    created_at: datetime


class StoredLessonContent(BaseModel):
    """``Lesson.content`` as every reader relies on it; a missing part reads as empty, as it
    always has, but a part of the wrong shape makes the lesson unreadable (``toolbox.stored``)."""

    summary: str = ""
    sections: list[SectionOut] = []
    vocabulary: list[VocabularyTermOut] = []
    activities: list[ActivityOut] = []
    assessment: list[AssessmentItemOut] = []
    estimated_duration_minutes: int = 0


STORED_LESSON_CONTENT = TypeAdapter(StoredLessonContent)
STORED_OBJECTIVES = TypeAdapter(list[str])
