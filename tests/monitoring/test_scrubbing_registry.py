"""Registered secrets (monitoring.scrubbing.registry): redacted wherever they appear."""

from __future__ import annotations

import copy
import json

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


# Quotes, a backslash, a non-ASCII letter, "%" and "+": every encoded form differs from the value.
AWKWARD = 'RBX"key\\välue%2B+0123456789'


def test_registered_secret__found_in_every_encoded_form_and_in_keys():
    """The hook first looks for the forms in the event's JSON text (one scan instead of two
    walks): that shortcut must still see each form wherever it sits, dict keys included."""
    from urllib.parse import quote, quote_plus

    register_secret(AWKWARD)
    try:
        forms = {
            "plain": AWKWARD,
            "url": quote(AWKWARD, safe=""),
            "form": quote_plus(AWKWARD),
            "json": json.dumps(AWKWARD)[1:-1],
            "repr": repr(AWKWARD)[1:-1],
        }
        for name, form in forms.items():
            event = before_send(
                {"extra": {"note": f"said {form}!"}, "tags": {form: "x"}}, {}, pii=False
            )
            assert form not in json.dumps(event, ensure_ascii=False), name
            assert event["extra"]["note"] == "said [Filtered]!", name
    finally:
        forget_secret(AWKWARD)


def test_registered_secret__an_event_without_it_is_only_scrubbed():
    register_secret(AWKWARD)
    try:
        event = {"extra": {"note": "RBX key välue 0123456789"}, "tags": {"component": "roblox"}}
        assert before_send(copy.deepcopy(event), {}, pii=False) == event
    finally:
        forget_secret(AWKWARD)


def test_known_secrets__data_that_is_not_json_is_walked():
    from monitoring.scrubbing.known import KnownSecrets

    known = KnownSecrets({AWKWARD})
    assert known.may_occur_in({"extra": {object()}})  # cannot tell: walk
    assert not known.may_occur_in({"extra": {"note": "nothing here"}})
    assert known.may_occur_in({"extra": {"note": [f"x{AWKWARD}y"]}})
