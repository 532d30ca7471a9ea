"""A small Roblox Open Cloud client: the Assets API and the Luau execution API.

Request and response shapes follow Roblox's published OpenAPI descriptions
(``tests/robloxcloud/openapi_excerpt.json`` holds the parts we call, and the loopback server of
the tests validates every request against it).

* Every HTTP call is an ``http.client`` span tagged ``service: roblox`` (with the operation and
  the response status); a failed call raises :class:`RobloxApiError`, categorised ``roblox_api``
  and tagged with the operation, the HTTP status and Roblox's error code.
* The API key travels only in the ``x-api-key`` header. It is never a span parameter, never in an
  exception message (Roblox's own messages are masked before we keep them), and it is registered
  with the scrubbing when decrypted (:mod:`robloxcloud.crypto`).
* Rate limits: after an answer with ``x-ratelimit-remaining: 0`` the next call waits for
  ``x-ratelimit-reset`` seconds; a 429 is retried after ``x-ratelimit-reset`` (or
  ``Retry-After``). A wait that would pass the publication's deadline is not made: the call fails
  at once with :class:`RobloxRateLimited`, which says when to try again.
* Server errors and network failures are retried with backoff for idempotent calls (the polls),
  never for the calls that create something.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import sentry_sdk
import urllib3
from sentry_sdk.utils import capture_internal_exceptions

from monitoring import errors
from monitoring.decorators import sentry_external_api_monitor

SERVICE = "roblox"
COMPONENT = "robloxcloud"
MAX_RATE_LIMIT_RETRIES = 5
MAX_SERVER_RETRIES = 3
BACKOFF_SECONDS = 0.5
MAX_MESSAGE = 300


class RobloxApiError(Exception):
    """A call to Roblox failed. ``str()`` is safe to log: never the key."""

    error_category = errors.ROBLOX_API
    sentry_component = COMPONENT

    def __init__(
        self,
        *,
        operation: str,
        status: int | None,
        code: str,
        message: str,
        retry_at: datetime | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.operation = operation
        self.status = status
        self.code = code
        self.roblox_message = message
        self.retry_at = retry_at
        self.headers = headers or {}
        self.sentry_tags = {
            "service": SERVICE,
            "roblox.operation": operation,
            "http.status_code": str(status) if status is not None else "none",
            "roblox.error_code": code or "none",
        }
        where = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"Roblox {operation} failed: {where} {code}: {message}".strip())


class RobloxRateLimited(RobloxApiError):
    """Roblox's rate limit would need a wait past the deadline; ``retry_at`` says when."""


class RobloxTimeout(RobloxApiError):
    """The publication's deadline passed (a long-running operation, or Roblox too slow)."""


@dataclass(frozen=True)
class Body:
    """A request body. Its repr (span parameters) says only its kind and size."""

    data: bytes
    content_type: str

    def __repr__(self) -> str:
        return f"<{self.content_type.split(';')[0]} body, {len(self.data)} bytes>"


def json_body(value: Any) -> Body:
    return Body(json.dumps(value).encode("utf-8"), "application/json")


def multipart_body(fields: dict[str, Any]) -> Body:
    data, content_type = urllib3.encode_multipart_formdata(fields)
    return Body(data, content_type)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    data: Any


def _header_seconds(headers: dict[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None


class OpenCloudClient:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout_seconds: float,
        request_timeout_seconds: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url.rstrip("/") + "/"
        self._deadline = time.monotonic() + timeout_seconds
        self.timeout_seconds = timeout_seconds
        self._request_timeout = request_timeout_seconds
        self._sleep = sleep
        self._not_before = 0.0  # time.monotonic(): Roblox said the quota is spent until then
        self._pool = urllib3.PoolManager(retries=False)

    def __repr__(self) -> str:  # never the key, in any traceback's locals
        return f"<OpenCloudClient {self._base_url}>"

    # --- masking -----------------------------------------------------------------------------

    def mask(self, text: str) -> str:
        """``text`` with the API key replaced by its masked form (Roblox may echo it)."""
        if self._api_key and self._api_key in text:
            text = text.replace(self._api_key, f"****{self._api_key[-4:]}")
        return text[:MAX_MESSAGE]

    # --- time ------------------------------------------------------------------------------------

    def remaining(self) -> float:
        return self._deadline - time.monotonic()

    def wait(self, seconds: float, *, operation: str, rate_limited: bool = False) -> None:
        """Sleep ``seconds`` if the deadline allows; otherwise fail now, saying when to retry."""
        if seconds <= 0:
            return
        if seconds > self.remaining():
            retry_at = datetime.now(UTC) + timedelta(seconds=seconds)
            if rate_limited:
                raise RobloxRateLimited(
                    operation=operation,
                    status=429,
                    code="RESOURCE_EXHAUSTED",
                    message=f"rate limited by Roblox until {retry_at:%Y-%m-%d %H:%M:%S} UTC",
                    retry_at=retry_at,
                )
            raise RobloxTimeout(
                operation=operation,
                status=None,
                code="DEADLINE_EXCEEDED",
                message=f"not finished within {self.timeout_seconds:g} s",
            )
        self._sleep(seconds)

    # --- requests --------------------------------------------------------------------------------

    def request(
        self,
        *,
        operation: str,
        method: str,
        path: str,
        body: Body | None = None,
        idempotent: bool = False,
    ) -> Answer:
        """Call ``path`` (relative to the Open Cloud base URL), honouring rate limits and
        retrying what may be retried; raises :class:`RobloxApiError` on failure."""
        limited = server_failures = 0
        while True:
            self.wait(self._not_before - time.monotonic(), operation=operation, rate_limited=True)
            if self.remaining() <= 0:
                self.wait(1, operation=operation)  # raises RobloxTimeout
            try:
                answer = self._send(operation, method, path, body)
            except RobloxApiError as exc:
                if exc.status == 429 and limited < MAX_RATE_LIMIT_RETRIES:
                    limited += 1
                    reset = _header_seconds(exc.headers, "x-ratelimit-reset", "retry-after")
                    self.wait(
                        reset if reset is not None else BACKOFF_SECONDS * 2**limited,
                        operation=operation,
                        rate_limited=True,
                    )
                    continue
                server_side = exc.status is None or exc.status >= 500
                if idempotent and server_side and server_failures < MAX_SERVER_RETRIES:
                    server_failures += 1
                    self.wait(BACKOFF_SECONDS * 2 ** (server_failures - 1), operation=operation)
                    continue
                raise
            return answer

    @sentry_external_api_monitor(SERVICE, component=COMPONENT)
    def _send(self, operation: str, method: str, path: str, body: Body | None) -> Answer:
        headers = {"x-api-key": self._api_key, "accept": "application/json"}
        if body is not None:
            headers["content-type"] = body.content_type
        timeout = max(0.1, min(self._request_timeout, self.remaining()))
        span = sentry_sdk.get_current_span()
        if span is not None:
            with capture_internal_exceptions():
                span.set_data("roblox.operation", operation)
                span.set_data("http.request.method", method)
        try:
            response = self._pool.request(
                method,
                self._base_url + path,
                body=body.data if body is not None else None,
                headers=headers,
                timeout=urllib3.Timeout(total=timeout),
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise RobloxApiError(
                operation=operation, status=None, code="NETWORK_ERROR", message=type(exc).__name__
            ) from None
        answer_headers = {key.lower(): value for key, value in response.headers.items()}
        if span is not None:
            with capture_internal_exceptions():
                span.set_data("http.response.status_code", response.status)
        self._note_quota(answer_headers)
        try:
            data = json.loads(response.data) if response.data else None
        except ValueError:
            data = None
        if response.status >= 400:
            code, message = self._error_of(data, response.status)
            raise RobloxApiError(
                operation=operation,
                status=response.status,
                code=code,
                message=message,
                headers=answer_headers,
            )
        return Answer(response.status, answer_headers, data)

    def _note_quota(self, headers: dict[str, str]) -> None:
        if headers.get("x-ratelimit-remaining", "").strip() == "0":
            reset = _header_seconds(headers, "x-ratelimit-reset")
            if reset:
                self._not_before = max(self._not_before, time.monotonic() + reset)

    def _error_of(self, data: Any, status: int) -> tuple[str, str]:
        """Roblox's error code and message, from any of its error shapes: Open Cloud v2 and the
        Assets API's ``Status`` (``{"code", "message"}``) and the older ``{"errors": [...]}``."""
        if isinstance(data, dict):
            if isinstance(data.get("errors"), list) and data["errors"]:
                first = data["errors"][0] if isinstance(data["errors"][0], dict) else {}
                data = first
            code = data.get("code", data.get("error", ""))
            message = data.get("message", "")
            return self.mask(str(code))[:64], self.mask(str(message))
        return "", f"HTTP {status}"


def quoted(segment: str | int) -> str:
    """One URL path segment, escaped."""
    return quote(str(segment), safe="")
