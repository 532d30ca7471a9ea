"""Request context for every request: request id, user, route, timing and status.

Sync and async capable. Everything that touches Sentry is wrapped so that it can never break or
slow the request it describes, and is skipped entirely when Sentry is off.
"""

from __future__ import annotations

import re
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import sentry_sdk
import structlog
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from sentry_sdk.utils import capture_internal_exceptions

from monitoring.context import resolved_user, send_pii, sentry_active, user_context
from monitoring.metrics import REQUESTS
from monitoring.sentry import UNTRACED_PATHS

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def request_id_from(request: HttpRequest) -> str:
    inbound = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(inbound):
        return inbound
    return uuid.uuid4().hex


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def route_of(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route is not None else None


def make_event_processor(request: HttpRequest) -> Callable:
    """Enrich every event of this request; holds the request weakly (no reference cycle)."""
    request_ref = weakref.ref(request)

    def processor(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        request = request_ref()
        if request is None:
            return event
        with capture_internal_exceptions():
            pii = send_pii()
            user = resolved_user(request)
            if user is not None:
                event["user"] = {
                    **(event.get("user") or {}),
                    **user_context(user, pii=pii, ip_address=client_ip(request) if pii else None),
                }
                if getattr(user, "role", None):
                    event.setdefault("tags", {}).setdefault("user.role", user.role)
            details = {
                "request_id": getattr(request, "request_id", None),
                "method": request.method,
                "route": route_of(request),
                "user_agent": request.headers.get("User-Agent", ""),
                "query": {key: request.GET.getlist(key) for key in request.GET},
            }
            if pii:
                details["client_ip"] = client_ip(request)
            event.setdefault("contexts", {})["request_details"] = details
        return event

    return processor


class RequestContextMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        started = self._start(request)
        try:
            response = self.get_response(request)
            return self._finish(request, response, started)
        finally:
            structlog.contextvars.clear_contextvars()

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        started = self._start(request)
        try:
            response = await self.get_response(request)
            return self._finish(request, response, started)
        finally:
            structlog.contextvars.clear_contextvars()

    def _start(self, request: HttpRequest) -> float:
        request.request_id = request_id_from(request)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request.request_id)
        if sentry_active():
            with capture_internal_exceptions():
                scope = sentry_sdk.get_isolation_scope()
                scope.set_tag("request_id", request.request_id)
                scope.add_event_processor(make_event_processor(request))
        return time.perf_counter()

    def _finish(self, request: HttpRequest, response: HttpResponse, started: float) -> HttpResponse:
        response[REQUEST_ID_HEADER] = request.request_id
        if request.path in UNTRACED_PATHS:
            return response
        REQUESTS.labels(request.method, f"{response.status_code // 100}xx").inc()
        if sentry_active():
            with capture_internal_exceptions():
                duration_ms = round((time.perf_counter() - started) * 1000, 2)
                route = route_of(request) or request.path
                transaction = sentry_sdk.get_current_scope().transaction
                if transaction is not None:
                    transaction.set_data("http.response_time_ms", duration_ms)
                    transaction.set_data("http.response.status_code", response.status_code)
                sentry_sdk.add_breadcrumb(
                    category="request",
                    message=f"{request.method} {route} -> {response.status_code}",
                    level="info" if response.status_code < 400 else "warning",
                    data={"status_code": response.status_code, "duration_ms": duration_ms},
                )
        return response
