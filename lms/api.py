"""``/api/v1/lms``: quizzes and lessons as packages a school's LMS imports.

``GET /quizzes/{id}/qti.zip`` (IMS QTI 2.1) and ``GET /lessons/{id}/cartridge.imscc`` (IMS Common
Cartridge 1.3) download as attachments. The classroom's teacher pages link here: the API accepts
their session as well as a bearer token.
"""

# No ``from __future__ import annotations``: Ninja resolves the query parameters' types.
from typing import Annotated

import sentry_sdk
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import StringConstraints

from accounts.auth import api_auth, require_role
from accounts.models import Role
from accounts.schemas import MessageOut
from lms import selectors
from lms.export import cartridge, qti
from lms.export.package import ExportTooLarge

router = Router(tags=["lms"], auth=api_auth)

# Comma-separated ids: short enough for a link, bounded like the quizzes a cartridge carries.
_MORE = selectors.MAX_CARTRIDGE_QUIZZES - 1
QuizIds = Annotated[
    str,
    StringConstraints(
        pattern=rf"^$|^[1-9][0-9]{{0,9}}(,[1-9][0-9]{{0,9}}){{0,{_MORE}}}$", max_length=230
    ),
]


def _download(*, content_type: str, description: str) -> dict[str, object]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _attachment(*, data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(data))
    # Teacher-only content (answers included): never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _filename(title: str, fallback: str, content_id: int, suffix: str) -> str:
    return f"{slugify(title)[:60].strip('-') or fallback}-{content_id}{suffix}"


def _refusals(call):
    """Map what the selectors and the packager refuse onto the API's 4xx answers."""
    try:
        return call()
    except selectors.ExportNotFound as exc:
        raise HttpError(404, str(exc)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ExportTooLarge as exc:
        raise HttpError(422, str(exc)) from None


@router.get(
    "/quizzes/{int:quiz_id}/qti.zip",
    url_name="lms_quiz_qti",
    response={401: MessageOut, 403: MessageOut, 404: MessageOut, 422: MessageOut},
    summary="A quiz as an IMS QTI 2.1 package for your LMS (its owner or an admin)",
    openapi_extra=_download(content_type=qti.CONTENT_TYPE, description="IMS QTI 2.1 package"),
)
def quiz_qti(request: HttpRequest, quiz_id: int) -> HttpResponse:
    user = require_role(request, Role.TEACHER, Role.ADMIN)

    def build() -> tuple[str, bytes]:
        quiz = selectors.quiz_for_export(user=user, quiz_id=quiz_id)
        with sentry_sdk.start_span(op="lms.export", name="QTI 2.1 package") as span:
            span.set_data("questions", len(quiz.questions))
            data = qti.qti_package(
                quiz_id=quiz.pk,
                title=quiz.title,
                questions=quiz.questions,
                max_bytes=settings.LMS_EXPORT_MAX_BYTES,
            )
            span.set_data("bytes", len(data))
        return quiz.title, data

    title, data = _refusals(build)
    return _attachment(
        data=data,
        content_type=qti.CONTENT_TYPE,
        filename=_filename(title, "quiz", quiz_id, "-qti21.zip"),
    )


@router.get(
    "/lessons/{int:lesson_id}/cartridge.imscc",
    url_name="lms_lesson_cartridge",
    response={401: MessageOut, 403: MessageOut, 404: MessageOut, 422: MessageOut},
    summary="A lesson and its quizzes as an IMS Common Cartridge 1.3 for your LMS",
    description=(
        "Its owner or an admin. `quiz_ids` (comma-separated, at most "
        f"{selectors.MAX_CARTRIDGE_QUIZZES}) chooses the quizzes, in order; empty means the "
        "lesson alone. Without it: the lesson owner's quizzes published to any class the "
        "lesson is published to."
    ),
    openapi_extra=_download(content_type=cartridge.CONTENT_TYPE, description="IMS CC 1.3"),
)
def lesson_cartridge(
    request: HttpRequest,
    lesson_id: int,
    quiz_ids: Query[QuizIds | None] = None,
) -> HttpResponse:
    user = require_role(request, Role.TEACHER, Role.ADMIN)
    chosen = None if quiz_ids is None else [int(part) for part in quiz_ids.split(",") if part]

    def build() -> tuple[str, bytes]:
        lesson = selectors.lesson_for_export(user=user, lesson_id=lesson_id)
        quizzes = selectors.lesson_export_quizzes(user=user, lesson=lesson, quiz_ids=chosen)
        with sentry_sdk.start_span(op="lms.export", name="Common Cartridge 1.3") as span:
            span.set_data("quizzes", len(quizzes))
            data = cartridge.cartridge_package(
                lesson=selectors.lesson_export_content(lesson=lesson),
                quizzes=[
                    cartridge.CartridgeQuiz(id=quiz.pk, title=quiz.title, questions=quiz.questions)
                    for quiz in quizzes
                ],
                max_bytes=settings.LMS_EXPORT_MAX_BYTES,
            )
            span.set_data("bytes", len(data))
        return lesson.title, data

    title, data = _refusals(build)
    return _attachment(
        data=data,
        content_type=cartridge.CONTENT_TYPE,
        filename=_filename(title, "lesson", lesson_id, ".imscc"),
    )
