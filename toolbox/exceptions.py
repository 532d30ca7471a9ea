"""JSON error responses in Ninja's ``{"detail": ...}`` shape for errors Django itself answers.

Ninja answers errors raised inside API views; these handlers cover the rest (unknown URLs, a
disallowed host, a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a database outage as a 503, a crash
that Django turns into a 500 after Sentry has captured it), and ``MethodNotAllowedMiddleware``
the 405s that neither raises. The API's own handlers (``toolbox/api.py``) reuse
``request_too_large`` and ``service_unavailable`` so both paths answer alike.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from sentry_sdk import last_event_id

from monitoring.errors import database_unavailable

# How long a client should wait before retrying while a dependency is down: a database that
# restarts or fails over is usually back within seconds.
RETRY_AFTER_SECONDS = 5


def _error(request: HttpRequest, status: int, detail: str) -> JsonResponse:
    body: dict[str, object] = {"detail": detail}
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JsonResponse(body, status=status)


def service_unavailable(request: HttpRequest, event_id: str | None = None) -> JsonResponse:
    response = _error(request, 503, "Service temporarily unavailable")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if event_id:
        response["X-Sentry-Event-ID"] = event_id
    return response


def request_too_large(request: HttpRequest) -> JsonResponse:
    return _error(request, 413, "Request body too large")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return _error(request, 400, "Bad request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 403, "You do not have permission to perform this action")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 404, "Not found")


def server_error(request: HttpRequest) -> JsonResponse:
    # Django calls this while handling the exception (Sentry has captured it by then), so the
    # exception is still in sys.exc_info(): a database outage answers 503, anything else 500.
    event_id = last_event_id()
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request, event_id)
    response = _error(request, 500, "Internal server error")
    if event_id:
        response["X-Sentry-Event-ID"] = event_id
    return response


def _json_not_allowed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not isinstance(response, HttpResponseNotAllowed):
        return response
    json_response = _error(request, 405, "Method not allowed")
    json_response["Allow"] = response["Allow"]
    return json_response


class MethodNotAllowedMiddleware:
    """Ninja and Django answer a method that a route does not serve with a bare text 405, not
    through an exception handler: answer it in the JSON shape of every other error (the
    ``Allow`` header stays)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return _json_not_allowed(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return _json_not_allowed(request, await self.get_response(request))
