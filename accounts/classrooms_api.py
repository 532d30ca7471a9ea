"""``/api/v1/classrooms``: classes, their join codes and rosters.

A teacher creates a class and gives its join code to the pupils; a student joins by entering
it. Nobody can put another person in a class through the API (admins manage rosters in the
Django admin). Answers never tell a caller whether some user id exists or what role it has: a
class the caller may not see, and a student who is not on the roster, are both plain 404s.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import Throttled

from accounts import selectors, services
from accounts.auth import api_auth, require_role
from accounts.models import Classroom, Role, User
from accounts.schemas import (
    ClassroomForStudentOut,
    ClassroomIn,
    ClassroomJoinIn,
    ClassroomOut,
    MessageOut,
)
from toolbox.errors import Forbidden, NotFound

router = Router(tags=["classrooms"], auth=api_auth)


def _out(classroom: Classroom) -> dict[str, object]:
    return {
        "id": classroom.pk,
        "name": classroom.name,
        "teacher_id": classroom.teacher_id,
        "join_code": classroom.join_code,
        "join_code_expires_at": classroom.join_code_expires_at,
        "students": [
            {"id": student.pk, "username": student.username}
            for student in sorted(classroom.students.all(), key=lambda s: s.pk)
        ],
    }


def _student_out(classroom: Classroom) -> dict[str, object]:
    # Built field by field: the roster and the join code are never copied in.
    teacher = classroom.teacher
    return {
        "id": classroom.pk,
        "name": classroom.name,
        "teacher_name": teacher.get_full_name() or teacher.username,
    }


def _out_for(user: User, classroom: Classroom) -> dict[str, object]:
    if selectors.classroom_manages(user=user, classroom=classroom):
        return _out(classroom)
    return _student_out(classroom)


def _visible(request: HttpRequest, classroom_id: int) -> Classroom:
    classroom = selectors.classroom_get(user=request.auth, classroom_id=classroom_id)
    if classroom is None:
        raise NotFound("Classroom not found")
    return classroom


def _managed(request: HttpRequest, classroom_id: int) -> Classroom:
    classroom = _visible(request, classroom_id)
    if not selectors.classroom_manages(user=request.auth, classroom=classroom):
        raise Forbidden("Only the classroom's teacher or an admin can do this")
    return classroom


@router.post(
    "",
    response={201: ClassroomOut, 403: MessageOut},
    summary="Create a class (teachers and admins); students join it with its join code",
)
def classroom_create(request: HttpRequest, payload: ClassroomIn) -> Status:
    teacher = require_role(request, Role.TEACHER, Role.ADMIN)
    classroom = services.classroom_create(teacher=teacher, name=payload.name)
    return Status(201, _out(classroom))


@router.get(
    "",
    response=list[ClassroomOut | ClassroomForStudentOut],
    summary="Your classes: with join code and roster for their teachers and admins",
)
def classroom_list(request: HttpRequest) -> list[dict[str, object]]:
    return [_out_for(request.auth, c) for c in selectors.classroom_list(user=request.auth)]


@router.post(
    "/join",
    response={200: ClassroomForStudentOut, 403: MessageOut, 404: MessageOut, 429: MessageOut},
    summary="Join a class with the code your teacher gave you (students)",
)
def classroom_join(request: HttpRequest, payload: ClassroomJoinIn) -> dict[str, object]:
    student: User = request.auth
    # Not require_role: it lets superusers through, and a roster holds students only.
    if student.role != Role.STUDENT:
        raise Forbidden("Only students join a class with a code")
    try:
        classroom = services.classroom_join(student=student, code=payload.code)
    except services.JoinThrottled as exc:
        # Ninja's own 429: the API's handler adds Retry-After.
        raise Throttled(exc.retry_after) from None
    return _student_out(classroom)


@router.get(
    "/{int:classroom_id}",
    response={200: ClassroomOut | ClassroomForStudentOut, 404: MessageOut},
    summary="A class: with join code and roster for its teacher and admins",
)
def classroom_get(request: HttpRequest, classroom_id: int) -> dict[str, object]:
    return _out_for(request.auth, _visible(request, classroom_id))


@router.post(
    "/{int:classroom_id}/join-code",
    response={200: ClassroomOut, 403: MessageOut, 404: MessageOut},
    summary="Issue a new join code (the old one stops working) for the class's teacher or admins",
)
def classroom_join_code_rotate(request: HttpRequest, classroom_id: int) -> dict[str, object]:
    classroom = _managed(request, classroom_id)
    return _out(services.classroom_join_code_rotate(classroom=classroom))


def _remove(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    classroom = _visible(request, classroom_id)
    user: User = request.auth
    if not selectors.classroom_manages(user=user, classroom=classroom) and student_id != user.pk:
        raise Forbidden("Students can only remove themselves from a class")
    if not services.classroom_student_remove(classroom=classroom, student_id=student_id):
        # Whether the id exists, or is a student at all, is not the caller's to learn.
        raise NotFound("No such student in this classroom")
    return HttpResponse(status=204)


@router.delete(
    "/{int:classroom_id}/students/me",
    response={204: None, 404: MessageOut},
    summary="Leave a class you are a student in",
)
def classroom_leave(request: HttpRequest, classroom_id: int) -> HttpResponse:
    return _remove(request, classroom_id, request.auth.pk)


@router.delete(
    "/{int:classroom_id}/students/{int:student_id}",
    response={204: None, 403: MessageOut, 404: MessageOut},
    summary="Remove a student from your class (its teacher, admins, or the student themself)",
)
def classroom_student_remove(
    request: HttpRequest, classroom_id: int, student_id: int
) -> HttpResponse:
    return _remove(request, classroom_id, student_id)
