"""monitoring.scrubbing: nothing secret (nor, with PII off, personal) leaves the process.

Every kind of secret is planted in every part of an error event, a transaction, a breadcrumb and
a log; after the hook the serialised result must not contain any of them, useful data must
survive, and Sentry's own server-side scrubber (relay, default settings) must find nothing left
to remove.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest
import sentry_sdk

from monitoring.scrubbing import (
    FILTERED,
    before_breadcrumb,
    before_send,
    before_send_log,
    before_send_transaction,
    is_sensitive_key,
    make_hooks,
    scrub,
    scrub_text,
)
from monitoring.scrubbing import events as scrubbing_events
from monitoring.scrubbing import hooks as scrubbing_hooks
from monitoring.scrubbing import text as scrubbing_text
from monitoring.scrubbing import walk as scrubbing_walk
from tests.support.relay_check import (
    only_keyword_heuristic,
    relay_leftovers,
    relay_raw_changes,
)
from tests.support.scrubbing import (
    ACCESS_TOKEN,
    BEARER,
    CSRF_TOKEN,
    EMAIL,
    IPV4,
    IPV6,
    JWT,
    LOCAL_PWD,
    OPENAI_KEY,
    PASSWORD,
    PERSONAL,
    SECRETS,
    SESSION_ID,
    TEXT,
    USERNAME,
    CapturingTransport,
    error_event,
    leaked,
    log_item,
    secret_dict,
    transaction_event,
)

# --- key rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "new_password",
        "newPassword",
        "passwd",
        "pwd",
        "client_secret",
        "OPENAI_API_KEY",
        "x-api-key",
        "apiKey",
        "access_token",
        "refresh_token",
        "refreshToken",
        "token",
        "X-Auth-Token",
        "HTTP_AUTHORIZATION",
        "Authorization",
        "oauth_state",
        "credentials",
        "sessionid",
        "session",
        "csrftoken",
        "X-CSRFToken",
        "xsrf-token",
        "Cookie",
        "Set-Cookie",
        "jwt",
        "bearer",
        "private_key",
        "card",
        "card_number",
        "credit_card",
        "cvv",
        "ssn",
        "pin",
        "SENTRY_DSN",
    ],
)
def test_is_sensitive_key__secret_keys_whatever_the_pii_setting(key):
    assert is_sensitive_key(key)
    assert is_sensitive_key(key, pii=True)


@pytest.mark.parametrize(
    "key",
    [
        "email",
        "E-Mail",
        "parent_email",
        "ip_address",
        "ipAddress",
        "REMOTE_ADDR",
        "X-Forwarded-For",
        "X-Real-Ip",
        "client_ip",
        "phone",
        "username",
        "user.name",
        "first_name",
        "date_of_birth",
        "gen_ai.request.messages",
    ],
)
def test_is_sensitive_key__personal_keys_only_with_pii_off(key):
    assert is_sensitive_key(key, pii=False)
    assert not is_sensitive_key(key, pii=True)


@pytest.mark.parametrize(
    "key",
    [
        "author",
        "authors",
        "authority",
        "authentication_method",
        "auth_backend",
        "flashcard",
        "flash_card",
        "cards_generated",
        "classname",
        "zip",
        "name",
        "lesson",
        "gen_ai.request.model",
        "key",
        "cache_key",
    ],
)
def test_is_sensitive_key__ordinary_keys_are_not_sensitive(key):
    assert not is_sensitive_key(key)


@pytest.mark.parametrize(
    "key", ["tokens_used", "token_count", "total_tokens", "gen_ai.usage.input_tokens", "max_tokens"]
)
def test_scrub__usage_figures_keep_numbers_but_not_text(key):
    assert scrub({key: 321}, pii=False) == {key: 321}
    assert scrub({key: 1.5}, pii=False) == {key: 1.5}
    assert scrub({key: "321"}, pii=False) == {key: "321"}
    assert scrub({key: "abc-secret"}, pii=False) == {key: FILTERED}
    assert scrub({key: ["abc-secret", 3]}, pii=False) == {key: [FILTERED, 3]}


def test_scrub__numbers_under_secret_keys_are_filtered():
    result = scrub({"token": 483920, "pin": 1234, "access_token": 5, "card_number": 4111}, pii=True)
    assert set(result.values()) == {FILTERED}


def test_scrub__booleans_and_none_are_never_secret():
    data = {"is_authenticated": True, "password": None, "has_password": False}
    assert scrub(data, pii=False) == data


# --- value rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        (f"token {JWT} here", JWT, "token  here"),
        (f"Authorization: Bearer {BEARER}!", BEARER, "Authorization: !"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA", "Authorization: "),
        ("Authorization: Token abcdef0123456789", "abcdef0123456789", "Authorization: "),
        (f"using {OPENAI_KEY} now", OPENAI_KEY, "using  now"),
        ("stripe sk_live_51HxYzAbCdEfGh12 ok", "sk_live_51HxYzAbCdEfGh12", "stripe  ok"),
        ("pk_test_TYooMQauvdEDq54NiTphI7jx", "TYooMQauvdEDq54NiTphI7jx", ""),
        ("gh ghp_16C7e42F292c6912E7710c838347Ae178B4a x", "ghp_16C7e42F292c", "gh  x"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_11ABC", ""),
        ("slack xoxb-123456789012-abcdefABCDEF", "xoxb-1234", "slack "),
        ("aws AKIAIOSFODNN7EXAMPLE key", "AKIAIOSFODNN7EXAMPLE", "aws  key"),
        ("api_key=abc123XYZ&x=1", "abc123XYZ", "api_key=&x=1"),
        ("login failed password=hunter2 for bob", "hunter2", "login failed password= for bob"),
        ('{"password": "hunter2", "ok": 1}', "hunter2", '{"password": "", "ok": 1}'),
        ("{'password': 'hunter2', 'ok': 1}", "hunter2", "{'password': '', 'ok': 1}"),
        ('{\\"password\\": \\"hunter2\\"}', "hunter2", '{\\"password\\": \\"\\"}'),
        ("{'auth': {'value': 'hunter2'}, 'ok': 1}", "hunter2", "{'auth': , 'ok': 1}"),
        (
            "sessionid=abc123; csrftoken=def456; theme=dark",
            "abc123",
            "sessionid=; csrftoken=; theme=dark",
        ),
        ("Cookie: sessionid=abc123; csrftoken=def456", "def456", "Cookie: ; csrftoken="),
        (
            "db postgres://toolbox:s3cret@db:5432/toolbox",
            "s3cret",
            "db postgres://@db:5432/toolbox",
        ),
        ("hash pbkdf2_sha256$870000$salt$abc= ok", "abc=", "hash  ok"),
        ("form note=Bearer+b3arerTok3n.Zq9xW2&x=1", "b3arerTok3n", "form note=&x=1"),
        ("card 4111 1111 1111 1111 ok", "4111 1111", "card  ok"),
        ("card 4111-1111-1111-1111.", "4111-1111", "card ."),
        ("amex 378282246310005", "378282246310005", "amex "),
        ("ssn 123-45-6789 ok", "123-45-6789", "ssn  ok"),
        ("iban DE89 3704 0044 0532 0130 00", "3704 0044", "iban "),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----", "MIIEvQ", ""),
        (
            "GET /accounts/reset/MQ/c4x9k2-2f4e5d6c7b8a9f0e1d2c/",
            "c4x9k2",
            "GET /accounts/reset/MQ//",
        ),
        ("/confirm-email/MQ:1t2Xyz:Kq8ab3dEfGhIjKlMnOp/ ok", "Kq8ab3d", "/confirm-email// ok"),
    ],
)
def test_scrub_text__secret_patterns_keep_the_text_around(text, secret, kept):
    for pii in (False, True):
        result = scrub_text(text, pii=pii)
        assert secret not in result
        assert FILTERED in result
        assert result.replace(FILTERED, "") == kept


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"mail {EMAIL} now", EMAIL),
        ("mail ada%40example.org", "ada%40example.org"),
        (f"from {IPV4}:8008", IPV4),
        ("from 10.0.0.1.", "10.0.0.1"),
        (f"from {IPV6} now", IPV6),
        ("peer 2001:db8::7 and [2001:db8::7]:8000", "2001:db8::7"),
        ("link fe80::1%eth0 up", "fe80::1"),
        ("mapped ::ffff:192.0.2.128 x", "192.0.2.128"),
        (f"username={USERNAME}&x=1", USERNAME),
    ],
)
def test_scrub_text__personal_data_only_with_pii_off(text, secret):
    assert secret not in scrub_text(text, pii=False)
    assert scrub_text(text, pii=True) == text


@pytest.mark.parametrize(
    "text",
    [
        "toolbox 1.2.3 on Python 3.11.9",
        "v1.2.3.4",
        "10.0.0.256",
        "12:30:45 on 2024-11-29T12:30:45.123+00:00",
        "mac 00:1b:44:11:3a:b7",
        "std::vector and a[::2]",
        "order 1234567812345678 (not Luhn) at 1732881234567",
        "4111111111111112",
        "a basic arithmetic lesson by the bearer of news",
        "sk-learn-pipeline",
        "author=Ann is_authenticated=True auth_method=password",
        "total_tokens=321 tokens_used: 99",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "object at 0x7f3a2b1c4d50",
        "WHERE session_key = %s AND password = ?",
        "toolbox@1.0.0-test",
        "Fractions 101: 3/4 + 1/4 = 1",
        "/api/v1/tokens/usage and /accounts/password/change/",
    ],
)
def test_scrub_text__leaves_ordinary_text_alone(text):
    assert scrub_text(text, pii=False) == text


def test_scrub_text__finds_several_cards_in_a_run_of_numbers():
    result = scrub_text("cards 22 4111 1111 1111 1111 5555 5555 5555 4444 7", pii=True)
    assert result == f"cards 22 {FILTERED} {FILTERED} 7"


def test_scrub_text__non_strings_pass_through():
    assert scrub_text(None, pii=False) is None  # type: ignore[arg-type]


# --- scrub ----------------------------------------------------------------------------------------


def test_scrub__returns_a_new_structure_and_leaves_the_input_alone():
    data = {"user": {"password": PASSWORD}, "items": [{"token": "x"}], "pair": ("a", "b")}
    original = copy.deepcopy(data)
    result = scrub(data, pii=False)
    assert data == original
    assert result == {
        "user": {"password": FILTERED},
        "items": [{"token": FILTERED}],
        "pair": ("a", "b"),
    }
    assert result["user"] is not data["user"]


def test_scrub__catches_nested_and_partial_keys():
    result = scrub(secret_dict(), pii=False)
    assert leaked(result, SECRETS | PERSONAL) == []
    assert result["user"]["role"] == "teacher"
    assert result["lesson"] == "Fractions 101"
    assert result["payment"]["amount"] == 12


def test_scrub__with_pii_on_keeps_personal_data_but_not_secrets():
    result = scrub(secret_dict(), pii=True)
    assert leaked(result, SECRETS) == []
    assert leaked(result, PERSONAL) == list(PERSONAL)


class Unrepresentable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class Holder:
    def __repr__(self) -> str:
        return f"Holder(password={PASSWORD!r})"


def test_scrub__never_raises_on_odd_values():
    cyclic: dict[str, Any] = {"a": 1}
    cyclic["self"] = cyclic
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    result = scrub(
        {
            "cyclic": cyclic,
            "deep": deep,
            "bytes": f"password={PASSWORD}".encode(),
            "object": Holder(),
            "broken": Unrepresentable(),
            3: {"token": "abc"},
        },
        pii=False,
    )
    assert PASSWORD not in json.dumps(result, default=str)
    assert result["broken"] == FILTERED
    assert result[3] == {"token": FILTERED}


def test_scrub__whole_value_filtered_if_scrubbing_fails(monkeypatch):
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(scrubbing_walk, "walk_value", explode)
    assert scrub({"a": 1}, pii=False) == FILTERED


def test_scrub__dict_keys_are_scrubbed_by_value_too():
    assert scrub({EMAIL: 3, "lesson": 1}, pii=False) == {FILTERED: 3, "lesson": 1}
    assert scrub({EMAIL: 3}, pii=True) == {EMAIL: 3}


def test_scrub__remembers_only_clean_strings():
    scrub({"message": TEXT, "lines": [TEXT[:200], f"token={ACCESS_TOKEN}"]}, pii=False)
    pii_off, pii_on, code = (sorted(clean) for clean in scrubbing_text._CLEAN)
    assert leaked([pii_off, pii_on, code], SECRETS) == []
    assert leaked(pii_off, PERSONAL) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('    password = form.cleaned_data["password"]', None),
        ("    if user.email == email:", None),
        ("    client = Client(ip='127.0.0.1')", None),
        (f'    API_KEY = "{OPENAI_KEY}"', '    API_KEY = "[Filtered]"'),
        ('    password = "hunter2"', '    password = "[Filtered]"'),
        (
            f"    headers = {{'Authorization': 'Bearer {BEARER}'}}",
            "    headers = {'Authorization': '[Filtered]'}",
        ),
    ],
)
def test_scrub_frame__source_lines_lose_secrets_only(line, expected):
    event = {"stacktrace": {"frames": [{"function": "f", "context_line": line}]}}
    result = before_send(event, {}, pii=False)
    assert result["stacktrace"]["frames"][0]["context_line"] == (expected or line)


def test_scrub_contexts__a_context_named_like_a_secret_is_filtered_whole():
    event = {"contexts": {"credentials": {"type": "credentials", "value": "plain", "n": 3}}}
    result = before_send(event, {}, pii=False)
    assert result["contexts"]["credentials"] == {
        "type": "credentials",
        "value": FILTERED,
        "n": FILTERED,
    }


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


# --- transactions, breadcrumbs, logs --------------------------------------------------------------


@pytest.mark.parametrize("pii", [False, True])
def test_before_send_transaction__spans_request_contexts_tags_extra_user(pii):
    result = before_send_transaction(transaction_event(), {}, pii=pii)
    assert leaked(result, SECRETS) == []
    if not pii:
        assert leaked(result, PERSONAL) == []
    for span in result["spans"]:
        assert leaked(span, SECRETS | ({} if pii else PERSONAL)) == []
    http_span, db_span = result["spans"]
    assert http_span["description"] == "POST https://api.example/v1/generate?api_key=[Filtered]"
    assert http_span["data"]["gen_ai.usage.input_tokens"] == 120
    assert http_span["data"]["gen_ai.usage.output_tokens"] == 45
    assert (http_span["op"], http_span["status"]) == ("http.client", "ok")
    assert http_span["span_id"] == "b1cfbfa3ee4148d1"
    assert db_span["description"].startswith("UPDATE accounts_user SET password = '[Filtered]'")
    assert db_span["description"].endswith("WHERE id = %s")
    assert result["measurements"] == {"lcp": {"value": 1.5, "unit": "second"}}
    assert result["transaction"] == "/api/v1/login"
    assert result["contexts"]["trace"]["status"] == "ok"


def test_before_breadcrumb__message_and_data():
    crumb = error_event()["breadcrumbs"]["values"][0]
    result = before_breadcrumb(crumb, {}, pii=False)
    assert leaked(result, SECRETS | PERSONAL) == []
    assert result["category"] == "accounts"
    assert result["data"]["lesson"] == "Fractions 101"


def test_before_breadcrumb__log_record_args_are_rerendered():
    record = logging.LogRecord(
        "accounts",
        logging.INFO,
        __file__,
        1,
        "login for %s with password %s",
        (EMAIL, "hunter2"),
        None,
    )
    crumb = {"type": "log", "category": "accounts", "message": record.getMessage(), "data": {}}
    result = before_breadcrumb(crumb, {"log_record": record}, pii=False)
    assert result["message"] == "login for [Filtered] with password [Filtered]"
    with_pii = before_breadcrumb(crumb, {"log_record": record}, pii=True)
    assert with_pii["message"] == f"login for {EMAIL} with password [Filtered]"


@pytest.mark.parametrize("pii", [False, True])
def test_before_send_log__body_and_attributes(pii):
    result = before_send_log(log_item(), {}, pii=pii)
    assert leaked(result, SECRETS) == []
    attributes = result["attributes"]
    assert attributes["sentry.message.parameter.password"] == FILTERED
    assert attributes["sentry.message.parameter.token"] == FILTERED
    assert attributes["gen_ai.usage.total_tokens"] == 42
    assert attributes["sentry.release"] == "toolbox@1.2.3"
    assert attributes["code.line.number"] == 17
    assert attributes["user.id"] == "42"
    assert result["severity_number"] == 13
    assert result["time_unix_nano"] == 1732883445123456789
    if pii:
        assert attributes["user.email"] == EMAIL
        assert result["body"] == f"login failed for {USERNAME} password [Filtered] [Filtered]"
    else:
        assert leaked(result, PERSONAL) == []
        assert "user.email" not in attributes
        assert "user.name" not in attributes
        assert result["body"] == "login failed for [Filtered] password [Filtered] [Filtered]"


def test_before_send_log__without_template_scrubs_body_text():
    result = before_send_log({"body": TEXT, "attributes": {}}, {}, pii=False)
    assert leaked(result, SECRETS | PERSONAL) == []
    assert result["body"].startswith("login failed: jwt [Filtered]")


def test_before_send_log__parameters_without_template_and_usage_figures():
    log = {
        "body": "used 321 tokens",
        "attributes": {
            "sentry.message.parameter.password": PASSWORD,
            "sentry.message.parameter.total_tokens": 321,
            "sentry.message.parameter.0": "Fractions",
        },
    }
    result = before_send_log(log, {}, pii=False)
    assert result["attributes"] == {
        "sentry.message.parameter.password": FILTERED,
        "sentry.message.parameter.total_tokens": 321,
        "sentry.message.parameter.0": "Fractions",
    }
    assert result["body"] == "used 321 tokens"


def test_before_send__logentry_usage_figures_survive():
    event = {
        "logentry": {
            "message": "generated %(title)s with %(total_tokens)d tokens",
            "params": {"title": "Fractions", "total_tokens": 321},
            "formatted": "generated Fractions with 321 tokens",
        }
    }
    assert before_send(copy.deepcopy(event), {}, pii=False) == event


def test_hooks__never_raise_on_garbage():
    for hook in make_hooks(send_default_pii=False).values():
        for garbage in (None, 3, "x", [], {"attributes": 5, "body": object()}):
            hook(garbage, None)


def test_make_hooks__binds_the_pii_setting():
    hooks = make_hooks(send_default_pii=False)
    assert set(hooks) == {
        "before_send",
        "before_send_transaction",
        "before_breadcrumb",
        "before_send_log",
    }
    assert hooks["before_send"]({"user": {"id": "1", "email": EMAIL}}, {}) == {"user": {"id": "1"}}
    hooks = make_hooks(send_default_pii=True)
    assert hooks["before_send"]({"user": {"id": "1", "email": EMAIL}}, {}) == {
        "user": {"id": "1", "email": EMAIL}
    }


# --- through the real SDK -------------------------------------------------------------------------


def login(username: str, pwd: str, payload: dict[str, Any]) -> None:
    client_secret = "cl1entSecretValue"  # noqa: F841 - a local the SDK will report
    # Free text can only be scrubbed by value pattern: a bare user name would not be caught.
    raise ValueError(f"login failed for user_id=42 ({EMAIL}) with token {JWT}")


def test_sdk__hooks_scrub_what_the_sdk_really_sends():
    transport = CapturingTransport()
    client = sentry_sdk.Client(
        dsn="http://0123456789abcdef0123456789abcdef@127.0.0.1:9/42",
        transport=transport,
        default_integrations=False,
        include_local_variables=True,
        enable_logs=True,
        **make_hooks(send_default_pii=False),
    )
    try:
        with sentry_sdk.new_scope() as scope:
            scope.set_client(client)
            scope.set_user({"id": "42", "email": EMAIL, "username": USERNAME})
            scope.set_tag("client_ip", IPV4)
            sentry_sdk.add_breadcrumb(message=f"auth with Bearer {BEARER}", data={"pwd": LOCAL_PWD})
            try:
                login(USERNAME, LOCAL_PWD, {"nested": {"deeper": {"password": PASSWORD}}})
            except ValueError:
                sentry_sdk.capture_exception()
            sentry_sdk.logger.warning(
                "password reset for {email} with {token}", email=EMAIL, token=ACCESS_TOKEN
            )
        client.flush(timeout=2)
    finally:
        client.close(timeout=1)
    sent = json.dumps(transport.payloads)
    assert transport.payloads, "the SDK sent something"
    assert '"pwd"' in sent and '"client_secret"' in sent, "locals were reported"
    assert "password reset for" in sent, "the log was sent"
    assert leaked(transport.payloads, SECRETS | PERSONAL | {"secret": "cl1entSecretValue"}) == []


# --- Sentry's own server-side scrubbing finds nothing left ----------------------------------------


def test_relay__finds_secrets_in_the_unscrubbed_fixture():
    # The check below is meaningful: relay does detect what we planted.
    assert relay_leftovers(error_event())
    assert relay_leftovers(transaction_event())


@pytest.mark.parametrize("make", [error_event, transaction_event], ids=["error", "transaction"])
def test_relay__nothing_left_to_scrub_in_our_events(make):
    hook = before_send if make is error_event else before_send_transaction
    ours = hook(make(), {}, pii=False)
    assert relay_leftovers(ours) == []
    assert only_keyword_heuristic(relay_raw_changes(ours)) == []


def test_relay__nothing_left_to_scrub_in_our_breadcrumbs_and_logs():
    crumb = before_breadcrumb(error_event()["breadcrumbs"]["values"][0], {}, pii=False)
    log = before_send_log(log_item(), {}, pii=False)
    carrier = {"breadcrumbs": {"values": [crumb]}, "extra": {"log": log}}
    assert relay_leftovers(carrier) == []
    assert only_keyword_heuristic(relay_raw_changes(carrier)) == []


def test_relay__default_server_scrubbing_would_null_usage_figures():
    # Documented divergence: relay's defaults null numbers under any *token* key. Add them to the
    # project's "Safe Fields" in Sentry to keep them server-side too.
    ours = before_send(error_event(), {}, pii=False)
    changed = {path for path, _ours, _theirs in relay_raw_changes(ours)}
    assert ("extra", "total_tokens") in changed
    assert ours["extra"]["total_tokens"] == 321


# --- speed ----------------------------------------------------------------------------------------


def test_speed__a_large_event_is_scrubbed_quickly():
    event = error_event()
    event["extra"]["blob"] = [TEXT] * 100 + [json.dumps(secret_dict())] * 200
    event["request"]["data"] = json.dumps([secret_dict()] * 200)
    assert len(json.dumps(event)) > 200_000
    started = time.perf_counter()
    result = before_send(event, {}, pii=False)
    elapsed = time.perf_counter() - started
    assert leaked(result, SECRETS | PERSONAL) == []
    assert elapsed < 1.0  # ~20-40 ms in practice; this guards against pathological regexes


@pytest.mark.parametrize(
    "text",
    [
        "password" * 25_000,
        "a" * 100_000 + "@",
        "1 " * 50_000 + "x",
        "aaaa:" * 20_000,
        "{'password': [" * 10_000,
        "x=" * 50_000,
    ],
)
def test_speed__adversarial_text_stays_linear(text):
    started = time.perf_counter()
    scrub_text(text, pii=False)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Listening on TCP address 0.0.0.0:8008",
        "Configuring endpoint tcp:port=8008:interface=127.0.0.1",
        "Listening at: http://[::]:8008 and [::1]:8000",
        "Connected to redis://127.0.0.1:6379/0",
    ],
)
def test_scrub_text__our_own_listen_and_loopback_addresses_stay_readable(text):
    assert scrub_text(text, pii=False) == text


def test_scrub_text__configured_service_hosts_stay_readable_clients_do_not(settings):
    from monitoring.scrubbing.addresses import own_addresses

    settings.REDIS_URL = "redis://:s3cret-pass@10.0.0.7:6379/0"
    own_addresses.cache_clear()
    try:
        scrubbed = scrub_text(
            "cache redis://:s3cret-pass@10.0.0.7:6379/0 for client 203.0.113.9", pii=False
        )
    finally:
        own_addresses.cache_clear()
    assert "10.0.0.7:6379" in scrubbed  # our Redis, configuration
    assert "s3cret-pass" not in scrubbed  # its credentials
    assert "203.0.113.9" not in scrubbed  # a client
