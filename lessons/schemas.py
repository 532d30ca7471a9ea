from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, get_args

from ninja import Schema
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, create_model

from curriculum.lessons import MAX_OBJECTIVE_LENGTH, MAX_OBJECTIVES
from curriculum.shapes import (
    Activity,
    AssessmentItem,
    LessonContent,
    Section,
    VocabularyTerm,
    reader_fields,
)
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


# The lesson's parts as the API names them, built from the shapes of ``curriculum.shapes``: a
# field added to a shape appears here, in the student's view, on the pages and in the stored
# content's check without being declared again. They read what is stored without the writers'
# limits (why: ``curriculum.shapes``), so a row written before a limit existed still reads.
SectionOut = create_model(
    "SectionOut", __base__=Schema, __module__=__name__, **reader_fields(Section)
)
VocabularyTermOut = create_model(
    "VocabularyTermOut", __base__=Schema, __module__=__name__, **reader_fields(VocabularyTerm)
)
ActivityOut = create_model(
    "ActivityOut", __base__=Schema, __module__=__name__, **reader_fields(Activity)
)
AssessmentItemOut = create_model(
    "AssessmentItemOut", __base__=Schema, __module__=__name__, **reader_fields(AssessmentItem)
)
AssessmentQuestionOut = create_model(
    "AssessmentQuestionOut",
    __base__=Schema,
    __module__=__name__,
    __doc__="An assessment item as a student sees it: the question, not the model answer.",
    **reader_fields(AssessmentItem, exclude=AssessmentItem.teacher_only),
)
_PARTS: dict[type[BaseModel], type[BaseModel]] = {
    Section: SectionOut,
    VocabularyTerm: VocabularyTermOut,
    Activity: ActivityOut,
    AssessmentItem: AssessmentItemOut,
}
# A student's readers of the parts: each part with answers (``teacher_only``) has its own.
_STUDENT_PARTS: dict[type[BaseModel], type[BaseModel]] = {
    **_PARTS,
    AssessmentItem: AssessmentQuestionOut,
}


def _content_fields(*, student: bool = False) -> dict[str, Any]:
    """The fields of ``Lesson.content``: the shape's, but ``title`` (a column of its own)."""
    nested = _STUDENT_PARTS if student else _PARTS
    return reader_fields(LessonContent, nested=nested, exclude=("title",))


#: The content's lists whose items hold answers, each with the item fields a student reads:
#: ``{"assessment": ("question",)}``.
STUDENT_ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    name: tuple(_STUDENT_PARTS[item].model_fields)
    for name, field in LessonContent.model_fields.items()
    for item in get_args(field.annotation)
    if item in _STUDENT_PARTS and item.teacher_only
}


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


LessonOut = create_model(
    "LessonOut",
    __base__=LessonSummaryOut,
    __module__=__name__,
    learning_objectives=(list[str], ...),
    seed=(int, ...),
    fallback_reason=(
        FallbackReason | None,
        Field(description="Why the offline generator answered instead of the LLM, if it did"),
    ),
    **_content_fields(),
    classroom_ids=(list[int], ...),
)

LessonForStudentOut = create_model(
    "LessonForStudentOut",
    __base__=Schema,
    __module__=__name__,
    __doc__="""A lesson as a student in a class it was published to sees it. Not a subclass of
    ``LessonOut``: teacher-only fields (the assessment's model answers, the classes it was
    published to, generation details) are absent by construction.""",
    id=(int, ...),
    title=(str, ...),
    subject=(str, ...),
    grade_level=(int, ...),
    content_type=(str, ...),
    complexity=(str, ...),
    learning_objectives=(list[str], ...),
    **_content_fields(student=True),
    created_at=(datetime, ...),
)


def _missing_reads_empty(fields: dict[str, Any]) -> dict[str, Any]:
    # A part missing from a stored row reads as its type's empty value ("", [], 0), as it always
    # has; a part the shape gives a default keeps that default.
    return {
        name: (annotation, field if not field.is_required() else Field(default_factory=annotation))
        for name, (annotation, field) in fields.items()
    }


StoredLessonContent = create_model(
    "StoredLessonContent",
    __module__=__name__,
    __doc__="""``Lesson.content`` as every reader relies on it; a missing part reads as empty,
    as it always has, but a part of the wrong shape makes the lesson unreadable
    (``toolbox.stored``).""",
    **_missing_reads_empty(_content_fields()),
)


STORED_LESSON_CONTENT = TypeAdapter(StoredLessonContent)
STORED_OBJECTIVES = TypeAdapter(list[str])
