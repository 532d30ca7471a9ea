"""/sentry/status and /health tell the truth about delivery, and show the rates in force."""

from __future__ import annotations

import time

import pytest
import sentry_sdk

from monitoring import runtime
from monitoring.models import MonitoringSettings
from tests.support.sentry_receiver import PROJECT_ID, PUBLIC_KEY, SentryReceiver, free_port
from tests.support.servers import in_another_worker

pytestmark = pytest.mark.django_db(transaction=True)


def send(count: int = 1) -> None:
    for number in range(count):
        sentry_sdk.capture_message(f"delivery probe {number}", level="error")
    sentry_sdk.flush(timeout=5)


TOKEN = "monitoring-token-for-tests"


@pytest.fixture(autouse=True)
def monitoring_token(settings):
    settings.MONITORING_TOKEN = TOKEN


@pytest.fixture
def receiver(configure_sentry, settings):
    settings.SENTRY_DEGRADED_AFTER_FAILURES = 3
    receiver = SentryReceiver(retry_after=2).start()
    configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
    send()  # a success: earlier tests' failures are behind us
    yield receiver
    receiver.stop()


def status(http) -> dict:
    return http.get("/sentry/status", headers={"Authorization": f"Bearer {TOKEN}"}).json()


def sentry_check(http) -> dict:
    response = http.get("/health")
    assert response.status_code == 200  # degraded monitoring never takes the product down
    return response.json()["checks"]["sentry_transport"]


def test_sentry_status__failing_sentry_is_degraded_and_recovers_by_itself(http, receiver, settings):
    body = status(http)
    assert body["status"] == "active"
    assert body["delivery"]["state"] == "ok"
    assert body["delivery"]["last_success_at"] is not None

    receiver.mode = "500"
    send(3)
    settings.SENTRY_DEGRADED_AFTER_FAILURES = 100
    assert status(http)["status"] == "active"  # below the threshold: a blip is not an outage
    settings.SENTRY_DEGRADED_AFTER_FAILURES = 3
    body = status(http)
    assert body["status"] == "degraded"
    assert body["delivery"]["state"] == "failing"
    assert body["delivery"]["consecutive_failures"] >= 3
    assert body["delivery"]["last_failure_at"] > body["delivery"]["last_success_at"]
    check = sentry_check(http)
    assert check["status"] == "degraded"
    assert "failed in a row" in check["message"]

    receiver.mode = "ok"
    send()
    body = status(http)
    assert body["status"] == "active"
    assert body["delivery"]["consecutive_failures"] == 0
    assert sentry_check(http)["status"] == "healthy"


def test_sentry_status__unreachable_sentry_is_degraded(http, configure_sentry, settings):
    settings.SENTRY_DEGRADED_AFTER_FAILURES = 3
    closed = f"http://{PUBLIC_KEY}@127.0.0.1:{free_port()}/{PROJECT_ID}"
    configure_sentry("production", dsn=closed, traces_sample_rate=0.0)
    send(3)
    body = status(http)
    assert body["status"] == "degraded"
    assert body["delivery"]["state"] == "failing"
    metrics = http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    metrics = metrics["sentry_delivery"]
    assert metrics["state"] == "failing"
    assert metrics["send_attempts"]["network_error"] >= 3


def test_sentry_status__rate_limited_until_the_limit_ends(http, receiver):
    receiver.mode = "429"
    send()
    body = status(http)
    assert body["status"] == "degraded"
    assert body["delivery"]["state"] == "rate_limited"
    assert body["delivery"]["rate_limited_until"] is not None
    assert "rate-limiting" in sentry_check(http)["message"]
    receiver.mode = "ok"
    time.sleep(2.2)  # Retry-After: 2
    body = status(http)
    assert body["delivery"]["rate_limited_until"] is None
    assert body["status"] == "active"


def test_sentry_status__reports_the_rates_in_force_and_where_they_came_from(http, receiver):
    body = status(http)
    assert body["sample_rates"]["traces"] == 0.0
    assert body["sample_rate_sources"]["traces"] in ("environment default", "environment variable")
    MonitoringSettings.objects.create(traces_sample_rate=0.25)
    runtime.invalidate()
    body = status(http)
    assert body["sample_rates"]["traces"] == 0.25
    assert body["sample_rate_sources"]["traces"] == "admin override"
    assert body["integration_features"]["performance_monitoring"] is True


def test_sentry_status__sentry_off_is_inactive_not_degraded(http, settings):
    body = status(http)
    assert body["status"] == "inactive"
    assert sentry_check(http)["status"] == "healthy"


def test_current_delivery__reads_every_workers_gauges_in_multiprocess_mode(tmp_path):
    in_another_worker(
        tmp_path, "from monitoring.metrics import delivery\ndelivery.record_success()"
    )
    in_another_worker(
        tmp_path,
        "from monitoring.metrics import delivery\n" + "delivery.record_failure()\n" * 3,
    )

    seen = in_another_worker(
        tmp_path,
        "import django\ndjango.setup()\n"
        "from monitoring.metrics.delivery import current_delivery\n"
        "d = current_delivery()\n"
        "print(d.state, d.consecutive_failures, d.last_failure_at > d.last_success_at)",
    )

    assert seen.split() == ["failing", "3", "True"]
