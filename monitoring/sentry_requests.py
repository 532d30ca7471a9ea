"""Sentry for each Django request, at the cost of one context manager.

sentry-sdk's ``DjangoIntegration`` wraps a request five times over: its WSGI (or ASGI) middleware
forks scopes and reads every header into the trace and the event processor before Django runs,
``get_response`` is patched to resolve the URL a second time for the transaction name, each of
our twelve middleware is wrapped to ask whether it should get a span (ours never do), and every
view is wrapped to ask the same. Nine requests in ten are not traced, and all of that was paid on
them too: about half of Sentry's cost on a cheap request (bench/README.md).

:class:`DjangoRequestsIntegration` is ``DjangoIntegration`` (the same identifier, options and
hooks: SQL spans and breadcrumbs, template spans, signal spans, the ``got_request_exception``
report, the error responses Django answers itself) without those per-request wrappers, and
:func:`request_scope`, entered by :class:`monitoring.middleware.RequestContextMiddleware` (the
first middleware), does their work once: a scope of the request's own, its release-health
session, the continued trace and the sampled-or-not transaction. Whatever an event needs from
the request (URL, headers, body, the route as transaction name, the request's first breadcrumb)
is read only when an event is made, and the route name of a transaction only when it is sampled.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from sentry_sdk.consts import OP
from sentry_sdk.integrations import _wsgi_common
from sentry_sdk.integrations import django as sdk_django
from sentry_sdk.integrations._asgi_common import _get_request_data, _RootPathInPath
from sentry_sdk.integrations.django import DjangoIntegration, DjangoRequestExtractor
from sentry_sdk.integrations.django.transactions import LEGACY_RESOLVER
from sentry_sdk.integrations.wsgi import _make_wsgi_event_processor
from sentry_sdk.sessions import track_session
from sentry_sdk.tracing import Transaction, TransactionSource
from sentry_sdk.utils import capture_internal_exceptions

from monitoring import sentry_queries
from monitoring.breadcrumbs import request_started_crumb
from monitoring.tracing import begin, new_trace

# The parts of DjangoIntegration.setup_once that wrap every request; request_scope does their
# work. (Channels' old AsgiHandler does not exist in Channels 4: nothing to patch there either.)
PER_REQUEST_PATCHES = (
    "_patch_get_response",
    "_patch_django_asgi_handler",
    "_patch_channels",
    "patch_django_middlewares",
    "patch_views",
)

# The methods the SDK traces by default (HEAD and OPTIONS are not).
TRACED_METHODS = frozenset(_wsgi_common.DEFAULT_HTTP_METHODS_TO_CAPTURE)


def _skip() -> None:
    return None


class DjangoRequestsIntegration(DjangoIntegration):
    """``DjangoIntegration`` without its per-request wrappers (see the module docstring)."""

    @staticmethod
    def setup_once() -> None:
        wsgi_call = WSGIHandler.__call__
        saved = {name: getattr(sdk_django, name) for name in PER_REQUEST_PATCHES}
        django_hooks = sentry_queries.django_hooks()
        try:
            for name in PER_REQUEST_PATCHES:
                setattr(sdk_django, name, _skip)
            DjangoIntegration.setup_once()
        finally:
            for name, function in saved.items():
                setattr(sdk_django, name, function)
            # The one per-request patch setup_once makes inline: Sentry's WSGI middleware.
            WSGIHandler.__call__ = wsgi_call
        # Its SQL hook, kept, but only for queries of traced requests (monitoring.sentry_queries).
        sentry_queries.install(django_hooks)


def _ours() -> bool:
    # False without an active client too: it has no integrations.
    integration = sentry_sdk.get_client().get_integration(DjangoIntegration)
    return type(integration) is DjangoRequestsIntegration


# The transaction name of each route Django matched. The SDK's resolver finds a path's name by
# trying every URL pattern's regex in turn (25-55 µs on our routes, growing with the URLconf) for
# each sampled transaction and each error; a route's name is the same for every path it matches.
# The URLconf bounds the keys (Django's own ``route`` strings, never a path); the cap is a guard.
_names_by_route: dict[str, str] = {}
MAX_NAMED_ROUTES = 4096


def transaction_name(request: HttpRequest) -> tuple[str, str]:
    """Name and source, as the SDK's ``transaction_style="url"`` gives them: the URL pattern
    (``/api/v1/content/{lesson_id}``, source ``route``), or the path where none matches."""
    route = getattr(getattr(request, "resolver_match", None), "route", None)
    name = _names_by_route.get(route) if route else None
    if name is not None:
        return name, TransactionSource.ROUTE
    try:
        name = LEGACY_RESOLVER.resolve(request.path_info)
    except Exception:
        name = None
    if name:
        if route and len(_names_by_route) < MAX_NAMED_ROUTES:
            _names_by_route[route] = name
        return name, TransactionSource.ROUTE
    return request.path_info, TransactionSource.URL


def _trace_headers(meta: dict[str, Any]) -> dict[str, str]:
    # Only the two headers a trace is continued from (the SDK would read every header).
    headers = {}
    if "HTTP_SENTRY_TRACE" in meta:
        headers["sentry-trace"] = meta["HTTP_SENTRY_TRACE"]
    if "HTTP_BAGGAGE" in meta:
        headers["baggage"] = meta["HTTP_BAGGAGE"]
    return headers


def _sampling_context(request: HttpRequest) -> dict[str, Any]:
    # What our sampler and monitoring.tracing read: the path, the method, the trust mark.
    scope = getattr(request, "scope", None)
    return {"asgi_scope": scope} if scope is not None else {"wsgi_environ": request.META}


# Set on a request whose body is a person's own words (feedback): its events never carry it.
PRIVATE_BODY = "_sentry_private_body"


def keep_body_private(request: HttpRequest) -> None:
    """The request's body is free text a child may have typed: no event of it carries it,
    neither as the request's body nor in the local variables of an error's stack frames.

    Scrubbing finds secrets, e-mail addresses and known usernames, not a name or a phone number
    in prose. (Transactions never carry bodies; errors do, except for such requests.)
    """
    setattr(request, PRIVATE_BODY, True)


def _drop_frame_variables(event: dict[str, Any]) -> None:
    for key in ("exception", "threads"):
        for value in (event.get(key) or {}).get("values") or ():
            for frame in (value.get("stacktrace") or {}).get("frames") or ():
                frame.pop("vars", None)


def _named_by_path(event: dict[str, Any]) -> bool:
    # The transaction's provisional name (its path) or none; not a name code chose.
    source = (event.get("transaction_info") or {}).get("source")
    return "transaction" not in event or source in (None, TransactionSource.URL)


def _add_request_crumbs(
    event: dict[str, Any], request: HttpRequest, started: datetime, queries: deque
) -> None:
    # The request's first breadcrumb and those of its untraced queries, made only for an event
    # that will carry them (most requests make none); the started crumb is scrubbed with the rest
    # of the event by before_send, the query crumbs by before_breadcrumb first, as the SDK's are.
    crumbs = event.setdefault("breadcrumbs", {}).setdefault("values", [])
    crumbs.append(request_started_crumb(request.method, request.path_info, started))
    crumbs.extend(sentry_queries.query_crumbs(queries))
    crumbs.sort(key=lambda crumb: crumb["timestamp"])
    del crumbs[: -sentry_queries.max_breadcrumbs()]


def _make_event_processor(request: HttpRequest, started: datetime, queries: deque) -> Any:
    """The request's part of an event, read when an event is made (errors and sampled
    transactions), from a weak reference: a scope that outlives the request keeps nothing.

    URL, method, headers and query for every event; the body (and cookies) for errors only: a
    transaction is about timing, and its body would send Sentry one in ten of every form a
    child submits.
    """
    weak_request = weakref.ref(request)

    def request_event_processor(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        request = weak_request()
        if request is None:
            return event
        if event.get("type") != "transaction":
            with capture_internal_exceptions():
                _add_request_crumbs(event, request, started, queries)
        with capture_internal_exceptions():
            if event.get("type") != "transaction" and _named_by_path(event):
                # An error: named after the route, as the request's transaction would be.
                name, source = transaction_name(request)
                event["transaction"] = name
                event["transaction_info"] = {"source": source}
        with capture_internal_exceptions():
            scope = getattr(request, "scope", None)
            if scope is not None:
                data = _get_request_data(scope, _RootPathInPath.EITHER)
                event.setdefault("request", {}).update(data)
            else:
                wsgi = _make_wsgi_event_processor(request.META, settings.USE_X_FORWARDED_HOST)
                event = wsgi(event, hint)
        if getattr(request, PRIVATE_BODY, False):
            _drop_frame_variables(event)
        elif event.get("type") != "transaction":
            with capture_internal_exceptions():
                DjangoRequestExtractor(request).extract_into_event(event)
        return event

    return request_event_processor


@contextmanager
def request_scope(request: HttpRequest) -> Iterator[Transaction | None]:
    """The request's Sentry scope, session and transaction (None when nothing is traced:
    Sentry off, a method the SDK does not trace, or another Django integration in charge)."""
    if not _ours():
        yield None
        return
    with sentry_sdk.isolation_scope() as scope, track_session(scope, session_mode="request"):
        scope.clear_breadcrumbs()
        queries = sentry_queries.new_notes()
        scope.add_event_processor(_make_event_processor(request, datetime.now(UTC), queries))
        if request.method not in TRACED_METHODS:
            with sentry_queries.untraced_queries(queries):
                yield None
            return
        transaction = begin(_request_transaction(request), _sampling_context(request))
        # A sampled request's queries are spans; an untraced one's only noted.
        with transaction, sentry_queries.untraced_queries(None if transaction.sampled else queries):
            yield transaction


def _request_transaction(request: HttpRequest) -> Transaction:
    """The request's transaction, not started: continuing the caller's trace, or a new one."""
    kwargs = {
        "op": OP.HTTP_SERVER,
        "name": request.path_info,
        "source": TransactionSource.URL,
        "origin": DjangoIntegration.origin,
    }
    headers = _trace_headers(request.META)
    if headers:
        return sentry_sdk.continue_trace(headers, **kwargs)
    return new_trace(sentry_sdk.get_isolation_scope(), same_process_as_parent=False, **kwargs)


def finish_transaction(transaction: Transaction, request: HttpRequest, response: HttpResponse):
    """Name and status of a sampled transaction (an unsampled one is never sent)."""
    transaction.set_http_status(response.status_code)
    name, source = transaction_name(request)
    sentry_sdk.get_current_scope().set_transaction_name(name, source=source)
