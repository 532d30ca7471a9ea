import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from accounts.models import Classroom, Role
from curriculum.terrain import BIOMES, MAX_SEED, TerrainParams, build_lua_script, generate_heightmap
from roblox.luau import compile_luau
from roblox.models import RobloxScript, ScriptKind
from terrain.heightmap_codec import heightmap_decode
from terrain.models import Terrain
from tests.accounts.factories import make_user
from tests.support.api import bearer, get, post_json

pytestmark = pytest.mark.django_db

GENERATE = "/api/v1/terrain/generate"
SMALL = {"size": 48, "seed": 1234, "biome": "islands", "water_level": 0.35}


def generate(client, user, **overrides):
    return post_json(client, GENERATE, {**SMALL, **overrides}, user)


def created(client, user, **overrides):
    response = generate(client, user, **overrides)
    assert response.status_code == 201, response.content
    return response.json()


def nothing_created() -> bool:
    return not Terrain.objects.exists() and not RobloxScript.objects.exists()


# --- generate -----------------------------------------------------------------------------------


def test_terrain_generate__teacher_gets_201_with_params_statistics_and_links(client):
    teacher = make_user(Role.TEACHER)
    body = created(client, teacher, roughness=0.7, octaves=6, max_height=200, name="Bay")
    terrain = Terrain.objects.get(pk=body["id"])
    assert body["name"] == "Bay"
    assert body["owner_id"] == teacher.pk
    assert body["params"] == {
        "size": 48,
        "seed": 1234,
        "biome": "islands",
        "water_level": 0.35,
        "roughness": 0.7,
        "octaves": 6,
        "max_height": 200,
    }
    stats = body["statistics"]
    assert 0 <= stats["min"] <= stats["mean"] <= stats["max"] <= 1
    assert stats["water_coverage"] + stats["land_coverage"] == pytest.approx(1)
    assert sum(stats["histogram"]["counts"]) == 48 * 48
    assert body["preview_url"] == f"/api/v1/terrain/{terrain.pk}/preview.png"
    assert body["script_url"] == f"/api/v1/terrain/{terrain.pk}/script.lua"
    assert body["script_id"] == terrain.script_id
    script = terrain.script
    assert script.kind == ScriptKind.TERRAIN and script.owner == teacher
    assert script.compiled_ok is True and script.name == "Bay"


def test_terrain_generate__admin_may_generate_and_defaults_apply(client):
    response = post_json(client, GENERATE, {"size": 32}, make_user(Role.ADMIN))
    assert response.status_code == 201
    body = response.json()
    assert body["params"]["biome"] == "grassland"
    assert body["params"]["water_level"] == 0.3
    assert 0 <= body["params"]["seed"] <= MAX_SEED  # a random seed, reported back
    assert body["name"] == f"Grassland 32x32 (seed {body['params']['seed']})"


def test_terrain_generate__stores_the_generators_exact_output(client):
    body = created(client, make_user(Role.TEACHER))
    terrain = Terrain.objects.get(pk=body["id"])
    params = TerrainParams(**body["params"])
    heightmap = generate_heightmap(params)
    stored = heightmap_decode(terrain.heightmap, size=params.size)
    assert abs(stored - heightmap).max() < 1e-4
    assert terrain.script.source == build_lua_script(heightmap, params)
    assert hashlib.sha256(bytes(terrain.preview_png)).hexdigest() == terrain.preview_sha256


def test_terrain_generate__same_seed_gives_byte_identical_preview_and_script(client):
    teacher = make_user(Role.TEACHER)
    first, second = created(client, teacher), created(client, teacher)
    assert first["id"] != second["id"]
    assert first["statistics"] == second["statistics"]
    pngs = [get(client, t["preview_url"], teacher).content for t in (first, second)]
    scripts = [get(client, t["script_url"], teacher).content for t in (first, second)]
    assert pngs[0] == pngs[1]
    assert scripts[0] == scripts[1]
    other = created(client, teacher, seed=1235)
    assert get(client, other["preview_url"], teacher).content != pngs[0]


def test_terrain_generate__student_is_403_and_nothing_created(client):
    response = generate(client, make_user(Role.STUDENT))
    assert response.status_code == 403
    assert response.json() == {"detail": "This action requires the role teacher or admin"}
    assert nothing_created()


def test_terrain_generate__anonymous_is_401_and_nothing_created(client):
    response = generate(client, None)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert nothing_created()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("size", 31),
        ("size", 513),
        ("size", "64"),
        ("size", 64.0),
        ("seed", -1),
        ("seed", MAX_SEED + 1),
        ("biome", "swamp"),
        ("water_level", -0.01),
        ("water_level", 1.01),
        ("water_level", True),
        ("roughness", 1.5),
        ("octaves", 0),
        ("octaves", 9),
        ("max_height", 15),
        ("max_height", 513),
        ("name", "x" * 201),
        ("name", "NUL\u0000"),
    ],
)
def test_terrain_generate__out_of_range_is_422_in_ninja_shape_and_nothing_created(
    client, field, value
):
    response = generate(client, make_user(Role.TEACHER), **{field: value})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "payload", field]
    assert {"type", "loc", "msg"} <= set(detail[0])
    assert nothing_created()


@pytest.mark.parametrize("field", ["size", "seed", "octaves", "max_height"])
def test_terrain_generate__range_limits_are_accepted(client, field):
    limits = {"size": (32, 512), "seed": (0, MAX_SEED), "octaves": (1, 8), "max_height": (16, 512)}
    teacher = make_user(Role.TEACHER)
    for value in limits[field]:
        body = created(client, teacher, **{"size": 32, field: value})
        assert body["params"][field] == value


def test_terrain_generate__malformed_json_is_4xx_and_nothing_created(client):
    response = client.post(
        GENERATE, "{not json", content_type="application/json", headers=bearer(make_user())
    )
    assert 400 <= response.status_code < 500
    assert nothing_created()


# --- read ---------------------------------------------------------------------------------------


def test_terrain_get__owner_reads_details(client):
    teacher = make_user(Role.TEACHER)
    body = created(client, teacher)
    response = get(client, f"/api/v1/terrain/{body['id']}", teacher)
    assert response.status_code == 200
    assert response.json() == body


def test_terrain_read__visibility_by_role(client):
    """Teachers see their own, admins all. A terrain is never published to a class, so even a
    student of its teacher's class sees none (they used to list every unpublished one)."""
    owner, other_teacher = make_user(Role.TEACHER), make_user(Role.TEACHER)
    pupil, outsider, admin = make_user(Role.STUDENT), make_user(Role.STUDENT), make_user(Role.ADMIN)
    classroom = Classroom.objects.create(name="5B", teacher=owner)
    classroom.students.add(pupil)
    terrain_id = created(client, owner)["id"]
    paths = [
        f"/api/v1/terrain/{terrain_id}",
        f"/api/v1/terrain/{terrain_id}/preview.png",
        f"/api/v1/terrain/{terrain_id}/script.lua",
    ]
    for user, expected in [
        (owner, 200),
        (admin, 200),
        (pupil, 404),
        (other_teacher, 404),
        (outsider, 404),
    ]:
        for path in paths:
            assert get(client, path, user).status_code == expected, (user.role, path)
        listed = [t["id"] for t in get(client, "/api/v1/terrain", user).json()["items"]]
        assert listed == ([terrain_id] if expected == 200 else [])
    missing = get(client, "/api/v1/terrain/999999", owner)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Terrain not found"}
    for path in paths:
        assert get(client, path).status_code == 401


def test_terrain_list__paginated_newest_first(client):
    teacher = make_user(Role.TEACHER)
    ids = [created(client, teacher, size=32, seed=seed)["id"] for seed in range(3)]
    page = get(client, "/api/v1/terrain?limit=2", teacher).json()
    assert page["count"] == 3
    assert [t["id"] for t in page["items"]] == ids[::-1][:2]
    rest = get(client, "/api/v1/terrain?limit=2&offset=2", teacher).json()
    assert [t["id"] for t in rest["items"]] == ids[:1]
    assert rest["items"][0]["preview_url"].endswith(f"/{ids[0]}/preview.png")
    assert get(client, "/api/v1/terrain?limit=0", teacher).status_code == 422


def test_terrain_preview__decodes_as_png_with_caching_headers(client):
    teacher = make_user(Role.TEACHER)
    body = created(client, teacher, size=64)
    response = get(client, body["preview_url"], teacher)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "PNG" and image.size == (64, 64) and image.mode == "RGB"
    etag = response["ETag"]
    assert etag == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert "private" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]
    revalidated = get(client, body["preview_url"], teacher, **{"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated["ETag"] == etag
    stale = get(client, body["preview_url"], teacher, **{"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_terrain_script__plain_text_luau_that_compiles(client):
    teacher = make_user(Role.TEACHER)
    body = created(client, teacher)
    response = get(client, body["script_url"], teacher)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f'filename="terrain-{body["id"]}.lua"' in response["Content-Disposition"]
    source = response.content.decode()
    assert "workspace.Terrain" in source and "seed=1234" in source
    assert compile_luau(source).ok
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    again = get(client, body["script_url"], teacher, **{"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_terrain_script__reaches_the_plugin_feed(client):
    teacher = make_user(Role.TEACHER)
    body = created(client, teacher)
    feed = get(client, "/api/v1/roblox/plugin/scripts", teacher).json()["scripts"]
    assert [(s["id"], s["kind"]) for s in feed] == [(body["script_id"], "terrain")]
    fetched = get(client, f"/api/v1/roblox/plugin/scripts/{body['script_id']}", teacher).json()
    assert fetched["source"] == get(client, body["script_url"], teacher).content.decode()


@pytest.mark.parametrize("biome", BIOMES)
def test_terrain_generate__every_biome_via_the_api(client, biome):
    body = created(client, make_user(Role.TEACHER), size=32, biome=biome)
    assert RobloxScript.objects.get(pk=body["script_id"]).compiled_ok is True


def test_terrain_list__constant_queries_and_no_image_bytes(client):
    teacher = make_user(Role.TEACHER)
    created(client, teacher, size=32)

    def listing_queries():
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "/api/v1/terrain", teacher).status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    one = listing_queries()
    for seed in range(3):
        created(client, teacher, size=32, seed=seed)
    assert len(listing_queries()) == len(one)
    terrain_selects = [sql for sql in one if 'FROM "terrain_terrain"' in sql]
    assert terrain_selects
    assert not any('"preview_png"' in sql or '"heightmap"' in sql for sql in terrain_selects)
