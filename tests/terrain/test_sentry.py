"""End to end: the app on a real WSGI server, the SDK's own transport, a loopback Sentry."""

import pytest
from django.db import DatabaseError

from accounts.models import Role
from roblox.models import RobloxScript
from terrain.models import Terrain
from tests.accounts.factories import make_user
from tests.support.api import login_token
from tests.support.envelopes import error_events
from tests.support.sentry_receiver import relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

GENERATE = "/api/v1/terrain/generate"
PARAMS = {"size": 32, "seed": 77, "biome": "volcanic", "water_level": 0.25}


def generate(http, user):
    token = login_token(http, user)
    return http.post(GENERATE, json=PARAMS, headers={"Authorization": f"Bearer {token}"})


def test_terrain_generate__transaction_has_the_generation_span_tree(sentry_receiver, http):
    assert generate(http, make_user(Role.TEACHER)).status_code == 201
    transaction = sentry_receiver.wait_for(
        lambda r: [t for t in r.transactions if t["transaction"] == GENERATE]
    )[0]
    assert transaction["transaction_info"]["source"] == "route"
    root = transaction["contexts"]["trace"]["span_id"]
    spans = transaction["spans"]
    [generation] = [s for s in spans if s["op"] == "content.generation"]
    assert generation["parent_span_id"] == root
    assert generation["description"] == "Generate terrain"
    assert generation["status"] == "ok"
    children = [s for s in spans if s.get("parent_span_id") == generation["span_id"]]
    child_ops = [s["op"] for s in children]
    for op in ("terrain.generate", "terrain.render", "lua.compile"):
        assert child_ops.count(op) == 1, child_ops
    inserts = [s["description"] for s in children if s["op"] == "db"]
    assert any("INSERT INTO" in d and "roblox_robloxscript" in d for d in inserts)
    assert any("INSERT INTO" in d and "terrain_terrain" in d for d in inserts)
    # The generation parameters ride along, without the user behind them.
    assert transaction["contexts"]["educational_content"]["biome"] == "volcanic"
    assert "teacher-" not in str(generation["data"])
    assert sentry_receiver.events == []
    assert relay_errors(transaction) == []


def test_terrain_generate__failure_is_one_event_with_content_context_and_breadcrumbs(
    sentry_receiver, http, monkeypatch
):
    def disk_full(**kwargs):
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(Terrain.objects, "create", disk_full)  # the live server is this process
    response = generate(http, make_user(Role.TEACHER))
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal server error"

    [event] = sentry_receiver.wait_for(lambda r: error_events(r, "DatabaseError"))
    assert event["transaction"] == GENERATE
    assert event["tags"]["error_category"] == "content_generation"
    assert event["tags"]["component"] == "terrain"
    content = event["contexts"]["educational_content"]
    assert content["content_type"] == "terrain"
    assert (content["size"], content["seed"], content["biome"]) == (32, 77, "volcanic")
    assert content["generation_parameters"]["water_level"] == 0.25
    assert "name" not in content["generation_parameters"]  # free text, may name a pupil
    crumbs = [(c.get("category"), c.get("message")) for c in event["breadcrumbs"]["values"]]
    assert ("content", "Terrain generation started") in crumbs
    assert ("content", "roblox_script created") in crumbs  # then rolled back
    assert relay_errors(event) == []
    # The request's own 500 is not reported a second time, and nothing was kept.
    sentry_receiver.wait_for(lambda r: [t for t in r.transactions if t["transaction"] == GENERATE])
    assert error_events(sentry_receiver) == [event], "the 500 must not be reported twice"
    assert not Terrain.objects.exists() and not RobloxScript.objects.exists()
