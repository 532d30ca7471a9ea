"""``POST /api/v1/feedback``: "Report a problem" on every page (see feedback.services)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from accounts.auth import api_auth
from feedback.schemas import FeedbackIn, FeedbackOut
from feedback.services import feedback_submit
from monitoring.sentry_requests import keep_body_private

router = Router(tags=["feedback"], auth=api_auth)


@router.post("", response={201: FeedbackOut}, summary="Report a problem")
def feedback_create(request: HttpRequest, payload: FeedbackIn) -> Status:
    # The message is scrubbed before it is stored or sent; the raw body must not reach Sentry
    # with an error of this request either.
    keep_body_private(request)
    feedback = feedback_submit(
        user=request.auth,
        message=payload.message,
        content_kind=payload.content_kind,
        content_id=payload.content_id,
        event_id=payload.event_id,
        page_path=payload.page_path,
    )
    return Status(201, feedback)
