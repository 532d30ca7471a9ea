"""monitoring.scrubbing.known: a secret found under a telling key is redacted from Sentry events.

A bare secret in prose (``raise Failure(f"... ({pwd})")``) has no pattern and no key nearby; the
same value sits under ``password`` in the request body, under ``pwd`` in the frame's locals. We
check it disappears from every part of an event and a transaction, whether it was harvested from
frame locals, the hint's traceback, the request or extra, in its encoded forms too, and from what
the real SDK sends; personal values are known only with PII off.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus, urlencode

import pytest
import sentry_sdk

from monitoring.scrubbing import FILTERED, before_send, before_send_transaction, make_hooks
from tests.support.scrubbing import CapturingTransport, transaction_event
from tests.support.scrubbing_cache import _keep_the_clean_cache  # noqa: F401  (fixtures)
from tests.support.scrubbing_known import (
    BARE,
    Payload,
    exc_info_of,
    exception_event,
    exception_value,
    failing_view,
)

# --- Sentry events --------------------------------------------------------------------------------


@pytest.mark.parametrize("pii", [False, True])
def test_before_send__bare_password_from_frame_vars_is_redacted_everywhere(pii):
    event = exception_event(vars_={"pwd": repr(BARE), "attempts": 3})
    event["logentry"] = {"message": "failed: %s", "params": [BARE], "formatted": f"failed: {BARE}"}
    event["breadcrumbs"] = {"values": [{"category": "auth", "message": f"retry with {BARE}"}]}
    event["tags"] = {"note": f"pw {BARE}"}
    result = before_send(event, {}, pii=pii)
    assert BARE not in json.dumps(result)
    assert exception_value(result) == "login failed for lesson Fractions 101 ([Filtered])"
    assert result["logentry"]["formatted"] == "failed: [Filtered]"
    assert result["logentry"]["params"] == [FILTERED]
    assert result["breadcrumbs"]["values"][0]["message"] == "retry with [Filtered]"
    assert result["tags"]["note"] == "pw [Filtered]"
    assert result["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["attempts"] == 3


def test_before_send__dict_local_as_the_sdk_serialises_it():
    event = exception_event(vars_={"payload": {"password": repr(BARE), "lesson": "'Fractions'"}})
    assert exception_value(before_send(event, {}, pii=True)) == (
        "login failed for lesson Fractions 101 ([Filtered])"
    )


def test_before_send__from_the_hint_traceback_even_without_frame_vars():
    exc_info = exc_info_of(failing_view, Payload("ada_l0velace", BARE))
    result = before_send(exception_event(str(exc_info[1])), {"exc_info": exc_info}, pii=True)
    assert exception_value(result) == "login failed for lesson Fractions 101 ([Filtered])"


@pytest.mark.parametrize("where", ["dict", "json", "form", "query", "cookies", "header", "extra"])
def test_before_send__harvested_from_every_request_part_and_extra(where):
    event = exception_event()
    request: dict[str, Any] = {"method": "POST"}
    if where == "dict":
        request["data"] = {"user": {"new_password": BARE}, "lesson": "Fractions"}
    elif where == "json":
        request["data"] = json.dumps({"user": {"new_password": BARE}})
    elif where == "form":
        request["data"] = urlencode({"password": BARE, "lesson": "Fractions"})
    elif where == "query":
        request["query_string"] = [["page", "2"], ["access_token", BARE]]
    elif where == "cookies":
        request["cookies"] = f"theme=dark; sessionid={BARE}"
    elif where == "header":
        request["headers"] = {"Authorization": f"Bearer {BARE}"}
    else:
        event["extra"] = {"login": {"client_secret": BARE}}
    event["request"] = request
    result = before_send(event, {}, pii=True)
    assert BARE not in json.dumps(result)
    assert exception_value(result).endswith("([Filtered])")


def test_before_send__encoded_forms_of_a_known_value_go_too():
    secret = 'p@ss w0rd,/"é"'  # a pattern alone would stop at the space or the comma
    text = f"form body password%3D{quote_plus(secret)} and json {json.dumps(secret)}"
    event = exception_event(text)
    event["request"] = {"data": {"password": secret}}
    value = exception_value(before_send(event, {}, pii=True))
    assert "w0rd" not in value
    assert value == 'form body password%3D[Filtered] and json "[Filtered]"'


@pytest.mark.parametrize("pii", [False, True])
def test_before_send__personal_values_are_known_only_with_pii_off(pii):
    event = exception_event("welcome back ada_l0velace, we wrote to ada.child@example.org")
    event["user"] = {"id": "42", "username": "ada_l0velace"}
    event["request"] = {"data": {"email": "ada.child@example.org"}}
    value = exception_value(before_send(event, {}, pii=pii))
    if pii:
        assert value == "welcome back ada_l0velace, we wrote to ada.child@example.org"
    else:
        assert value == "welcome back [Filtered], we wrote to [Filtered]"


def test_before_send_transaction__span_descriptions_and_tags():
    event = transaction_event()
    event["request"]["data"] = {"password": BARE}
    event["spans"][0]["description"] = f"GET /check?hash={BARE}"
    event["tags"]["debug"] = f"tried {BARE}"
    result = before_send_transaction(event, {}, pii=True)
    assert BARE not in json.dumps(result)
    assert result["spans"][0]["description"] == "GET /check?hash=[Filtered]"


def test_sdk__bare_local_in_the_message_never_reaches_sentry():
    def login(pwd: str) -> None:
        raise ValueError(f"login failed for lesson Fractions 101 ({pwd})")

    for include_locals in (True, False):
        transport = CapturingTransport()
        client = sentry_sdk.Client(
            dsn="http://0123456789abcdef0123456789abcdef@127.0.0.1:9/42",
            transport=transport,
            default_integrations=False,
            include_local_variables=include_locals,
            **make_hooks(send_default_pii=True),
        )
        try:
            with sentry_sdk.new_scope() as scope:
                scope.set_client(client)
                try:
                    login(BARE)
                except ValueError:
                    sentry_sdk.capture_exception()
            client.flush(timeout=2)
        finally:
            client.close(timeout=1)
        sent = json.dumps(transport.payloads)
        assert "login failed for lesson Fractions 101 ([Filtered])" in sent
        assert BARE not in sent
