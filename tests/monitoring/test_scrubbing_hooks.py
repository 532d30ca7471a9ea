"""monitoring.scrubbing hooks for transactions, breadcrumbs and logs, and ``make_hooks``.

Every kind of secret is planted in a transaction (spans, request, contexts, tags, extra, user), a
breadcrumb and a log; after the hook the serialised result must not contain any of them, and
useful data (span ids and ops, usage figures, log severity and attributes) must survive.
``make_hooks`` binds the PII setting, and no hook raises on garbage.
"""

from __future__ import annotations

import logging

import pytest

from monitoring.scrubbing import (
    FILTERED,
    before_breadcrumb,
    before_send_log,
    before_send_transaction,
    make_hooks,
)
from tests.support.scrubbing import (
    EMAIL,
    PASSWORD,
    PERSONAL,
    SECRETS,
    TEXT,
    USERNAME,
    error_event,
    leaked,
    log_item,
    transaction_event,
)

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
