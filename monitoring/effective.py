"""Every Sentry setting in force and where it came from, for the admin's read-only page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import sentry_sdk
from django.conf import settings

from monitoring import errors
from monitoring.runtime import current
from monitoring.sentry import (
    SHUTDOWN_TIMEOUT_SECONDS,
    TRANSPORT_QUEUE_SIZE,
    UNTRACED_METHODS,
    UNTRACED_PATHS,
    is_initialized,
)
from monitoring.transport import SEND_TIMEOUT_SECONDS

ENVIRONMENT_DEFAULT = "environment default"
ENVIRONMENT_VARIABLE = "environment variable"
ADMIN_OVERRIDE = "admin override"
BUILT_IN = "built in"


@dataclass(frozen=True)
class Setting:
    name: str
    value: object
    source: str


def masked_dsn(dsn: str) -> str:
    """Host and project only: the public key never leaves the process, even to staff."""
    if not dsn:
        return "(not set)"
    parts = urlsplit(dsn)
    host = parts.hostname or "?"
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://***@{host}/{parts.path.rstrip('/').rsplit('/', 1)[-1]}"


def _source(variable: str) -> str:
    return ENVIRONMENT_VARIABLE if os.environ.get(variable, "").strip() else ENVIRONMENT_DEFAULT


def effective_sample_rates() -> dict[str, Setting]:
    """The traces and profiles rates in force (an admin override wins) and where each came
    from; ``/sentry/status`` and the admin page both show these."""
    config = settings.SENTRY
    runtime = current()
    traces = runtime.traces_sample_rate
    profiles = runtime.profiles_sample_rate
    return {
        "traces": Setting(
            "Traces sample rate",
            config.traces_sample_rate if traces is None else traces,
            _source("SENTRY_TRACES_SAMPLE_RATE") if traces is None else ADMIN_OVERRIDE,
        ),
        "profiles": Setting(
            "Profiles sample rate",
            config.profiles_sample_rate if profiles is None else profiles,
            _source("SENTRY_PROFILES_SAMPLE_RATE") if profiles is None else ADMIN_OVERRIDE,
        ),
    }


def effective_settings() -> list[Setting]:
    config = settings.SENTRY
    runtime = current()
    rates = effective_sample_rates()
    client_errors = runtime.report_client_errors
    client = sentry_sdk.get_client()
    integrations = sorted(getattr(client, "integrations", {}) or {})
    return [
        Setting("DSN", masked_dsn(config.dsn), _source("SENTRY_DSN")),
        Setting("SDK initialised", is_initialized(), BUILT_IN),
        Setting("Environment", config.environment, _source("SENTRY_ENVIRONMENT")),
        Setting("Release", config.release, _source("SENTRY_RELEASE")),
        Setting("Server name", config.server_name, _source("SENTRY_SERVER_NAME")),
        rates["traces"],
        Setting(
            "Traces sample rate by path prefix",
            ", ".join(f"{p} -> {r:g}" for p, r in runtime.route_rates) or "(none)",
            ADMIN_OVERRIDE if runtime.route_rates else BUILT_IN,
        ),
        rates["profiles"],
        Setting(
            "Never traced",
            ", ".join(sorted(UNTRACED_PATHS | set(runtime.never_traced)))
            + f"; {'/'.join(sorted(UNTRACED_METHODS))} requests",
            ADMIN_OVERRIDE if runtime.never_traced else BUILT_IN,
        ),
        Setting("Send default PII", config.send_default_pii, _source("SENTRY_SEND_DEFAULT_PII")),
        Setting("Sentry Logs", config.enable_logs, _source("SENTRY_ENABLE_LOGS")),
        Setting("Sentry Logs from level", config.logs_level, _source("SENTRY_LOGS_LEVEL")),
        Setting(
            "Report 4xx client errors",
            errors.report_client_errors(config.environment),
            ENVIRONMENT_DEFAULT if client_errors is None else ADMIN_OVERRIDE,
        ),
        Setting(
            "Alert thresholds",
            f"error rate > {runtime.alert_error_rate:.1%} or p95 > {runtime.alert_p95_ms} ms "
            f"over {runtime.alert_window_minutes} min",
            ADMIN_OVERRIDE if runtime.version is not None else BUILT_IN,
        ),
        Setting(
            "Transport",
            f"queue {TRANSPORT_QUEUE_SIZE} envelopes, send timeout {SEND_TIMEOUT_SECONDS:g} s, "
            f"no retries, shutdown wait {SHUTDOWN_TIMEOUT_SECONDS:g} s",
            BUILT_IN,
        ),
        Setting("SDK version", sentry_sdk.VERSION, BUILT_IN),
        Setting("Active integrations", ", ".join(integrations) or "(none)", BUILT_IN),
    ]
