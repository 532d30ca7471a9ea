"""Every metric the app records, on prometheus-client.

Under gunicorn, ``gunicorn.conf.py`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers start,
so each worker writes its values to files there and a scrape sums them across workers (and drops
the live gauges of dead ones). Under ``runserver`` the same metrics live in the one process.
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

LATENCY_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)

REQUESTS = Counter(
    "toolbox_http_requests",
    "HTTP requests served (probes and scrapes excluded), by route pattern.",
    ["route", "method", "status_class", "component"],
)
REQUEST_DURATION = Histogram(
    "toolbox_http_request_duration_seconds",
    "Response time by route pattern.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
# A ring of 10-second slots per worker: requests counted in each slot and when the slot began.
# "liveall" keeps one series per live worker, so a scrape can add up recent slots only.
WINDOW_SLOT_SECONDS = 10
WINDOW_SLOTS = 36  # six minutes
WINDOW_COUNT = Gauge(
    "toolbox_http_requests_window",
    "Requests in a 10-second slot of the recent-throughput ring.",
    ["slot"],
    multiprocess_mode="liveall",
)
WINDOW_START = Gauge(
    "toolbox_http_requests_window_start",
    "Start of a slot of the recent-throughput ring, in 10-second units since the epoch.",
    ["slot"],
    multiprocess_mode="liveall",
)
DB_QUERIES = Counter("toolbox_db_queries", "Database queries executed.", ["alias"])
DB_QUERY_DURATION = Histogram(
    "toolbox_db_query_duration_seconds", "Database query time.", ["alias"], buckets=DB_BUCKETS
)
CONTENT_GENERATED = Counter(
    "toolbox_content_generated",
    "Content generated, by app, subject and grade.",
    ["app", "subject", "grade"],
)
# Wall time of one generation service call (lesson, quiz, terrain), successful ones only: what a
# teacher waits for, LLM and fallback included. The admin dashboard draws its p50/p95 per kind.
CONTENT_GENERATION_DURATION = Histogram(
    "toolbox_content_generation_duration_seconds",
    "Time to generate one piece of content, by kind (lesson, quiz, terrain).",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)
# WebSockets (live/): open sockets summed over live workers, messages by consumer, direction and
# type (unknown types share one label), and connections refused by close code.
WEBSOCKET_CONNECTIONS = Gauge(
    "toolbox_websocket_connections",
    "Open WebSocket connections, by consumer.",
    ["consumer"],
    multiprocess_mode="livesum",
)
WEBSOCKET_MESSAGES = Counter(
    "toolbox_websocket_messages",
    "WebSocket messages, by consumer, direction (in/out) and message type.",
    ["consumer", "direction", "type"],
)
WEBSOCKET_REJECTED = Counter(
    "toolbox_websocket_rejected",
    "WebSocket connections closed by the server before use, by consumer and close code.",
    ["consumer", "code"],
)

# Requests refused with 429 by the per-user limits (accounts/ratelimit.py), by scope.
RATE_LIMITED = Counter(
    "toolbox_rate_limited",
    "Requests refused by a per-user rate limit (429), by scope.",
    ["scope"],
)

# Sentry delivery (monitoring/transport.py): every attempt to send an envelope by outcome, and
# every event the SDK dropped (network error, full queue, rate limit, sampling, before_send...)
# by the reason and data category its client reports give.
SENTRY_SEND_ATTEMPTS = Counter(
    "toolbox_sentry_send_attempts",
    "Envelopes the Sentry SDK tried to send, by outcome.",
    ["outcome"],
)
SENTRY_EVENTS_DROPPED = Counter(
    "toolbox_sentry_events_dropped",
    "Items the Sentry SDK dropped instead of delivering, by reason and data category.",
    ["reason", "category"],
)

# Whether Sentry is receiving what we send, for /sentry/status and /health: the latest send that
# succeeded and the latest that failed anywhere in the fleet ("max" over workers), the longest
# run of failures of a live worker, and until when Sentry asked us to stop sending (429).
SENTRY_LAST_SUCCESS = Gauge(
    "toolbox_sentry_last_success_timestamp_seconds",
    "When an envelope was last accepted by Sentry (Unix time).",
    multiprocess_mode="max",
)
SENTRY_LAST_FAILURE = Gauge(
    "toolbox_sentry_last_failure_timestamp_seconds",
    "When sending an envelope last failed: network error, rejected or rate limited (Unix time).",
    multiprocess_mode="max",
)
SENTRY_CONSECUTIVE_FAILURES = Gauge(
    "toolbox_sentry_consecutive_failures",
    "Envelopes that failed in a row since the last accepted one (the worst live worker).",
    multiprocess_mode="livemax",
)
SENTRY_RATE_LIMITED_UNTIL = Gauge(
    "toolbox_sentry_rate_limited_until_timestamp_seconds",
    "Until when Sentry asked us not to send (Unix time; 0 or past: not limited).",
    multiprocess_mode="max",
)


def multiprocess_dir() -> str | None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return path if path and os.path.isdir(path) else None


def scrape_registry() -> CollectorRegistry:
    """The registry a scrape reads: every worker's files in multiprocess mode, else this process."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


# The Sentry tunnel (monitoring.browser): browser envelopes forwarded to Sentry or dropped, by
# reason (foreign_dsn, too_large, rate_limited, malformed, ...), and items dropped from envelopes
# that were forwarded (a student's replay, attachments, unsupported types), by reason and type.
BROWSER_ENVELOPES = Counter(
    "toolbox_browser_envelopes",
    "Browser envelopes received by the Sentry tunnel, by outcome (forwarded/dropped) and reason.",
    ["outcome", "reason"],
)
BROWSER_ITEMS_DROPPED = Counter(
    "toolbox_browser_items_dropped",
    "Items the Sentry tunnel removed from browser envelopes, by reason and item type.",
    ["reason", "type"],
)
