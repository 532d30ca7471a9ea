"""Error policy and categorisation: the one table that decides what becomes a Sentry event.

Client errors (4xx) are expected: in production they become a breadcrumb, a log line and a
counter, never an event. Server errors (5xx) and unhandled exceptions are always sent. Every event
that is sent carries ``component`` and ``error_category`` tags and a fingerprint that groups by
component and exception type, so one failing provider is one issue, not hundreds.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost, PermissionDenied, SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from prometheus_client import Counter
from sentry_sdk.utils import capture_internal_exceptions

logger = logging.getLogger("monitoring.errors")

# The categories of the spec's "Error Categorization".
AUTHENTICATION = "authentication"
CONTENT_GENERATION = "content_generation"
DATABASE = "database"
EXTERNAL_API = "external_api"
ROBLOX_PLUGIN = "roblox_plugin"
# Roblox Open Cloud (robloxcloud): a call to Roblox's API failed, distinct from the plugin's feed.
ROBLOX_API = "roblox_api"
WEBSOCKET = "websocket"
AI_AGENTS = "ai_agents"
APPLICATION = "application"
CATEGORIES = (
    AUTHENTICATION,
    CONTENT_GENERATION,
    DATABASE,
    EXTERNAL_API,
    ROBLOX_PLUGIN,
    ROBLOX_API,
    WEBSOCKET,
    AI_AGENTS,
    APPLICATION,
)

# Exception modules whose errors mean "the database failed" (raised below Django's wrappers).
DATABASE_MODULES = ("psycopg", "psycopg2", "sqlite3")
# Exception modules whose errors mean "a service we call failed".
EXTERNAL_MODULES = ("openai", "httpx", "httpcore", "urllib3", "requests", "pybreaker")

ERRORS = Counter(
    "toolbox_errors",
    "Errors seen, by component, category, kind (client/server) and whether Sentry got them.",
    ["component", "category", "kind", "reported"],
)
CLIENT = "client"
SERVER = "server"

# The request being handled (set by monitoring.middleware), for code deep below a view.
current_request: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "toolbox_current_request", default=None
)
# Set on a request whose error was counted where it was caught, so that its outcome is not
# counted a second time; and the exception that decided it, for the outcome's category.
_COUNTED = "_toolbox_error_counted"
_EXCEPTION = "_toolbox_exception"


@dataclass(frozen=True)
class ComponentRoute:
    prefix: str
    component: str
    category: str


_routes: list[ComponentRoute] = []


def register_component(prefix: str, component: str, category: str = APPLICATION) -> None:
    """Apps declare, in ``AppConfig.ready()``, which URL prefix is theirs. Idempotent."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown error category {category!r}")
    route = ComponentRoute(prefix, component, category)
    if route not in _routes:
        _routes.append(route)
        _routes.sort(key=lambda r: len(r.prefix), reverse=True)


def component_for_path(path: str) -> ComponentRoute | None:
    for route in _routes:
        if path.startswith(route.prefix):
            return route
    return None


# --- the policy table ---------------------------------------------------------------------------

# (exception class, HTTP status it stands for). Checked in order; subclasses first.
CLIENT_ERRORS: tuple[tuple[type[BaseException], int], ...] = (
    (NinjaValidationError, 422),
    (Http404, 404),
    (PermissionDenied, 403),
    (DisallowedHost, 400),
    (SuspiciousOperation, 400),
)


def client_error_status(exc: BaseException) -> int | None:
    """The 4xx status ``exc`` stands for, or None when it is a server error."""
    if isinstance(exc, HttpError):
        return exc.status_code if 400 <= exc.status_code < 500 else None
    for exc_class, status in CLIENT_ERRORS:
        if isinstance(exc, exc_class):
            return status
    return None


# Loggers whose error records are a client's doing (a bad Host header, a tampered cookie).
CLIENT_ERROR_LOGGERS = ("django.security.",)


def _is_client_error(exc: BaseException | None, hint: dict[str, Any]) -> bool:
    if exc is not None:
        return client_error_status(exc) is not None
    record = hint.get("log_record") if hint else None
    return record is not None and record.name.startswith(CLIENT_ERROR_LOGGERS)


def report_client_errors(environment: str) -> bool:
    """Client errors become events only in development, where they help build the client,
    unless the admin's monitoring settings say otherwise (e.g. report 4xx in staging)."""
    from monitoring.runtime import current

    override = current().report_client_errors
    return environment == "development" if override is None else override


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be used right now (refused, lost or timed-out
    connection, server shutting down): an outage that a retry may cure, not a bug."""
    return isinstance(exc, OperationalError | InterfaceError)


def category_for(exc: BaseException | None, route: ComponentRoute | None) -> str:
    if exc is not None:
        explicit = getattr(exc, "error_category", None)
        if explicit in CATEGORIES:
            return explicit
        module = type(exc).__module__.split(".")[0]
        if isinstance(exc, DatabaseError) or module in DATABASE_MODULES:
            return DATABASE
        if module in EXTERNAL_MODULES:
            return EXTERNAL_API
    return route.category if route else APPLICATION


def _event_path(event: dict[str, Any]) -> str:
    url = (event.get("request") or {}).get("url") or ""
    return urlsplit(url).path if url else ""


def classify_event(event: dict[str, Any], hint: dict[str, Any], *, environment: str):
    """``before_send`` step: drop client errors per policy, tag and fingerprint the rest."""
    exc_info = hint.get("exc_info") if hint else None
    exc = exc_info[1] if exc_info else None
    route = component_for_path(_event_path(event))
    tags = event.setdefault("tags", {})
    if exc is not None:
        for key, value in (getattr(exc, "sentry_tags", None) or {}).items():
            tags.setdefault(key, value)
    component = (
        getattr(exc, "sentry_component", None)
        or tags.get("component")
        or (route.component if route else "app")
    )
    if database_unavailable(exc):
        # Wherever an outage surfaces (a login, a content generation), it is the database's.
        category = DATABASE
    else:
        category = tags.get("error_category") or category_for(exc, route)

    # Counting is not done here: an event exists only while Sentry is on, and the figures must
    # be the same with Sentry off (see count_error and count_request_outcome).
    if _is_client_error(exc, hint) and not report_client_errors(environment):
        return None

    tags["component"] = component
    tags["error_category"] = category
    user = event.get("user") or {}
    if user.get("role"):
        tags.setdefault("user.role", user["role"])
    if exc is not None and not event.get("fingerprint"):
        event["fingerprint"] = [component, category, type(exc).__name__]
    return event


def count_error(*, component: str, category: str, kind: str, reported: bool) -> None:
    """Count an error outside the request/response cycle (a job, a socket), or one caught
    inside a request whose response will not say so (the request is then not counted again)."""
    ERRORS.labels(component, category, kind, "true" if reported else "false").inc()
    request = current_request.get()
    if request is not None:
        setattr(request, _COUNTED, True)


def note_request_exception(request: Any, exc: BaseException) -> None:
    """Remember the exception behind a request's error response, for its category."""
    setattr(request, _EXCEPTION, exc)


def count_request_outcome(request: Any, status: int, *, sentry_on: bool) -> None:
    """The one counting point of an HTTP request's error: every 4xx and 5xx response, once,
    the same with Sentry on or off."""
    if status < 400 or getattr(request, _COUNTED, False):
        return
    route = component_for_path(request.path)
    exc = getattr(request, _EXCEPTION, None)
    category = DATABASE if database_unavailable(exc) else category_for(exc, route)
    if status >= 500:
        kind, reported = SERVER, sentry_on
    else:
        kind = CLIENT
        reported = sentry_on and report_client_errors(_environment())
    ERRORS.labels(route.component if route else "app", category, kind, str(reported).lower()).inc()


def _environment() -> str:
    from django.conf import settings

    return settings.SENTRY.environment


def request_exception_noted(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """``got_request_exception`` receiver: an unhandled exception decides the 500's category."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None:
        note_request_exception(request, exc)


def record_client_error(request: Any, exc: BaseException, status: int) -> None:
    """A client error answered by the API: a breadcrumb and a log line; an event only by policy.
    The response is counted by the middleware (``count_request_outcome``)."""
    import sentry_sdk

    from monitoring.facade import add_breadcrumb, capture_exception

    note_request_exception(request, exc)
    route = component_for_path(request.path)
    component = route.component if route else "app"
    add_breadcrumb(
        message=f"{request.method} {request.path} answered {status}",
        category="request",
        level="warning",
        data={"status_code": status, "error": type(exc).__name__, "component": component},
    )
    logger.info(
        "client error %s %s -> %s (%s)", request.method, request.path, status, type(exc).__name__
    )
    # Not @when_sentry_active: the breadcrumb and log line above are wanted with Sentry off too.
    if report_client_errors(_environment()) and sentry_sdk.get_client().is_active():
        with sentry_sdk.new_scope() as scope:
            scope.set_level("warning")
            scope.set_tag("http.status_code", str(status))
            capture_exception(exc)


def mark_failure(exc: BaseException, *, component: str | None, category: str, **tags: str) -> None:
    """Remember on the exception where it happened; the error policy turns it into tags.

    It lives here, beside :func:`classify_event` that reads these attributes, so the writer and
    the reader of ``error_category``/``sentry_component``/``sentry_tags`` change together."""
    with capture_internal_exceptions():
        if getattr(exc, "error_category", None) is None:
            exc.error_category = category
        if component and getattr(exc, "sentry_component", None) is None:
            exc.sentry_component = component
        existing = getattr(exc, "sentry_tags", None) or {}
        exc.sentry_tags = {**tags, **existing}
