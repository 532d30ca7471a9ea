"""/health: every check on its own, concurrently, with time limits."""

import threading

import pytest
import sentry_sdk
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from monitoring import health
from monitoring.circuits import _sources as circuit_sources
from monitoring.circuits import register_circuit
from tests.support.sentry_receiver import HangingServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = {"database", "migrations", "cache", "disk", "circuit_breakers", "sentry_transport"}


def checks_of(http):
    response = http.get("/health")
    return response.status_code, response.json()


def test_health__all_checks_healthy(http):
    status, body = checks_of(http)
    assert status == 200
    assert body["status"] == "healthy"
    assert set(body["checks"]) == CHECKS
    for check in body["checks"].values():
        assert check["status"] == "healthy"
        assert check["latency_ms"] >= 0


def test_health__pending_migration_is_unhealthy(http):
    # The app's latest migration: un-recording an earlier one leaves the leaf applied, and the
    # plan (leaf nodes to apply) empty.
    (leaf,) = MigrationLoader(connection).graph.leaf_nodes("monitoring")
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.filter(app=leaf[0], name=leaf[1]).get().delete()
    try:
        status, body = checks_of(http)
        assert status == 503
        assert body["status"] == "unhealthy"
        migrations = body["checks"]["migrations"]
        assert migrations.pop("latency_ms") >= 0
        assert migrations == {"status": "unhealthy", "message": "1 migration(s) not applied"}
        assert body["checks"]["database"]["status"] == "healthy"
    finally:
        recorder.record_applied(*leaf)


def test_health__cache_down_is_degraded(http, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    status, body = checks_of(http)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "degraded"
    assert body["checks"]["cache"]["message"] == "cache unreachable"
    assert str(settings.CACHES["default"]["LOCATION"]) not in str(body)


def test_health__low_disk_is_degraded_then_unhealthy(http, settings):
    settings.HEALTH_DISK_MIN_FREE_PERCENT = 101
    status, body = checks_of(http)
    assert (status, body["checks"]["disk"]["status"]) == (200, "degraded")
    settings.HEALTH_DISK_CRITICAL_PERCENT = 101
    status, body = checks_of(http)
    assert (status, body["checks"]["disk"]["status"]) == (503, "unhealthy")


def test_health__open_circuit_breaker_is_degraded(http):
    register_circuit("test-provider", lambda: "open")
    try:
        status, body = checks_of(http)
        assert status == 200
        assert body["status"] == "degraded"
        assert (
            body["checks"]["circuit_breakers"]["message"] == "circuit breaker open: test-provider"
        )
    finally:
        circuit_sources.pop("test-provider", None)


def test_health__saturated_sentry_queue_is_degraded(http, configure_sentry):
    hanging = HangingServer().start()
    try:
        configure_sentry("development", dsn=f"http://key@127.0.0.1:{hanging.port}/1")
        for index in range(150):
            sentry_sdk.capture_message(f"queued {index}")
        status, body = checks_of(http)
        assert status == 200
        assert body["checks"]["sentry_transport"]["status"] == "degraded"
        assert "full" in body["checks"]["sentry_transport"]["message"]
    finally:
        sentry_sdk.get_client().close(timeout=0.1)
        hanging.stop()


def test_run_checks__concurrent_with_a_time_limit_each():
    # Ordering by events, not by the clock: both slow checks must be running at once to pass the
    # barrier (run one after the other, the first waits alone and breaks it), and they stay
    # blocked until after the results are in (so "timed out" is the time limit answering).
    together = threading.Barrier(2)
    both_running = threading.Event()
    release = threading.Event()

    class Slow(health.HealthCheck):
        name = "slow"
        timeout_seconds = 0.3

        def run(self):
            together.wait(timeout=10)
            both_running.set()
            release.wait(timeout=30)

    class AlsoSlow(Slow):
        name = "also_slow"

    class Crashing(health.HealthCheck):
        name = "crashing"

        def run(self):
            raise KeyError("internal detail /etc/secret")

    try:
        results = health.run_checks([Slow(), AlsoSlow(), Crashing()])
        assert both_running.wait(timeout=15), "the slow checks did not run concurrently"
    finally:
        release.set()
    assert results["slow"].status == "degraded" and results["slow"].message == "timed out"
    assert results["also_slow"].message == "timed out"
    assert results["crashing"].status == "unhealthy"
    assert results["crashing"].message == "check failed unexpectedly"


def test_run_checks__each_check_in_scopes_forked_from_the_callers(sentry_receiver):
    # A check sees the request's Sentry context, and what it adds (a tag, a breadcrumb) stays
    # its own: not on the request's scope, not on its neighbour's, not on the pool thread for
    # the next probe. Sentry is on, as we configure it: sentry-sdk's thread-pool propagation is
    # off (monitoring.sentry), so this is health's own doing.
    seen = {}

    class Tagging(health.HealthCheck):
        name = "tagging"

        def run(self):
            scope = sentry_sdk.get_isolation_scope()
            seen[self.name] = dict(scope._tags), [c["message"] for c in scope._breadcrumbs]
            sentry_sdk.set_tag("check", self.name)
            sentry_sdk.add_breadcrumb(message=f"from {self.name}")

    class AlsoTagging(Tagging):
        name = "also_tagging"

    with sentry_sdk.isolation_scope() as request_scope:
        request_scope.clear_breadcrumbs()
        sentry_sdk.set_tag("request_id", "r-1")
        sentry_sdk.add_breadcrumb(message="request started")
        for _ in range(2):  # the second probe: the pool's threads hold nothing of the first
            assert health.run_checks([Tagging(), AlsoTagging()])["tagging"].status == "healthy"
            for name in ("tagging", "also_tagging"):
                assert seen[name] == ({"request_id": "r-1"}, ["request started"])
        assert request_scope._tags == {"request_id": "r-1"}
        assert [c["message"] for c in request_scope._breadcrumbs] == ["request started"]
