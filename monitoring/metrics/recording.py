"""Recording: one call per request, one per query, one per content item. Cheap and never raising."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from monitoring.metrics.registry import (
    CONTENT_GENERATED,
    CONTENT_GENERATION_DURATION,
    DB_QUERIES,
    DB_QUERY_DURATION,
    RATE_LIMITED,
    REQUEST_DURATION,
    REQUESTS,
    WINDOW_COUNT,
    WINDOW_SLOT_SECONDS,
    WINDOW_SLOTS,
    WINDOW_START,
)

UNMATCHED_ROUTE = "<unmatched>"

_window_lock = threading.Lock()
_window_slots: dict[int, int] = {}


def _count_in_window(now: float) -> None:
    bucket = int(now // WINDOW_SLOT_SECONDS)
    slot = str(bucket % WINDOW_SLOTS)
    with _window_lock:
        if _window_slots.get(bucket % WINDOW_SLOTS) != bucket:
            _window_slots[bucket % WINDOW_SLOTS] = bucket
            WINDOW_COUNT.labels(slot).set(0)
            WINDOW_START.labels(slot).set(bucket)
        WINDOW_COUNT.labels(slot).inc()


def record_request(
    *, route: str | None, method: str, status: int, component: str, seconds: float
) -> None:
    route = route or UNMATCHED_ROUTE
    REQUESTS.labels(route, method, f"{status // 100}xx", component).inc()
    REQUEST_DURATION.labels(route).observe(seconds)
    _count_in_window(time.time())


def record_content_generated(*, app: str, subject: str, grade: Any) -> None:
    CONTENT_GENERATED.labels(app, str(subject).lower(), str(grade)).inc()


def record_generation_time(*, kind: str, seconds: float) -> None:
    CONTENT_GENERATION_DURATION.labels(kind).observe(seconds)


def record_rate_limited(*, scope: str) -> None:
    RATE_LIMITED.labels(scope).inc()


def query_timer(alias: str) -> Callable:
    """A Django ``execute_wrapper`` that counts and times every query on a connection."""
    counter = DB_QUERIES.labels(alias)
    histogram = DB_QUERY_DURATION.labels(alias)

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            counter.inc()
            histogram.observe(time.perf_counter() - started)

    return wrapper


def instrument_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: time every query of the new connection."""
    if not any(getattr(w, "toolbox_query_timer", False) for w in connection.execute_wrappers):
        wrapper = query_timer(connection.alias)
        wrapper.toolbox_query_timer = True
        connection.execute_wrappers.append(wrapper)
