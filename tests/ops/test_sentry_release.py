"""manage.py sentry_release: sentry-cli against the recording Sentry API on loopback."""

from __future__ import annotations

from urllib.parse import unquote

from tests.ops.conftest import TOKEN, manage

RELEASE = "toolbox@4.5.6+0123456789ab"


def test_sentry_release__creates_sets_commits_finalizes_and_deploys(sentry_api, sentry_api_env):
    result = manage(
        "sentry_release",
        "--environment",
        "staging",
        env={**sentry_api_env, "APP_VERSION": "4.5.6", "GIT_SHA": "0123456789abcdef"},
    )

    assert result.returncode == 0, result.stderr
    assert sentry_api.rejected == []  # sentry-cli's bodies match Sentry's published schema
    writes = [(w.method, unquote(w.path), w.body) for w in sentry_api.writes]
    created = [
        b for m, p, b in writes if (m, p) == ("POST", "/api/0/organizations/toolboxai/releases/")
    ]
    assert created and created[0]["version"] == RELEASE
    assert created[0]["projects"] == ["toolbox-web"]
    release_path = f"/api/0/organizations/toolboxai/releases/{RELEASE}/"
    updates = [b for m, p, b in writes if (m, p) == ("PUT", release_path)]
    assert any(b.get("commits") for b in updates)  # this checkout's history
    assert any(b.get("dateReleased") for b in updates)  # finalized
    (deploy,) = sentry_api.deploys
    assert (deploy["environment"], deploy["version"]) == ("staging", RELEASE)
    assert f"Sentry release {RELEASE} finalized, deployed to staging" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_sentry_release__refused_token_fails_with_one_line(sentry_api, sentry_api_env):
    sentry_api.mode = "401"

    result = manage("sentry_release", "--release", RELEASE, env=sentry_api_env)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == (
        "CommandError: sentry-cli releases new failed (exit 1): API request failed: "
        "sentry reported an error: Invalid token (http status: 401)"
    )
    assert TOKEN not in result.stdout + result.stderr
    assert sentry_api.deploys == []
