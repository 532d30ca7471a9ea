"""``/api/v1/content``: generate, read, list and publish lessons."""

# No ``from __future__ import annotations``: Ninja resolves the query parameters' types.
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.auth import api_auth, require_role
from accounts.models import Role
from accounts.ratelimit import LESSON_GENERATE, rate_limit_consume
from accounts.schemas import MessageOut
from jobs.models import JobKind
from jobs.schemas import BackgroundIn, JobOut
from lessons import selectors, services
from lessons.models import Lesson
from lessons.schemas import (
    LessonForStudentOut,
    LessonIn,
    LessonOut,
    LessonPublishIn,
    LessonSummaryOut,
)
from providers.base import GradeLevel, LessonSubject
from publishing.api import content_found, generation_answer
from publishing.services import content_publish

router = Router(tags=["lessons"], auth=api_auth)

MAX_PAGE_SIZE = 100


class LessonGenerateIn(LessonIn, BackgroundIn):
    pass


def _out(lesson: Lesson) -> dict[str, object]:
    return {
        **selectors.lesson_reading(lesson=lesson, answers=True),
        "seed": lesson.seed,
        "provider": lesson.provider,
        "fallback_reason": lesson.fallback_reason or None,
        "owner_id": lesson.owner_id,
        "classroom_ids": sorted(classroom.pk for classroom in lesson.classrooms.all()),
    }


def _student_out(lesson: Lesson) -> dict[str, object]:
    return selectors.lesson_reading(lesson=lesson, answers=False)


def _visible_lesson(request: HttpRequest, lesson_id: int) -> Lesson:
    lesson = selectors.lesson_get(user=request.auth, lesson_id=lesson_id)
    return content_found(lesson, kind="lesson")


@router.post(
    "/generate",
    response={201: LessonOut, 202: JobOut, 403: MessageOut, 429: MessageOut},
    summary="Generate a lesson (teachers and admins, rate-limited); with background: a job",
)
def lesson_generate(request: HttpRequest, payload: LessonGenerateIn) -> Status:
    owner = require_role(request, Role.TEACHER, Role.ADMIN)
    rate_limit_consume(user=owner, scope=LESSON_GENERATE)  # a background job counts the same
    return generation_answer(
        owner_id=owner.pk,
        kind=JobKind.LESSON,
        payload=payload,
        generate=services.lesson_generate,
        out=_out,
    )


@router.get("", response=list[LessonSummaryOut], summary="Lessons you may read")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def lesson_list(
    request: HttpRequest,
    subject: Query[LessonSubject | None] = None,
    grade_level: Query[GradeLevel | None] = None,
):
    return selectors.lesson_list(user=request.auth, subject=subject, grade_level=grade_level)


@router.get(
    "/{int:lesson_id}",
    response={200: LessonOut | LessonForStudentOut, 404: MessageOut},
    summary="A lesson: in full for teachers and admins, without the answers for students",
)
def lesson_get(request: HttpRequest, lesson_id: int) -> dict[str, object]:
    lesson = _visible_lesson(request, lesson_id)
    if selectors.lesson_teacher_fields_visible(user=request.auth):
        return _out(lesson)
    return _student_out(lesson)


@router.post(
    "/{int:lesson_id}/publish",
    response={200: LessonOut, 403: MessageOut, 404: MessageOut},
    summary="Publish a lesson to one of your classrooms (its owner or an admin)",
)
def lesson_publish(
    request: HttpRequest, lesson_id: int, payload: LessonPublishIn
) -> dict[str, object]:
    user = require_role(request, Role.TEACHER, Role.ADMIN)
    lesson = content_publish(
        content=_visible_lesson(request, lesson_id), user=user, classroom_id=payload.classroom_id
    )
    return _out(selectors.lesson_get(user=user, lesson_id=lesson.pk))
