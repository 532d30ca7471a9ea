"""Threshold alerts: error rate and p95 response time over a recent window.

Each worker keeps a small ring of 10-second slots (count, 5xx count, latency histogram) and
evaluates it at most every ``EVALUATE_EVERY`` seconds, off the hot path of most requests. An
alert is a row in the database (one open alert per kind, enforced by a unique constraint, so
several workers crossing the same threshold raise it once) and one Sentry message event tagged
``alert`` with the figures. It is resolved when the figures fall back under the threshold.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from dataclasses import dataclass

import sentry_sdk
from django.db import IntegrityError, transaction
from django.utils import timezone

from monitoring.metrics.registry import LATENCY_BUCKETS
from monitoring.metrics.report import quantile
from monitoring.runtime import RuntimeSettings, _in_event_loop, current

logger = logging.getLogger("monitoring.alerts")

SLOT_SECONDS = 10
EVALUATE_EVERY = 10.0
MAX_WINDOW_MINUTES = 60
_BOUNDS = (*LATENCY_BUCKETS, float("inf"))


@dataclass
class Slot:
    start: int = -1
    count: int = 0
    server_errors: int = 0
    latency: list[int] | None = None


@dataclass(frozen=True)
class Figures:
    requests: int
    error_rate: float
    p95_ms: float | None


class Window:
    def __init__(self) -> None:
        self._slots = [Slot() for _ in range(MAX_WINDOW_MINUTES * 60 // SLOT_SECONDS)]
        self._lock = threading.Lock()

    def observe(self, status: int, seconds: float, now: float) -> None:
        bucket = int(now // SLOT_SECONDS)
        with self._lock:
            slot = self._slots[bucket % len(self._slots)]
            if slot.start != bucket:
                slot.start, slot.count, slot.server_errors = bucket, 0, 0
                slot.latency = [0] * len(_BOUNDS)
            slot.count += 1
            slot.server_errors += status >= 500
            slot.latency[bisect.bisect_left(_BOUNDS, seconds)] += 1

    def figures(self, minutes: int, now: float) -> Figures:
        current_bucket = int(now // SLOT_SECONDS)
        oldest = current_bucket - minutes * 60 // SLOT_SECONDS
        count = errors = 0
        latency = [0] * len(_BOUNDS)
        with self._lock:
            for slot in self._slots:
                if oldest < slot.start <= current_bucket:
                    count += slot.count
                    errors += slot.server_errors
                    latency = [a + b for a, b in zip(latency, slot.latency, strict=True)]
        cumulative, running = [], 0
        for bound, observed in zip(_BOUNDS, latency, strict=True):
            running += observed
            cumulative.append((bound, float(running)))
        p95 = quantile(0.95, cumulative)
        return Figures(
            requests=count,
            error_rate=errors / count if count else 0.0,
            p95_ms=None if p95 is None else p95 * 1000,
        )


_window = Window()
_last_evaluated = 0.0
_evaluating = threading.Lock()


def observe(status: int, seconds: float) -> None:
    """Record one request (middleware); evaluate the thresholds now and then.

    Never after a 503: that answer says the database (or what the request needed) is failing,
    and evaluating would hold the request while its queries wait too, for a connection or a
    connect timeout. The next request that is served evaluates.
    """
    global _last_evaluated
    now = time.time()
    _window.observe(status, seconds, now)
    if now - _last_evaluated < EVALUATE_EVERY or status == 503 or _in_event_loop():
        return  # evaluation reads the database: never from an event loop
    if not _evaluating.acquire(blocking=False):
        return
    try:
        _last_evaluated = now
        evaluate(now)
    except Exception:
        logger.exception("alert evaluation failed")
    finally:
        _evaluating.release()


def evaluate(now: float | None = None) -> list[str]:
    """Open or resolve alerts from this worker's figures; returns the kinds opened."""
    from monitoring.models import Alert

    now = time.time() if now is None else now
    config = current()
    figures = _window.figures(config.alert_window_minutes, now)
    checks = {
        Alert.Kind.ERROR_RATE: (figures.error_rate, config.alert_error_rate),
        Alert.Kind.P95_LATENCY: (figures.p95_ms, float(config.alert_p95_ms)),
    }
    opened = []
    for kind, (value, threshold) in checks.items():
        crossed = (
            value is not None
            and value > threshold
            and figures.requests >= config.alert_min_requests
        )
        if crossed:
            if _open(kind, value, threshold, figures, config):
                opened.append(kind)
        else:
            Alert.objects.filter(kind=kind, resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
    return opened


def _open(kind, value: float, threshold: float, figures: Figures, config: RuntimeSettings) -> bool:
    from monitoring.models import Alert

    if Alert.objects.filter(kind=kind, resolved_at__isnull=True).exists():
        return False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                value=value,
                threshold=threshold,
                window_minutes=config.alert_window_minutes,
                requests=figures.requests,
            )
    except IntegrityError:
        return False  # another worker opened it first
    label = alert.get_kind_display()
    shown = f"{value:.1%}" if kind == Alert.Kind.ERROR_RATE else f"{value:.0f} ms"
    limit = f"{threshold:.1%}" if kind == Alert.Kind.ERROR_RATE else f"{threshold:.0f} ms"
    message = f"Alert: {label} {shown} over {config.alert_window_minutes} min exceeds {limit}"
    logger.warning(message)
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("alert", kind)
        scope.set_context(
            "alert",
            {
                "kind": kind,
                "value": value,
                "threshold": threshold,
                "window_minutes": config.alert_window_minutes,
                "requests": figures.requests,
                "error_rate": figures.error_rate,
                "p95_ms": figures.p95_ms,
            },
        )
        scope.fingerprint = ["alert", kind]
        event_id = sentry_sdk.capture_message(message, level="error")
    if event_id:
        Alert.objects.filter(pk=alert.pk).update(event_id=event_id)
    return True


def reset_window() -> None:
    """Forget the recent figures of this process (tests)."""
    global _window, _last_evaluated
    _window = Window()
    _last_evaluated = 0.0
