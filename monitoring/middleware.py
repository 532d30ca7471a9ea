"""Request context: request id, timing and request counting for every request.

Sync and async capable. Everything that touches Sentry is wrapped so that it can never break or
slow the request it describes.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable

import sentry_sdk
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from sentry_sdk.utils import capture_internal_exceptions

from monitoring.metrics import REQUESTS
from monitoring.sentry import UNTRACED_PATHS

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def request_id_from(request: HttpRequest) -> str:
    inbound = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(inbound):
        return inbound
    return uuid.uuid4().hex


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
        response = self.get_response(request)
        return self._finish(request, response, started)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        started = self._start(request)
        response = await self.get_response(request)
        return self._finish(request, response, started)

    def _start(self, request: HttpRequest) -> float:
        request.request_id = request_id_from(request)
        with capture_internal_exceptions():
            sentry_sdk.get_isolation_scope().set_tag("request_id", request.request_id)
        return time.perf_counter()

    def _finish(self, request: HttpRequest, response: HttpResponse, started: float) -> HttpResponse:
        response[REQUEST_ID_HEADER] = request.request_id
        if request.path not in UNTRACED_PATHS:
            REQUESTS.labels(request.method, f"{response.status_code // 100}xx").inc()
        return response
