"""Operational endpoints: ``/health``, ``/metrics``, ``/sentry/status`` and ``/sentry-debug``."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Status
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from monitoring import health
from monitoring.access import monitoring_access
from monitoring.circuits import circuit_states
from monitoring.effective import effective_sample_rates
from monitoring.facade import capture_exception
from monitoring.metrics import build_report, process_figures, scrape_registry
from monitoring.metrics.delivery import current_delivery
from monitoring.schemas import HealthOut, MetricsOut, SentryDebugOut, SentryStatusOut
from monitoring.sentry import is_initialized

router = Router(tags=["monitoring"])


class SentryDebugError(RuntimeError):
    """Raised on purpose by ``/sentry-debug`` to prove that errors reach Sentry."""


def _sentry_block() -> dict[str, object]:
    config = settings.SENTRY
    return {
        "initialized": is_initialized(),
        "dsn_configured": config.dsn_configured,
        "environment": config.environment,
    }


@router.get(
    "/sentry/status",
    response=SentryStatusOut,
    auth=monitoring_access,
    summary="Sentry integration status",
)
def sentry_status(request: HttpRequest) -> dict[str, object]:
    config = settings.SENTRY
    initialized = is_initialized()
    delivery = current_delivery()
    rates = effective_sample_rates()
    if not initialized:
        status = "inactive"
    else:
        status = "degraded" if delivery.degraded else "active"
    return {
        "status": status,
        **_sentry_block(),
        "release": config.release,
        "sample_rates": {name: setting.value for name, setting in rates.items()},
        "sample_rate_sources": {name: setting.source for name, setting in rates.items()},
        "delivery": delivery.as_dict(),
        "integration_features": {
            "error_tracking": initialized,
            "performance_monitoring": initialized and rates["traces"].value > 0,
            "release_tracking": initialized and bool(config.release),
            "user_context": initialized,
            "custom_tags": initialized,
            "breadcrumbs": initialized,
        },
    }


@router.get(
    "/metrics",
    response=MetricsOut,
    auth=monitoring_access,
    summary="Metrics: JSON, or the Prometheus/OpenMetrics text format when a scraper asks for it",
)
def metrics(request: HttpRequest):
    registry = scrape_registry()
    accept = request.headers.get("Accept", "")
    if "application/openmetrics-text" in accept:
        from prometheus_client.openmetrics import exposition as openmetrics

        return HttpResponse(
            openmetrics.generate_latest(registry), content_type=openmetrics.CONTENT_TYPE_LATEST
        )
    if "text/plain" in accept:
        return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    return {
        "sentry": _sentry_block(),
        "process": process_figures(),
        **build_report(registry),
        "circuit_breakers": circuit_states(),
    }


@router.get(
    "/health",
    response={200: HealthOut, 503: HealthOut},
    summary="Health of the service and its dependencies",
)
def health_view(request: HttpRequest) -> Status:
    results = health.run_checks(health.default_checks())
    status = health.overall_status(results)
    body = {
        "status": status,
        "checks": {name: result.as_dict() for name, result in results.items()},
        "version": settings.APP_VERSION,
    }
    return Status(503 if status == health.UNHEALTHY else 200, body)


@router.get(
    "/sentry-debug",
    response={500: SentryDebugOut},
    summary="Raise and capture a test error (development environments only)",
)
def sentry_debug(request: HttpRequest) -> Status:
    config = settings.SENTRY
    if config.is_hardened:
        raise Http404
    try:
        raise SentryDebugError("Sentry debug endpoint: this test error was raised on purpose")
    except SentryDebugError as exc:
        event_id = capture_exception(exc)
        return Status(
            500,
            {
                "error": type(exc).__name__,
                "message": str(exc),
                "captured": event_id is not None,
                "event_id": event_id,
                "environment": config.environment,
            },
        )
