"""Health checks: small dataclasses whose ``run()`` raises :class:`HealthCheckError` on failure.

``run_checks`` runs them concurrently, each with its own time limit, so one slow dependency
cannot hold the probe. What a check reports is a status, a latency and a short generic message;
the details go to the log, never to the caller.
"""

from __future__ import annotations

import logging
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import sentry_sdk
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from sentry_sdk.scope import use_isolation_scope, use_scope

from monitoring.circuits import OPEN, circuit_states

logger = logging.getLogger(__name__)

HEALTHY = "healthy"
DEGRADED = "degraded"
UNHEALTHY = "unhealthy"


class HealthCheckError(Exception):
    """A check failed; the message is shown to callers, so it must never hold internals."""

    status: ClassVar[str] = UNHEALTHY


class HealthCheckDegraded(HealthCheckError):
    status = DEGRADED


@dataclass
class CheckResult:
    status: str
    latency_ms: float
    message: str | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"status": self.status, "latency_ms": self.latency_ms}
        if self.message:
            data["message"] = self.message
        return data


@dataclass
class HealthCheck:
    name: ClassVar[str]
    timeout_seconds: ClassVar[float] = 2.0
    # What a check that does not finish in time means for the service.
    timeout_status: ClassVar[str] = DEGRADED

    def run(self) -> None:
        raise NotImplementedError

    def result(self) -> CheckResult:
        started = time.perf_counter()
        try:
            self.run()
            status, message = HEALTHY, None
        except HealthCheckError as exc:
            status, message = exc.status, str(exc)
        except Exception:
            # Unexpected errors are logged in full but shown generically: no internals leak.
            logger.exception("health check %s crashed", self.name)
            status, message = UNHEALTHY, "check failed unexpectedly"
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return CheckResult(status=status, latency_ms=latency_ms, message=message)


@dataclass
class DatabaseCheck(HealthCheck):
    name: ClassVar[str] = "database"
    timeout_seconds: ClassVar[float] = 4.0
    timeout_status: ClassVar[str] = UNHEALTHY
    alias: str = field(default="default")

    def run(self) -> None:
        try:
            with connections[self.alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:
            logger.warning("database health check failed: %s", type(exc).__name__)
            raise HealthCheckError("database unreachable") from exc


@dataclass
class MigrationsCheck(HealthCheck):
    """Unhealthy while migrations are pending: the code expects tables that are not there."""

    name: ClassVar[str] = "migrations"
    timeout_seconds: ClassVar[float] = 4.0
    timeout_status: ClassVar[str] = UNHEALTHY
    alias: str = field(default="default")

    def run(self) -> None:
        try:
            connection = connections[self.alias]
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:
            logger.warning("migrations health check failed: %s", type(exc).__name__)
            raise HealthCheckError("migration state unknown") from exc
        if pending:
            raise HealthCheckError(f"{len(pending)} migration(s) not applied")


@dataclass
class CacheCheck(HealthCheck):
    """Degraded when the cache is down: throttling and shared state fall back, requests work."""

    name: ClassVar[str] = "cache"
    alias: str = field(default="default")

    def run(self) -> None:
        key = f"health-check:{time.monotonic_ns()}"
        try:
            cache = caches[self.alias]
            cache.set(key, "ok", timeout=5)
            value = cache.get(key)
            cache.delete(key)
        except Exception as exc:
            logger.warning("cache health check failed: %s", type(exc).__name__)
            raise HealthCheckDegraded("cache unreachable") from exc
        if value != "ok":
            raise HealthCheckDegraded("cache does not keep values")


@dataclass
class DiskCheck(HealthCheck):
    name: ClassVar[str] = "disk"

    def run(self) -> None:
        path = Path(settings.BASE_DIR)
        usage = shutil.disk_usage(path)
        free_percent = usage.free * 100 / usage.total
        if free_percent < settings.HEALTH_DISK_CRITICAL_PERCENT:
            raise HealthCheckError(f"free disk {free_percent:.1f}%")
        if free_percent < settings.HEALTH_DISK_MIN_FREE_PERCENT:
            raise HealthCheckDegraded(f"free disk {free_percent:.1f}%")


@dataclass
class CircuitBreakerCheck(HealthCheck):
    """Degraded, not down, while a circuit breaker is open: requests are still answered (by the
    fallback), but a dependency is failing."""

    name: ClassVar[str] = "circuit_breakers"

    def run(self) -> None:
        opened = sorted(name for name, state in circuit_states().items() if state == OPEN)
        if opened:
            raise HealthCheckDegraded(f"circuit breaker open: {', '.join(opened)}")


@dataclass
class SentryTransportCheck(HealthCheck):
    """Degraded (never down: the product still serves) when events are not reaching Sentry:
    sends keep failing, Sentry is rate-limiting us, or the SDK's queue is (nearly) full."""

    name: ClassVar[str] = "sentry_transport"

    def run(self) -> None:
        from monitoring.metrics.delivery import FAILING, current_delivery
        from monitoring.sentry import is_initialized, transport_queue_fill

        if not is_initialized():
            return
        fill = transport_queue_fill()
        if fill is not None and fill >= 0.9:
            raise HealthCheckDegraded(f"event queue {fill:.0%} full")
        delivery = current_delivery()
        if delivery.state == FAILING:
            raise HealthCheckDegraded(
                f"{delivery.consecutive_failures} sends to Sentry failed in a row"
            )
        if delivery.degraded:
            raise HealthCheckDegraded("Sentry is rate-limiting us")


def default_checks() -> list[HealthCheck]:
    return [
        DatabaseCheck(),
        MigrationsCheck(),
        CacheCheck(),
        DiskCheck(),
        CircuitBreakerCheck(),
        SentryTransportCheck(),
    ]


_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")


def _run_in_thread(check: HealthCheck) -> CheckResult:
    try:
        return check.result()
    finally:
        connections.close_all()  # this thread's own connections; never leak one per probe


def _submit(check: HealthCheck) -> Future[CheckResult]:
    # In Sentry scopes forked from the request's: its context on what a check reports, the
    # check's own breadcrumbs and spans kept apart from its neighbours'. (sentry-sdk would fork
    # them for every thread pool; monitoring.sentry turns that off, see propagate_scope there.)
    isolation = sentry_sdk.get_isolation_scope().fork()
    current = sentry_sdk.get_current_scope().fork()

    def run() -> CheckResult:
        with use_isolation_scope(isolation), use_scope(current):
            return _run_in_thread(check)

    return _executor.submit(run)


def run_checks(checks: list[HealthCheck]) -> dict[str, CheckResult]:
    """Run every check concurrently; a check past its time limit is reported as timed out."""
    started = time.perf_counter()
    futures = {check.name: (check, _submit(check)) for check in checks}
    results: dict[str, CheckResult] = {}
    for name, (check, future) in futures.items():
        remaining = check.timeout_seconds - (time.perf_counter() - started)
        try:
            results[name] = future.result(timeout=max(remaining, 0.0))
        except FutureTimeout:
            latency_ms = round((time.perf_counter() - started) * 1000, 2)
            results[name] = CheckResult(check.timeout_status, latency_ms, "timed out")
    return results


def overall_status(results: dict[str, CheckResult]) -> str:
    statuses = {result.status for result in results.values()}
    if UNHEALTHY in statuses:
        return UNHEALTHY
    if DEGRADED in statuses:
        return DEGRADED
    return HEALTHY
