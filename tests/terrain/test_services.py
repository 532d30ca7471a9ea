import pytest
from django.db import DatabaseError
from django.test import Client

from accounts.models import Role
from curriculum.terrain import BIOMES, TerrainParams
from roblox.models import RobloxScript
from terrain import services
from terrain.models import Terrain
from tests.accounts.factories import make_user
from tests.support.api import post_json
from tests.support.luau import BROKEN_LUAU

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("biome", BIOMES)
@pytest.mark.parametrize(
    "extremes",
    [
        {"size": 32, "water_level": 0.0, "roughness": 0.0, "octaves": 1, "max_height": 16},
        {"size": 160, "water_level": 1.0, "roughness": 1.0, "octaves": 8, "max_height": 512},
    ],
    ids=["low", "high"],
)
def test_terrain_generate__script_compiles_for_every_biome(biome, extremes):
    teacher = make_user(Role.TEACHER)
    params = TerrainParams(seed=2**31 - 1, biome=biome, **extremes)
    terrain = services.terrain_generate(owner_id=teacher.pk, params=params)
    assert terrain.script.compiled_ok is True
    assert terrain.script.diagnostics == []
    assert terrain.params == params


def test_terrain_generate__a_script_that_does_not_compile_is_a_categorised_error(monkeypatch):
    monkeypatch.setattr(services, "build_lua_script", lambda heightmap, params: BROKEN_LUAU)
    params = TerrainParams(size=32, seed=1, biome="desert", water_level=0.2)
    with pytest.raises(services.GeneratedScriptInvalid) as caught:
        services.terrain_generate(owner_id=make_user(Role.TEACHER).pk, params=params)
    assert caught.value.error_category == "content_generation"
    assert "desert terrain script does not compile" in str(caught.value)
    assert not Terrain.objects.exists() and not RobloxScript.objects.exists()


def test_terrain_generate__failure_after_the_script_leaves_nothing_behind(monkeypatch):
    def disk_full(**kwargs):
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(Terrain.objects, "create", disk_full)
    params = TerrainParams(size=32, seed=1, biome="arctic", water_level=0.2)
    with pytest.raises(DatabaseError):
        services.terrain_generate(owner_id=make_user(Role.TEACHER).pk, params=params)
    assert not RobloxScript.objects.exists()


def test_terrain_generate_api__generator_bug_is_a_server_error_not_a_422(monkeypatch):
    monkeypatch.setattr(services, "build_lua_script", lambda heightmap, params: BROKEN_LUAU)
    teacher = make_user(Role.TEACHER)
    # What the user gets, not what the test client would re-raise: Django's own 500 page, the
    # exception left to Django (and Sentry), never a 422 blaming the request.
    client = Client(raise_request_exception=False)
    response = post_json(client, "/api/v1/terrain/generate", {"size": 32}, teacher)
    assert response.status_code == 500
    assert "does not compile" not in response.content.decode()
    assert not Terrain.objects.exists() and not RobloxScript.objects.exists()
