"""/metrics: request figures summed across gunicorn workers, both formats from one registry."""

import concurrent.futures
import json

import pytest
from django.conf import settings as django_settings
from prometheus_client.parser import text_string_to_metric_families

from monitoring.metrics.report import quantile
from tests.support.servers import ServerDatabase, start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 200
HEALTH_REQUESTS = 5


@pytest.fixture(scope="module")
def gunicorn_four_workers(tmp_path_factory, django_db_blocker):
    """Four workers on a migrated database of their own (the queries they run are counted)."""
    with django_db_blocker.unblock():
        path = tmp_path_factory.mktemp("gunicorn")
        database = ServerDatabase(path, django_settings.DATABASES["default"])
        env = {"LOG_FILE": "", "DATABASE_URL": database.url}
        server = start_gunicorn(path, env, workers=4, wait_path="/health")
        yield server
        server.stop()
        database.drop()


def test_metrics__requests_over_four_workers_are_all_counted(gunicorn_four_workers):
    server = gunicorn_four_workers
    before = server.get("/metrics").json()["requests"]["total"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda _: server.get("/sentry/status").status_code, range(REQUESTS))
        )
    assert statuses == [200] * REQUESTS
    pids = {server.get("/metrics").json()["process"]["pid"] for _ in range(30)}
    assert len(pids) > 1, "requests were not spread over several workers"
    body = server.get("/metrics").json()
    assert body["requests"]["total"] == before + REQUESTS
    assert body["workers"] == 4
    route = next(r for r in body["routes"] if r["route"] == "/sentry/status")
    assert route["count"] >= REQUESTS
    assert route["status_classes"]["2xx"] == route["count"]
    assert route["latency_ms"]["p50"] <= route["latency_ms"]["p95"] <= route["latency_ms"]["p99"]
    assert body["requests"]["throughput_rps"]["1m"] >= round(REQUESTS / 60, 3) - 0.001
    assert body["requests"]["throughput_rps"]["5m"] >= round(REQUESTS / 300, 3) - 0.001

    # /sentry/status does no database work; /health does (its database and migration checks,
    # on threads with connections of their own): each one must be counted, whichever worker.
    queries_before = body["database"]["queries"]
    for _ in range(HEALTH_REQUESTS):
        assert server.get("/health").status_code == 200
    queries_after = server.get("/metrics").json()["database"]["queries"]
    assert queries_after >= queries_before + 2 * HEALTH_REQUESTS


def test_metrics__prometheus_text_parses_and_agrees_with_json(gunicorn_four_workers):
    server = gunicorn_four_workers
    server.get("/api/v1/auth/me")  # a 401, an unmatched route and a real one
    server.get("/nowhere")
    text = server.get("/metrics", headers={"Accept": "text/plain"})
    assert text.headers["Content-Type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(text.text)}
    requests = families["toolbox_http_requests"]
    total = sum(s.value for s in requests.samples if s.name == "toolbox_http_requests_total")
    routes = {s.labels["route"] for s in requests.samples}
    assert "/api/v1/auth/me" in routes and "<unmatched>" in routes
    assert not any("nowhere" in r for r in routes)  # the route pattern, never the raw path
    assert "toolbox_http_request_duration_seconds" in families
    assert json.loads(server.get("/metrics").text)["requests"]["total"] == int(total)
    openmetrics = server.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert openmetrics.headers["Content-Type"].startswith("application/openmetrics-text")
    assert openmetrics.text.rstrip().endswith("# EOF")


def test_metrics__probes_and_scrapes_are_not_traffic(gunicorn_four_workers):
    server = gunicorn_four_workers
    before = server.get("/metrics").json()["requests"]["total"]
    for _ in range(5):
        server.get("/health")
        server.get("/metrics")
    assert server.get("/metrics").json()["requests"]["total"] == before


def test_metrics__error_rates_by_route_and_component(http):
    for _ in range(3):
        http.post("/api/v1/auth/login", json={"username": "x"})  # 422s
    body = http.get("/metrics").json()
    login = next(r for r in body["routes"] if r["route"] == "/api/v1/auth/login")
    assert login["status_classes"].get("4xx", 0) >= 3
    assert login["error_rate"] == 0.0  # client errors are not server errors
    assert body["errors"]["by_category"].get("authentication", 0) >= 3


def test_quantile__matches_prometheus_histogram_quantile():
    buckets = [(0.1, 50.0), (0.5, 90.0), (1.0, 100.0), (float("inf"), 100.0)]
    assert quantile(0.5, buckets) == pytest.approx(0.1)
    assert quantile(0.7, buckets) == pytest.approx(0.3)
    assert quantile(0.95, buckets) == pytest.approx(0.75)
    assert quantile(0.5, []) is None


def test_metrics__runserver_style_single_process(http):
    before = http.get("/metrics").json()["requests"]["total"]
    http.get("/sentry/status")
    assert http.get("/metrics").json()["requests"]["total"] == before + 1
    text = http.get("/metrics", headers={"Accept": "text/plain"}).text
    assert "toolbox_http_requests_total" in text
