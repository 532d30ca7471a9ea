from __future__ import annotations

from ninja import Schema
from pydantic import Field


class IntegrationFeaturesOut(Schema):
    error_tracking: bool
    performance_monitoring: bool
    release_tracking: bool
    user_context: bool
    custom_tags: bool
    breadcrumbs: bool


class SampleRatesOut(Schema):
    traces: float
    profiles: float


class SentryStatusOut(Schema):
    status: str
    initialized: bool
    dsn_configured: bool
    environment: str
    release: str
    sample_rates: SampleRatesOut  # in force: an admin override wins over the environment
    sample_rate_sources: dict[str, str]
    delivery: DeliveryStateOut
    integration_features: IntegrationFeaturesOut


class SentryBlockOut(Schema):
    initialized: bool
    dsn_configured: bool
    environment: str


class CpuSecondsOut(Schema):
    user: float
    system: float


class ProcessOut(Schema):
    pid: int
    uptime_seconds: float
    resident_memory_bytes: int
    cpu_seconds: CpuSecondsOut
    python_version: str
    django_version: str


class LatencyOut(Schema):
    p50: float | None
    p95: float | None
    p99: float | None


class RequestsOut(Schema):
    total: int
    throughput_rps: dict[str, float]
    status_classes: dict[str, int]
    latency_ms: LatencyOut
    error_rate: float


class RouteOut(Schema):
    route: str
    count: int
    status_classes: dict[str, int]
    latency_ms: LatencyOut
    error_rate: float


class ComponentErrorsOut(Schema):
    errors: int  # server errors (5xx and failures outside requests)
    client_errors: int
    requests: int
    error_rate: float | None  # errors / requests; None without HTTP requests


class ErrorsOut(Schema):
    by_component: dict[str, ComponentErrorsOut]
    by_category: dict[str, int]


class DatabaseOut(Schema):
    queries: int
    time_ms: float
    avg_ms: float


class ContentGeneratedOut(Schema):
    app: str
    subject: str
    grade: str
    count: int


class WebsocketsOut(Schema):
    open: int
    connections: dict[str, int]
    messages: dict[str, dict[str, int]]
    rejected: dict[str, int]


class DroppedEventsOut(Schema):
    reason: str
    category: str
    count: int


class DeliveryStateOut(Schema):
    state: str
    last_success_at: str | None
    last_failure_at: str | None
    consecutive_failures: int
    rate_limited_until: str | None
    degraded_after_failures: int


class SentryDeliveryOut(DeliveryStateOut):
    send_attempts: dict[str, int]
    dropped_by_reason: dict[str, int]
    dropped: list[DroppedEventsOut]


class BrowserEnvelopesOut(Schema):
    forwarded: int
    dropped: int
    dropped_by_reason: dict[str, int]
    items_dropped: dict[str, int] = Field(description="Items removed, keyed 'type:reason'")


class MetricsOut(Schema):
    sentry: SentryBlockOut
    process: ProcessOut
    workers: int
    requests: RequestsOut
    routes: list[RouteOut]
    errors: ErrorsOut
    database: DatabaseOut
    content_generated: list[ContentGeneratedOut]
    circuit_breakers: dict[str, str]
    websockets: WebsocketsOut
    sentry_delivery: SentryDeliveryOut
    rate_limited: dict[str, int] = Field(
        description="Requests refused by a per-user rate limit (429), by scope"
    )
    browser_envelopes: BrowserEnvelopesOut = Field(
        description="Browser envelopes through the Sentry tunnel: forwarded, dropped by reason"
    )


class CheckOut(Schema):
    status: str
    latency_ms: float
    message: str | None = None


class HealthOut(Schema):
    status: str
    checks: dict[str, CheckOut]
    version: str


class SentryDebugOut(Schema):
    error: str
    message: str
    captured: bool
    event_id: str | None
    environment: str
