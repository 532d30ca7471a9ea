"""Writes for "Report a problem"."""

from __future__ import annotations

from accounts.models import User
from accounts.ratelimit import FEEDBACK, rate_limit_consume
from accounts.selectors import user_known_names
from feedback.models import Feedback
from monitoring.feedback import feedback_event_send
from monitoring.scrubbing import scrub_personal_text


def feedback_submit(
    *,
    user: User,
    message: str,
    content_kind: str | None = None,
    content_id: int | None = None,
    event_id: str | None = None,
    page_path: str | None = None,
) -> Feedback:
    """Store a report and send it to Sentry as user feedback linked to ``event_id``.

    The message is scrubbed before either (a child may type their own or a classmate's name, an
    e-mail address or a phone number): nothing unscrubbed is stored or sent. Rate-limited per
    user (``FEEDBACK_RATE_LIMIT``); raises :class:`accounts.ratelimit.RateLimited` over it.
    """
    rate_limit_consume(user=user, scope=FEEDBACK)
    names = user_known_names(user=user)
    feedback = Feedback.objects.create(
        user=user,
        role=user.role,
        message=scrub_personal_text(message, names=names),
        content_kind=content_kind or "",
        content_id=content_id,
        page_path=scrub_personal_text(page_path or "", names=names)[:500],
        sentry_event_id=event_id or "",
    )
    sent_id = feedback_event_send(
        message=feedback.message,
        user_id=str(user.pk),
        role=user.role,
        associated_event_id=feedback.sentry_event_id or None,
        page_path=feedback.page_path or None,
        content_kind=feedback.content_kind or None,
        content_id=feedback.content_id,
    )
    if sent_id:
        feedback.feedback_event_id = sent_id
        feedback.save(update_fields=["feedback_event_id"])
    return feedback
