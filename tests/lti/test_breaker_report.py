"""An LMS platform's breaker tells Sentry once when it trips, in the shape the LLM's breaker uses
(``monitoring.circuits.circuit_open_report``), as an LMS outage rather than the LLM's."""

from __future__ import annotations

import pytest

from lti.http import PlatformBreaker, breakers_reset, platform_breaker


@pytest.fixture(autouse=True)
def fresh_breakers(settings):
    settings.REDIS_URL = ""
    settings.LTI_BREAKER_FAIL_MAX = 3
    settings.LTI_BREAKER_RESET_SECONDS = 30
    breakers_reset()
    yield
    breakers_reset()


def test_platform_breaker__trip_sends_one_warning_tagged_as_the_lms(sentry_receiver):
    breaker = platform_breaker(7)
    assert isinstance(breaker, PlatformBreaker)
    breaker.open()
    breaker.open()  # already open: not news

    sentry_receiver.wait_for(lambda r: r.events)
    (event,) = sentry_receiver.events
    assert event["level"] == "warning"
    assert event["message"] == (
        "Circuit breaker lti-platform-7 opened after 3 consecutive failures: "
        "calls to this LMS wait 30 s"
    )
    tags = event["tags"]
    assert (tags["component"], tags["error_category"], tags["service"]) == (
        "lti",
        "external_api",
        "lms",
    )
    assert tags["circuit_breaker"] == "lti-platform-7"
    assert event["fingerprint"] == ["circuit-breaker", "lti-platform-7", "open"]
    assert "circuit_breaker" not in event.get("contexts", {})
