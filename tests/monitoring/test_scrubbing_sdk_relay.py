"""monitoring.scrubbing end to end: through the real SDK, then Sentry's own server-side scrubber.

What the Sentry SDK really sends (locals, user, tags, breadcrumbs, logs) carries nothing secret
or, with PII off, personal; and Sentry's own server-side scrubber (relay, default settings) must
find nothing left to remove in our events, breadcrumbs and logs, although it does find what was
planted in the unscrubbed fixtures. Relay's one documented divergence (usage figures under
*token* keys) is pinned.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sentry_sdk

from monitoring.scrubbing import (
    before_breadcrumb,
    before_send,
    before_send_log,
    before_send_transaction,
    make_hooks,
)
from tests.support.relay_check import only_keyword_heuristic, relay_leftovers, relay_raw_changes
from tests.support.scrubbing import (
    ACCESS_TOKEN,
    BEARER,
    EMAIL,
    IPV4,
    JWT,
    LOCAL_PWD,
    PASSWORD,
    PERSONAL,
    SECRETS,
    USERNAME,
    CapturingTransport,
    error_event,
    leaked,
    log_item,
    transaction_event,
)

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
