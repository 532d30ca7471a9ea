"""``ws/classrooms/<id>/``: content published to a classroom, live; quiz answers from students.

Who: the classroom's teacher, its students, admins (else 4403; 4404 for no such classroom).
Frames sent: ``ready``, ``quiz.published`` (the quiz as students see it: no answers),
``lesson.published``, ``quiz.graded`` (to a student: the reply to their ``quiz.submit``, with
their attempt; to the class's teacher and admins only: ``{"classroom_id", "quiz_id",
"student_id", "score", "total", "percentage"}`` whenever a student of the class submits, over
HTTP or a socket). Frames accepted: ``ping``,
``quiz.submit`` ``{"quiz_id": 1, "answers": [0, 2, null]}`` (students), graded exactly like
``POST /api/v1/quizzes/{id}/attempts``.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from accounts.models import Role, User
from live import selectors as live_selectors
from live.broadcasting import classroom_group, classroom_staff_group
from live.consumers.base import Denial, LiveConsumer
from live.protocol import ProtocolError, QuizSubmitIn
from quizzes import selectors as quiz_selectors
from quizzes import services as quiz_services
from quizzes.schemas import AttemptOut


@database_sync_to_async
def _classroom_denial(user: User, classroom_id: int) -> Denial | None:
    return live_selectors.classroom_denial(user=user, classroom_id=classroom_id)


@database_sync_to_async
def _manages(user: User, classroom_id: int) -> bool:
    return live_selectors.classroom_managed(user=user, classroom_id=classroom_id)


@database_sync_to_async
def _grade(student: User, submission: QuizSubmitIn) -> dict[str, Any]:
    quiz = quiz_selectors.quiz_get_for_attempt(user=student, quiz_id=submission.quiz_id)
    if quiz is None:
        raise ProtocolError("not_found", "Quiz not found", message_type="quiz.submit")
    try:
        attempt = quiz_services.quiz_attempt_submit(
            quiz=quiz, student=student, answers=submission.answers
        )
    except ValueError as exc:  # the answers do not fit this quiz: the client's to fix
        raise ProtocolError(
            "invalid_message",
            "The answers do not fit this quiz",
            message_type="quiz.submit",
            errors=[{"loc": ["answers"], "msg": str(exc)}],
        ) from None
    except quiz_services.AlreadySubmitted as exc:
        raise ProtocolError("already_submitted", str(exc), message_type="quiz.submit") from None
    return AttemptOut.from_orm(attempt).model_dump(mode="json")


class ClassroomConsumer(LiveConsumer):
    messages = {"quiz.submit": QuizSubmitIn}

    @property
    def classroom_id(self) -> int:
        return self.scope["url_route"]["kwargs"]["classroom_id"]

    async def authorize(self, user: User) -> Denial | None:
        return await _classroom_denial(user, self.classroom_id)

    async def subscribe(self) -> None:
        await self.join(classroom_group(self.classroom_id))
        if await _manages(self.user, self.classroom_id):
            # Teacher-only pushes (students' scores) reach this group, never the class's.
            await self.join(classroom_staff_group(self.classroom_id))

    async def on_quiz_submit(self, submission: QuizSubmitIn) -> None:
        if self.user.role != Role.STUDENT:
            raise ProtocolError(
                "forbidden", "Only students submit answers", message_type="quiz.submit"
            )
        attempt = await _grade(self.user, submission)
        await self.send_frame({"type": "quiz.graded", "attempt": attempt})

    async def content_published(self, event: dict[str, Any]) -> None:
        """Channel-layer push from ``live.broadcasting.quiz_published``/``lesson_published``."""
        kind = event["kind"]
        await self.send_frame(
            {
                "type": f"{kind}.published",
                "classroom_id": event["classroom_id"],
                kind: event["content"],
            }
        )

    async def quiz_graded(self, event: dict[str, Any]) -> None:
        """Channel-layer push from ``live.broadcasting.quiz_attempt_graded`` (staff group only)."""
        fields = ("classroom_id", "quiz_id", "student_id", "score", "total", "percentage")
        await self.send_frame({"type": "quiz.graded", **{key: event[key] for key in fields}})

    async def roster_changed(self, event: dict[str, Any]) -> None:
        """Channel-layer push from ``live.broadcasting.classroom_roster_changed``: the removed
        student's access is checked again at once (the database has the final word)."""
        user = self.user
        if user is None or user.pk != event["user_id"]:
            return
        denial = await self.authorize(user)
        if denial is not None:
            await self.reject(*denial)
