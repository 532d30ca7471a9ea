"""Registered secrets (monitoring.scrubbing.registry): redacted wherever they appear."""

from __future__ import annotations

from monitoring.scrubbing import before_breadcrumb, before_send, before_send_log
from monitoring.scrubbing.registry import (
    MAX_REGISTERED,
    forget_secret,
    register_secret,
    registered_secrets,
)

KEY = "RBXregistryPLANTED0123456789abcdef"


def _event(text: str) -> dict:
    return {
        "message": f"Roblox said: Invalid API Key {text}",
        "exception": {"values": [{"type": "RobloxApiError", "value": f"echo {text}"}]},
        "extra": {"note": f"url?x={text}"},
    }


def test_registered_secret__is_redacted_from_events_breadcrumbs_and_logs():
    register_secret(KEY)
    try:
        event = before_send(_event(KEY), {}, pii=False)
        crumb = before_breadcrumb({"message": f"got {KEY}", "data": {"v": KEY}}, {}, pii=False)
        log = before_send_log({"body": f"echoed {KEY}", "attributes": {}}, {}, pii=False)
        assert KEY not in str(event) and "[Filtered]" in event["message"]
        assert KEY not in str(crumb)
        assert KEY not in str(log)
    finally:
        forget_secret(KEY)
    assert KEY in str(before_send(_event(KEY), {}, pii=False))  # forgotten: no longer special


def test_registered_secret__the_registry_keeps_only_the_most_recent():
    values = [f"bounded-secret-{i:04d}" for i in range(MAX_REGISTERED + 5)]
    try:
        for value in values:
            register_secret(value)
        assert len(registered_secrets()) == MAX_REGISTERED
        assert values[0] not in registered_secrets() and values[-1] in registered_secrets()
    finally:
        for value in values:
            forget_secret(value)
