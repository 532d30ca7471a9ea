"""Pushing live updates to socket groups through the channel layer (Redis when configured).

A push is best effort: the HTTP API and the database hold the truth, and a client that missed a
push catches up with a snapshot when it (re)connects. So a push never fails the request or task
that makes it; a failing channel layer is reported to Sentry and logged instead.

Every push carries the ``sentry-trace`` and ``baggage`` of the code that made it (the request
that published a quiz, the Celery task running a job), and the consumer that delivers it
continues that trace (``live.tracking.push``), and an id of its own: every socket of a group
gets a copy, and each process makes one transaction of its copies, not one per socket.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID, uuid4

import sentry_sdk
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from live.payloads import lesson_for_students, quiz_for_students
from live.tracking import PUSH_ID
from monitoring import errors
from monitoring.errors import WEBSOCKET, mark_failure
from monitoring.facade import capture_exception
from monitoring.guards import sentry_active
from monitoring.tracing import current_trace_headers as trace_headers
from publishing.models import PublishedContent
from quizzes.models import QuizAttempt

logger = logging.getLogger("live")

# Event types consumers handle (channels calls the method named after the type, dots as "_").
JOB_UPDATE = "job.update"
CONTENT_PUBLISHED = "content.published"
ROSTER_CHANGED = "roster.changed"
QUIZ_GRADED = "quiz.graded"


def job_group(job_id: UUID | str) -> str:
    return f"job.{job_id}"


def classroom_group(classroom_id: int) -> str:
    return f"classroom.{classroom_id}"


def classroom_staff_group(classroom_id: int) -> str:
    """The classroom's teacher and admins only: what students of the class must not receive
    (another student's score) goes here, never to :func:`classroom_group`."""
    return f"classroom.{classroom_id}.staff"


def group_send(group: str, event: dict[str, Any]) -> bool:
    """Send ``event`` to every socket in ``group`` now; False (reported) if the layer failed."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        with sentry_sdk.start_span(op="websocket.publish", name=f"{event['type']} -> {group}"):
            async_to_sync(layer.group_send)(group, event)
    except Exception as exc:
        mark_failure(exc, component="live", category=WEBSOCKET)
        errors.count_error(
            component="live", category=WEBSOCKET, kind=errors.SERVER, reported=sentry_active()
        )
        capture_exception(exc)
        logger.warning(
            "live update not delivered",
            extra={"group": group, "event_type": event.get("type"), "error": type(exc).__name__},
        )
        return False
    return True


def group_send_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send once the current database transaction commits (at once outside one), so that a
    socket that re-reads the database sees what the push announced. The trace is the caller's."""
    event = {**event, "trace": trace_headers(), PUSH_ID: uuid4().hex}
    transaction.on_commit(lambda: group_send(group, event))


def job_updated(*, job_id: UUID | str, job: dict[str, Any]) -> None:
    group_send_on_commit(job_group(job_id), {"type": JOB_UPDATE, "job": job})


# How students of a classroom see each kind of content when it is published to them.
FOR_STUDENTS = {"lesson": lesson_for_students, "quiz": quiz_for_students}


def content_published(*, content: PublishedContent, classroom_id: int) -> None:
    """Students of the classroom get the content as they may see it (a quiz without answers)."""
    group_send_on_commit(
        classroom_group(classroom_id),
        {
            "type": CONTENT_PUBLISHED,
            "kind": content.kind,
            "classroom_id": classroom_id,
            "content": FOR_STUDENTS[content.kind](content),
        },
    )


def classroom_roster_changed(*, classroom_id: int, removed_user_id: int) -> None:
    """A student left or was removed: their sockets on this classroom close now rather than at
    the next periodic access check."""
    group_send_on_commit(
        classroom_group(classroom_id), {"type": ROSTER_CHANGED, "user_id": removed_user_id}
    )


def quiz_attempt_graded(*, attempt: QuizAttempt, classroom_ids: list[int]) -> None:
    """A student submitted a quiz: the gradebooks of its teachers update live. Only to the
    staff group of each classroom the student took it in; ids and numbers, no answers and no
    name (the page reads those from the database)."""
    for classroom_id in classroom_ids:
        group_send_on_commit(
            classroom_staff_group(classroom_id),
            {
                "type": QUIZ_GRADED,
                "classroom_id": classroom_id,
                "quiz_id": attempt.quiz_id,
                "student_id": attempt.student_id,
                "score": attempt.score,
                "total": attempt.total,
                "percentage": attempt.percentage,
            },
        )
