"""Monitoring writes: snapshots of the metrics registry for the admin dashboard's history.

A snapshot is a compact summary of the registry (cumulative counters and histogram buckets, a few
gauges), written at most once per ``METRICS_SNAPSHOT_INTERVAL`` per process and pruned after
``METRICS_SNAPSHOT_RETENTION_DAYS``. The dashboard (``dashboard.selectors``) differences a
source's consecutive snapshots, so restarts (counters back at zero) and several hosts add up.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from prometheus_client import CollectorRegistry

from monitoring.metrics.registry import multiprocess_dir, scrape_registry
from monitoring.models import MetricsSnapshot

logger = logging.getLogger(__name__)

SUMMARY_VERSION = 1

_due_lock = threading.Lock()
_last_taken = 0.0  # time.monotonic() of this process's last snapshot; 0: none yet


def snapshot_source() -> str:
    """What a snapshot from this process describes: the host when every worker's metrics are
    in one multiprocess registry (any worker's snapshot is the host's), else host and pid."""
    host = settings.SENTRY.server_name
    return host if multiprocess_dir() else f"{host}:{os.getpid()}"


def _buckets(samples: list[Any]) -> tuple[list[float], list[float]]:
    """Upper bounds without the last, infinite one (JSON has no infinity) and the cumulative
    counts of every bucket, the infinite one last: ``len(counts) == len(le) + 1``."""
    ordered = sorted(samples, key=lambda s: float(s.labels["le"]))
    bounds = [float(s.labels["le"]) for s in ordered if s.labels["le"] != "+Inf"]
    return bounds, [s.value for s in ordered]


def metrics_summary(*, registry: CollectorRegistry) -> dict[str, Any]:
    """The registry's figures the dashboard draws, as JSON: per route request count, server
    errors and latency buckets; per component requests and server errors; errors by component,
    category and kind; generation time buckets per kind; open sockets; Sentry delivery."""
    families = {family.name: family for family in registry.collect()}

    def samples(name: str, suffix: str = "") -> list[Any]:
        family = families.get(name)
        return [s for s in family.samples if s.name == name + suffix] if family else []

    def histogram(name: str, label: str) -> dict[str, Any]:
        grouped: dict[str, list[Any]] = defaultdict(list)
        for sample in samples(name, "_bucket"):
            grouped[sample.labels[label]].append(sample)
        result = {}
        for key, group in grouped.items():
            # Multiprocess mode gives one sample per bucket already summed over workers.
            bounds, counts = _buckets(group)
            result[key] = {"le": bounds, "counts": counts}
        return result

    routes: dict[str, dict[str, Any]] = defaultdict(lambda: {"count": 0.0, "errors": 0.0})
    components: dict[str, dict[str, float]] = defaultdict(lambda: {"count": 0.0, "errors": 0.0})
    for sample in samples("toolbox_http_requests", "_total"):
        server_error = sample.value if sample.labels["status_class"] == "5xx" else 0.0
        route = routes[sample.labels["route"]]
        route["count"] += sample.value
        route["errors"] += server_error
        component = components[sample.labels["component"]]
        component["count"] += sample.value
        component["errors"] += server_error
    for route, buckets in histogram("toolbox_http_request_duration_seconds", "route").items():
        routes[route]["latency"] = buckets

    errors: dict[str, float] = defaultdict(float)
    for sample in samples("toolbox_errors", "_total"):
        labels = sample.labels
        errors[f"{labels['component']}|{labels['category']}|{labels['kind']}"] += sample.value

    attempts: dict[str, float] = defaultdict(float)
    for sample in samples("toolbox_sentry_send_attempts", "_total"):
        attempts[sample.labels["outcome"]] += sample.value
    dropped = sum(s.value for s in samples("toolbox_sentry_events_dropped", "_total"))
    last_success = max(
        (s.value for s in samples("toolbox_sentry_last_success_timestamp_seconds")), default=0.0
    )

    return {
        "version": SUMMARY_VERSION,
        "routes": dict(routes),
        "components": dict(components),
        "errors": dict(errors),
        "generation": histogram("toolbox_content_generation_duration_seconds", "kind"),
        "websockets_open": sum(s.value for s in samples("toolbox_websocket_connections")),
        "sentry": {"attempts": dict(attempts), "dropped": dropped, "last_success": last_success},
    }


def metrics_snapshot_take(*, now: datetime | None = None) -> MetricsSnapshot:
    """Summarise this process's view of the registry into a new snapshot row."""
    global _last_taken
    snapshot = MetricsSnapshot.objects.create(
        source=snapshot_source(),
        taken_at=now or timezone.now(),
        data=metrics_summary(registry=scrape_registry()),
    )
    with _due_lock:
        _last_taken = time.monotonic()
    return snapshot


def metrics_snapshot_take_if_due() -> MetricsSnapshot | None:
    """A snapshot if this process took none in the last ``METRICS_SNAPSHOT_INTERVAL`` seconds.

    Called when the dashboard is viewed, so that its latest figures are in the history even
    without cron. Never raises: a dashboard with slightly stale history beats an error page.
    """
    global _last_taken
    with _due_lock:
        if _last_taken and time.monotonic() - _last_taken < settings.METRICS_SNAPSHOT_INTERVAL:
            return None
        _last_taken = time.monotonic()  # claimed: concurrent views do not all write
    try:
        with transaction.atomic():  # a failure must not break the caller's transaction
            return metrics_snapshot_take()
    except Exception:
        logger.warning("metrics snapshot failed", exc_info=True)
        return None


def metrics_snapshot_prune(*, now: datetime | None = None, keep_days: int | None = None) -> int:
    """Delete snapshots older than the retention; returns how many were deleted."""
    keep_days = settings.METRICS_SNAPSHOT_RETENTION_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    deleted, _ = MetricsSnapshot.objects.filter(taken_at__lt=cutoff).delete()
    return deleted


def metrics_snapshot_reset() -> None:
    """Forget when this process last took a snapshot (tests)."""
    global _last_taken
    with _due_lock:
        _last_taken = 0.0
