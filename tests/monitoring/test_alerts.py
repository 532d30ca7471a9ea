"""Threshold alerts: one Sentry message per crossing, shown in the admin, resolved when it ends."""

import pytest

from monitoring import alerts, runtime
from monitoring.models import Alert, MonitoringSettings
from tests.accounts.factories import make_user
from tests.support.api import login_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sensitive_alerts(monkeypatch):
    MonitoringSettings.objects.create(
        alert_error_rate=0.2, alert_p95_ms=60_000, alert_min_requests=5, alert_window_minutes=5
    )
    runtime.invalidate()
    alerts.reset_window()
    monkeypatch.setattr(alerts, "EVALUATE_EVERY", 0.0)
    yield
    alerts.reset_window()
    runtime.invalidate()


def alert_events(receiver):
    return [e for e in receiver.events if "alert" in e.get("tags", {})]


def test_alert__error_rate_crossing_sends_one_event(
    sentry_receiver, http, probe_urls, teacher, sensitive_alerts, client
):
    token = login_token(http, teacher)
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(12):
        assert http.post("/probe/boom", json={}, headers=headers).status_code == 500
    events = sentry_receiver.wait_for(alert_events)
    assert len(events) == 1  # not one per request
    event = events[0]
    assert event["tags"]["alert"] == "error_rate"
    assert event["level"] == "error"
    assert event["message"].startswith("Alert: Error rate")
    figures = event["contexts"]["alert"]
    assert figures["threshold"] == 0.2
    assert figures["value"] > 0.2
    assert figures["requests"] >= 5
    alert = Alert.objects.get(resolved_at__isnull=True)
    assert alert.kind == "error_rate"
    assert alert.event_id == event["event_id"]

    client.force_login(make_user("admin", username="on-call"))
    page = client.get("/admin/monitoring/alert/")
    assert "Error rate" in page.content.decode()

    # Healthy traffic brings the rate down: the alert resolves, and no new event is sent.
    for _ in range(60):
        assert http.get("/probe/ok", headers=headers).status_code == 200
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert len(alert_events(sentry_receiver)) == 1


def test_alert__p95_crossing(sentry_receiver, http, sensitive_alerts):
    MonitoringSettings.objects.update(alert_p95_ms=1, alert_error_rate=1.0)
    runtime.invalidate()
    for _ in range(8):
        http.get("/sentry/status")
    event = sentry_receiver.wait_for(alert_events)[0]
    assert event["tags"]["alert"] == "p95_latency"
    assert Alert.objects.filter(kind="p95_latency", resolved_at__isnull=True).count() == 1


def test_window__figures_by_minutes():
    window = alerts.Window()
    now = 1_000_000.0
    for index in range(10):
        window.observe(500 if index < 3 else 200, 0.05, now - 400)  # outside a 5-minute window
    for index in range(10):
        window.observe(500 if index < 1 else 200, 0.05, now)
    five = window.figures(5, now)
    assert five.requests == 10
    assert five.error_rate == pytest.approx(0.1)
    assert 25 < five.p95_ms <= 50
    assert window.figures(10, now).requests == 20


def test_observe__a_503_is_counted_but_never_held_for_evaluation(monkeypatch):
    # A 503 says the database (or what the request needed) is failing: evaluating then would
    # hold that answer while its own queries waited for a connection. The next served one does.
    alerts.reset_window()
    monkeypatch.setattr(alerts, "EVALUATE_EVERY", 0.0)
    evaluated = []
    monkeypatch.setattr(alerts, "evaluate", lambda now: evaluated.append(now))
    try:
        alerts.observe(503, 0.01)
        assert evaluated == []
        alerts.observe(200, 0.01)
        assert len(evaluated) == 1
        figures = alerts._window.figures(5, evaluated[0])
        assert (figures.requests, figures.error_rate) == (2, 0.5)
    finally:
        alerts.reset_window()
