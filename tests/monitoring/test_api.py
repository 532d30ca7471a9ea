import time

import pytest
import sentry_sdk

from monitoring.conf import default_profiles_rate
from monitoring.sentry import is_initialized
from tests.support.sentry_receiver import HangingServer, SentryReceiver, free_port, relay_errors
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

FEATURES = {
    "error_tracking",
    "performance_monitoring",
    "release_tracking",
    "user_context",
    "custom_tags",
    "breadcrumbs",
}


def test_sentry_status__active_in_development(sentry_receiver, http):
    # One delivered event first: an earlier test's failed sends (an unreachable Sentry) may
    # still be what the delivery gauges of this process say last.
    sentry_sdk.capture_message("status probe")
    sentry_receiver.wait_for(lambda r: r.events)
    response = http.get("/sentry/status")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    assert body["initialized"] is True
    assert body["dsn_configured"] is True
    assert body["environment"] == "development"
    assert body["release"] == "toolbox@9.9.9-test"
    assert body["sample_rates"] == {"traces": 1.0, "profiles": default_profiles_rate("development")}
    assert set(body["integration_features"]) == FEATURES
    assert all(body["integration_features"].values())
    # Never the DSN or its key.
    assert sentry_receiver.dsn not in response.text
    assert "0123456789abcdef" not in response.text


MONITORING_TOKEN = "scrape-token-0123456789abcdef"
SCRAPER = {"Authorization": f"Bearer {MONITORING_TOKEN}"}


def test_sentry_status__production_rates_and_no_performance_at_zero(
    configure_sentry, http, settings
):
    settings.MONITORING_TOKEN = MONITORING_TOKEN
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn)
        body = http.get("/sentry/status", headers=SCRAPER).json()
        assert body["environment"] == "production"
        assert body["sample_rates"] == {
            "traces": 0.1,
            "profiles": default_profiles_rate("production"),
        }
        assert body["integration_features"]["performance_monitoring"] is True

        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
        body = http.get("/sentry/status", headers=SCRAPER).json()
        assert body["integration_features"]["performance_monitoring"] is False
        assert body["integration_features"]["error_tracking"] is True
    finally:
        receiver.stop()


def test_sentry_status__inactive_without_dsn(configure_sentry, http):
    configure_sentry("development", dsn="")
    body = http.get("/sentry/status").json()
    assert body["status"] == "inactive"
    assert body["initialized"] is False
    assert body["dsn_configured"] is False
    assert not any(body["integration_features"].values())
    # The app works normally without Sentry.
    assert http.get("/health").status_code == 200
    debug = http.get("/sentry-debug")
    assert debug.status_code == 500
    assert debug.json()["captured"] is False
    assert debug.json()["event_id"] is None


def test_metrics__sentry_block_and_process_figures(sentry_receiver, http):
    http.get("/sentry/status")
    response = http.get("/metrics")
    assert response.status_code == 200
    body = response.json()
    assert body["sentry"] == {
        "initialized": True,
        "dsn_configured": True,
        "environment": "development",
    }
    process = body["process"]
    assert process["uptime_seconds"] > 0
    assert process["resident_memory_bytes"] > 10_000_000
    assert process["cpu_seconds"]["user"] > 0
    assert process["python_version"].startswith("3.")
    assert process["django_version"].startswith("5.2")
    served = body["requests"]["total"]
    http.get("/sentry/status")
    http.get("/health")  # probes and scrapes are not traffic
    assert http.get("/metrics").json()["requests"]["total"] == served + 1


def test_health__healthy_with_database_latency(http, settings):
    response = http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["version"] == settings.APP_VERSION
    assert body["checks"]["database"]["status"] == "healthy"
    assert body["checks"]["database"]["latency_ms"] >= 0


def test_health__unhealthy_when_database_unreachable(tmp_path):
    closed_port = free_port()
    server = start_gunicorn(
        tmp_path, {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port}/toolbox"}
    )
    try:
        response = server.get("/health")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unhealthy"
        assert body["checks"]["database"]["status"] == "unhealthy"
        assert body["checks"]["database"]["message"] == "database unreachable"
        assert str(closed_port) not in response.text  # no internals
    finally:
        server.stop()


def test_sentry_debug__event_arrives_with_release_environment_server_name(sentry_receiver, http):
    response = http.get("/sentry-debug")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "SentryDebugError"
    assert body["captured"] is True
    event_id = body["event_id"]
    events = sentry_receiver.wait_for(lambda r: [e for e in r.events if e["event_id"] == event_id])
    event = events[0]
    assert event["release"] == "toolbox@9.9.9-test"
    assert event["environment"] == "development"
    assert event["server_name"] == "toolbox-test-host"
    assert event["exception"]["values"][-1]["type"] == "SentryDebugError"
    assert event["transaction"] == "/sentry-debug"
    assert event["request"]["method"] == "GET"
    assert relay_errors(event) == []
    # Exactly one event for the one error (the 500 response is not reported twice).
    assert len(sentry_receiver.events) == 1


def test_sentry_debug__not_found_in_production(configure_sentry, http):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
        response = http.get("/sentry-debug")
        assert response.status_code == 404
        assert response.json()["detail"] == "Not Found"
        sentry_sdk.flush(2)
        assert receiver.events == []
    finally:
        receiver.stop()


def timed_requests(http, count: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(count):
        assert http.get("/sentry-debug").status_code == 500
    return (time.perf_counter() - started) / count


def test_sentry_unreachable__requests_answer_at_normal_speed(configure_sentry, http):
    configure_sentry("development", dsn="")
    baseline = timed_requests(http)
    configure_sentry("development", dsn=f"http://key@127.0.0.1:{free_port()}/1")
    assert is_initialized()
    slow = timed_requests(http)
    assert slow < baseline * 3 + 0.02, (baseline, slow)


def test_sentry_hanging__requests_answer_at_normal_speed_and_queue_is_bounded(
    configure_sentry, http
):
    configure_sentry("development", dsn="")
    baseline = timed_requests(http)
    hanging = HangingServer().start()
    try:
        configure_sentry("development", dsn=f"http://key@127.0.0.1:{hanging.port}/1")
        slow = timed_requests(http, count=150)  # more than the SDK queue holds
        assert slow < baseline * 3 + 0.02, (baseline, slow)
        worker = sentry_sdk.get_client().transport._worker
        # Bounded: the first envelope hangs in the sender, the next fill the queue, the rest
        # are dropped rather than queued without end (a queue never exceeds its maxsize, so
        # the check is that it is finite and that the overflow was refused, not queued).
        assert 0 < worker._queue.maxsize == worker._queue.qsize()
        # Closing does not wait for the hung connection beyond the shutdown timeout.
        started = time.perf_counter()
        sentry_sdk.get_client().close(timeout=0.5)
        assert time.perf_counter() - started < 1.5
    finally:
        hanging.stop()
