"""End to end: the app on a real WSGI server, the SDK's own transport, a loopback Sentry."""

from types import SimpleNamespace

import pytest

from accounts.models import Role
from roblox import services
from roblox.models import RobloxScript, ScriptKind
from tests.accounts.factories import make_user
from tests.support.api import login_token
from tests.support.envelopes import error_events
from tests.support.luau import VALID_LUAU
from tests.support.sentry_receiver import relay_errors

pytestmark = pytest.mark.django_db(transaction=True)


def auth(http, user):
    return {"Authorization": f"Bearer {login_token(http, user)}"}


def test_script_compile__runs_inside_a_lua_compile_span(sentry_receiver, http):
    headers = auth(http, make_user(Role.TEACHER))
    response = http.post(
        "/api/v1/roblox/scripts/compile", json={"source": VALID_LUAU}, headers=headers
    )
    assert response.json()["ok"] is True
    transaction = sentry_receiver.wait_for(
        lambda r: [
            t for t in r.transactions if t["transaction"] == "/api/v1/roblox/scripts/compile"
        ]
    )[0]
    [span] = [s for s in transaction["spans"] if s["op"] == "lua.compile"]
    assert span["parent_span_id"] == transaction["contexts"]["trace"]["span_id"]
    assert span["status"] == "ok"
    assert relay_errors(transaction) == []


def test_plugin_ack__failure_is_one_event_categorised_roblox_plugin(
    sentry_receiver, http, monkeypatch
):
    teacher = make_user(Role.TEACHER)
    script = services.script_create(
        owner_id=teacher.pk, name="Spawn", kind=ScriptKind.CUSTOM, source=VALID_LUAU
    )
    headers = auth(http, teacher)

    def clock_failure():
        raise RuntimeError("clock source unavailable")

    # Only the service's own reference: the live server runs in this process.
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=clock_failure))
    response = http.post(f"/api/v1/roblox/plugin/scripts/{script.pk}/ack", headers=headers)
    assert response.status_code == 500

    route = "/api/v1/roblox/plugin/scripts/{script_id}/ack"
    [event] = sentry_receiver.wait_for(lambda r: error_events(r, "RuntimeError"))
    assert event["transaction"] == route
    assert event["tags"]["error_category"] == "roblox_plugin"
    assert event["tags"]["component"] == "roblox"
    assert event["tags"]["user.role"] == "teacher"
    assert relay_errors(event) == []

    transaction = sentry_receiver.wait_for(
        lambda r: [t for t in r.transactions if t["transaction"] == route]
    )[0]
    [ack_span] = [
        s for s in transaction["spans"] if s.get("description") == "Acknowledge script delivery"
    ]
    assert ack_span["op"] == "roblox.plugin"
    assert ack_span["status"] == "internal_error"
    assert error_events(sentry_receiver) == [event], "the 500 must not be reported twice"
    script.refresh_from_db()
    assert script.delivered_at is None  # the plugin will be offered it again
    assert RobloxScript.objects.count() == 1
