"""Grade posts to LMS gradebooks, in the background, retried with backoff until they land."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from lti import services
from lti.models import GradePostStatus


@shared_task(name="lti.grade_post_send", ignore_result=True)
def grade_post_send(grade_post_id: int) -> str:
    """One try; on failure the next one is scheduled (``countdown``) from the row's backoff.

    Without a broker (tasks run eagerly) nothing is scheduled: ``grade_posts_retry_due`` (the
    teacher's page and ``manage.py lti_grade_retry`` from cron) picks the row up when it is due.
    """
    post = services.grade_post_send(grade_post_id=grade_post_id)
    if post.status == GradePostStatus.FAILED and not settings.CELERY_TASK_ALWAYS_EAGER:
        delay = services.retry_delay(post.attempts).total_seconds()
        grade_post_send.apply_async((grade_post_id,), countdown=delay)
    return post.status


@shared_task(name="lti.grade_posts_retry_due", ignore_result=True)
def grade_posts_retry_due() -> int:
    """Send every post whose next try is due; returns how many were tried."""
    due = services.grade_posts_due()
    for grade_post_id in due:
        services.grade_post_send(grade_post_id=grade_post_id)
    return len(due)
