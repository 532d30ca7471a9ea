from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from accounts import selectors, services
from accounts.auth import api_auth, require_role
from accounts.models import Classroom, Role
from accounts.schemas import ClassroomIn, ClassroomOut, MessageOut

router = Router(tags=["classrooms"], auth=api_auth)


def _out(classroom: Classroom) -> dict[str, object]:
    return {
        "id": classroom.pk,
        "name": classroom.name,
        "teacher_id": classroom.teacher_id,
        "student_ids": sorted(s.pk for s in classroom.students.all()),
    }


@router.post("", response={201: ClassroomOut, 403: MessageOut, 422: MessageOut})
def classroom_create(request: HttpRequest, payload: ClassroomIn) -> Status:
    teacher = require_role(request, Role.TEACHER, Role.ADMIN)
    try:
        with transaction.atomic():
            classroom = services.classroom_create(
                teacher=teacher, name=payload.name, student_ids=payload.student_ids
            )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, _out(classroom))


@router.get("", response=list[ClassroomOut])
def classroom_list(request: HttpRequest) -> list[dict[str, object]]:
    return [_out(c) for c in selectors.classroom_list(user=request.auth)]
