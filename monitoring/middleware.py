"""Request context for every request: request id, user, route, timing and status.

Sync and async capable. Everything that touches Sentry is wrapped so that it can never break or
slow the request it describes, and is skipped entirely when Sentry is off.
"""

from __future__ import annotations

import contextvars
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from sentry_sdk.tracing import Transaction
from sentry_sdk.utils import capture_internal_exceptions

from monitoring import alerts
from monitoring.errors import component_for_path, count_request_outcome, current_request
from monitoring.guards import send_pii, sentry_active
from monitoring.metrics import record_request
from monitoring.sentry_requests import finish_transaction, request_scope
from monitoring.users import resolved_user, user_context

# Probes, scrapes and the browser tunnel: never traced, whatever the rate (they would drown real
# traffic; a tunnel transaction per browser envelope would double what Sentry receives).
UNTRACED_PATHS = frozenset(
    {"/health", "/health/", "/metrics", "/metrics/", "/api/v1/sentry-tunnel"}
)

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


def request_details(request: HttpRequest, *, pii: bool) -> dict[str, Any]:
    details = {
        "request_id": getattr(request, "request_id", None),
        "method": request.method,
        "route": route_of(request),
        "user_agent": request.headers.get("User-Agent", ""),
        "query": {key: request.GET.getlist(key) for key in request.GET},
    }
    if pii:
        details["client_ip"] = client_ip(request)
    return details


def enrich(event: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    pii = send_pii()
    user = resolved_user(request)
    if user is not None:
        ip_address = client_ip(request) if pii else None
        event["user"] = {
            **(event.get("user") or {}),
            **user_context(user, pii=pii, ip_address=ip_address),
        }
        if getattr(user, "role", None):
            event.setdefault("tags", {}).setdefault("user.role", user.role)
    event.setdefault("tags", {}).setdefault("request_id", getattr(request, "request_id", None))
    if event.get("type") != "transaction":
        # A transaction has each of these already: its request data, name and request_id tag.
        event.setdefault("contexts", {})["request_details"] = request_details(request, pii=pii)
    return event


def request_event_processor(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Registered once on the global scope: enriches events raised while a request is handled.

    The request comes from a context variable, not from a processor added per request, so a
    scope that outlives the request (a test client, a management command) never keeps it.
    """
    request = current_request.get()
    if request is not None:
        with capture_internal_exceptions():
            enrich(event, request)
    return event


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
        started, token = self._start(request)
        try:
            with request_scope(request) as transaction:
                response = self.get_response(request)
                return self._finish(request, response, started, transaction)
        finally:
            current_request.reset(token)
            structlog.contextvars.clear_contextvars()

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        started, token = self._start(request)
        try:
            with request_scope(request) as transaction:
                response = await self.get_response(request)
                return self._finish(request, response, started, transaction)
        finally:
            current_request.reset(token)
            structlog.contextvars.clear_contextvars()

    def _start(self, request: HttpRequest) -> tuple[float, contextvars.Token]:
        request.request_id = request_id_from(request)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request.request_id)
        token = current_request.set(request)
        return time.perf_counter(), token

    def _finish(
        self,
        request: HttpRequest,
        response: HttpResponse,
        started: float,
        transaction: Transaction | None,
    ) -> HttpResponse:
        response[REQUEST_ID_HEADER] = request.request_id
        if request.path in UNTRACED_PATHS:
            return response
        seconds = time.perf_counter() - started
        route = route_of(request)
        component = component_for_path(request.path)
        record_request(
            route=route,
            method=request.method,
            status=response.status_code,
            component=component.component if component else "app",
            seconds=seconds,
        )
        alerts.observe(response.status_code, seconds)
        count_request_outcome(request, response.status_code, sentry_on=sentry_active())
        # Every request has a transaction, but only a sampled one is sent, so only it is named.
        # (Its user and request_id tag come from request_event_processor, as an error's do: the
        # transaction is sent as request_scope exits, while current_request still holds it.)
        if transaction is not None and transaction.sampled:
            with capture_internal_exceptions():
                finish_transaction(transaction, request, response)
                transaction.set_tag("request_id", request.request_id)
                transaction.set_data("http.response_time_ms", round(seconds * 1000, 2))
                transaction.set_data("http.response.status_code", response.status_code)
        return response
