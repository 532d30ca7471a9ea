"""What the socket layer does when the apps below it say something happened.

Content, accounts and jobs send signals (``publishing.signals``, ``quizzes.signals``,
``accounts.signals``, ``jobs.signals``) instead of calling up into ``live``; these receivers,
connected in ``LiveConfig.ready``, turn each into a push to the sockets concerned.
"""

from __future__ import annotations

from typing import Any

from jobs.models import GenerationJob
from jobs.schemas import job_payload
from live import broadcasting
from publishing.models import PublishedContent
from quizzes.models import QuizAttempt


def on_content_published(
    sender: type, *, content: PublishedContent, classroom_id: int, **kwargs: Any
) -> None:
    broadcasting.content_published(content=content, classroom_id=classroom_id)


def on_quiz_attempt_graded(
    sender: type, *, attempt: QuizAttempt, classroom_ids: list[int], **kwargs: Any
) -> None:
    broadcasting.quiz_attempt_graded(attempt=attempt, classroom_ids=classroom_ids)


def on_classroom_student_removed(
    sender: type, *, classroom_id: int, student_id: int, **kwargs: Any
) -> None:
    broadcasting.classroom_roster_changed(classroom_id=classroom_id, removed_user_id=student_id)


def on_job_updated(sender: type, *, job: GenerationJob, **kwargs: Any) -> None:
    broadcasting.job_updated(job_id=job.pk, job=job_payload(job))


def connect() -> None:
    """Connect every receiver once (``ready()`` may run twice in tests)."""
    from accounts.signals import classroom_student_removed
    from jobs.signals import job_updated
    from publishing.signals import content_published
    from quizzes.signals import quiz_attempt_graded

    content_published.connect(on_content_published, dispatch_uid="live.content_published")
    quiz_attempt_graded.connect(on_quiz_attempt_graded, dispatch_uid="live.quiz_attempt_graded")
    classroom_student_removed.connect(
        on_classroom_student_removed, dispatch_uid="live.classroom_student_removed"
    )
    job_updated.connect(on_job_updated, dispatch_uid="live.job_updated")
