"""deploy/prometheus/rules.yml and deploy/grafana/toolbox.json against a real /metrics scrape.

promtool comes from Debian's ``prometheus`` package (``apt-get install -y prometheus``); without
it the promtool checks are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client import REGISTRY, generate_latest

from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import ROOT, ServerDatabase, start_gunicorn

RULES = ROOT / "deploy" / "prometheus" / "rules.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "toolbox.json"
PROMTOOL = shutil.which("promtool")
# Skipped on a developer's machine without it; CI (.ci/run installs it) must run these.
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"),
    reason="promtool not installed (Debian: apt-get install -y prometheus)",
)

# Series that only exist once a feature has run (a generation, a socket, a refusal, a dropped
# event): the scrape of this short run cannot show them, so they are checked against the app's
# metric registry instead (a typo still fails). Everything else must be in the real scrape.
REGISTRY_ONLY = {
    "toolbox_content_generated_total",
    "toolbox_websocket_connections",
    "toolbox_websocket_messages_total",
    "toolbox_rate_limited_total",
    "toolbox_sentry_events_dropped_total",
}
_METRIC = re.compile(r"\b(toolbox_[a-z0-9_]+)")
_HISTOGRAM_PARTS = ("_bucket", "_sum", "_count")


@pytest.fixture(scope="module")
def scrape(tmp_path_factory, django_db_setup, django_db_blocker) -> str:
    """The text exposition of a gunicorn server after real traffic, an error sent to Sentry
    included."""
    from django.db import connection

    tmp_path = tmp_path_factory.mktemp("prometheus")
    receiver = SentryReceiver().start()
    with django_db_blocker.unblock():
        database = ServerDatabase(tmp_path, connection.settings_dict)
    server = start_gunicorn(
        tmp_path,
        {"DATABASE_URL": database.url, "LOG_FILE": "", "SENTRY_DSN": receiver.dsn},
        wait_path="/health",
    )
    try:
        server.get("/api/v1/lessons/")  # 401: unauthenticated
        server.get("/no-such-page")  # 404
        server.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong-pass"})
        assert server.get("/sentry-debug").status_code == 500  # a 5xx, reported to Sentry
        for _ in range(100):
            if receiver.events:
                break
            server.get("/health")
        response = server.get("/metrics", headers={"Accept": "text/plain"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        return response.text
    finally:
        server.stop()
        receiver.stop()
        database.drop()


def exposed_names(text: str) -> set[str]:
    """Every sample name in an exposition (``_total``/``_bucket``... included)."""
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def queried_names(text: str) -> set[str]:
    return {name for name in _METRIC.findall(text) if not name.startswith("toolbox_:")}


def rule_expressions() -> str:
    rules = yaml.safe_load(RULES.read_text())
    return "\n".join(rule["expr"] for group in rules["groups"] for rule in group["rules"])


def dashboard_expressions() -> str:
    dashboard = json.loads(DASHBOARD.read_text())
    return "\n".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])


@needs_promtool
def test_prometheus_rules__promtool_accepts_them():
    result = subprocess.run(
        [PROMTOOL, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
def test_metrics_scrape__promtool_check_metrics_passes(scrape):
    result = subprocess.run(
        [PROMTOOL, "check", "metrics"], input=scrape, capture_output=True, text=True, timeout=60
    )
    # promtool exits 1 on lint problems and 3 on an unparsable exposition.
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_queried_metrics__exist_in_a_real_scrape(scrape, source):
    text = rule_expressions() if source == "rules" else dashboard_expressions()
    queried = queried_names(text)
    assert queried, "no metric found in the expressions"
    in_scrape = exposed_names(scrape)
    registered = exposed_names(generate_latest(REGISTRY).decode()) | {
        line.split()[2]
        for line in generate_latest(REGISTRY).decode().splitlines()
        if line.startswith("# TYPE")
    }
    missing = []
    for name in sorted(queried):
        if name in in_scrape:
            continue
        if name in REGISTRY_ONLY and (
            name in registered or name.removesuffix("_total") in registered
        ):
            continue
        missing.append(name)
    assert missing == [], f"{source} query metrics the app does not expose: {missing}"


def test_queried_metrics__histograms_are_queried_by_their_series():
    """``rate(x_seconds[5m])`` on a histogram's base name would silently match nothing."""
    text = rule_expressions() + dashboard_expressions()
    for name in queried_names(text):
        if "duration_seconds" in name:
            assert name.endswith(_HISTOGRAM_PARTS), name


def test_dashboard__is_grafana_json_with_prometheus_targets():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["type"] == "prometheus"


def test_rules__same_alerts_as_sentry():
    alerts = {
        rule["alert"]: rule
        for group in yaml.safe_load(RULES.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }
    assert "> 0.05" in alerts["ToolboxHighErrorRate"]["expr"]
    assert "> 2" in alerts["ToolboxSlowResponses"]["expr"]
    assert {"ToolboxErrorVolumeAnomaly", "ToolboxSentryDeliveryDegraded"} <= alerts.keys()
    assert "ToolboxRateLimitSurge" in alerts
