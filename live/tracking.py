"""What a WebSocket connection tells Sentry, the logs and ``/metrics``.

One Sentry isolation scope per connection (user, tags, breadcrumbs of its life) and one
transaction per message it processes, never one per connection: a socket may stay open for
hours. A broadcast is one push however many sockets it reaches: one transaction per process
that delivers it (:func:`push`), not one per socket. Everything here is a no-op for Sentry when
it is off, and none of it can raise.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import sentry_sdk
from django.conf import settings
from sentry_sdk.tracing import TransactionSource
from sentry_sdk.utils import capture_internal_exceptions

from monitoring import errors
from monitoring.errors import mark_failure
from monitoring.facade import capture_exception
from monitoring.guards import send_pii, sentry_active, when_sentry_active
from monitoring.metrics.registry import (
    WEBSOCKET_CONNECTIONS,
    WEBSOCKET_MESSAGES,
    WEBSOCKET_REJECTED,
)
from monitoring.scrubbing import scrub
from monitoring.tracing import TRUSTED_PARENT, begin, new_trace, untrusted_trace_headers

logger = logging.getLogger("live")

COMPONENT = "websocket"
CATEGORY = "websocket"
ORIGIN = "auto.websocket.toolbox"


class ConnectionRejected(Exception):
    """A connection closed by the server with an application close code (4401, 4403, 4404).

    Like an HTTP 4xx it is the client's doing: a breadcrumb, a log line and a counter always, an
    event only where the error policy reports client errors (development, or the admin's
    override).
    """

    error_category = errors.WEBSOCKET
    sentry_component = COMPONENT

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"WebSocket closed with {code}: {reason}")
        self.code = code
        self.reason = reason


def path_of(scope: dict[str, Any]) -> str:
    return scope.get("path", "")


def _event_processor(asgi_scope: dict[str, Any], consumer: str):
    path = path_of(asgi_scope)
    headers = dict(asgi_scope.get("headers") or [])
    host = headers.get(b"host", b"localhost").decode("latin-1")

    def process(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        with capture_internal_exceptions():
            # The path without its query string: the error policy finds the component by it,
            # and a query string is never sent (a client may put a token in it).
            event.setdefault("request", {}).setdefault("url", f"ws://{host}{path}")
            event.setdefault("contexts", {}).setdefault(
                "websocket", {"consumer": consumer, "path": path}
            )
        return event

    return process


@when_sentry_active()
def prepare_scope(sentry_scope: Any, asgi_scope: dict[str, Any], consumer: str) -> None:
    """Give the connection's isolation scope what every one of its events carries."""
    with capture_internal_exceptions():
        sentry_scope.set_tag("component", COMPONENT)
        sentry_scope.set_tag("websocket.consumer", consumer)
        sentry_scope.add_event_processor(_event_processor(asgi_scope, consumer))


@when_sentry_active()
def identify(sentry_scope: Any, user_data: dict[str, Any], role: str | None) -> None:
    """The authenticated user (opaque id and role unless PII is on) on the connection's scope."""
    with capture_internal_exceptions():
        sentry_scope.set_user(user_data)
        sentry_scope.set_tag("user.role", role or "unknown")


@when_sentry_active()
def _crumb(message: str, level: str = "info", **data: Any) -> None:
    with capture_internal_exceptions():
        sentry_sdk.add_breadcrumb(category="websocket", message=message, level=level, data=data)


def opened(consumer: str, path: str) -> None:
    WEBSOCKET_CONNECTIONS.labels(consumer).inc()
    _crumb("WebSocket connected", consumer=consumer, path=path)
    logger.info("websocket connected", extra={"consumer": consumer, "path": path})


def closed(consumer: str, path: str, *, code: int | None, duration_seconds: float) -> None:
    WEBSOCKET_CONNECTIONS.labels(consumer).dec()
    duration_ms = round(duration_seconds * 1000, 1)
    _crumb(
        "WebSocket disconnected", consumer=consumer, path=path, code=code, duration_ms=duration_ms
    )
    logger.info(
        "websocket disconnected",
        extra={"consumer": consumer, "path": path, "code": code, "duration_ms": duration_ms},
    )
    with capture_internal_exceptions():
        span = sentry_sdk.get_current_span()
        if span is not None:
            span.set_data("websocket.close_code", code)
            span.set_data("websocket.duration_ms", duration_ms)


def rejected(consumer: str, path: str, *, code: int, reason: str) -> None:
    """A refused connection: breadcrumb, log line, counter; an event only by the error policy."""
    WEBSOCKET_REJECTED.labels(consumer, str(code)).inc()
    _crumb(
        "WebSocket rejected", level="warning", consumer=consumer, path=path, code=code,
        reason=reason,
    )  # fmt: skip
    logger.info(
        "websocket rejected",
        extra={"consumer": consumer, "path": path, "code": code, "reason": reason},
    )
    reported = errors.report_client_errors(settings.SENTRY.environment)
    # An inline check: the counter and log line above are kept with Sentry off too.
    sent = reported and sentry_active()
    errors.count_error(component=COMPONENT, category=CATEGORY, kind=errors.CLIENT, reported=sent)
    if sent:
        with capture_internal_exceptions():
            exc = ConnectionRejected(code, reason)
            with sentry_sdk.new_scope() as scope:
                scope.set_level("warning")
                scope.set_tag("websocket.close_code", str(code))
                capture_exception(exc)


def message_counted(consumer: str, direction: str, message_type: str) -> None:
    WEBSOCKET_MESSAGES.labels(consumer, direction, message_type).inc()


def _no_transaction(*args: Any, **kwargs: Any) -> Iterator[None]:
    """:func:`transaction` with Sentry off: the block runs, with no transaction."""
    yield None


@contextlib.contextmanager
@when_sentry_active(fallback=_no_transaction)
def transaction(
    asgi_scope: dict[str, Any],
    *,
    op: str,
    name: str,
    trace_headers: dict[str, str] | None = None,
    trusted: bool = True,
) -> Iterator[Any]:
    """A transaction for one unit of a connection's work (a message, the handshake, a push).

    ``trace_headers`` (``sentry-trace``/``baggage`` carried by a channel-layer event) continue
    the trace that caused the push: the HTTP request and the Celery task behind a job update.
    The propagation context is set on a scope of its own, so the next message of the same
    connection starts a trace of its own. ``trusted=False`` for headers a client sent (the
    page's trace on the handshake, see :func:`client_trace_headers`): the trace joins, but our
    sampler decides.
    """
    with sentry_sdk.new_scope() as scope:
        started: Any = None
        with capture_internal_exceptions():
            if trace_headers:
                started = scope.continue_trace(
                    trace_headers, op=op, name=name, source=TransactionSource.COMPONENT,
                    origin=ORIGIN,
                )  # fmt: skip
            else:
                started = new_trace(
                    scope, op=op, name=name, source=TransactionSource.COMPONENT, origin=ORIGIN
                )
        if started is None:
            yield None
            return
        # Headers from our own channel-layer events (the request or task behind a push) keep
        # their sampling decision; a page's (trusted=False) only joins the trace.
        sampling_context = {
            "asgi_scope": asgi_scope,
            TRUSTED_PARENT: bool(trace_headers) and trusted,
        }
        started = begin(started, sampling_context)
        with started:
            began = time.perf_counter()
            yield started
            with capture_internal_exceptions():
                started.set_data("duration_ms", round((time.perf_counter() - began) * 1000, 3))
                if started.status is None:  # a handled failure has set its own
                    started.set_status("ok")


# Each push carries an id (live.broadcasting), the same in every copy the channel layer hands to
# the sockets of a group. The ids this process delivered lately, oldest first.
PUSH_ID = "push_id"
PUSH_KEYS = frozenset({"trace", PUSH_ID})  # what a push carries besides its payload
RECENT_PUSHES_KEPT = 1024
_recent_pushes: OrderedDict[str, None] = OrderedDict()


def first_delivery(push_id: Any) -> bool:
    """Whether this process has not delivered this push yet (a push without an id: always)."""
    if not isinstance(push_id, str):
        return True
    if push_id in _recent_pushes:
        return False
    _recent_pushes[push_id] = None
    if len(_recent_pushes) > RECENT_PUSHES_KEPT:
        _recent_pushes.popitem(last=False)
    return True


@contextlib.contextmanager
def push(asgi_scope: dict[str, Any], *, name: str, event: dict[str, Any]) -> Iterator[bool]:
    """The transaction of one socket's copy of a channel-layer push; yields whether it has one.

    The first copy this process delivers is a ``websocket.send`` transaction in the pusher's
    trace (the request or task behind it); the other sockets' copies get none. A broadcast to a
    class of 1,000 used to be 1,000 transactions, each paying the SDK's scope, sampler and
    transaction (sent, all of them, when the pusher's trace was sampled) for a frame that costs
    less than that to send. A copy without a transaction still reports its failure in the
    pusher's trace (:func:`capture_failure`'s ``trace_headers``).
    """
    if first_delivery(event.get(PUSH_ID)):
        trace_headers = event.get("trace")
        with transaction(asgi_scope, op="websocket.send", name=name, trace_headers=trace_headers):
            yield True
    else:
        yield False


def client_trace_headers(asgi_scope: dict[str, Any]) -> dict[str, str] | None:
    """The page's trace, from the handshake's ``?sentry-trace=...&baggage=...`` (a browser cannot
    set headers on a WebSocket), without its sampling decision: the socket joins the trace that
    runs from the click through the view, the task and the push."""
    query = parse_qs((asgi_scope.get("query_string") or b"").decode("latin-1"), max_num_fields=4)
    sentry_trace = (query.get("sentry-trace") or [""])[0][:128]
    if not sentry_trace:
        return None
    trace, baggage = untrusted_trace_headers(sentry_trace, (query.get("baggage") or [""])[0][:2048])
    return {"sentry-trace": trace, "baggage": baggage} if trace else None


def capture_failure(
    exc: BaseException,
    *,
    asgi_scope: dict[str, Any],
    message_type: str,
    payload: Any,
    trace_headers: dict[str, str] | None = None,
) -> str | None:
    """Report a consumer failure with the message type and the (scrubbed) message; in the trace
    of ``trace_headers`` when there is no transaction to take it from."""
    route = errors.component_for_path(path_of(asgi_scope))
    category = errors.category_for(exc, route)
    errors.count_error(
        component=COMPONENT, category=category, kind=errors.SERVER, reported=sentry_active()
    )
    # An inline check: the failure is counted (above) and logged (here) with Sentry off too.
    if not sentry_active():
        logger.error("websocket message failed", exc_info=exc, extra={"message_type": message_type})
        return None
    mark_failure(exc, component=COMPONENT, category=category)
    with sentry_sdk.new_scope() as scope:
        if trace_headers:
            with capture_internal_exceptions():
                scope.generate_propagation_context(incoming_data=trace_headers)
        scope.set_tag("websocket.message_type", message_type)
        with capture_internal_exceptions():
            scope.set_context(
                "websocket_message",
                {"type": message_type, "payload": scrub(payload, pii=send_pii())},
            )
        with capture_internal_exceptions():
            span = sentry_sdk.get_current_span()
            if span is not None:
                span.set_status("internal_error")
        return capture_exception(exc)
