"""Reads for sockets: who may open which channel."""

from __future__ import annotations

from accounts.models import Classroom, Role, User
from accounts.selectors import classroom_list, classroom_manages
from live.protocol import FORBIDDEN, NOT_FOUND


def classroom_denial(*, user: User, classroom_id: int) -> tuple[int, str] | None:
    """Why ``user`` may not follow the classroom (its teacher, its students and admins may)."""
    if classroom_list(user=user).filter(pk=classroom_id).exists():
        return None
    if Classroom.objects.filter(pk=classroom_id).exists():
        return FORBIDDEN, "Only the classroom's teacher and students may follow it"
    return NOT_FOUND, "Classroom not found"


def job_denial(*, user: User) -> tuple[int, str] | None:
    """Students have no generation jobs: their socket is refused before any lookup."""
    if user.role in (Role.TEACHER, Role.ADMIN) or user.is_superuser:
        return None
    return FORBIDDEN, "Only teachers and admins have generation jobs"


def classroom_managed(*, user: User, classroom_id: int) -> bool:
    """Whether ``user`` teaches the classroom (or is an admin): who gets teacher-only pushes."""
    classroom = Classroom.objects.filter(pk=classroom_id).first()
    return classroom is not None and classroom_manages(user=user, classroom=classroom)
