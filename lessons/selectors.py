"""Lesson reads: who may see which lessons."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from lessons.models import Lesson

Published = Lesson.classrooms.through


def lesson_visible(*, user: User) -> QuerySet[Lesson]:
    """Admins see every lesson; teachers their own and those published to their classes;
    students only those published to a class they are in."""
    lessons = Lesson.objects.all()
    if user.role == Role.ADMIN or user.is_superuser:
        return lessons
    if user.role == Role.TEACHER:
        taught = Published.objects.filter(classroom__teacher=user).values("lesson_id")
        return lessons.filter(Q(owner=user) | Q(pk__in=taught))
    given = Published.objects.filter(classroom__students=user).values("lesson_id")
    return lessons.filter(pk__in=given)


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
