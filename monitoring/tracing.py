"""Whose inbound trace decision we honour.

A ``sentry-trace: <trace>-<span>-1`` header asks us to trace the request, and the SDK's
``sentry-sample_rand`` in ``baggage`` decides it against our rate: a client sending ``-1`` or
``sample_rand=0.0`` would be traced on every request, burning Sentry quota and CPU. Only trusted
origins may decide for us; for any other request the inbound decision is removed before the SDK
sees the request, and our sampler (monitoring.sentry.make_traces_sampler) decides:

* ``sentry-trace`` keeps the trace and parent span ids (the request still joins the caller's
  trace) but loses its sampled flag;
* the ``sentry-`` entries of ``baggage`` (the caller's sampling context) are replaced by a fresh
  random ``sample_rand`` of ours. Without one the SDK would derive it from the trace id, which the
  client picks: a chosen trace id would be as good as ``sample_rand=0``.

Trusted origins are requests whose client address (``monitoring.network.client_address``) lies in
``SENTRY_TRUSTED_TRACE_NETWORKS`` (internal services that call us), or that a registered check
vouches for (:func:`trace_origin_register`: e.g. a future check that our own classroom pages
signed the trace they continue). Our own WebSocket pushes continue traces that our server put on
the channel layer; ``live.tracking`` marks those with :data:`TRUSTED_PARENT`.

The wrappers sit outside Django (``toolbox/wsgi.py``, ``toolbox/asgi.py``): the request's
trace is continued in its first middleware (``monitoring.sentry_requests.request_scope``).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.tracing import Transaction
from sentry_sdk.tracing_utils import Baggage
from sentry_sdk.utils import capture_internal_exceptions

from monitoring.guards import when_sentry_active
from monitoring.network import client_address

# Set on the WSGI environ / ASGI scope of a request whose inbound decision may stand, and passed
# in ``custom_sampling_context`` by code continuing a trace it produced itself.
TRUSTED_PARENT = "toolbox.trusted_trace_parent"

TrustCheck = Callable[[Mapping[str, Any]], bool]
_checks: list[TrustCheck] = []


def trace_origin_register(check: TrustCheck) -> None:
    """Also trust requests for which ``check(meta)`` is true (``meta`` as ``request.META``)."""
    if check not in _checks:
        _checks.append(check)


def trace_origin_unregister(check: TrustCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def trace_origin_trusted(meta: Mapping[str, Any]) -> bool:
    """Whether the request described by ``meta`` may decide whether it is traced."""
    networks = settings.SENTRY_TRUSTED_TRACE_NETWORKS
    if networks:
        try:
            address = ipaddress.ip_address(client_address(meta).strip("[]"))
        except ValueError:
            address = None
        if address is not None and any(address in network for network in networks):
            return True
    return any(check(meta) for check in _checks)


def random_sample_rand() -> str:
    """A trace's ``sample_rand``, drawn at random, in the SDK's format (six decimals in [0, 1))."""
    return f"{secrets.randbelow(1_000_000) / 1_000_000:.6f}"


def untrusted_trace_headers(sentry_trace: str, baggage: str) -> tuple[str, str]:
    """``(sentry-trace, baggage)`` without the inbound sampling decision (see the module doc)."""
    parts = sentry_trace.strip().split("-")
    trace = "-".join(parts[:2]) if len(parts) >= 2 else ""
    kept = [
        item.strip()
        for item in baggage.split(",")
        if item.strip() and not item.strip().lower().startswith("sentry-")
    ]
    if trace:
        kept.append(f"sentry-trace_id={parts[0]}")
        kept.append(f"sentry-sample_rand={random_sample_rand()}")
    return trace, ",".join(kept)


def _untrust_environ(environ: MutableMapping[str, Any]) -> None:
    trace, baggage = untrusted_trace_headers(
        environ.get("HTTP_SENTRY_TRACE", ""), environ.get("HTTP_BAGGAGE", "")
    )
    for key, value in (("HTTP_SENTRY_TRACE", trace), ("HTTP_BAGGAGE", baggage)):
        if value:
            environ[key] = value
        else:
            environ.pop(key, None)


class TraceTrustWSGI:
    """WSGI wrapper: an untrusted request's inbound trace decision never reaches the SDK."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if trace_origin_trusted(environ):
            environ[TRUSTED_PARENT] = True
        else:
            environ.pop(TRUSTED_PARENT, None)  # never from outside, whatever the server passes
            if "HTTP_SENTRY_TRACE" in environ or "HTTP_BAGGAGE" in environ:
                _untrust_environ(environ)
        return self.app(environ, start_response)


def _scope_meta(scope: Mapping[str, Any]) -> dict[str, str]:
    """The parts of ``request.META`` that trust is decided on, from an ASGI scope."""
    client = scope.get("client") or ("", 0)
    meta = {"REMOTE_ADDR": client[0] or ""}
    for name, value in scope.get("headers") or ():
        key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
        text = value.decode("latin-1")
        meta[key] = f"{meta[key]},{text}" if key in meta else text
    return meta


class TraceTrustASGI:
    """ASGI wrapper (HTTP and WebSocket handshakes), the counterpart of :class:`TraceTrustWSGI`."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope.get("type") in ("http", "websocket"):
            scope = dict(scope)
            scope.pop(TRUSTED_PARENT, None)
            meta = _scope_meta(scope)
            if trace_origin_trusted(meta):
                scope[TRUSTED_PARENT] = True
            elif "HTTP_SENTRY_TRACE" in meta or "HTTP_BAGGAGE" in meta:
                trace, baggage = untrusted_trace_headers(
                    meta.get("HTTP_SENTRY_TRACE", ""), meta.get("HTTP_BAGGAGE", "")
                )
                headers = [
                    (name, value)
                    for name, value in scope.get("headers") or ()
                    if name.lower() not in (b"sentry-trace", b"baggage")
                ]
                if trace:
                    headers.append((b"sentry-trace", trace.encode("latin-1")))
                if baggage:
                    headers.append((b"baggage", baggage.encode("latin-1")))
                scope["headers"] = headers
        await self.app(scope, receive, send)


def new_trace(scope: sentry_sdk.Scope, **kwargs: Any) -> Transaction:
    """A transaction starting a new trace on ``scope`` (not started), as ``continue_trace``
    without headers makes one, except for its ``sample_rand``: the SDK derives it from the new
    trace id with a seeded generator (~15 µs each); drawn at random it is as uniform, and is how
    an untrusted caller's trace gets one (:func:`untrusted_trace_headers`)."""
    scope.set_new_propagation_context()
    return Transaction(
        trace_id=scope.get_active_propagation_context().trace_id,
        baggage=Baggage({"sample_rand": random_sample_rand()}),
        **kwargs,
    )


def left_unsampled(transaction: Transaction, custom_sampling_context: dict[str, Any]) -> bool:
    """Whether ``start_transaction`` would not sample ``transaction``, decided as it decides (our
    sampler's rate, lowered while the SDK backs off, against the trace's ``sample_rand``); if
    so, the transaction is marked unsampled, ready to be entered without it.

    Nine requests (and socket messages) in ten are not traced, and ``start_transaction`` cost
    each more than the rest of its Sentry scope (its sampling context, a log line's text, the
    profiler's autostart check; with the seeded ``sample_rand``, ~100 µs of a gunicorn worker's
    CPU per request: bench/README.md, finding 15). Entered directly, the transaction still
    passes the decision on (``-0``, and ``sentry-sampled=false`` for a trace that starts here,
    to tasks, sockets, pages and outgoing requests) and reports itself dropped by sampling when
    it ends. One that may be sampled is left to ``start_transaction``, which decides it again
    from the same ``sample_rand``.
    """
    client = sentry_sdk.get_client()
    try:
        context = {"parent_sampled": transaction.parent_sampled, **custom_sampling_context}
        rate = float(client.options["traces_sampler"](context))
        if client.monitor:
            rate /= 2**client.monitor.downsample_factor
        if not 0.0 <= rate <= 1.0 or transaction._sample_rand < rate:
            return False
    except Exception:
        return False  # start_transaction decides, and reports what went wrong
    transaction.sampled = False
    transaction.sample_rate = rate
    # The sample rate in the trace's dynamic sampling context, as start_transaction sets it.
    propagation_context = sentry_sdk.get_current_scope().get_active_propagation_context()
    for baggage in (propagation_context.baggage, transaction._baggage):
        if baggage is not None:
            baggage.sentry_items["sample_rate"] = str(rate)
    return True


def begin(transaction: Transaction, custom_sampling_context: dict[str, Any]) -> Transaction:
    """``transaction`` ready to be entered: left unsampled by :func:`left_unsampled`, or else
    decided (and started) by ``start_transaction``. The one way requests and socket messages
    start theirs."""
    if left_unsampled(transaction, custom_sampling_context):
        return transaction
    return sentry_sdk.start_transaction(
        transaction, custom_sampling_context=custom_sampling_context
    )


def parent_decision_trusted(sampling_context: Mapping[str, Any]) -> bool:
    """For the sampler: may ``parent_sampled`` stand? Only for requests our wrappers marked
    trusted, and for traces we continue from our own messages (channel layer, Celery)."""
    if sampling_context.get(TRUSTED_PARENT):
        return True
    environ = sampling_context.get("wsgi_environ")
    if environ is not None:
        return bool(environ.get(TRUSTED_PARENT))
    scope = sampling_context.get("asgi_scope")
    if scope is not None:
        return bool(scope.get(TRUSTED_PARENT))
    # Neither a request nor a socket: a Celery task continuing the request that enqueued it.
    return True


@when_sentry_active(fallback=dict)
def current_trace_headers() -> dict[str, str]:
    """``sentry-trace`` and ``baggage`` of the current span, to continue its trace elsewhere (a
    job's worker, a socket push). Empty when Sentry is off."""
    headers: dict[str, str] = {}
    with capture_internal_exceptions():
        traceparent = sentry_sdk.get_traceparent()
        baggage = sentry_sdk.get_baggage()
        if traceparent:
            headers["sentry-trace"] = traceparent
        if baggage:
            headers["baggage"] = baggage
    return headers
