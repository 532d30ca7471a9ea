"""The one place that initialises the Sentry SDK.

``build_options`` is a pure function from :class:`~monitoring.conf.SentryConfig` to the keyword
arguments of ``sentry_sdk.init``, so tests can inspect a production or development setup without
reloading settings. ``init_sentry`` applies it once per configuration.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import types
from typing import Any

import sentry_sdk
from django.core.signals import request_finished, request_started
from django.db.backends.signals import connection_created
from django.dispatch import Signal
from sentry_sdk.client import SDK_INFO
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.integrations.threading import ThreadingIntegration

from monitoring import runtime, serializer
from monitoring.conf import SentryConfig, profiler_is_safe
from monitoring.errors import classify_event
from monitoring.middleware import UNTRACED_PATHS, request_event_processor
from monitoring.scrubbing import make_hooks
from monitoring.sentry_requests import DjangoRequestsIntegration
from monitoring.tracing import parent_decision_trusted
from monitoring.transport import MonitoringTransport

# UNTRACED_PATHS (probes, scrapes, the browser tunnel) is the middleware's: it skips them too.
UNTRACED_METHODS = frozenset({"HEAD", "OPTIONS"})

# Signals that fire on every request: a span each would cost CPU and say nothing.
HOT_SIGNALS = [request_started, request_finished, connection_created]
# Django's own, kept before sentry-sdk's first init replaces it on the class (see below).
DJANGO_LIVE_RECEIVERS = Signal._live_receivers

SHUTDOWN_TIMEOUT_SECONDS = 0.5
# The SDK's own logger makes a record of each of its debug lines (three per request) and only
# then drops it, with a filter, unless the SDK's ``debug`` option is on. We never turn it on:
# stop those lines at the logger's level instead (5-8 µs each, 0.2 µs stopped).
SDK_LOGGER = "sentry_sdk.errors"
TRANSPORT_QUEUE_SIZE = 100

_lock = threading.Lock()
_active_config: SentryConfig | None = None


def request_path_and_method(sampling_context: dict[str, Any]) -> tuple[str, str]:
    environ = sampling_context.get("wsgi_environ")
    if environ is not None:
        return environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
    scope = sampling_context.get("asgi_scope")
    if scope is not None:
        return scope.get("path", ""), scope.get("method", "")
    return "", ""


def make_traces_sampler(config: SentryConfig):
    """Probes never; admin-listed paths never; else a trusted parent's decision (never a client's,
    see monitoring.tracing), the admin's rate for the path (by prefix or overall) or the
    configured rate."""
    rate = config.traces_sample_rate

    def traces_sampler(sampling_context: dict[str, Any]) -> float:
        path, method = request_path_and_method(sampling_context)
        if path in UNTRACED_PATHS or method in UNTRACED_METHODS:
            return 0.0
        overrides = runtime.current()
        if path and overrides.is_never_traced(path):
            return 0.0
        parent_sampled = sampling_context.get("parent_sampled")
        if parent_sampled is not None and parent_decision_trusted(sampling_context):
            return float(parent_sampled)
        return overrides.traces_rate_for(path, rate)

    return traces_sampler


def apply_profiles_rate(old: runtime.RuntimeSettings, new: runtime.RuntimeSettings) -> None:
    """Continuous profiling samples per process: re-decide this process's session on a change.

    The SDK decides once, at init; this is the one place that reaches into its scheduler.
    """
    if old.profiles_sample_rate == new.profiles_sample_rate:
        return
    from sentry_sdk.profiler import continuous_profiler

    scheduler = continuous_profiler._scheduler
    if scheduler is None:
        return
    rate = runtime.effective_profiles_rate()
    warn_if_profiling_is_unsafe(rate, "the admin's profiles sample rate")
    scheduler.sampled = continuous_profiler.determine_profile_session_sampling_decision(rate)


def warn_if_profiling_is_unsafe(rate: float, what: str) -> None:
    """Say in the log, at every switch-on, that profiling can crash this Python's workers."""
    if rate > 0 and not profiler_is_safe():
        logging.getLogger(__name__).warning(
            "%s turns profiling on, which can crash a worker with SIGSEGV on Python %d.%d "
            "(monitoring/conf.py, PROFILER_SAFE_PYTHON); run Python 3.12+ to profile safely",
            what,
            *sys.version_info[:2],
        )


runtime.on_change(apply_profiles_rate)


def data_collection(config: SentryConfig) -> dict[str, Any]:
    """What integrations may collect (``data_collection`` supersedes ``send_default_pii``).

    With PII off, nothing identifies a person: no user identity, no IP-bearing headers, no
    generative-AI prompts or answers, no query parameters of database statements.
    """
    pii = config.send_default_pii
    terms = [] if pii else ["forwarded", "-ip", "remote-", "via", "-user", "email"]
    return {
        "user_info": pii,
        "cookies": {"mode": "denylist", "terms": terms},
        "http_headers": {"request": {"mode": "denylist", "terms": terms}},
        "url_query_params": {"mode": "denylist", "terms": terms},
        "gen_ai": {"inputs": pii, "outputs": pii},
        "database_query_data": pii,
        "queues": pii,
        "stack_frame_variables": True,
    }


def make_before_send(config: SentryConfig, scrub_event: Any) -> Any:
    """Apply the error policy (drop, tag, fingerprint), then scrub: scrubbing is always last."""
    environment = config.environment

    def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
        event = classify_event(event, hint, environment=environment)
        return None if event is None else scrub_event(event, hint)

    return before_send


def build_options(config: SentryConfig) -> dict[str, Any]:
    """The ``sentry_sdk.init`` keyword arguments for ``config``."""
    hooks = make_hooks(send_default_pii=config.send_default_pii)
    return {
        **hooks,
        "before_send": make_before_send(config, hooks["before_send"]),
        "dsn": config.dsn or None,
        "environment": config.environment,
        "release": config.release,
        "server_name": config.server_name,
        "data_collection": data_collection(config),
        "traces_sampler": make_traces_sampler(config),
        # Continuous profiling, sampled per session and bound to sampled transactions: the
        # successor of the deprecated per-transaction profiles_sample_rate.
        "profile_session_sample_rate": config.profiles_sample_rate,
        "profile_lifecycle": "trace",
        "enable_logs": config.enable_logs,
        "integrations": [
            # DjangoIntegration without its per-request wrappers: RequestContextMiddleware
            # opens each request's scope and transaction (monitoring.sentry_requests).
            DjangoRequestsIntegration(
                transaction_style="url",
                middleware_spans=False,
                signals_denylist=HOT_SIGNALS,
            ),
            LoggingIntegration(
                level=logging.INFO,
                event_level=logging.ERROR,
                sentry_logs_level=logging.getLevelName(config.logs_level)
                if config.enable_logs
                else None,
                capture_sentry_logs=config.enable_logs,
            ),
            # Background jobs: a task continues the trace of the request that enqueued it, and
            # a task that fails is reported. (Sockets need no integration: live/ opens a
            # transaction per message itself, not one per connection.)
            CeleryIntegration(propagate_traces=True, monitor_beat_tasks=False),
            # Threads keep reporting their crashes, but sentry-sdk's scope propagation is off:
            # it forks both scopes on every Thread.start and ThreadPoolExecutor.submit, and
            # under ASGI asgiref submits each sync hop of every request (our views, middleware,
            # signals) to a thread pool of the request's own, with the request's context
            # already copied: ten scope forks a request for nothing (~250 µs on
            # /sentry/status). The view thread now shares the request's scopes, as under WSGI.
            # Our one pool of our own (monitoring.health) forks them itself; a new pool of ours
            # must too, or its long-lived threads keep one scope (and its crumbs) across requests.
            ThreadingIntegration(propagate_scope=False),
        ],
        "transport": MonitoringTransport,
        # Brotli at quality 1: a quarter of the CPU of the SDK's defaults (gzip -9, or brotli
        # quality 4) per envelope, for envelopes ~10% larger (a 6 KB transaction: 19 µs and
        # 1.9 KB against 114 µs and 1.7 KB; bench/README.md). Sending is a CPU cost on every
        # web host; the bytes are a few KB to Sentry.
        "_experiments": {"transport_compression_algo": "br", "transport_compression_level": 1},
        "transport_queue_size": TRANSPORT_QUEUE_SIZE,
        "shutdown_timeout": SHUTDOWN_TIMEOUT_SECONDS,
        "max_request_body_size": "medium",
        "include_local_variables": True,
        # The local Spotlight sidecar (development only, see SentryConfig.from_env): events go
        # there through the same before_send hooks, so scrubbed, as they would go to Sentry.
        "spotlight": config.spotlight,
    }


def application_context(config: Any) -> dict[str, Any]:
    """The ``application`` context every event of this process carries."""
    return {
        "process_id": os.getpid(),
        "environment": config.environment,
        "release": config.release,
        "server_name": config.server_name,
        "debug": config.debug,
    }


def init_sentry(config: SentryConfig) -> bool:
    """Initialise the SDK for ``config``; a repeated call with the same config does nothing.

    Returns whether the SDK is now active (False without a DSN: the app runs without Sentry).
    """
    global _active_config
    with _lock:
        if config == _active_config:
            return is_initialized()
        client = sentry_sdk.get_client()
        if client.is_active():
            client.close(timeout=SHUTDOWN_TIMEOUT_SECONDS)
        if config.dsn or config.spotlight:
            options = build_options(config)
            sdk_debug = bool(options.get("debug"))
            logging.getLogger(SDK_LOGGER).setLevel(logging.DEBUG if sdk_debug else logging.INFO)
            sentry_sdk.init(**options)
            serializer.install()
            unwrap_hot_signals()
            warn_if_profiling_is_unsafe(config.profiles_sample_rate, "SENTRY_PROFILES_SAMPLE_RATE")
            keep_pii_rule(config)
            scope = sentry_sdk.get_global_scope()
            scope.set_context("application", application_context(config))
            _register_request_processor(scope)
        else:
            # No DSN: no client at all, so every SDK call is a cheap no-op.
            sentry_sdk.get_global_scope().set_client(None)
        _active_config = config
        return is_initialized()


def unwrap_hot_signals() -> None:
    """Give the hot signals Django's ``_live_receivers`` back.

    DjangoIntegration replaces ``Signal._live_receivers`` for every signal with a wrapper that,
    on each send, fetches the client and its integration and looks the signal up in the deny
    list, and for a denied signal then wraps nothing: ~3 µs per send, three sends per request.
    An instance attribute on each denied signal skips it; every other signal keeps the SDK's
    spans. (If the SDK had wrapped the class before this module was imported, we hold its
    wrapper, not Django's: nothing to do.)
    """
    if "sentry" in DJANGO_LIVE_RECEIVERS.__qualname__:
        return
    for signal in HOT_SIGNALS:
        signal._live_receivers = types.MethodType(DJANGO_LIVE_RECEIVERS, signal)


def keep_pii_rule(config: SentryConfig) -> None:
    """Put our PII rule back after the SDK's DSN-less Spotlight mode turned it on.

    Without a DSN, ``spotlight`` makes the SDK set ``send_default_pii`` so its integrations attach
    user names, e-mails and IPs. Children's data stays out of a developer's viewer too: the
    integrations ask the client option, so it must say what ``SENTRY_SEND_DEFAULT_PII`` says.
    (Our ``data_collection`` is passed explicitly, so the SDK leaves it alone, and the scrubbing
    hooks were built from our config.)
    """
    client = sentry_sdk.get_client()
    if client.options.get("send_default_pii") != config.send_default_pii:
        client.options["send_default_pii"] = config.send_default_pii


def transport_queue_fill() -> float | None:
    """How full the SDK's send queue is (0..1), or None without a transport."""
    transport = sentry_sdk.get_client().transport
    worker = getattr(transport, "_worker", None)
    queue = getattr(worker, "_queue", None)
    if queue is None or not getattr(queue, "maxsize", 0):
        return None
    return queue.qsize() / queue.maxsize


def lighten_transaction(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """What a transaction carries that serves only errors, left out before the SDK serialises
    it (each value costs its walk there and again in scrubbing, on every sampled request).

    The command line (ArgvIntegration's ``extra``), the SDK's lists of integrations and packages
    (its name and version stay), and of the ``application`` context all but the worker's process
    id (environment, release and server name are the event's own fields). Errors keep all.
    """
    if event.get("type") != "transaction":
        return event
    extra = event.get("extra")
    if extra and "sys.argv" in extra:
        extra = {key: value for key, value in extra.items() if key != "sys.argv"}
        if extra:
            event["extra"] = extra
        else:
            del event["extra"]
    if "sdk" not in event:
        event["sdk"] = {"name": SDK_INFO["name"], "version": SDK_INFO["version"]}
    contexts = event.get("contexts")
    application = contexts.get("application") if contexts else None
    if application:
        # A new dict: the global scope's context object is shared by every event.
        contexts["application"] = {"process_id": application.get("process_id")}
    return event


_processor_registered = False


def _register_request_processor(scope: Any) -> None:
    global _processor_registered
    if not _processor_registered:
        scope.add_event_processor(request_event_processor)
        # After ArgvIntegration's processor (the SDK runs global processors first).
        scope.add_event_processor(lighten_transaction)
        _processor_registered = True


def is_initialized() -> bool:
    """Whether the SDK is set up to deliver events (a DSN and a transport)."""
    client = sentry_sdk.get_client()
    return client.is_active() and client.transport is not None
