"""Every HTTP call to an LMS: an external-API span, a breaker per platform, retries when safe.

PyLTI1p3 makes its calls (the platform's JWKS, the AGS token and score posts) through a
``requests.Session`` it is handed: :class:`LmsSession` is that session, so no call escapes
monitoring. A failure raises :class:`LmsCallError`, categorised ``external_api`` and tagged with
the LMS's host and HTTP status (never a URL's query, a token or an assertion). GETs are retried
with exponential backoff (idempotent); POSTs are not retried here: a grade post is retried by its
Celery task (``lti.tasks``) with the same score and timestamp.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pybreaker
import requests
from django.conf import settings

from monitoring import errors
from monitoring.circuits import circuit_open_report, register_circuit
from monitoring.decorators import sentry_external_api_monitor
from providers.breaker import CLOSED, ReportingCircuitBreaker, SentryBreakerListener, SharedStorage

logger = logging.getLogger(__name__)

SERVICE = "lms"
COMPONENT = "lti"
GET_ATTEMPTS = 3
BACKOFF_SECONDS = 0.2  # 0.2 s, 0.4 s: a blip passes, a down LMS does not hold a launch long
USER_AGENT = "ToolboxAI-LTI"


class LmsCallError(Exception):
    """An LMS answered with an error, or could not be reached."""

    error_category = errors.EXTERNAL_API
    sentry_component = COMPONENT

    def __init__(self, message: str, *, host: str, status: int | None) -> None:
        super().__init__(message)
        self.host = host
        self.status = status
        self.sentry_tags = {
            "service": SERVICE,
            "lms_host": host,
            "http_status": str(status) if status is not None else "unreachable",
        }

    @property
    def retryable(self) -> bool:
        """Worth another try: the LMS could not be reached, or failed on its side (5xx, 429)."""
        return self.status is None or self.status >= 500 or self.status == 429


def _not_the_lms_being_down(exc: BaseException) -> bool:
    """Only an LMS that is down opens its breaker: a 4xx is our request's fault, or a bad key."""
    return isinstance(exc, LmsCallError) and not exc.retryable


class PlatformBreaker(ReportingCircuitBreaker):
    """The providers' breaker, telling Sentry once that an LMS, not the LLM, is down."""

    def _report_opened(self) -> None:
        circuit_open_report(
            self.name,
            component=COMPONENT,
            service=SERVICE,
            fail_max=self.fail_max,
            consequence=f"calls to this LMS wait {self.reset_timeout:g} s",
        )


_lock = threading.Lock()
_breakers: dict[str, PlatformBreaker] = {}
_built_for: dict[str, tuple[str, str]] = {}


def platform_breaker(platform_id: int) -> PlatformBreaker:
    """The breaker of one platform (shared through Redis by every worker, like the LLM's)."""
    name = f"lti-platform-{platform_id}"
    built_for = (settings.REDIS_URL, settings.REDIS_KEY_PREFIX)
    with _lock:
        breaker = _breakers.get(name)
        if breaker is None or _built_for.get(name) != built_for:
            if settings.REDIS_URL:
                storage: Any = SharedStorage(
                    name, settings.REDIS_URL, key_prefix=settings.REDIS_KEY_PREFIX
                )
                kind = "redis"
            else:
                storage, kind = pybreaker.CircuitMemoryStorage(CLOSED), "memory"
            breaker = PlatformBreaker(
                name=name,
                service=SERVICE,
                storage_kind=kind,
                state_storage=storage,
                listeners=[SentryBreakerListener()],
                exclude=[_not_the_lms_being_down],
                throw_new_error_on_trip=False,
            )
            _breakers[name] = breaker
            _built_for[name] = built_for
            register_circuit(name, lambda b=breaker: b.current_state)
    breaker.fail_max = settings.LTI_BREAKER_FAIL_MAX
    breaker.reset_timeout = settings.LTI_BREAKER_RESET_SECONDS
    return breaker


def breakers_reset() -> None:
    """Forget every platform breaker of this process (tests)."""
    with _lock:
        _breakers.clear()
        _built_for.clear()


@sentry_external_api_monitor(service_name=SERVICE, component=COMPONENT)
def lms_call(*, method: str, host: str, path: str, send: Any) -> requests.Response:
    """One HTTP exchange with an LMS, as an ``http.client`` span with ``service: lms``.

    Only the method, host and path are recorded: bodies carry client assertions and tokens.
    """
    try:
        response = send()
    except requests.RequestException as exc:
        raise LmsCallError(
            f"{method} {host}{path} failed: {type(exc).__name__}", host=host, status=None
        ) from None
    if response.status_code >= 400:
        raise LmsCallError(
            f"{method} {host}{path} answered {response.status_code}",
            host=host,
            status=response.status_code,
        )
    return response


class LmsSession(requests.Session):
    """The session PyLTI1p3 uses for one platform's calls."""

    def __init__(self, *, platform_id: int) -> None:
        super().__init__()
        self.platform_id = platform_id
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT_SECONDS)
        parts = urlsplit(url)
        host = parts.netloc
        method = method.upper()
        attempts = GET_ATTEMPTS if method in ("GET", "HEAD") else 1
        breaker = platform_breaker(self.platform_id)
        for attempt in range(1, attempts + 1):
            try:
                with breaker.calling():
                    return lms_call(
                        method=method,
                        host=host,
                        path=parts.path,
                        send=lambda: super(LmsSession, self).request(method, url, *args, **kwargs),
                    )
            except pybreaker.CircuitBreakerError:
                raise LmsCallError(
                    f"{method} {host}{parts.path} not tried: this LMS's circuit breaker is open",
                    host=host,
                    status=None,
                ) from None
            except LmsCallError as exc:
                if not exc.retryable or attempt == attempts:
                    raise
                logger.warning(
                    "lms call retried: %s %s answered %s (attempt %d of %d)",
                    method,
                    host,
                    exc.status or "nothing",
                    attempt,
                    attempts,
                )
                time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        raise AssertionError("unreachable")
