"""The spec's JSON ``/metrics``, read from the same registry as the Prometheus text."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric

from monitoring.metrics.delivery import delivery_from
from monitoring.metrics.registry import WINDOW_SLOT_SECONDS

PERCENTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))


def _families(registry: CollectorRegistry) -> dict[str, Metric]:
    return {family.name: family for family in registry.collect()}


def _samples(families: dict[str, Metric], name: str, suffix: str = "") -> Iterable[Any]:
    family = families.get(name)
    if family is None:
        return []
    return [s for s in family.samples if s.name == name + suffix]


def quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """``histogram_quantile`` as Prometheus computes it: linear within the bucket."""
    if not buckets or buckets[-1][1] == 0:
        return None
    total = buckets[-1][1]
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for upper_bound, count in buckets:
        if count >= rank:
            if math.isinf(upper_bound):
                return lower_bound
            width = count - lower_count
            fraction = 0.0 if width == 0 else (rank - lower_count) / width
            return lower_bound + (upper_bound - lower_bound) * fraction
        lower_bound, lower_count = upper_bound, count
    return lower_bound


def _latency_ms(buckets: list[tuple[float, float]]) -> dict[str, float | None]:
    result = {}
    for label, q in PERCENTILES:
        value = quantile(q, buckets)
        result[label] = None if value is None else round(value * 1000, 2)
    return result


def _histogram_buckets(families, name: str, label: str) -> dict[str, list[tuple[float, float]]]:
    per_key: dict[str, dict[float, float]] = defaultdict(dict)
    for sample in _samples(families, name, "_bucket"):
        upper = float(sample.labels["le"])
        key = sample.labels.get(label, "")
        per_key[key][upper] = per_key[key].get(upper, 0.0) + sample.value
    return {key: sorted(buckets.items()) for key, buckets in per_key.items()}


def _sum_buckets(groups: Iterable[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    merged: dict[float, float] = defaultdict(float)
    for buckets in groups:
        for upper, count in buckets:
            merged[upper] += count
    return sorted(merged.items())


def _throughput(families, now: float) -> dict[str, float]:
    starts: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], float] = {}
    for sample in _samples(families, "toolbox_http_requests_window_start"):
        starts[(sample.labels.get("pid", ""), sample.labels["slot"])] = sample.value
    for sample in _samples(families, "toolbox_http_requests_window"):
        counts[(sample.labels.get("pid", ""), sample.labels["slot"])] = sample.value
    current = int(now // WINDOW_SLOT_SECONDS)
    result = {}
    for label, seconds in (("1m", 60), ("5m", 300)):
        slots = seconds // WINDOW_SLOT_SECONDS
        recent = sum(
            count
            for key, count in counts.items()
            if current - slots < starts.get(key, -1) <= current
        )
        result[label] = round(recent / seconds, 3)
    return result


def _websockets(families) -> dict[str, Any]:
    connections: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_websocket_connections"):
        connections[sample.labels["consumer"]] += sample.value
    messages: dict[str, dict[str, float]] = {"in": defaultdict(float), "out": defaultdict(float)}
    for sample in _samples(families, "toolbox_websocket_messages", "_total"):
        direction = messages.setdefault(sample.labels["direction"], defaultdict(float))
        direction[sample.labels["type"]] += sample.value
    rejected: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_websocket_rejected", "_total"):
        rejected[sample.labels["code"]] += sample.value
    return {
        "open": int(sum(connections.values())),
        "connections": {k: int(v) for k, v in sorted(connections.items())},
        "messages": {
            direction: {k: int(v) for k, v in sorted(counts.items())}
            for direction, counts in sorted(messages.items())
        },
        "rejected": {k: int(v) for k, v in sorted(rejected.items())},
    }


def _sentry_delivery(families) -> dict[str, Any]:
    attempts: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_sentry_send_attempts", "_total"):
        attempts[sample.labels["outcome"]] += sample.value
    dropped: dict[tuple[str, str], float] = defaultdict(float)
    by_reason: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_sentry_events_dropped", "_total"):
        dropped[(sample.labels["reason"], sample.labels["category"])] += sample.value
        by_reason[sample.labels["reason"]] += sample.value
    return {
        **delivery_from(families).as_dict(),
        "send_attempts": {k: int(v) for k, v in sorted(attempts.items())},
        "dropped_by_reason": {k: int(v) for k, v in sorted(by_reason.items())},
        "dropped": [
            {"reason": reason, "category": category, "count": int(count)}
            for (reason, category), count in sorted(dropped.items())
        ],
    }


def _browser_envelopes(families) -> dict[str, Any]:
    forwarded = 0.0
    dropped: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_browser_envelopes", "_total"):
        if sample.labels["outcome"] == "forwarded":
            forwarded += sample.value
        else:
            dropped[sample.labels["reason"]] += sample.value
    items: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_browser_items_dropped", "_total"):
        items[f"{sample.labels['type']}:{sample.labels['reason']}"] += sample.value
    return {
        "forwarded": int(forwarded),
        "dropped": int(sum(dropped.values())),
        "dropped_by_reason": {k: int(v) for k, v in sorted(dropped.items())},
        "items_dropped": {k: int(v) for k, v in sorted(items.items())},
    }


def _error_rate(errors: float, total: float) -> float:
    return round(min(errors / total, 1.0), 4) if total else 0.0


def _component_rate(server_errors: float, requests: float) -> float | None:
    """Server errors per request; None for a component that serves no HTTP (jobs, sockets)."""
    return _error_rate(server_errors, requests) if requests else None


def build_report(registry: CollectorRegistry, *, now: float | None = None) -> dict[str, Any]:
    families = _families(registry)
    now = time.time() if now is None else now

    routes: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "status_classes": defaultdict(int), "server_errors": 0}
    )
    component_requests: dict[str, float] = defaultdict(float)
    status_classes: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_http_requests", "_total"):
        route = routes[sample.labels["route"]]
        route["count"] += sample.value
        route["status_classes"][sample.labels["status_class"]] += sample.value
        if sample.labels["status_class"] == "5xx":
            route["server_errors"] += sample.value
        component_requests[sample.labels["component"]] += sample.value
        status_classes[sample.labels["status_class"]] += sample.value

    latency = _histogram_buckets(families, "toolbox_http_request_duration_seconds", "route")
    total = sum(r["count"] for r in routes.values())
    server_errors = sum(r["server_errors"] for r in routes.values())

    # Server errors per component (the figure its error rate is made of, as at the top level)
    # and client errors beside them; by category, both.
    errors_by_component: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    errors_by_category: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_errors", "_total"):
        errors_by_component[sample.labels["component"]][sample.labels["kind"]] += sample.value
        errors_by_category[sample.labels["category"]] += sample.value

    queries = sum(s.value for s in _samples(families, "toolbox_db_queries", "_total"))
    query_seconds = sum(
        s.value for s in _samples(families, "toolbox_db_query_duration_seconds", "_sum")
    )
    content = [
        {**sample.labels, "count": int(sample.value)}
        for sample in _samples(families, "toolbox_content_generated", "_total")
    ]
    rate_limited: dict[str, float] = defaultdict(float)
    for sample in _samples(families, "toolbox_rate_limited", "_total"):
        rate_limited[sample.labels["scope"]] += sample.value
    workers = {
        s.labels.get("pid", "") for s in _samples(families, "toolbox_http_requests_window_start")
    }

    return {
        "requests": {
            "total": int(total),
            "throughput_rps": _throughput(families, now),
            "status_classes": {k: int(v) for k, v in sorted(status_classes.items())},
            "latency_ms": _latency_ms(_sum_buckets(latency.values())),
            "error_rate": _error_rate(server_errors, total),
        },
        "routes": [
            {
                "route": name,
                "count": int(route["count"]),
                "status_classes": {k: int(v) for k, v in sorted(route["status_classes"].items())},
                "latency_ms": _latency_ms(latency.get(name, [])),
                "error_rate": _error_rate(route["server_errors"], route["count"]),
            }
            for name, route in sorted(routes.items())
        ],
        "errors": {
            "by_component": {
                component: {
                    "errors": int(kinds["server"]),
                    "client_errors": int(kinds["client"]),
                    "requests": int(component_requests.get(component, 0)),
                    "error_rate": _component_rate(
                        kinds["server"], component_requests.get(component, 0)
                    ),
                }
                for component, kinds in sorted(errors_by_component.items())
            },
            "by_category": {k: int(v) for k, v in sorted(errors_by_category.items())},
        },
        "database": {
            "queries": int(queries),
            "time_ms": round(query_seconds * 1000, 2),
            "avg_ms": round(query_seconds * 1000 / queries, 3) if queries else 0.0,
        },
        "content_generated": sorted(content, key=lambda c: (c["app"], c["subject"], c["grade"])),
        "workers": len(workers - {""}) or 1,
        "websockets": _websockets(families),
        "sentry_delivery": _sentry_delivery(families),
        "rate_limited": {k: int(v) for k, v in sorted(rate_limited.items())},
        "browser_envelopes": _browser_envelopes(families),
    }
