"""End to end: the app on a real WSGI server, the SDK's own transport to a loopback Sentry, the
loopback Roblox. A failed call to Roblox is one ``roblox_api`` event with the operation, status
and Roblox's error code; the teacher's API key (planted, and echoed back by Roblox) reaches no
envelope and no log line."""

from __future__ import annotations

import logging
import urllib.parse
from pathlib import Path

import pytest
import sentry_sdk
from django.conf import settings as django_settings

from accounts.models import Role
from roblox import services as roblox_services
from roblox.models import ScriptKind
from tests.accounts.factories import make_user
from tests.monitoring.conftest import LogFile
from tests.robloxcloud.conftest import CONNECTION, SCRIPT_SOURCE
from tests.support.api import login_token
from tests.support.envelopes import error_events
from tests.support.relay_check import relay_leftovers
from tests.support.sentry_receiver import relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

# Not one the loopback Roblox knows: it answers 401 and echoes the key in its message.
PLANTED_KEY = "RBXPLANTEDsweepKEY_0123456789abcdefghijklmnopqrstuvwxyzABCDEF-987"
ROUTE = "/api/v1/roblox/cloud/publications"


def _forms(value: str) -> set[str]:
    return {value, urllib.parse.quote(value), urllib.parse.quote_plus(value), value[8:40]}


def test_publish__failure_is_a_roblox_api_event_and_the_key_never_leaves(
    sentry_receiver, http, fake_roblox
):
    log_file = LogFile(Path(django_settings.LOG_FILE))
    teacher = make_user(Role.TEACHER)
    script = roblox_services.script_create(
        owner_id=teacher.pk, name="Greeter", kind=ScriptKind.CUSTOM, source=SCRIPT_SOURCE
    )
    headers = {"Authorization": f"Bearer {login_token(http, teacher)}"}
    saved = http.put(
        "/api/v1/roblox/cloud/connection",
        json={**CONNECTION, "api_key": PLANTED_KEY},
        headers={**headers, "X-Api-Key": PLANTED_KEY},
    )
    assert saved.status_code == 200
    response = http.post(ROUTE, json={"script_id": script.pk, "target": "asset"}, headers=headers)
    assert response.status_code == 202
    assert response.json()["status"] == "failed"
    assert [call.headers["x-api-key"] for call in fake_roblox.requests] == [PLANTED_KEY]

    [event] = sentry_receiver.wait_for(lambda r: error_events(r, "RobloxApiError"))
    assert event["tags"]["error_category"] == "roblox_api"
    assert event["tags"]["component"] == "robloxcloud"
    assert event["tags"]["service"] == "roblox"
    assert event["tags"]["roblox.operation"] == "assets.create"
    assert event["tags"]["http.status_code"] == "401"
    assert event["tags"]["roblox.error_code"] == "UNAUTHENTICATED"
    assert event["level"] == "warning"
    assert relay_errors(event) == []

    # The publication runs as a Celery task (eagerly here): its own transaction, in the trace of
    # the request that queued it.
    request_transaction = sentry_receiver.wait_for(
        lambda r: [t for t in r.transactions if t["transaction"] == ROUTE]
    )[0]
    transaction = sentry_receiver.wait_for(
        lambda r: [t for t in r.transactions if t["transaction"] == "robloxcloud.publication_run"]
    )[0]
    trace_id = request_transaction["contexts"]["trace"]["trace_id"]
    assert transaction["contexts"]["trace"]["trace_id"] == trace_id
    [span] = [s for s in transaction["spans"] if s.get("description") == "roblox API call"]
    assert span["op"] == "http.client"
    assert span["data"]["service"] == "roblox"
    assert span["data"]["roblox.operation"] == "assets.create"
    assert span["data"]["http.response.status_code"] == 401
    assert span["status"] == "internal_error"

    # Whatever echoes the key later (a log call, a message, a breadcrumb) is redacted too: the
    # key was registered with the scrubbing when it was saved.
    logging.getLogger("robloxcloud").warning("Roblox answered: Invalid API Key %s", PLANTED_KEY)
    sentry_sdk.add_breadcrumb(message=f"echo {PLANTED_KEY}", category="custom")
    sentry_sdk.capture_message(f"Roblox echoed {PLANTED_KEY} back")
    echoed = sentry_receiver.wait_for(
        lambda r: [e for e in r.events if "Roblox echoed" in str(e.get("message") or e)]
    )[0]
    sentry_sdk.flush()
    assert "[Filtered]" in str(echoed)

    raw = sentry_receiver.raw_bytes.decode("utf-8", "replace")
    logged = log_file.text()
    assert "roblox publication failed" in logged  # the log file did get the failure
    assert not [form for form in _forms(PLANTED_KEY) if form in raw]
    assert not [form for form in _forms(PLANTED_KEY) if form in logged]
    assert relay_leftovers(event) == []
    assert relay_leftovers(transaction) == []
