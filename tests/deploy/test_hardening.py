"""Development defaults only where the environment says development; everything else hardened.

Each test starts the app as an operator would (``manage.py`` or gunicorn in a subprocess) with a
given ``SENTRY_ENVIRONMENT`` spelling, and checks what the outside world gets.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.support.deploy import ADMIN, ADMIN_PASSWORD, strong_secret_key
from tests.support.servers import ROOT, app_environment, start_gunicorn
from toolbox.settings import DEV_SECRET_KEY

HARDENED_SPELLINGS = ["staging", "Production", "prod", "PRODUCTION", "qa", "production "]
DEVELOPMENT_SPELLINGS = ["development", "DEV", "Local", "test"]


def manage(*args: str, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=app_environment({"LOG_FILE": "", **environ}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_stops_naming(result: subprocess.CompletedProcess, variable: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"toolbox: configuration error: {variable}="), lines[0]


@pytest.mark.parametrize("environment", HARDENED_SPELLINGS)
def test_startup__hardened_environment_without_secret_key_stops(environment):
    result = manage("check", SENTRY_ENVIRONMENT=environment, ALLOWED_HOSTS="toolbox.example")
    assert_stops_naming(result, "SECRET_KEY")


@pytest.mark.parametrize(
    "weak_key",
    [
        DEV_SECRET_KEY,  # public: it is in the repository
        "x" * 64,  # long but one character
        "abcd" * 20,  # long but four distinct characters
        "Kq3!vZ9#pL2@",  # varied but short
        "django-insecure-" + "Kq3!vZ9#pL2@wX7$" * 3,  # Django's own marker of a generated dev key
    ],
)
def test_startup__hardened_environment_with_weak_secret_key_stops(weak_key):
    result = manage(
        "check", SENTRY_ENVIRONMENT="staging", SECRET_KEY=weak_key, ALLOWED_HOSTS="toolbox.example"
    )
    assert_stops_naming(result, "SECRET_KEY")
    assert weak_key not in result.stderr  # the line never shows the secret


@pytest.mark.parametrize("environment", ["staging", "Production"])
def test_startup__hardened_environment_refuses_debug(environment):
    result = manage(
        "check",
        SENTRY_ENVIRONMENT=environment,
        SECRET_KEY=strong_secret_key(),
        ALLOWED_HOSTS="toolbox.example",
        DEBUG="true",
    )
    assert_stops_naming(result, "DEBUG")


def test_startup__hardened_environment_without_allowed_hosts_stops():
    result = manage("check", SENTRY_ENVIRONMENT="prod", SECRET_KEY=strong_secret_key())
    assert_stops_naming(result, "ALLOWED_HOSTS")


@pytest.mark.parametrize("environment", DEVELOPMENT_SPELLINGS)
def test_startup__development_environment_runs_without_settings(environment):
    result = manage("check", SENTRY_ENVIRONMENT=environment)
    assert result.returncode == 0, result.stderr


def test_check_deploy__fully_configured_hardened_environment_reports_nothing():
    """Everything ``check --deploy`` knows about is fixed by our settings, none silenced."""
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SENTRY_ENVIRONMENT="Production",
        SECRET_KEY=strong_secret_key(),
        ALLOWED_HOSTS="toolbox.example",
        BEHIND_TLS_PROXY="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def forged_admin_token(server) -> str:
    """An access token as an attacker who read DEV_SECRET_KEY in the repository makes one: the
    claims of a real admin session (so only the signature can tell), signed with that key."""
    login = server.post("/api/v1/auth/login", json={"username": ADMIN, "password": ADMIN_PASSWORD})
    assert login.status_code == 200, login.text
    claims = jwt.decode(login.json()["access"], options={"verify_signature": False})
    now = datetime.now(UTC)
    claims.update({"jti": "f" * 32, "iat": now, "exp": now + timedelta(minutes=10)})
    return jwt.encode(claims, DEV_SECRET_KEY, algorithm="HS256")


def start(tmp_path, server_database, environment: str, **extra: str):
    env = {
        "SENTRY_ENVIRONMENT": environment,
        "DATABASE_URL": server_database.url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_FILE": "",
        "REDIS_URL": "",
        **extra,
    }
    if environment.lower() not in ("development", "dev", "local", "test"):
        env.setdefault("SECRET_KEY", strong_secret_key())
    return start_gunicorn(tmp_path, env, wait_path="/health")


@pytest.mark.slow
@pytest.mark.parametrize("environment", ["staging", "Production", "prod"])
def test_hardened_server__closes_debug_endpoints_and_refuses_dev_key_tokens(
    tmp_path, server_database, environment
):
    server = start(tmp_path, server_database, environment)
    try:
        forged = {"Authorization": f"Bearer {forged_admin_token(server)}"}
        me = server.get("/api/v1/auth/me", headers=forged)
        assert me.status_code == 401, me.text
        assert server.get("/metrics").status_code == 401
        assert server.get("/sentry/status").status_code == 401
        assert server.get("/sentry-debug").status_code == 404
        missing = server.get("/no-such-page")
        assert missing.status_code == 404
        assert "Traceback" not in missing.text and "DEBUG = True" not in missing.text
    finally:
        server.stop()


@pytest.mark.slow
def test_development_server__is_open_as_documented(tmp_path, server_database):
    """The control: the same requests against a development server succeed (so the hardened
    test above fails whenever a hardened environment behaves like this)."""
    server = start(tmp_path, server_database, "development")
    try:
        forged = {"Authorization": f"Bearer {forged_admin_token(server)}"}
        assert server.get("/api/v1/auth/me", headers=forged).status_code == 200
        assert server.get("/metrics").status_code == 200
        assert server.get("/sentry-debug").status_code == 500
    finally:
        server.stop()
