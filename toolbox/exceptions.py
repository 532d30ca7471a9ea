"""JSON error responses in Ninja's ``{"detail": ...}`` shape for errors Django itself answers.

Ninja answers errors raised inside API views; these handlers cover the rest (unknown URLs, a
disallowed host, a crash that Django turns into a 500 after Sentry has captured it).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from sentry_sdk import last_event_id


def _error(request: HttpRequest, status: int, detail: str) -> JsonResponse:
    body: dict[str, object] = {"detail": detail}
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JsonResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 400, "Bad request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 403, "You do not have permission to perform this action")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 404, "Not found")


def server_error(request: HttpRequest) -> JsonResponse:
    response = _error(request, 500, "Internal server error")
    event_id = last_event_id()
    if event_id:
        response["X-Sentry-Event-ID"] = event_id
    return response
