"""Who may see a classroom page: the role checks every view starts with, and rendering."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import render

from accounts import selectors as account_selectors
from accounts.models import Classroom, Role, User

TEACHING_ROLES = (Role.TEACHER, Role.ADMIN)


def is_teacher(user: User) -> bool:
    return user.role in TEACHING_ROLES or user.is_superuser


def require_teacher(request: HttpRequest) -> User:
    if not is_teacher(request.user):
        raise PermissionDenied("Teachers only")
    return request.user


def require_student(request: HttpRequest) -> User:
    if request.user.role != Role.STUDENT:
        raise PermissionDenied("Students only")
    return request.user


def managed_classroom(request: HttpRequest, classroom_id: int) -> Classroom:
    """A class the user teaches (or any, for admins); students 403, anything else 404."""
    user = require_teacher(request)
    classroom = account_selectors.classroom_get(user=user, classroom_id=classroom_id)
    if classroom is None or not account_selectors.classroom_manages(user=user, classroom=classroom):
        raise Http404("Classroom not found")
    return classroom


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return render(request, f"classroom/{template}", context, status=status)
