import hashlib

import pytest

from accounts.models import Role
from roblox.luau import MAX_SOURCE_CHARS
from roblox.models import RobloxScript, ScriptKind
from tests.accounts.factories import make_user
from tests.support.api import get, post_json
from tests.support.luau import BROKEN_LUAU, VALID_LUAU

pytestmark = pytest.mark.django_db

COMPILE = "/api/v1/roblox/scripts/compile"
SCRIPTS = "/api/v1/roblox/scripts"
PLUGIN = "/api/v1/roblox/plugin/scripts"


def save_script(client, user, name="Spawn a part", source=VALID_LUAU):
    return post_json(client, SCRIPTS, {"name": name, "source": source}, user)


# --- compile ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN])
def test_script_compile__valid_source_is_ok_for_script_authors(client, role):
    response = post_json(client, COMPILE, {"source": VALID_LUAU}, make_user(role))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "diagnostics": []}


def test_script_compile__student_is_403(client):
    # The check costs CPU and only script authors can store what it checks.
    response = post_json(client, COMPILE, {"source": VALID_LUAU}, make_user(Role.STUDENT))
    assert response.status_code == 403
    assert response.json() == {"detail": "This action requires the role teacher or admin"}


def test_script_compile__nesting_attack_is_a_diagnostic_without_parsing(client):
    source = "local x = " + "(" * (MAX_SOURCE_CHARS - 10)
    response = post_json(client, COMPILE, {"source": source}, make_user(Role.TEACHER))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert [d["message"] for d in body["diagnostics"]] == [
        "nesting too deep (more than 200 open blocks or brackets)"
    ]


def test_script_compile__over_the_per_user_limit_is_429_with_retry_after(client, rate_limit):
    rate_limit("script_compile", 2, seconds=60)
    teacher, other = make_user(Role.TEACHER), make_user(Role.TEACHER)
    for _ in range(2):
        assert post_json(client, COMPILE, {"source": VALID_LUAU}, teacher).status_code == 200
    refused = post_json(client, COMPILE, {"source": VALID_LUAU}, teacher)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many script checks: try again in")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert post_json(client, COMPILE, {"source": VALID_LUAU}, other).status_code == 200


def test_script_compile__broken_source_reports_line_and_column(client):
    response = post_json(client, COMPILE, {"source": BROKEN_LUAU}, make_user(Role.TEACHER))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    first = body["diagnostics"][0]
    assert set(first) == {"line", "column", "message"}
    assert first["line"] >= 1 and first["column"] >= 1
    assert "missing" in first["message"] or "syntax" in first["message"]
    assert RobloxScript.objects.count() == 0  # checking stores nothing


def test_script_compile__anonymous_is_401(client):
    response = post_json(client, COMPILE, {"source": VALID_LUAU})
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_script_compile__oversize_source_is_422_in_ninja_shape(client):
    source = "-" * (MAX_SOURCE_CHARS + 1)
    response = post_json(client, COMPILE, {"source": source}, make_user(Role.TEACHER))
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "payload", "source"]
    assert error["type"] == "string_too_long"


def test_script_compile__source_at_the_limit_is_accepted(client):
    source = "-" * MAX_SOURCE_CHARS  # one long comment
    response = post_json(client, COMPILE, {"source": source}, make_user(Role.TEACHER))
    assert response.status_code == 200
    assert response.json()["ok"] is True


# --- saving custom scripts ----------------------------------------------------------------------


def test_script_create__teacher_saves_a_compiling_script(client):
    teacher = make_user(Role.TEACHER)
    response = save_script(client, teacher)
    assert response.status_code == 201
    body = response.json()
    script = RobloxScript.objects.get(pk=body["id"])
    assert script.owner == teacher
    assert script.kind == ScriptKind.CUSTOM == body["kind"]
    assert script.source == VALID_LUAU
    assert body["checksum"] == hashlib.sha256(VALID_LUAU.encode()).hexdigest() == script.checksum
    assert body["compiled_ok"] is True and body["diagnostics"] == []
    assert body["delivered_at"] is None
    assert "source" not in body


def test_script_create__non_compiling_source_is_422_and_nothing_stored(client):
    response = save_script(client, make_user(Role.TEACHER), source=BROKEN_LUAU)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["type"] == "luau_syntax"
    assert detail[0]["loc"] == ["body", "payload", "source"]
    assert detail[0]["msg"].startswith(f"line {detail[0]['ctx']['line']}, column ")
    assert RobloxScript.objects.count() == 0


def test_script_create__student_is_403_and_nothing_stored(client):
    response = save_script(client, make_user(Role.STUDENT))
    assert response.status_code == 403
    assert response.json() == {"detail": "This action requires the role teacher or admin"}
    assert RobloxScript.objects.count() == 0


def test_script_create__anonymous_is_401(client):
    assert save_script(client, None).status_code == 401
    assert RobloxScript.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "source": VALID_LUAU},
        {"name": "x" * 201, "source": VALID_LUAU},
        {"name": "x"},
        {"name": "two\nlines", "source": VALID_LUAU},
        {"name": "nul\u0000", "source": VALID_LUAU},
        {"name": "x", "source": "-- a comment with a NUL \u0000\nprint(1)\n"},
    ],
    ids=["empty name", "long name", "no source", "newline", "NUL in name", "NUL in source"],
)
def test_script_create__invalid_fields_are_422_and_nothing_stored(client, body):
    response = post_json(client, SCRIPTS, body, make_user(Role.TEACHER))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "payload"]
    assert RobloxScript.objects.count() == 0


# --- the Studio plugin feed ---------------------------------------------------------------------


def poll(client, user, after=None):
    path = PLUGIN if after is None else f"{PLUGIN}?after={after}"
    response = get(client, path, user)
    assert response.status_code == 200, response.content
    return response.json()


def test_plugin__poll_fetch_ack_flow(client):
    teacher = make_user(Role.TEACHER)
    first = save_script(client, teacher, name="First").json()
    second = save_script(client, teacher, name="Second", source="print('hi')\n").json()

    body = poll(client, teacher)
    assert body["has_more"] is False
    assert [s["id"] for s in body["scripts"]] == [first["id"], second["id"]]
    assert set(body["scripts"][0]) == {"id", "name", "kind", "checksum", "created_at"}

    fetched = get(client, f"{PLUGIN}/{first['id']}", teacher)
    assert fetched.status_code == 200
    script = fetched.json()
    assert script["source"] == VALID_LUAU
    assert hashlib.sha256(script["source"].encode()).hexdigest() == script["checksum"]

    ack = post_json(client, f"{PLUGIN}/{first['id']}/ack", {}, teacher)
    assert ack.status_code == 200
    assert ack.json()["id"] == first["id"]
    assert ack.json()["delivered_at"] is not None
    assert RobloxScript.objects.get(pk=first["id"]).delivered_at is not None

    # Delivered scripts are not offered again; the other one still is.
    assert [s["id"] for s in poll(client, teacher)["scripts"]] == [second["id"]]
    post_json(client, f"{PLUGIN}/{second['id']}/ack", {}, teacher)
    assert poll(client, teacher)["scripts"] == []
    # A delivered script can still be fetched again (e.g. after a crash in Studio).
    assert get(client, f"{PLUGIN}/{first['id']}", teacher).status_code == 200


def test_plugin__ack_is_idempotent(client):
    teacher = make_user(Role.TEACHER)
    script_id = save_script(client, teacher).json()["id"]
    first = post_json(client, f"{PLUGIN}/{script_id}/ack", {}, teacher).json()
    again = post_json(client, f"{PLUGIN}/{script_id}/ack", {}, teacher)
    assert again.status_code == 200
    assert again.json()["delivered_at"] == first["delivered_at"]


def test_plugin__after_cursor_skips_scripts_already_seen(client):
    teacher = make_user(Role.TEACHER)
    ids = [save_script(client, teacher, name=f"S{i}").json()["id"] for i in range(3)]
    assert [s["id"] for s in poll(client, teacher, after=ids[0])["scripts"]] == ids[1:]
    assert poll(client, teacher, after=ids[-1])["scripts"] == []


def test_plugin__negative_cursor_is_422(client):
    response = get(client, f"{PLUGIN}?after=-1", make_user(Role.TEACHER))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "after"]


def test_plugin__another_teachers_script_is_404_everywhere(client):
    owner, other = make_user(Role.TEACHER), make_user(Role.TEACHER)
    script_id = save_script(client, owner).json()["id"]
    assert poll(client, other)["scripts"] == []
    fetched = get(client, f"{PLUGIN}/{script_id}", other)
    assert fetched.status_code == 404
    assert fetched.json() == {"detail": "Script not found"}
    assert post_json(client, f"{PLUGIN}/{script_id}/ack", {}, other).status_code == 404
    assert RobloxScript.objects.get(pk=script_id).delivered_at is None
    assert get(client, f"{PLUGIN}/999999", owner).status_code == 404


def test_plugin__students_are_403_and_anonymous_401(client):
    student = make_user(Role.STUDENT)
    assert get(client, PLUGIN, student).status_code == 403
    assert get(client, f"{PLUGIN}/1", student).status_code == 403
    assert post_json(client, f"{PLUGIN}/1/ack", {}, student).status_code == 403
    assert get(client, PLUGIN).status_code == 401
    assert post_json(client, f"{PLUGIN}/1/ack", {}).status_code == 401


def test_plugin__scripts_that_failed_the_check_are_never_offered(client):
    teacher = make_user(Role.TEACHER)
    stale = RobloxScript.objects.create(
        owner=teacher,
        name="Imported",
        kind=ScriptKind.LESSON,
        source=BROKEN_LUAU,
        checksum="0" * 64,
        compiled_ok=False,
        diagnostics=[{"line": 1, "column": 1, "message": "syntax error"}],
    )
    assert poll(client, teacher)["scripts"] == []
    assert get(client, f"{PLUGIN}/{stale.pk}", teacher).status_code == 404
