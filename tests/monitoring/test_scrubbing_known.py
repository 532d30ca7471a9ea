"""monitoring.scrubbing.known: a secret found under a telling key is redacted everywhere else.

A bare secret in prose (``raise Failure(f"... ({pwd})")``) has no pattern and no key nearby; the
same value sits under ``password`` in the request body, under ``pwd`` in the frame's locals. We
check it disappears from Sentry events and from the JSON log lines, that short values are not
harvested, that nothing useful is touched, and that it stays fast.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import sys
import time
from typing import Any
from urllib.parse import quote_plus, urlencode

import pytest
import sentry_sdk
import structlog

from monitoring.logs import KNOWN_SECRETS, logging_config
from monitoring.scrubbing import (
    FILTERED,
    before_send,
    before_send_transaction,
    harvest,
    known,
    make_hooks,
)
from monitoring.scrubbing import events as scrubbing_events
from monitoring.scrubbing import text as scrubbing_text
from monitoring.scrubbing.known import (
    MIN_KNOWN_LENGTH,
    harvest_event,
    harvest_exc_info,
    redact_known,
)
from tests.support.scrubbing import (
    TEXT,
    CapturingTransport,
    error_event,
    leaked,
    secret_dict,
    transaction_event,
)


@pytest.fixture(autouse=True)
def _keep_the_clean_cache():
    """Bare secrets look clean to the patterns: don't leave them in the cache for other tests."""
    saved = [set(clean) for clean in scrubbing_text._CLEAN]
    yield
    for clean, before in zip(scrubbing_text._CLEAN, saved, strict=True):
        clean.clear()
        clean.update(before)


BARE = "Hunter2-PLANTED-pw"  # nothing about it says "password"
MESSAGE = f"login failed for lesson Fractions 101 ({BARE})"


def exception_event(message: str = MESSAGE, vars_: dict[str, Any] | None = None) -> dict:
    frame: dict[str, Any] = {"filename": "accounts/views.py", "function": "login", "lineno": 3}
    if vars_ is not None:
        frame["vars"] = vars_
    return {
        "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
        "exception": {
            "values": [
                {"type": "LoginFailure", "value": message, "stacktrace": {"frames": [frame]}}
            ]
        },
    }


def exception_value(event: dict) -> str:
    return event["exception"]["values"][0]["value"]


class Payload:
    """A request schema: the password is an attribute, not a key."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.lesson = "Fractions 101"


def failing_view(payload: Payload) -> None:
    pwd = payload.password  # noqa: F841 - a local the traceback holds
    body = {"password": payload.password, "lesson": "Fractions 101"}  # noqa: F841
    raise RuntimeError(f"login failed for lesson Fractions 101 ({payload.password})")


def exc_info_of(view: Any, *args: Any) -> Any:
    try:
        view(*args)
    except Exception:
        return sys.exc_info()
    raise AssertionError("the view did not fail")


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


# --- JSON log lines -------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """A logger writing through the project's JSON formatter; returns (logger, parsed lines)."""
    spec = dict(logging_config(level="INFO", log_file=None)["formatters"]["json"])
    spec.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(**spec))
    logger = logging.getLogger("tests.scrubbing.known")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.propagate = True


def test_log__bare_password_from_frame_locals_is_redacted_from_the_traceback(json_log):
    logger, lines = json_log
    try:
        failing_view(Payload("ada_l0velace", BARE))
    except RuntimeError as error:
        logger.exception("login failed: %s", error)
    (line,) = lines()
    assert BARE not in json.dumps(line)
    assert line["event"] == "login failed: login failed for lesson Fractions 101 ([Filtered])"
    assert line["exception"].endswith(
        "RuntimeError: login failed for lesson Fractions 101 ([Filtered])"
    )
    assert __file__ in line["exception"]  # file names and code survive
    assert "in failing_view" in line["exception"]
    assert KNOWN_SECRETS not in line


def test_log__secret_in_a_field_is_redacted_from_the_message(json_log):
    logger, lines = json_log
    logger.info("welcome back %s", BARE, extra={"password": BARE, "lesson": "Fractions 101"})
    logger.info("nothing to see", extra={"lesson": "Fractions 101"})
    first, second = lines()
    assert first["event"] == "welcome back [Filtered]"
    assert (first["password"], first["lesson"]) == (FILTERED, "Fractions 101")
    assert KNOWN_SECRETS not in first
    assert second["event"] == "nothing to see"


# --- speed ----------------------------------------------------------------------------------------


def big_event() -> dict[str, Any]:
    event = error_event()
    event["extra"]["blob"] = [TEXT] * 100 + [json.dumps(secret_dict())] * 200
    event["request"]["data"] = json.dumps([secret_dict()] * 200)
    return event


def test_speed__harvest_and_redaction_of_a_large_event():
    event = big_event()
    assert len(json.dumps(event)) > 200_000
    started = time.perf_counter()
    found = harvest_event(event, {}, pii=False)
    result = redact_known(event, found)
    elapsed = time.perf_counter() - started
    assert found and result
    assert elapsed < 0.5  # a few ms in practice


def test_speed__a_huge_traceback_local_is_bounded():
    def view(payload: dict[str, Any]) -> None:
        raise ValueError("boom")

    payload = {f"field_{index}": {"password": f"pw-{index:08d}"} for index in range(200_000)}
    exc_info = exc_info_of(view, payload)
    started = time.perf_counter()
    found = harvest_exc_info(exc_info, pii=True)
    assert time.perf_counter() - started < 0.5
    assert 0 < len(found) < 20_000  # the node budget stopped it
