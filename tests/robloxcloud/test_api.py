"""The connection and publication API against the loopback Roblox Open Cloud."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from django.db import connection as db_connection

from accounts.models import Role
from roblox import services as roblox_services
from roblox.models import ScriptKind
from robloxcloud.models import RobloxConnection
from tests.accounts.factories import make_user
from tests.robloxcloud.conftest import (
    API_KEY,
    CONNECTION,
    CREATOR_USER_ID,
    PLACE_ID,
    SCRIPT_SOURCE,
    UNIVERSE_ID,
)
from tests.robloxcloud.fake_roblox import ASSET_SCOPES
from tests.support.api import bearer, get, post_json

# Publications run (eagerly) once the request's transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/api/v1/roblox/cloud"


def put_connection(client, user, body=CONNECTION):
    return client.put(
        f"{BASE}/connection", json.dumps(body), content_type="application/json",
        headers=bearer(user),
    )  # fmt: skip


def publish(client, user, **body):
    return post_json(client, f"{BASE}/publications", body, user)


@pytest.fixture
def connected(client, teacher):
    assert put_connection(client, teacher).status_code == 200
    return teacher


# --- the connection ---------------------------------------------------------------------------


def test_connection__is_shown_masked_and_stored_encrypted(client, teacher):
    response = put_connection(client, teacher)
    assert response.status_code == 200
    assert response.json()["api_key_masked"] == "****" + API_KEY[-4:]
    assert API_KEY not in response.text

    shown = get(client, f"{BASE}/connection", teacher).json()
    assert shown["api_key_masked"] == "****wxyz"
    assert shown["universe_id"] == UNIVERSE_ID and shown["place_id"] == PLACE_ID
    assert API_KEY not in json.dumps(shown)

    with db_connection.cursor() as cursor:
        cursor.execute("SELECT api_key_encrypted FROM robloxcloud_robloxconnection")
        [(stored,)] = cursor.fetchall()
    assert API_KEY not in stored and API_KEY[:12] not in stored


def test_connection__update_without_a_key_keeps_the_stored_key(client, connected, fake_roblox):
    body = {k: v for k, v in CONNECTION.items() if k != "api_key"}
    assert put_connection(client, connected, {**body, "place_id": PLACE_ID + 1}).status_code == 200
    script = roblox_services.script_create(
        owner_id=connected.pk, name="S", kind=ScriptKind.CUSTOM, source=SCRIPT_SOURCE
    )
    published = publish(client, connected, script_id=script.pk, target="place").json()
    assert published["status"] == "done"
    [create] = fake_roblox.calls("luau.create_task")
    assert create.headers["x-api-key"] == API_KEY
    assert f"/places/{PLACE_ID + 1}/" in create.path


def test_connection__a_first_save_needs_a_key(client, teacher):
    body = {k: v for k, v in CONNECTION.items() if k != "api_key"}
    response = put_connection(client, teacher, body)
    assert response.status_code == 409
    assert "API key is required" in response.json()["detail"]


def test_connection__delete_forgets_the_key(client, connected):
    assert client.delete(f"{BASE}/connection", headers=bearer(connected)).status_code == 204
    assert get(client, f"{BASE}/connection", connected).status_code == 404
    assert not RobloxConnection.objects.exists()


def test_connection__students_cannot_connect(client, student):
    assert put_connection(client, student).status_code == 403
    assert get(client, f"{BASE}/connection", student).status_code == 403


def test_connection__each_teacher_sees_only_their_own(client, connected):
    other = make_user(Role.TEACHER)
    assert get(client, f"{BASE}/connection", other).status_code == 404


def test_connection__bad_ids_are_422_in_ninjas_shape(client, teacher):
    response = put_connection(client, teacher, {**CONNECTION, "place_id": None})
    assert response.status_code == 422
    assert "universe id and the place id" in json.dumps(response.json()["detail"])
    assert API_KEY not in response.text


# --- publishing: the happy paths --------------------------------------------------------------


def test_publish_asset__waits_for_a_long_running_operation(client, connected, script, fake_roblox):
    fake_roblox.operation_polls = 3
    response = publish(client, connected, script_id=script.pk, target="asset")
    assert response.status_code == 202
    published = response.json()
    assert published["status"] == "done", published
    assert published["asset_id"] >= 9_000_000_000
    assert published["polls"] == 3
    assert len(fake_roblox.calls("assets.operation")) == 3

    [create] = fake_roblox.calls("assets.create")
    assert create.headers["x-api-key"] == API_KEY
    assert str(CREATOR_USER_ID).encode() in create.body
    assert b"hello from ToolboxAI" in create.body

    again = get(client, f"{BASE}/publications/{published['id']}", connected).json()
    assert again["asset_id"] == published["asset_id"]


def test_publish_place__runs_the_script_and_shows_its_output_and_logs(
    client, connected, script, fake_roblox
):
    fake_roblox.task_polls = 2
    published = publish(client, connected, script_id=script.pk, target="place").json()
    assert published["status"] == "done", published
    assert published["task_state"] == "COMPLETE"
    assert published["logs"] == ["hello from ToolboxAI", "second line"]
    assert published["output"] == [len(SCRIPT_SOURCE), "ok"]
    assert len(fake_roblox.calls("luau.get_task")) == 2


def test_publish_place__a_script_error_is_shown_with_robloxs_code(client, connected, fake_roblox):
    failing = roblox_services.script_create(
        owner_id=connected.pk, name="Boom", kind=ScriptKind.CUSTOM,
        source='print("before")\nerror("boom")\n',
    )  # fmt: skip
    published = publish(client, connected, script_id=failing.pk, target="place").json()
    assert published["status"] == "failed"
    assert published["roblox_code"] == "SCRIPT_ERROR"
    assert "Script:1: boom" in published["error"]
    assert published["logs"] == ["before"]


def test_publish_terrain__its_script_is_uploaded(client, connected, fake_roblox):
    from curriculum.terrain import MIN_SIZE, TerrainParams
    from terrain import services as terrain_services

    params = TerrainParams(size=MIN_SIZE, seed=7, biome="islands", water_level=0.3)
    terrain = terrain_services.terrain_generate(owner_id=connected.pk, params=params, name="Isle")
    published = publish(client, connected, terrain_id=terrain.pk, target="asset").json()
    assert published["status"] == "done", published
    assert published["script_id"] == terrain.script_id
    [create] = fake_roblox.calls("assets.create")
    assert b"workspace.Terrain" in create.body


# --- publishing: refusals ---------------------------------------------------------------------


def test_publish__students_are_refused(client, student, script, fake_roblox):
    assert publish(client, student, script_id=script.pk, target="asset").status_code == 403
    assert fake_roblox.requests == []


def test_publish__another_teachers_script_is_not_found(client, connected, fake_roblox):
    other = make_user(Role.TEACHER)
    theirs = roblox_services.script_create(
        owner_id=other.pk, name="Theirs", kind=ScriptKind.CUSTOM, source=SCRIPT_SOURCE
    )
    response = publish(client, connected, script_id=theirs.pk, target="asset")
    assert response.status_code == 404
    assert response.json() == {"detail": "Script not found"}
    assert fake_roblox.requests == []


def test_publish__another_teachers_publication_is_not_found(client, connected, script, fake_roblox):
    published = publish(client, connected, script_id=script.pk, target="asset").json()
    other = make_user(Role.TEACHER)
    assert get(client, f"{BASE}/publications/{published['id']}", other).status_code == 404


def test_publish__without_a_connection_is_a_conflict(client, teacher, script, fake_roblox):
    response = publish(client, teacher, script_id=script.pk, target="asset")
    assert response.status_code == 409
    assert "Connect Roblox first" in response.json()["detail"]


# --- publishing: Roblox's failures ------------------------------------------------------------


def test_publish__a_bad_key_is_401_and_the_echoed_key_is_masked(
    client, teacher, script, fake_roblox
):
    bad_key = "RBXwrongKEY9876543210zyxwvutsrqponmlkjihgfedcba"
    assert put_connection(client, teacher, {**CONNECTION, "api_key": bad_key}).status_code == 200
    published = publish(client, teacher, script_id=script.pk, target="asset").json()
    assert published["status"] == "failed"
    assert published["http_status"] == 401
    assert published["roblox_code"] == "UNAUTHENTICATED"
    assert "rejected the API key" in published["error"]
    # Roblox echoed the key in its message; nothing we show or store holds it.
    [call] = fake_roblox.calls("assets.create")
    assert call.headers["x-api-key"] == bad_key
    assert bad_key not in json.dumps(published)


def test_publish__a_key_without_the_scope_is_403(client, connected, script, fake_roblox):
    fake_roblox.keys[API_KEY] = set(ASSET_SCOPES)  # no Luau execution scope
    published = publish(client, connected, script_id=script.pk, target="place").json()
    assert published["status"] == "failed"
    assert published["http_status"] == 403
    assert published["roblox_code"] == "PERMISSION_DENIED"
    assert "luau-execution-session:write" in published["error"]


def test_publish__a_429_is_waited_out_when_the_reset_is_near(
    client, connected, script, fake_roblox
):
    fake_roblox.inject(
        "assets.create", 429, headers={"x-ratelimit-reset": "1", "x-ratelimit-remaining": "0"},
        body={"code": "RESOURCE_EXHAUSTED", "message": "Too many requests"},
    )  # fmt: skip
    started = time.monotonic()
    published = publish(client, connected, script_id=script.pk, target="asset").json()
    assert published["status"] == "done", published
    assert time.monotonic() - started >= 1  # it honoured x-ratelimit-reset
    assert len(fake_roblox.calls("assets.create")) == 2


def test_publish__a_429_past_the_deadline_fails_with_the_retry_time(
    client, connected, script, fake_roblox
):
    fake_roblox.inject(
        "assets.create", 429, headers={"x-ratelimit-reset": "3600"},
        body={"code": "RESOURCE_EXHAUSTED", "message": "Too many requests"},
    )  # fmt: skip
    started = time.monotonic()
    published = publish(client, connected, script_id=script.pk, target="asset").json()
    assert time.monotonic() - started < 15  # no hour-long wait
    assert published["status"] == "failed"
    assert published["http_status"] == 429
    retry_at = datetime.fromisoformat(published["retry_at"])
    assert 3500 < (retry_at - datetime.now(UTC)).total_seconds() <= 3600
    assert "try again after" in published["error"]
    assert len(fake_roblox.calls("assets.create")) == 1


def test_publish__a_spent_quota_delays_the_next_call(client, connected, script, fake_roblox):
    fake_roblox.rate_limit_remaining, fake_roblox.rate_limit_reset = 0, 1
    fake_roblox.operation_polls = 1
    started = time.monotonic()
    published = publish(client, connected, script_id=script.pk, target="asset").json()
    assert published["status"] == "done", published
    assert time.monotonic() - started >= 1  # the poll waited for x-ratelimit-reset
    assert len(fake_roblox.calls("assets.operation")) == 1


def test_publish__a_5xx_on_create_fails_without_a_retry(client, connected, script, fake_roblox):
    fake_roblox.inject("assets.create", 500, body={"code": 13, "message": "Internal error"})
    published = publish(client, connected, script_id=script.pk, target="asset").json()
    assert published["status"] == "failed"
    assert published["http_status"] == 500
    assert "server error" in published["error"]
    assert len(fake_roblox.calls("assets.create")) == 1  # creating twice could make two assets


def test_publish__a_5xx_on_a_poll_is_retried(client, connected, script, fake_roblox):
    fake_roblox.operation_polls = 1
    fake_roblox.inject("assets.operation", 503, body=None, times=2)
    published = publish(client, connected, script_id=script.pk, target="asset").json()
    assert published["status"] == "done", published
    assert len(fake_roblox.calls("assets.operation")) == 3


def test_publish__an_operation_never_done_times_out(
    client, connected, script, fake_roblox, settings
):
    settings.ROBLOX_PUBLISH_TIMEOUT_SECONDS = 1
    settings.ROBLOX_POLL_INTERVAL_SECONDS = 0.05
    fake_roblox.operation_polls = 10**9
    published = publish(client, connected, script_id=script.pk, target="asset").json()
    assert published["status"] == "failed"
    assert published["roblox_code"] == "DEADLINE_EXCEEDED"
    assert "did not finish within 1 s" in published["error"]
    assert published["polls"] >= 1
