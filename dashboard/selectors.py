"""Monitoring reads: the figures the admin dashboard draws, for the last hour, day or week.

Two sources. Our own tables, by aggregate queries: content generated (lessons, quizzes,
terrains), who answered it (the LLM or the offline generator, and why), quiz attempts and scores.
And the metrics registry's history (``MetricsSnapshot``): requests, errors, latency, generation
time, sockets and Sentry delivery, differenced per source and summed across sources.

Aggregates only. A group of quiz attempts (a subject and grade, or all attempts in the range) with
fewer than ``MIN_STUDENTS`` distinct students is suppressed: its figures are not computed into the
page at all, only a note that it exists.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import Lower, TruncHour, TruncMinute

from lessons.models import Lesson
from monitoring.metrics.delivery import current_delivery
from monitoring.metrics.report import quantile
from monitoring.models import MetricsSnapshot
from providers.base import ProviderChoices
from providers.breaker import breaker_states
from quizzes.models import Quiz, QuizAttempt
from terrain.models import Terrain

MIN_STUDENTS = 5
SCORE_BINS = 10  # 0-10 %, 10-20 %, ... 90-100 %
TOP_ROUTES = 10
TOP_SUBJECTS = 12


@dataclass(frozen=True)
class Range:
    name: str
    label: str
    seconds: int
    step: int  # one point of a time chart

    @property
    def points(self) -> int:
        return self.seconds // self.step


RANGES = {
    r.name: r
    for r in (
        Range("hour", "Last hour", 3600, 300),
        Range("day", "Last day", 86400, 3600),
        Range("week", "Last week", 7 * 86400, 6 * 3600),
    )
}
DEFAULT_RANGE = "day"


class Axis:
    """The time buckets of a range: the last one holds ``now``."""

    def __init__(self, window: Range, now: float) -> None:
        self.step = window.step
        self.start = (int(now) // window.step - window.points + 1) * window.step
        self.x = [self.start + i * window.step for i in range(window.points)]

    @property
    def start_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.start, tz=UTC)

    def index(self, moment: datetime | float) -> int | None:
        ts = moment.timestamp() if isinstance(moment, datetime) else moment
        i = int((ts - self.start) // self.step)
        return i if 0 <= i < len(self.x) else None

    def zeros(self) -> list[float]:
        return [0.0] * len(self.x)

    def trunc(self, field: str):
        # Buckets of 5 minutes or more: rows grouped by minute (or hour) in the database, the
        # groups then added into buckets here. Works on PostgreSQL and SQLite alike.
        return TruncMinute(field) if self.step < 3600 else TruncHour(field)


def _time_chart(key: str, title: str, axis: Axis, series: dict[str, list], unit: str = ""):
    return {
        "id": key,
        "title": title,
        "type": "time",
        "unit": unit,
        "x": axis.x,
        "series": [{"label": label, "values": values} for label, values in series.items()],
    }


def _bar_chart(key: str, title: str, labels: list[str], series: dict[str, list], unit: str = ""):
    return {
        "id": key,
        "title": title,
        "type": "bars",
        "unit": unit,
        "labels": labels,
        "series": [{"label": label, "values": values} for label, values in series.items()],
    }


def _counted_over_time(queryset, axis: Axis) -> list[float]:
    values = axis.zeros()
    rows = (
        queryset.annotate(t=axis.trunc("created_at")).values("t").annotate(n=Count("id")).order_by()
    )
    for row in rows:
        i = axis.index(row["t"])
        if i is not None:
            values[i] += row["n"]
    return values


# --- our tables -------------------------------------------------------------------------------


def content_figures(*, axis: Axis) -> list[dict[str, Any]]:
    """Content generated per kind over time; per subject and per grade over the range."""
    since = axis.start_datetime
    kinds = {
        "lessons": Lesson.objects.filter(created_at__gte=since),
        "quizzes": Quiz.objects.filter(created_at__gte=since),
        "terrains": Terrain.objects.filter(created_at__gte=since),
    }
    over_time = {label: _counted_over_time(qs, axis) for label, qs in kinds.items()}

    by_subject: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_grade: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for label in ("lessons", "quizzes"):
        subject_rows = kinds[label].values(subject_key=Lower("subject")).annotate(n=Count("id"))
        for row in subject_rows.order_by():
            by_subject[row["subject_key"]][label] += row["n"]
        for row in kinds[label].values("grade_level").annotate(n=Count("id")).order_by():
            by_grade[row["grade_level"]][label] += row["n"]
    subjects = sorted(by_subject, key=lambda s: -sum(by_subject[s].values()))[:TOP_SUBJECTS]
    grades = sorted(by_grade)
    return [
        _time_chart("content-over-time", "Content generated", axis, over_time),
        _bar_chart(
            "content-by-subject",
            "Lessons and quizzes per subject",
            subjects,
            {k: [by_subject[s][k] for s in subjects] for k in ("lessons", "quizzes")},
        ),
        _bar_chart(
            "content-by-grade",
            "Lessons and quizzes per grade (0 is kindergarten)",
            [str(g) for g in grades],
            {k: [by_grade[g][k] for g in grades] for k in ("lessons", "quizzes")},
        ),
    ]


def provider_figures(*, axis: Axis) -> list[dict[str, Any]]:
    """LLM calls (answered, failed) and fallbacks to the offline generator, over time.

    From the content rows: a lesson or quiz from ``openai`` is an answered call; one from the
    offline generator with a ``fallback_reason`` is a failed call (``provider_unavailable``,
    ``invalid_output``) or no call at all (``circuit_open``).
    """
    since = axis.start_datetime
    series: dict[str, list[float]] = {
        "LLM answered": axis.zeros(),
        "LLM failed: unavailable": axis.zeros(),
        "LLM failed: invalid output": axis.zeros(),
        "no call: breaker open": axis.zeros(),
    }
    names = {
        "provider_unavailable": "LLM failed: unavailable",
        "invalid_output": "LLM failed: invalid output",
        "circuit_open": "no call: breaker open",
    }
    for model in (Lesson, Quiz):
        rows = (
            model.objects.filter(created_at__gte=since)
            .filter(Q(provider=ProviderChoices.OPENAI) | ~Q(fallback_reason=""))
            .annotate(t=axis.trunc("created_at"))
            .values("t", "provider", "fallback_reason")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            i = axis.index(row["t"])
            if i is None:
                continue
            if row["provider"] == ProviderChoices.OPENAI:
                series["LLM answered"][i] += row["n"]
            elif row["fallback_reason"] in names:
                series[names[row["fallback_reason"]]][i] += row["n"]
    return [_time_chart("llm-calls", "LLM calls and fallbacks", axis, series)]


def quiz_figures(*, axis: Axis) -> dict[str, Any]:
    """Attempts over time and the score distribution per subject and grade, each group with at
    least ``MIN_STUDENTS`` distinct students; smaller groups are named in ``suppressed`` only."""
    attempts = QuizAttempt.objects.filter(created_at__gte=axis.start_datetime)
    charts: list[dict[str, Any]] = []
    students = attempts.aggregate(n=Count("student", distinct=True))["n"]
    if students >= MIN_STUDENTS:
        charts.append(
            _time_chart(
                "quiz-attempts",
                "Quiz attempts",
                axis,
                {"attempts": _counted_over_time(attempts, axis)},
            )
        )
    width = 100 / SCORE_BINS
    bins = {
        f"bin{i}": Count(
            "id",
            filter=Q(percentage__gte=i * width)
            & (Q(percentage__lt=(i + 1) * width) if i < SCORE_BINS - 1 else Q()),
        )
        for i in range(SCORE_BINS)
    }
    groups = (
        attempts.values("quiz__subject", "quiz__grade_level")
        .annotate(students=Count("student", distinct=True), mean=Avg("percentage"), **bins)
        .order_by("quiz__subject", "quiz__grade_level")
    )
    suppressed = []
    labels = [f"{i * width:.0f}–{(i + 1) * width:.0f}" for i in range(SCORE_BINS)]
    subject_names = dict(Quiz._meta.get_field("subject").choices)
    for group in groups:
        subject = subject_names.get(group["quiz__subject"], group["quiz__subject"])
        name = f"{subject}, grade {group['quiz__grade_level']}"
        if group["students"] < MIN_STUDENTS:
            suppressed.append(name)
            continue
        charts.append(
            _bar_chart(
                f"scores-{group['quiz__subject']}-{group['quiz__grade_level']}",
                f"Scores (%): {name} ({group['students']} students, mean {group['mean']:.0f}%)",
                labels,
                {"attempts": [group[f"bin{i}"] for i in range(SCORE_BINS)]},
            )
        )
    return {
        "charts": charts,
        "suppressed": suppressed,
        "attempts_suppressed": students < MIN_STUDENTS,
    }


# --- the metrics registry's history --------------------------------------------------------------


def _delta(current: float, previous: float, reset: bool) -> float:
    return current if reset or current < previous else current - previous


def _histogram_delta(current: dict, previous: dict | None, reset: bool) -> dict:
    if reset or previous is None or previous.get("le") != current.get("le"):
        return current
    counts = [c - p for c, p in zip(current["counts"], previous["counts"], strict=True)]
    if counts and counts[-1] < 0:  # this series started again at zero
        return current
    return {"le": current["le"], "counts": counts}


def _merge_histogram(into: dict[str, Any], histogram: dict) -> None:
    if not into:
        into.update(le=list(histogram["le"]), counts=list(histogram["counts"]))
    elif into["le"] == histogram["le"]:
        into["counts"] = [a + b for a, b in zip(into["counts"], histogram["counts"], strict=True)]


def _percentile_ms(histogram: dict, q: float) -> float | None:
    if not histogram:
        return None
    bounds = [*histogram["le"], math.inf]  # stored without the infinite bound (JSON)
    value = quantile(q, list(zip(bounds, histogram["counts"], strict=True)))
    return None if value is None else round(value * 1000, 1)


def _total_requests(data: dict) -> float:
    return sum(route.get("count", 0) for route in data.get("routes", {}).values())


def metrics_figures(*, axis: Axis) -> dict[str, Any]:
    """Request rate, error rates, latency, generation time, sockets and Sentry delivery from the
    snapshots in range: each snapshot minus the previous one of its source, summed over sources
    into the bucket it was taken in."""
    since = axis.start_datetime - timedelta(seconds=axis.step)
    snapshots = MetricsSnapshot.objects.filter(taken_at__gte=since).order_by("source", "taken_at")

    requests = axis.zeros()
    server_errors_by_component: dict[str, list[float]] = defaultdict(axis.zeros)
    requests_by_component: dict[str, list[float]] = defaultdict(axis.zeros)
    errors_by_category: dict[str, list[float]] = defaultdict(axis.zeros)
    sentry = {"sent": axis.zeros(), "failed": axis.zeros(), "dropped": axis.zeros()}
    route_counts: dict[str, float] = defaultdict(float)
    route_latency: dict[str, dict[str, Any]] = defaultdict(dict)
    generation: dict[str, dict[str, Any]] = defaultdict(dict)
    # Gauges: the latest value of each source per bucket, then summed over sources.
    sockets: dict[int, dict[str, float]] = defaultdict(dict)
    last_success = 0.0

    previous: dict[str, dict] = {}
    for snapshot in snapshots.iterator(chunk_size=200):
        data = snapshot.data
        before = previous.get(snapshot.source)
        previous[snapshot.source] = data
        i = axis.index(snapshot.taken_at)
        if i is None:
            continue  # the baseline before the range
        sockets[i][snapshot.source] = data.get("websockets_open", 0)
        last_success = max(last_success, data.get("sentry", {}).get("last_success", 0))
        if before is None:
            continue  # a source's first snapshot: nothing to difference it with
        reset = _total_requests(data) < _total_requests(before)

        for name, route in data.get("routes", {}).items():
            old = before.get("routes", {}).get(name, {})
            count = _delta(route.get("count", 0), old.get("count", 0), reset)
            requests[i] += count
            route_counts[name] += count
            if "latency" in route:
                latency = _histogram_delta(route["latency"], old.get("latency"), reset)
                _merge_histogram(route_latency[name], latency)
        for name, component in data.get("components", {}).items():
            old = before.get("components", {}).get(name, {})
            requests_by_component[name][i] += _delta(component["count"], old.get("count", 0), reset)
            server_errors_by_component[name][i] += _delta(
                component["errors"], old.get("errors", 0), reset
            )
        for key, count in data.get("errors", {}).items():
            component, category, kind = key.split("|")
            if kind == "server":
                old = before.get("errors", {}).get(key, 0)
                errors_by_category[category][i] += _delta(count, old, reset)
        for kind, histogram in data.get("generation", {}).items():
            old = before.get("generation", {}).get(kind)
            _merge_histogram(generation[kind], _histogram_delta(histogram, old, reset))
        new, old = data.get("sentry", {}), before.get("sentry", {})
        for outcome, count in new.get("attempts", {}).items():
            key = "sent" if outcome == "accepted" else "failed"
            sentry[key][i] += _delta(count, old.get("attempts", {}).get(outcome, 0), reset)
        sentry["dropped"][i] += _delta(new.get("dropped", 0), old.get("dropped", 0), reset)

    error_rates = {
        component: [
            round(100 * e / r, 2) if r else None
            for e, r in zip(server_errors_by_component[component], counts, strict=True)
        ]
        for component, counts in sorted(requests_by_component.items())
        if any(counts)
    }
    top_routes = sorted(route_counts, key=lambda r: -route_counts[r])[:TOP_ROUTES]
    kinds = sorted(k for k, h in generation.items() if h and h["counts"][-1])
    socket_values = [sum(sockets[i].values()) if i in sockets else None for i in range(len(axis.x))]
    charts = [
        _time_chart(
            "request-rate",
            "Requests per second",
            axis,
            {"requests/s": [round(n / axis.step, 6) for n in requests]},
            unit="/s",
        ),
        _time_chart("error-rate", "Server error rate per component", axis, error_rates, "%"),
        _time_chart(
            "errors-by-category", "Server errors per category", axis, dict(errors_by_category)
        ),
        _bar_chart(
            "route-p95",
            f"p95 response time, busiest {TOP_ROUTES} routes",
            top_routes,
            {"p95": [_percentile_ms(route_latency[r], 0.95) for r in top_routes]},
            unit="ms",
        ),
        _bar_chart(
            "generation-time",
            "Generation time per kind",
            kinds,
            {
                "p50": [_percentile_ms(generation[k], 0.5) for k in kinds],
                "p95": [_percentile_ms(generation[k], 0.95) for k in kinds],
            },
            unit="ms",
        ),
        _time_chart("sockets", "Open WebSockets", axis, {"open": socket_values}),
        _time_chart("sentry-delivery", "Sentry delivery (envelopes)", axis, sentry),
    ]
    return {
        "charts": charts,
        "sources": sorted(previous),
        "last_success": last_success,
    }


def dashboard_figures(*, range_name: str, now: float | None = None) -> dict[str, Any]:
    """Everything the dashboard page shows for ``range_name`` (a key of ``RANGES``)."""
    window = RANGES[range_name]
    axis = Axis(window, time.time() if now is None else now)
    quizzes = quiz_figures(axis=axis)
    metrics = metrics_figures(axis=axis)
    delivery = current_delivery()
    last_success = max(metrics["last_success"], delivery.last_success_at or 0)
    return {
        "range": window.name,
        "step": window.step,
        "content": content_figures(axis=axis) + provider_figures(axis=axis),
        "quizzes": quizzes,
        "metrics": metrics,
        "status": {
            "breakers": breaker_states(),
            "sentry_state": delivery.state,
            "sentry_last_success": (
                datetime.fromtimestamp(last_success, tz=UTC) if last_success else None
            ),
        },
    }
