"""Lesson reads: who may see which lessons."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.selectors import published_visible
from lessons.models import Lesson


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


def lesson_get(*, user: User, lesson_id: int) -> Lesson | None:
    return lesson_visible(user=user).filter(pk=lesson_id).prefetch_related("classrooms").first()
