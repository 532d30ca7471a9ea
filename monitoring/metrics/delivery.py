"""Is Sentry receiving what we send? The state ``/sentry/status`` and ``/health`` report.

The transport (``monitoring.transport``) records every send: when one last succeeded, when one
last failed, how many failed in a row, and until when Sentry asked us to stop (HTTP 429). Under
gunicorn these are gauges shared by the workers (``monitoring.metrics.registry``), so whichever
worker answers sees the fleet.

Delivery is ``failing`` once ``SENTRY_DEGRADED_AFTER_FAILURES`` sends in a row have failed with
no success since; ``rate_limited`` while Sentry's limit lasts; ``ok`` after a success; ``idle``
before anything was sent. A success after a failure puts it back to ``ok`` by itself.
"""

from __future__ import annotations

import glob
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from prometheus_client import multiprocess

from monitoring.metrics.registry import (
    SENTRY_CONSECUTIVE_FAILURES,
    SENTRY_LAST_FAILURE,
    SENTRY_LAST_SUCCESS,
    SENTRY_RATE_LIMITED_UNTIL,
    multiprocess_dir,
)

OK = "ok"
IDLE = "idle"
UNKNOWN = "unknown"
FAILING = "failing"
RATE_LIMITED = "rate_limited"

logger = logging.getLogger(__name__)

_consecutive_failures = 0  # this process's run; only the sender thread writes it


def record_success() -> None:
    global _consecutive_failures
    _consecutive_failures = 0
    SENTRY_LAST_SUCCESS.set(time.time())
    SENTRY_CONSECUTIVE_FAILURES.set(0)


def record_failure() -> None:
    global _consecutive_failures
    _consecutive_failures += 1
    SENTRY_LAST_FAILURE.set(time.time())
    SENTRY_CONSECUTIVE_FAILURES.set(_consecutive_failures)


def record_rate_limited_until(until: datetime | None) -> None:
    SENTRY_RATE_LIMITED_UNTIL.set(until.timestamp() if until else 0.0)


@dataclass(frozen=True)
class Delivery:
    state: str
    last_success_at: float | None
    last_failure_at: float | None
    consecutive_failures: int
    rate_limited_until: float | None

    @property
    def degraded(self) -> bool:
        return self.state in (FAILING, RATE_LIMITED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "last_success_at": _iso(self.last_success_at),
            "last_failure_at": _iso(self.last_failure_at),
            "consecutive_failures": self.consecutive_failures,
            "rate_limited_until": _iso(self.rate_limited_until),
            "degraded_after_failures": settings.SENTRY_DEGRADED_AFTER_FAILURES,
        }


def _iso(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat() if timestamp else None


def _value(families: dict[str, Any], name: str) -> float:
    family = families.get(name)
    values = [sample.value for sample in family.samples] if family is not None else []
    return max(values, default=0.0)


def delivery_from(families: dict[str, Any], *, now: float | None = None) -> Delivery:
    """The delivery state from scraped metric families (name -> family)."""
    now = time.time() if now is None else now
    last_success = _value(families, "toolbox_sentry_last_success_timestamp_seconds")
    last_failure = _value(families, "toolbox_sentry_last_failure_timestamp_seconds")
    failures = int(_value(families, "toolbox_sentry_consecutive_failures"))
    limited_until = _value(families, "toolbox_sentry_rate_limited_until_timestamp_seconds")
    failing_since_success = last_failure > last_success
    if limited_until > now:
        state = RATE_LIMITED
    elif failing_since_success and failures >= settings.SENTRY_DEGRADED_AFTER_FAILURES:
        state = FAILING
    elif last_success or last_failure:
        state = OK
    else:
        state = IDLE
    return Delivery(
        state=state,
        last_success_at=last_success or None,
        last_failure_at=last_failure or None,
        consecutive_failures=failures if failing_since_success else 0,
        rate_limited_until=limited_until if limited_until > now else None,
    )


DELIVERY_GAUGES = (
    SENTRY_LAST_SUCCESS,
    SENTRY_LAST_FAILURE,
    SENTRY_CONSECUTIVE_FAILURES,
    SENTRY_RATE_LIMITED_UNTIL,
)
# The gauges' multiprocess modes name their files (gauge_<mode>_<pid>.db).
_DELIVERY_FILE_MODES = sorted({gauge._multiprocess_mode for gauge in DELIVERY_GAUGES})


def delivery_families() -> dict[str, Any]:
    """The four delivery gauges (name -> family), for the whole fleet under gunicorn.

    Read alone, not by scraping every metric: /sentry/status and /health ask on every call, and
    a whole scrape (every counter and histogram of every worker) cost more than the rest of the
    request together (profiled in bench/README.md).
    """
    directory = multiprocess_dir()
    if directory is None:
        return {family.name: family for gauge in DELIVERY_GAUGES for family in gauge.collect()}
    files = [
        path
        for mode in _DELIVERY_FILE_MODES
        for path in glob.glob(os.path.join(directory, f"gauge_{mode}_*.db"))
    ]
    names = {gauge._name for gauge in DELIVERY_GAUGES}
    merged = multiprocess.MultiProcessCollector.merge(files, accumulate=True)
    return {family.name: family for family in merged if family.name in names}


def current_delivery() -> Delivery:
    """The fleet's delivery state; ``unknown`` when the metric files cannot be read (a worker
    that is just starting may have created its file without writing it yet): /health and
    /sentry/status must answer whatever the files hold."""
    try:
        families = delivery_families()
    except Exception:  # struct.error, OSError: a torn read of another process's file
        logger.info("sentry delivery state unreadable this time", exc_info=True)
        return Delivery(UNKNOWN, None, None, 0, None)
    return delivery_from(families)
