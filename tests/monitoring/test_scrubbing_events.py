"""monitoring.scrubbing ``before_send``: nothing secret (nor, with PII off, personal) leaves in
an error event.

Every kind of secret is planted in every part of an error event; after the hook the serialised
result must not contain any of them, and useful data must survive. With PII on, personal data
stays but secrets do not; log entry parameters are filtered after sensitive words (usage figures
survive); a field that cannot be scrubbed is dropped, and so is an event if scrubbing fails.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from monitoring.scrubbing import FILTERED, before_send, before_send_transaction
from monitoring.scrubbing import events as scrubbing_events
from monitoring.scrubbing import hooks as scrubbing_hooks
from tests.support.scrubbing import (
    ACCESS_TOKEN,
    CSRF_TOKEN,
    EMAIL,
    IPV4,
    IPV6,
    PASSWORD,
    PERSONAL,
    SECRETS,
    SESSION_ID,
    USERNAME,
    error_event,
    leaked,
    secret_dict,
    transaction_event,
)

# --- before_send ----------------------------------------------------------------------------------


def test_before_send__nothing_secret_or_personal_survives_with_pii_off():
    result = before_send(error_event(), {}, pii=False)
    assert leaked(result, SECRETS | PERSONAL) == []
    assert "cl1entSecretValue" not in json.dumps(result)
    assert "ip_address" not in result["user"]
    assert "REMOTE_ADDR" not in result["request"]["env"]


@pytest.mark.parametrize(
    "path",
    [
        ("request", "headers"),
        ("request", "cookies"),
        ("request", "query_string"),
        ("request", "data"),
        ("request", "url"),
        ("request", "env"),
        ("exception", "values", 0, "value"),
        ("exception", "values", 0, "stacktrace", "frames", 0, "vars"),
        ("exception", "values", 0, "stacktrace", "frames", 0, "pre_context"),
        ("threads", "values", 0, "stacktrace", "frames", 0, "vars"),
        ("message",),
        ("logentry",),
        ("extra",),
        ("contexts", "trace", "data"),
        ("contexts", "login_debug"),
        ("tags",),
        ("breadcrumbs", "values", 0),
        ("breadcrumbs", "values", 1),
        ("user",),
    ],
)
def test_before_send__each_part_of_the_event_is_scrubbed(path):
    result: Any = before_send(error_event(), {}, pii=False)
    original: Any = error_event()
    for step in path:
        result, original = result[step], original[step]
    assert leaked(original, SECRETS | PERSONAL), "the fixture plants something here"
    assert leaked(result, SECRETS | PERSONAL) == []


@pytest.mark.parametrize("form", ["dict", "json", "form", "pairs"])
def test_before_send__request_body_and_query_in_every_form(form):
    event = error_event()
    body = secret_dict()
    flat = {k: v for k, v in body.items() if isinstance(v, str)} | {"password": PASSWORD}
    if form == "json":
        event["request"]["data"] = json.dumps(body)
    elif form == "form":
        event["request"]["data"] = urlencode(flat)
        event["request"]["query_string"] = urlencode(flat)
    elif form == "pairs":
        event["request"]["data"] = json.dumps(body, indent=2)
        event["request"]["query_string"] = [[k, v] for k, v in flat.items()]
        event["request"]["headers"] = [[k, v] for k, v in event["request"]["headers"].items()]
        event["request"]["cookies"] = f"sessionid={SESSION_ID}; csrftoken={CSRF_TOKEN}; theme=dark"
    result = before_send(event, {}, pii=False)
    assert leaked(result["request"], SECRETS | PERSONAL) == []
    assert "theme" in json.dumps(result["request"]["cookies"])
    assert re.search(r"Fractions( |\+|%20)101", json.dumps(result["request"]["data"]))


def test_before_send__useful_data_survives():
    result = before_send(error_event(), {}, pii=False)
    original = error_event()
    for key in ("event_id", "timestamp", "platform", "level", "release", "environment", "sdk"):
        assert result[key] == original[key]
    assert result["server_name"] == "toolbox-web-1"
    assert result["modules"] == original["modules"]
    assert result["transaction"] == "/api/v1/login"
    assert result["transaction_info"] == {"source": "route"}
    exception = result["exception"]["values"][0]
    assert (exception["type"], exception["module"]) == ("ValueError", "builtins")
    assert exception["mechanism"] == {"type": "django", "handled": False}
    assert exception["value"].startswith("login failed: jwt [Filtered] with Authorization: ")
    assert exception["value"].endswith("username=[Filtered] (toolbox 1.2.3)")
    top = exception["stacktrace"]["frames"][0]
    assert {k: top[k] for k in ("filename", "abs_path", "function", "module", "lineno")} == {
        "filename": "accounts/views.py",
        "abs_path": "/srv/toolbox/accounts/views.py",
        "function": "login",
        "module": "accounts.views",
        "lineno": 42,
    }
    assert (
        top["context_line"]
        == original["exception"]["values"][0]["stacktrace"]["frames"][0]["context_line"]
    )
    assert top["vars"]["attempts"] == 3
    assert top["vars"]["version"] == "'1.2.3'"
    trace = result["contexts"]["trace"]
    assert trace["trace_id"] == "771a43a4192642f0b136d5159a501700"
    assert (trace["span_id"], trace["op"], trace["status"]) == (
        "a0cfbfa3ee4148d0",
        "http.server",
        "internal_error",
    )
    assert result["contexts"]["response"] == {"status_code": 500}
    assert result["contexts"]["runtime"] == {"name": "CPython", "version": "3.11.9"}
    extra = result["extra"]
    assert (extra["gen_ai.usage.input_tokens"], extra["total_tokens"]) == (120, 321)
    assert (extra["tokens_used"], extra["token_count"]) == (99, 7)
    assert extra["author"] == "Ms Frizzle"
    assert extra["is_authenticated"] is True
    assert extra["python"] == "Python 3.11.9"
    assert extra["lesson"] == "Fractions 101"
    assert result["tags"]["request_id"] == "3f2b9c7e0a"
    assert result["tags"]["url"] == "/api/v1/login"
    assert result["user"] == {"id": "42", "role": "student"}
    headers = result["request"]["headers"]
    assert headers["User-Agent"] == "Roblox/WinInet"
    assert headers["Content-Type"] == "application/json"
    assert result["request"]["method"] == "POST"
    assert result["request"]["cookies"]["theme"] == "dark"
    assert result["request"]["env"]["SERVER_NAME"] == "toolbox-web-1"
    assert result["breadcrumbs"]["values"][1]["data"]["status_code"] == 200


def test_before_send__logentry_params_after_sensitive_words_are_filtered():
    result = before_send(error_event(), {}, pii=False)
    assert result["logentry"] == {
        "message": "login failed for user %s with password=%s token %s",
        "params": [FILTERED, FILTERED, FILTERED],
        "formatted": "login failed for user [Filtered] with password=[Filtered] token [Filtered]",
    }
    with_pii = before_send(error_event(), {}, pii=True)
    assert with_pii["logentry"]["params"] == [USERNAME, FILTERED, FILTERED]
    assert with_pii["logentry"]["formatted"] == (
        f"login failed for user {USERNAME} with password=[Filtered] token [Filtered]"
    )


def test_before_send__logentry_named_params():
    event = {
        "logentry": {
            "message": "reset for %(email)s with %(reset_token)s after %(tries)d tries",
            "params": {"email": EMAIL, "reset_token": ACCESS_TOKEN, "tries": 3},
            "formatted": f"reset for {EMAIL} with {ACCESS_TOKEN} after 3 tries",
        }
    }
    result = before_send(event, {}, pii=False)
    assert result["logentry"]["params"] == {"email": FILTERED, "reset_token": FILTERED, "tries": 3}
    assert result["logentry"]["formatted"] == "reset for [Filtered] with [Filtered] after 3 tries"


def test_before_send__logentry_usage_figures_survive():
    event = {
        "logentry": {
            "message": "generated %(title)s with %(total_tokens)d tokens",
            "params": {"title": "Fractions", "total_tokens": 321},
            "formatted": "generated Fractions with 321 tokens",
        }
    }
    assert before_send(copy.deepcopy(event), {}, pii=False) == event


def test_before_send__with_pii_on_personal_data_survives_but_secrets_do_not():
    result = before_send(error_event(), {}, pii=True)
    assert leaked(result, SECRETS) == []
    assert result["user"]["username"] == USERNAME
    assert result["user"]["email"] == EMAIL
    assert result["user"]["ip_address"] == IPV4
    assert result["request"]["env"]["REMOTE_ADDR"] == IPV4
    assert result["request"]["headers"]["X-Forwarded-For"] == IPV4
    assert result["request"]["headers"]["X-Real-Ip"] == IPV6
    assert result["extra"]["contact"] == EMAIL
    assert result["extra"]["username"] == USERNAME


def test_before_send__drops_a_field_it_cannot_scrub(monkeypatch):
    def explode(value: Any, pii: bool) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(scrubbing_events._FIELD_SCRUBBERS, "request", explode)
    result = before_send(error_event(), {}, pii=False)
    assert "request" not in result
    assert result["transaction"] == "/api/v1/login"
    assert leaked(result, SECRETS | PERSONAL) == []


def test_before_send__drops_the_event_if_scrubbing_fails(monkeypatch):
    def explode(event: Any, pii: bool) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(scrubbing_hooks, "scrub_event", explode)
    assert before_send(error_event(), {}, pii=False) is None
    assert before_send_transaction(transaction_event(), {}, pii=False) is None


def test_before_send__not_an_event_is_dropped():
    assert before_send("not an event", {}, pii=False) is None  # type: ignore[arg-type]
