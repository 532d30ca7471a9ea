"""Error figures that add up: one count per request outcome, the same with Sentry on or off."""

from __future__ import annotations

import re

import pytest
import sentry_sdk

pytestmark = pytest.mark.django_db(transaction=True)

MIX = [
    # (method, path, body, expected status)
    ("GET", "/sentry/status", None, 200),
    ("GET", "/sentry/status", None, 200),
    ("GET", "/sentry/status", None, 200),
    ("GET", "/sentry-debug", None, 500),
    ("GET", "/sentry-debug", None, 500),
    ("GET", "/sentry-debug", None, 500),
    ("POST", "/api/v1/auth/login", {"username": "x"}, 422),
    ("POST", "/api/v1/auth/login", {"username": "x"}, 422),
    ("GET", "/api/v1/content", None, 401),
]


def figures(http) -> dict:
    return http.get("/metrics").json()


def prometheus_errors(http) -> dict[tuple[str, str], float]:
    """``toolbox_errors_total`` by (component, kind), from the Prometheus text."""
    text = http.get("/metrics", headers={"Accept": "text/plain"}).text
    totals: dict[tuple[str, str], float] = {}
    for line in text.splitlines():
        if line.startswith("toolbox_errors_total{"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
            key = (labels["component"], labels["kind"])
            totals[key] = totals.get(key, 0.0) + float(line.rsplit(" ", 1)[1])
    return totals


def component(body: dict, name: str) -> dict:
    return body["errors"]["by_component"].get(
        name, {"errors": 0, "client_errors": 0, "requests": 0, "error_rate": None}
    )


def run_mix(http) -> tuple[dict, dict, dict, dict]:
    before, text_before = figures(http), prometheus_errors(http)
    for method, path, body, status in MIX:
        assert http.request(method, path, json=body).status_code == status, path
    sentry_sdk.flush(timeout=5)
    return before, figures(http), text_before, prometheus_errors(http)


def delta(after: dict, before: dict, name: str, field: str) -> int:
    return component(after, name)[field] - component(before, name)[field]


@pytest.fixture(params=["sentry_off", "sentry_on"])
def sentry_mode(request):
    if request.param == "sentry_on":
        return request.getfixturevalue("sentry_receiver")
    return None


def test_error_figures__known_mix_counted_once(http, sentry_mode):
    before, after, text_before, text_after = run_mix(http)
    requests_before, requests_after = before["requests"], after["requests"]
    assert requests_after["total"] - requests_before["total"] == len(MIX)
    for status_class, count in (("2xx", 3), ("4xx", 3), ("5xx", 3)):
        grew = requests_after["status_classes"].get(status_class, 0) - requests_before[
            "status_classes"
        ].get(status_class, 0)
        assert grew == count, status_class

    # Three server errors, counted once each whether or not Sentry is on.
    assert delta(after, before, "monitoring", "errors") == 3
    assert delta(after, before, "monitoring", "client_errors") == 0
    assert delta(after, before, "accounts", "client_errors") == 2
    assert delta(after, before, "accounts", "errors") == 0
    assert delta(after, before, "lessons", "client_errors") == 1
    category_growth = sum(after["errors"]["by_category"].values()) - sum(
        before["errors"]["by_category"].values()
    )
    assert category_growth == 6

    # Rates are server errors per request, never above 1, like the top-level rate.
    monitoring = component(after, "monitoring")
    assert monitoring["error_rate"] == round(monitoring["errors"] / monitoring["requests"], 4)
    for name, figures_of in after["errors"]["by_component"].items():
        rate = figures_of["error_rate"]
        assert rate is None or 0.0 <= rate <= 1.0, name
    assert 0.0 <= requests_after["error_rate"] <= 1.0

    # The Prometheus view says the same.
    for (name, kind), field in ((("monitoring", "server"), "errors"),):
        grew = text_after.get((name, kind), 0) - text_before.get((name, kind), 0)
        assert grew == delta(after, before, name, field)
    assert text_after.get(("accounts", "client"), 0) - text_before.get(
        ("accounts", "client"), 0
    ) == delta(after, before, "accounts", "client_errors")

    if sentry_mode is not None:
        # And Sentry got one event per server error, not two.
        debug_events = [
            e
            for e in sentry_mode.events
            if "raised on purpose" in str(e.get("exception", {}).get("values", [{}])[-1])
        ]
        assert len(debug_events) == 3
