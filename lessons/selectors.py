"""Lesson reads: who may see which lessons."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.selectors import published_visible
from lessons.models import Lesson
from lessons.schemas import (
    STORED_LESSON_CONTENT,
    STORED_OBJECTIVES,
    STUDENT_ITEM_FIELDS,
    StoredLessonContent,
)
from toolbox.stored import stored_validate


def lesson_teacher_fields_visible(*, user: User) -> bool:
    """Teachers and admins see model answers and where a lesson was published; students read
    the lesson itself."""
    return user.role in (Role.TEACHER, Role.ADMIN) or user.is_superuser


def lesson_visible(*, user: User) -> QuerySet[Lesson]:
    return published_visible(Lesson.objects.all(), user=user)


def lesson_list(
    *, user: User, subject: str | None = None, grade_level: int | None = None
) -> QuerySet[Lesson]:
    lessons = lesson_visible(user=user).defer("content", "learning_objectives")
    if subject:
        lessons = lessons.filter(subject__iexact=subject)
    if grade_level is not None:
        lessons = lessons.filter(grade_level=grade_level)
    return lessons


def lesson_checked(lesson: Lesson | None) -> Lesson | None:
    """``lesson`` once its stored JSON is known to be readable; ``StoredContentInvalid`` (a
    server error, reported with the lesson id) when it is not."""
    if lesson is not None:
        for field, adapter in (
            ("content", STORED_LESSON_CONTENT),
            ("learning_objectives", STORED_OBJECTIVES),
        ):
            stored_validate(
                kind="lesson",
                content_id=lesson.pk,
                field=field,
                adapter=adapter,
                value=getattr(lesson, field),
            )
    return lesson


def lesson_get(*, user: User, lesson_id: int) -> Lesson | None:
    return lesson_checked(
        lesson_visible(user=user).filter(pk=lesson_id).prefetch_related("classrooms").first()
    )


def lesson_reading(*, lesson: Lesson, answers: bool) -> dict[str, object]:
    """The lesson as its reader sees it (the API and the classroom pages alike). Built field by
    field: without ``answers`` (a student) the assessment's model answers are never copied in."""
    stored = lesson.content or {}
    content = {
        name: stored.get(name, field.get_default(call_default_factory=True))
        for name, field in StoredLessonContent.model_fields.items()
    }
    if not answers:
        for name, keys in STUDENT_ITEM_FIELDS.items():
            content[name] = [
                {key: item[key] for key in keys if key in item} for item in content[name]
            ]
    return {
        "id": lesson.pk,
        "title": lesson.title,
        "subject": lesson.subject,
        "grade_level": lesson.grade_level,
        "content_type": lesson.content_type,
        "complexity": lesson.complexity,
        "learning_objectives": lesson.learning_objectives,
        **content,
        "created_at": lesson.created_at,
    }
