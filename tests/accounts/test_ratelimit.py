"""Per-user rate limits on the endpoints that cost CPU or LLM money (accounts.ratelimit)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accounts.models import Role
from jobs.models import GenerationJob
from monitoring.env import ConfigError, RateLimit, env_rate_limit
from terrain.models import Terrain
from tests.accounts.factories import make_user
from tests.support.api import post_json
from tests.support.luau import VALID_LUAU
from tests.support.servers import ROOT, app_environment

LESSON = {
    "subject": "science",
    "grade_level": 4,
    "learning_objectives": ["Describe the water cycle"],
    "seed": 1,
}
GENERATE = {
    "lesson_generate": ("/api/v1/content/generate", LESSON),
    "quiz_generate": ("/api/v1/quizzes/generate", {"subject": "mathematics", "grade_level": 5}),
    "terrain_generate": ("/api/v1/terrain/generate", {"size": 32, "octaves": 1}),
    "script_compile": ("/api/v1/roblox/scripts/compile", {"source": VALID_LUAU}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("scope", GENERATE)
def test_rate_limit__teacher_over_the_limit_is_429_other_teacher_unaffected(
    client, rate_limit, scope
):
    rate_limit(scope, 2)
    path, body = GENERATE[scope]
    teacher, colleague = make_user(Role.TEACHER), make_user(Role.TEACHER)
    for _ in range(2):
        assert post_json(client, path, body, teacher).status_code in (200, 201)
    refused = post_json(client, path, body, teacher)
    assert refused.status_code == 429
    assert set(refused.json()) == {"detail"}
    assert refused.json()["detail"].startswith("Too many ")
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert post_json(client, path, body, colleague).status_code in (200, 201)


@pytest.mark.django_db
def test_rate_limit__refused_generation_stores_nothing(client, rate_limit):
    rate_limit("terrain_generate", 1)
    teacher = make_user(Role.TEACHER)
    path, body = GENERATE["terrain_generate"]
    assert post_json(client, path, body, teacher).status_code == 201
    assert post_json(client, path, body, teacher).status_code == 429
    assert Terrain.objects.filter(owner=teacher).count() == 1


@pytest.mark.django_db
def test_rate_limit__background_jobs_count_like_immediate_generations(client, rate_limit):
    rate_limit("lesson_generate", 2)
    teacher = make_user(Role.TEACHER)
    path = GENERATE["lesson_generate"][0]
    assert post_json(client, path, {**LESSON, "background": True}, teacher).status_code == 202
    assert post_json(client, path, LESSON, teacher).status_code == 201
    refused = post_json(client, path, {**LESSON, "background": True}, teacher)
    assert refused.status_code == 429
    assert GenerationJob.objects.filter(owner=teacher).count() == 1


@pytest.mark.django_db
def test_rate_limit__admins_get_the_multiplier(client, rate_limit, settings):
    rate_limit("script_compile", 1)
    settings.RATE_LIMIT_ADMIN_MULTIPLIER = 3
    admin = make_user(Role.ADMIN)
    path, body = GENERATE["script_compile"]
    statuses = [post_json(client, path, body, admin).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_rate_limit__students_are_403_and_not_counted(client, rate_limit):
    rate_limit("script_compile", 1)
    student = make_user(Role.STUDENT)
    path, body = GENERATE["script_compile"]
    assert [post_json(client, path, body, student).status_code for _ in range(3)] == [403] * 3


@pytest.mark.django_db
def test_rate_limit__refusals_are_counted_in_metrics_json_and_prometheus(client, rate_limit):
    def refused_so_far() -> int:
        return client.get("/metrics").json()["rate_limited"].get("quiz_generate", 0)

    rate_limit("quiz_generate", 1)
    before = refused_so_far()
    teacher = make_user(Role.TEACHER)
    path, body = GENERATE["quiz_generate"]
    statuses = [post_json(client, path, body, teacher).status_code for _ in range(3)]
    assert statuses == [201, 429, 429]
    assert refused_so_far() == before + 2
    text = client.get("/metrics", headers={"Accept": "text/plain"}).content.decode()
    assert f'toolbox_rate_limited_total{{scope="quiz_generate"}} {before + 2}.0' in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("30/hour", RateLimit(30, 3600)),
        ("5/second", RateLimit(5, 1)),
        (" 120 / Minute ", RateLimit(120, 60)),
        ("1/day", RateLimit(1, 86400)),
        ("", RateLimit(60, 3600)),  # empty: the default
    ],
)
def test_env_rate_limit__parses_count_per_period(raw, expected):
    assert env_rate_limit({"X_RATE_LIMIT": raw}, "X_RATE_LIMIT", "60/hour") == expected
    assert str(expected) in {"30/hour", "5/second", "120/minute", "1/day", "60/hour"}


@pytest.mark.parametrize("raw", ["0/hour", "30", "30/fortnight", "-1/hour", "3.5/hour", "x/h"])
def test_env_rate_limit__invalid_value_names_the_variable(raw):
    with pytest.raises(ConfigError) as excinfo:
        env_rate_limit({"TERRAIN_GENERATE_RATE_LIMIT": raw}, "TERRAIN_GENERATE_RATE_LIMIT", "1/day")
    assert "TERRAIN_GENERATE_RATE_LIMIT" in str(excinfo.value)


def test_startup__bad_rate_limit_stops_with_one_line():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=app_environment({"SCRIPT_COMPILE_RATE_LIMIT": "lots"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "SCRIPT_COMPILE_RATE_LIMIT" in line
