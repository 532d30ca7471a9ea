import base64
import io
import re

import pytest
from PIL import Image

from accounts.models import Role
from curriculum.terrain import TerrainParams
from roblox.models import RobloxScript, ScriptKind
from terrain import services
from tests.accounts.factories import make_user
from tests.support.luau import BROKEN_LUAU

pytestmark = pytest.mark.django_db


@pytest.fixture
def terrain():
    params = TerrainParams(size=32, seed=9, biome="arctic", water_level=0.2)
    return services.terrain_generate(owner_id=make_user(Role.TEACHER).pk, params=params)


def test_terrain_admin__change_page_shows_the_preview_and_links_the_script(admin_client, terrain):
    response = admin_client.get(f"/admin/terrain/terrain/{terrain.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    encoded = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(encoded) == bytes(terrain.preview_png)
    assert Image.open(io.BytesIO(base64.b64decode(encoded))).size == (32, 32)
    assert f"/admin/roblox/robloxscript/{terrain.script_id}/change/" in html
    # Statistics as a small table, not a JSON blob.
    table = re.search(r'<table class="statistics-display">(.*?)</table>', html, re.S).group(1)
    assert (
        f"<th scope='row'>water coverage</th><td>{terrain.statistics['water_coverage']}</td>"
        in (table)
    )
    assert "<th scope='row'>peak height studs</th>" in table
    assert '"water_coverage"' not in html
    assert admin_client.get("/admin/terrain/terrain/").status_code == 200
    assert admin_client.get("/admin/terrain/terrain/add/").status_code == 403


def test_script_admin__source_read_only_with_compile_status(admin_client, terrain):
    response = admin_client.get(f"/admin/roblox/robloxscript/{terrain.script_id}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Compiles (no syntax errors)" in html
    assert "workspace.Terrain" in html
    assert '<textarea name="source"' not in html  # not editable


def test_script_admin__lists_diagnostics_of_a_script_that_does_not_compile(admin_client):
    script = RobloxScript.objects.create(
        owner=make_user(Role.TEACHER),
        name="Imported <b>",
        kind=ScriptKind.LESSON,
        source=BROKEN_LUAU,
        checksum="0" * 64,
        compiled_ok=False,
        diagnostics=[{"line": 3, "column": 1, "message": "missing 'end' to close 'function'"}],
    )
    html = admin_client.get(f"/admin/roblox/robloxscript/{script.pk}/change/").content.decode()
    assert "Does not compile" in html
    assert "Imported &lt;b&gt;" in html and "Imported <b>" not in html
    assert "line 3, column 1: missing &#x27;end&#x27; to close &#x27;function&#x27;" in html


def test_script_admin__redeliver_action_requeues_for_the_plugin(admin_client, terrain):
    RobloxScript.objects.update(delivered_at="2030-01-01T00:00:00Z")
    response = admin_client.post(
        "/admin/roblox/robloxscript/",
        {"action": "redeliver", "_selected_action": [terrain.script_id]},
    )
    assert response.status_code == 302
    assert RobloxScript.objects.get(pk=terrain.script_id).delivered_at is None
