"""The spec's monitors: performance, database and external-API spans around our own functions.

Each decorator works on sync and async functions, keeps the signature and docstring, opens a
span with the right ``op``, records duration, outcome and (scrubbed) parameters as span data, and
marks a failure with its ``component`` and ``error_category`` so the error policy can tag and
group it. With Sentry off the wrapped function is called directly: the cost is one check.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sentry_sdk
from django.conf import settings
from django.db.models import Model
from sentry_sdk.utils import capture_internal_exceptions

from monitoring import errors
from monitoring.errors import mark_failure
from monitoring.guards import when_sentry_active
from monitoring.scrubbing import scrub

F = TypeVar("F", bound=Callable[..., Any])

MAX_PARAMETER_LENGTH = 200
SKIPPED_PARAMETERS = frozenset({"self", "cls", "request"})

# Which category a span's operation stands for, by the op's first word.
OPERATION_CATEGORIES = {
    "content": errors.CONTENT_GENERATION,
    "quiz": errors.CONTENT_GENERATION,
    "lesson": errors.CONTENT_GENERATION,
    "terrain": errors.CONTENT_GENERATION,
    "lua": errors.ROBLOX_PLUGIN,
    "roblox": errors.ROBLOX_PLUGIN,
    "db": errors.DATABASE,
    "http": errors.EXTERNAL_API,
    "gen_ai": errors.AI_AGENTS,
    "ai": errors.AI_AGENTS,
    "websocket": errors.WEBSOCKET,
    "auth": errors.AUTHENTICATION,
}


def _parameters(signature: inspect.Signature, args: tuple, kwargs: dict) -> dict[str, Any]:
    try:
        bound = signature.bind_partial(*args, **kwargs)
    except TypeError:
        return {}
    shown: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        if name in SKIPPED_PARAMETERS:
            continue
        if isinstance(value, str | int | float | bool) or value is None:
            shown[name] = value if not isinstance(value, str) else value[:MAX_PARAMETER_LENGTH]
        elif isinstance(value, Model):
            # A model's repr can be personal (a User's is the username): the id says enough.
            shown[name] = f"{value._meta.label}#{value.pk}"
        else:
            shown[name] = repr(value)[:MAX_PARAMETER_LENGTH]
    return scrub(shown, pii=settings.SENTRY.send_default_pii)


def _monitor(
    *, op: str, name: str | None, category: str, component: str | None, data: dict[str, Any]
) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        span_name = name or func.__qualname__

        def start(args: tuple, kwargs: dict) -> Any:
            span = sentry_sdk.start_span(op=op, name=span_name)
            with capture_internal_exceptions():
                for key, value in data.items():
                    span.set_data(key, value)
                span.set_data("parameters", _parameters(signature, args, kwargs))
            return span

        def finish(span: Any, started: float, exc: BaseException | None) -> None:
            with capture_internal_exceptions():
                span.set_data("duration_ms", round((time.perf_counter() - started) * 1000, 3))
                span.set_data("outcome", "error" if exc else "ok")
                span.set_status("internal_error" if exc else "ok")
                if exc is not None:
                    span.set_data("error.type", type(exc).__name__)
                    mark_failure(exc, component=component, category=category, **data)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            @when_sentry_active(fallback=func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                with start(args, kwargs) as span:
                    try:
                        result = await func(*args, **kwargs)
                    except BaseException as exc:
                        finish(span, started, exc)
                        raise
                    finish(span, started, None)
                    return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        @when_sentry_active(fallback=func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            with start(args, kwargs) as span:
                try:
                    result = func(*args, **kwargs)
                except BaseException as exc:
                    finish(span, started, exc)
                    raise
                finish(span, started, None)
                return result

        return wrapper  # type: ignore[return-value]

    return decorate


def category_for_operation(operation: str) -> str:
    return OPERATION_CATEGORIES.get(operation.split(".")[0], errors.APPLICATION)


def sentry_performance_monitor(
    operation: str, description: str | None = None, *, component: str | None = None
) -> Callable[[F], F]:
    """A span ``op=operation`` around the function (``content.generation``, ``quiz.generate``…)."""
    return _monitor(
        op=operation,
        name=description,
        category=category_for_operation(operation),
        component=component,
        data={},
    )


def sentry_database_monitor(operation: str = "db", *, component: str | None = None):
    """A ``db`` span around a unit of database work (its queries become child spans)."""
    op = operation if operation.startswith("db") else f"db.{operation}"
    return _monitor(op=op, name=None, category=errors.DATABASE, component=component, data={})


def sentry_external_api_monitor(service_name: str, *, component: str | None = None):
    """An ``http.client`` span tagged ``service:<name>`` around a call to another service."""
    return _monitor(
        op="http.client",
        name=f"{service_name} API call",
        category=errors.EXTERNAL_API,
        component=component,
        data={"service": service_name},
    )
