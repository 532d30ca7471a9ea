"""monitoring.scrubbing.known: what is harvested as a known secret, and that it stays fast.

A bare secret in prose (``raise Failure(f"... ({pwd})")``) has no pattern and no key nearby; the
same value sits under ``password`` in the request body, under ``pwd`` in the frame's locals. We
check that short values are not harvested, nor words that name secrets, paths, masks or dict
claims; that nothing useful is touched beyond what the patterns already scrubbed; that a failure
of harvest or redaction still leaves nothing secret; what is harvested from tracebacks (locals,
dict keys, object attributes, chained exceptions); and that it stays fast.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from monitoring.scrubbing import FILTERED, before_send, harvest, known
from monitoring.scrubbing import events as scrubbing_events
from monitoring.scrubbing.known import (
    MIN_KNOWN_LENGTH,
    harvest_event,
    harvest_exc_info,
    redact_known,
)
from tests.support.cost import cpu_seconds
from tests.support.scrubbing import TEXT, error_event, leaked, secret_dict
from tests.support.scrubbing_cache import _keep_the_clean_cache  # noqa: F401  (fixtures)
from tests.support.scrubbing_known import (
    BARE,
    Payload,
    exc_info_of,
    exception_event,
    exception_value,
)

# --- what is not harvested ------------------------------------------------------------------------


def test_threshold__values_shorter_than_six_characters_are_not_harvested():
    assert MIN_KNOWN_LENGTH == 6
    event = exception_event("room 1234, door 12345, code 483920 at 1732881483920")
    event["request"] = {"data": {"pin": "1234", "cvv": "12345", "otp": "483920"}}
    result = before_send(event, {}, pii=True)
    # 4 and 5 characters: kept in prose (still filtered under their keys); 6: redacted, but not
    # inside a longer number.
    assert exception_value(result) == "room 1234, door 12345, code [Filtered] at 1732881483920"
    assert result["request"]["data"] == {"pin": FILTERED, "cvv": FILTERED, "otp": FILTERED}


def test_harvest__ignores_words_that_name_secrets_paths_masks_and_dict_claims():
    event = exception_event(
        "password reset for teacher: access token via Bearer in /srv/toolbox/app.py ******** true"
    )
    event["extra"] = {
        "password_field": "password",
        "token_type": "Bearer",
        "auth": {"type": "access", "role": "teacher"},  # a dict's own keys decide
        "PWD": "/srv/toolbox",
        "secret_mask": "********",
        "has_password": "true",
        "session": FILTERED,
    }
    assert harvest_event(event, None, pii=False) == set()
    result = before_send(copy.deepcopy(event), {}, pii=False)
    assert exception_value(result) == exception_value(event)


def test_harvest__lists_under_a_sensitive_key_count():
    found = harvest_event({"extra": {"api_keys": ["first-key-1", "second-key-2"]}}, {}, pii=True)
    assert found == {"first-key-1", "second-key-2"}


def test_harvest__a_cookie_header_is_judged_cookie_by_cookie():
    event = {
        "request": {
            "headers": {"Cookie": "sessionid=abc123xyz; theme=dark-blue"},
            "env": {"CSRF_COOKIE": "YWJjZGVmZ2g=="},  # a base64 value, not a cookie header
        }
    }
    assert harvest_event(event, {}, pii=True) == {"abc123xyz", "YWJjZGVmZ2g=="}


@pytest.mark.parametrize("pii", [False, True])
def test_harvest__changes_nothing_the_patterns_already_scrubbed(pii):
    # The full fixture plants every secret in every field: all of it is harvested, yet the
    # result is what scrubbing alone gives, so no useful data is lost. (Known values are also
    # redacted before scrubbing, so "Cookie: sessionid=<known>" can end up as two adjacent
    # markers instead of one.)
    assert harvest_event(error_event(), {}, pii=pii)

    def squeezed(event: Any) -> str:
        return json.dumps(event).replace(FILTERED * 2, FILTERED)

    assert squeezed(before_send(error_event(), {}, pii=pii)) == squeezed(
        scrubbing_events.scrub_event(error_event(), pii)
    )


def test_harvest__a_failure_still_sends_the_scrubbed_event(monkeypatch):
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(harvest._Harvest, "data", explode)
    result = before_send(error_event(), {}, pii=False)
    assert result is not None
    assert leaked(result, {"password": "hunter2-Pa55word"}) == []


def test_redaction__a_failure_drops_the_field(monkeypatch):
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    event = exception_event(vars_={"pwd": repr(BARE)})
    event["transaction"] = "/api/v1/login"
    monkeypatch.setattr(known.KnownSecrets, "walk", explode)
    result = before_send(event, {}, pii=True)
    assert result == {"event_id": "9ec79c33ec9942ab8353589fcb2e04dc"}
    assert redact_known({"a": BARE}, [BARE]) == FILTERED


# --- tracebacks -----------------------------------------------------------------------------------


def test_harvest_exc_info__locals_by_name_dict_keys_and_object_attributes():
    class Request:
        def __init__(self) -> None:
            self.META = {"HTTP_AUTHORIZATION": "Bearer not-opened-1"}  # too deep: not opened
            self.auth = "request-auth-token-9"

    def view(request: Request, payload: Payload, options: dict[str, Any]) -> None:
        api_key = "local-api-key-77"  # noqa: F841
        lesson = "Fractions 101"  # noqa: F841
        raise ValueError("boom")

    exc_info = exc_info_of(
        view, Request(), Payload("ada_l0velace", BARE), {"nested": {"client_secret": "cs-999999"}}
    )
    assert harvest_exc_info(exc_info, pii=True) == {
        "local-api-key-77",
        "request-auth-token-9",
        BARE,
        "cs-999999",
    }
    assert "ada_l0velace" in harvest_exc_info(exc_info, pii=False)  # username, PII off


def test_harvest_exc_info__chained_exceptions_and_odd_inputs():
    def inner(token: str) -> None:
        raise KeyError("missing")

    def outer() -> None:
        try:
            inner("chained-token-42")
        except KeyError as error:
            raise RuntimeError("wrapped") from error

    assert harvest_exc_info(exc_info_of(outer), pii=True) == {"chained-token-42"}
    assert harvest_exc_info(None, pii=True) == set()
    assert harvest_exc_info((1, 2, 3), pii=True) == set()
    assert harvest_exc_info(True, pii=True) == set()  # no exception being handled


# --- speed ----------------------------------------------------------------------------------------


def big_event() -> dict[str, Any]:
    event = error_event()
    event["extra"]["blob"] = [TEXT] * 100 + [json.dumps(secret_dict())] * 200
    event["request"]["data"] = json.dumps([secret_dict()] * 200)
    return event


def test_speed__harvest_and_redaction_of_a_large_event():
    event = big_event()
    assert len(json.dumps(event)) > 200_000

    def scrub(event: dict[str, Any]) -> tuple[set[str], Any]:
        found = harvest_event(event, {}, pii=False)
        return found, redact_known(event, found)

    (found, result), cpu = cpu_seconds(scrub, event, copy_args=True)
    assert found and result
    assert cpu < 0.5  # ~20 ms in practice


def test_speed__a_huge_traceback_local_is_bounded():
    def view(payload: dict[str, Any]) -> None:
        raise ValueError("boom")

    payload = {f"field_{index}": {"password": f"pw-{index:08d}"} for index in range(200_000)}
    exc_info = exc_info_of(view, payload)
    found, cpu = cpu_seconds(lambda: harvest_exc_info(exc_info, pii=True))
    assert cpu < 0.5
    assert 0 < len(found) < 20_000  # the node budget stopped it
