"""User feedback to Sentry: a ``feedback`` event (Sentry's User Feedback format) linked to the
error the user saw. sentry-sdk 2.x has no ``capture_feedback``, so we build the envelope and hand
it to the SDK's transport (our queue, timeout and counters; the request never waits for Sentry).
The message arrives already scrubbed (feedback.services)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.envelope import Envelope, Item, PayloadRef


def feedback_event(
    *,
    message: str,
    user_id: str,
    role: str,
    associated_event_id: str | None,
    page_path: str | None,
    content_kind: str | None,
    content_id: int | None,
) -> dict[str, Any]:
    config = settings.SENTRY
    feedback: dict[str, Any] = {"message": message, "source": "toolbox-report-problem"}
    if associated_event_id:
        feedback["associated_event_id"] = associated_event_id
    if page_path:
        feedback["url"] = page_path
    tags = {"user.role": role}
    if content_kind:
        tags["content.kind"] = content_kind
        if content_id is not None:
            tags["content.id"] = str(content_id)
    return {
        "type": "feedback",
        "event_id": uuid.uuid4().hex,
        "timestamp": datetime.now(UTC).timestamp(),
        "platform": "python",
        "level": "info",
        "environment": config.environment,
        "release": config.release,
        # The opaque id and role only, whatever SENTRY_SEND_DEFAULT_PII says: reports come
        # from children too.
        "user": {"id": user_id, "role": role},
        "tags": tags,
        "contexts": {"feedback": feedback},
    }


def feedback_event_send(**fields: Any) -> str | None:
    """Queue the feedback event; its id, or None when Sentry is off."""
    transport = sentry_sdk.get_client().transport
    if transport is None:
        return None
    event = feedback_event(**fields)
    envelope = Envelope(
        headers={"event_id": event["event_id"], "sent_at": datetime.now(UTC).isoformat()}
    )
    envelope.add_item(Item(payload=PayloadRef(json=event), type="feedback"))
    transport.capture_envelope(envelope)
    return event["event_id"]
