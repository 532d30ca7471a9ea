"""Attacks on the costly endpoints, against gunicorn as deployed (several workers, shared cache).

Before the fix, ``"local x = " + "(" * 199990`` kept a worker in tree-sitter's query for 40-54 s,
past gunicorn's 30 s timeout, so the worker was killed with its open sockets; and a teacher could
generate without limit.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from django.conf import settings

from tests.support.servers import AppServer, ServerDatabase, run_manage, start_gunicorn

PASSWORD = "Attack-test-passphrase-8421"
USERS = {"attacker": "teacher", "colleague": "teacher", "pupil": "student"}
TERRAIN_LIMIT = 3
COMPILE = "/api/v1/roblox/scripts/compile"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[AppServer]:
    tmp_path = tmp_path_factory.mktemp("attack")
    database = ServerDatabase(tmp_path, settings.DATABASES["default"])
    create = "; ".join(
        f"user_create(username={name!r}, password={PASSWORD!r}, role={role!r})"
        for name, role in USERS.items()
    )
    run_manage(database.url, "shell", "-c", f"from accounts.services import user_create; {create}")
    redis_url = os.environ.get("REDIS_URL", "")
    env = {
        "DATABASE_URL": database.url,
        "LOG_FILE": "",
        "REDIS_URL": redis_url,
        # Counts of its own: user ids of this fresh database are reused by other servers.
        "REDIS_KEY_PREFIX": f"attack-{uuid.uuid4().hex[:12]}",
        "TERRAIN_GENERATE_RATE_LIMIT": f"{TERRAIN_LIMIT}/hour",
    }
    # Without Redis each worker counts alone: one worker, so the limit still holds.
    server = start_gunicorn(tmp_path, env, workers=2 if redis_url else 1, wait_path="/health")
    try:
        yield server
    finally:
        server.stop()
        database.drop()


def headers(server: AppServer, username: str) -> dict[str, str]:
    response = httpx.post(
        server.url + "/api/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def test_script_compile__nested_parentheses_answer_fast_and_the_worker_keeps_serving(server):
    auth = headers(server, "attacker")
    with httpx.Client(base_url=server.url, timeout=60, headers=auth) as client:
        started = time.monotonic()
        original = client.post(COMPILE, json={"source": "local x = " + "(" * 199_990})
        within_cap = client.post(COMPILE, json={"source": "local x = " + "(" * 99_980})
        elapsed = time.monotonic() - started
        health = client.get("/health")

    assert original.status_code == 422  # over the size cap: refused before any parsing
    assert original.json()["detail"][0]["type"] == "string_too_long"
    assert within_cap.status_code == 200
    assert within_cap.json() == {
        "ok": False,
        "diagnostics": [
            {
                "line": 1,
                "column": 211,
                "message": "nesting too deep (more than 200 open blocks or brackets)",
            }
        ],
    }
    assert elapsed < 4  # both requests; each took 40-54 s of CPU before
    assert health.status_code == 200
    assert server.process.poll() is None
    assert "WORKER TIMEOUT" not in server.log()


def test_script_compile__student_is_403(server):
    response = httpx.post(
        server.url + COMPILE,
        json={"source": "print('hi')"},
        headers=headers(server, "pupil"),
        timeout=30,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "This action requires the role teacher or admin"}


def test_terrain_generate__one_over_the_limit_is_429_colleague_unaffected_and_counted(server):
    def refused_so_far() -> int:
        return (
            httpx.get(server.url + "/metrics", timeout=30)
            .json()["rate_limited"]
            .get("terrain_generate", 0)
        )

    before = refused_so_far()
    body = {"size": 32, "octaves": 1}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        attacker = headers(server, "attacker")
        statuses = [
            client.post("/api/v1/terrain/generate", json=body, headers=attacker)
            for _ in range(TERRAIN_LIMIT + 1)
        ]
        colleague = client.post(
            "/api/v1/terrain/generate", json=body, headers=headers(server, "colleague")
        )

    assert [r.status_code for r in statuses] == [201] * TERRAIN_LIMIT + [429]
    refused = statuses[-1]
    assert refused.json()["detail"].startswith("Too many terrain generations: try again in ")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert colleague.status_code == 201
    # Counted across workers, in the JSON report and in the Prometheus text.
    assert refused_so_far() == before + 1
    text = httpx.get(server.url + "/metrics", headers={"Accept": "text/plain"}, timeout=30).text
    assert f'toolbox_rate_limited_total{{scope="terrain_generate"}} {before + 1}.0' in text
