"""Account reads."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Classroom, Role, User


def classroom_list(*, user: User) -> QuerySet[Classroom]:
    """Classrooms a user may see: all for admins, their own for teachers, theirs for students."""
    classrooms = Classroom.objects.select_related("teacher").prefetch_related("students")
    if user.role == Role.ADMIN or user.is_superuser:
        return classrooms
    if user.role == Role.TEACHER:
        return classrooms.filter(teacher=user)
    return classrooms.filter(students=user)


def classroom_ids_for_student(*, user: User) -> list[int]:
    return list(user.classrooms.values_list("id", flat=True))
