"""The monitoring settings in force: environment values, overridden from the admin.

Every worker reads the admin row at most every ``REFRESH_SECONDS`` (a short-lived copy), so a
change saved in the admin takes effect everywhere within a few seconds, without a restart. A
database that cannot be read never breaks the caller: the last copy (or the environment's
values) stays in force.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 2.0


@dataclass(frozen=True)
class RuntimeSettings:
    traces_sample_rate: float | None = None
    profiles_sample_rate: float | None = None
    never_traced: tuple[str, ...] = ()
    route_rates: tuple[tuple[str, float], ...] = ()  # longest prefix first
    report_client_errors: bool | None = None
    alert_error_rate: float = 0.05
    alert_window_minutes: int = 5
    alert_p95_ms: int = 2000
    alert_min_requests: int = 20
    replays_session_sample_rate: float = 0.0
    replays_on_error_sample_rate: float = 1.0
    version: Any = field(default=None, compare=False)

    def traces_rate_for(self, path: str, default: float) -> float:
        for prefix, rate in self.route_rates:
            if path.startswith(prefix):
                return rate
        return default if self.traces_sample_rate is None else self.traces_sample_rate

    def is_never_traced(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.never_traced)


DEFAULTS = RuntimeSettings()

_lock = threading.Lock()
_current: RuntimeSettings = DEFAULTS
_loaded_at = 0.0
_listeners: list[Any] = []


def on_change(listener: Any) -> None:
    """Call ``listener(old, new)`` in this process whenever a refresh finds new settings."""
    _listeners.append(listener)


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def load() -> RuntimeSettings:
    from monitoring.models import MonitoringSettings

    row = MonitoringSettings.objects.filter(pk=1).prefetch_related("route_rates").first()
    if row is None:
        return DEFAULTS
    rates = sorted(
        ((r.path_prefix, r.traces_sample_rate) for r in row.route_rates.all()),
        key=lambda item: len(item[0]),
        reverse=True,
    )
    return RuntimeSettings(
        traces_sample_rate=row.traces_sample_rate,
        profiles_sample_rate=row.profiles_sample_rate,
        never_traced=row.never_traced(),
        route_rates=tuple(rates),
        report_client_errors=row.report_client_errors,
        alert_error_rate=row.alert_error_rate,
        alert_window_minutes=row.alert_window_minutes,
        alert_p95_ms=row.alert_p95_ms,
        alert_min_requests=row.alert_min_requests,
        replays_session_sample_rate=row.replays_session_sample_rate,
        replays_on_error_sample_rate=row.replays_on_error_sample_rate,
        version=row.updated_at,
    )


def current() -> RuntimeSettings:
    """The settings in force; refreshed from the database at most every REFRESH_SECONDS."""
    global _current, _loaded_at
    now = time.monotonic()
    if now - _loaded_at < REFRESH_SECONDS or _in_event_loop():
        return _current
    if not _lock.acquire(blocking=False):
        return _current  # another thread is refreshing
    try:
        _loaded_at = now
        try:
            fresh = load()
        except Exception as exc:  # a missing table, a database outage: keep what we have
            logger.debug("monitoring settings not refreshed: %s", type(exc).__name__)
            return _current
        if fresh != _current:
            old, _current = _current, fresh
            for listener in _listeners:
                try:
                    listener(old, fresh)
                except Exception:
                    logger.exception("monitoring settings listener failed")
        return _current
    finally:
        _lock.release()


def reset() -> None:
    """Back to the environment's values until the next refresh (tests)."""
    global _current, _loaded_at
    _current, _loaded_at = DEFAULTS, 0.0


def invalidate() -> None:
    """Forget the copy in this process (tests, and the admin right after saving)."""
    global _loaded_at
    _loaded_at = 0.0


def effective_profiles_rate() -> float:
    configured = current().profiles_sample_rate
    return settings.SENTRY.profiles_sample_rate if configured is None else configured
