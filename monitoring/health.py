"""Health checks: small dataclasses whose ``run()`` raises :class:`HealthCheckError` on failure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import ClassVar

from django.db import connections

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
    alias: str = field(default="default")

    def run(self) -> None:
        try:
            with connections[self.alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:
            logger.warning("database health check failed: %s", type(exc).__name__)
            raise HealthCheckError("database unreachable") from exc


def overall_status(results: dict[str, CheckResult]) -> str:
    statuses = {result.status for result in results.values()}
    if UNHEALTHY in statuses:
        return UNHEALTHY
    if DEGRADED in statuses:
        return DEGRADED
    return HEALTHY


def run_checks(checks: list[HealthCheck]) -> dict[str, CheckResult]:
    return {check.name: check.result() for check in checks}
