from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.ops.sentry_api_server import SentryApiServer
from tests.support.servers import ROOT, app_environment

TOKEN = "sntrys_provision-test-token-7f3a9c"
ORG = "toolboxai"
PROJECT = "toolbox-web"


@pytest.fixture
def sentry_api() -> Iterator[SentryApiServer]:
    server = SentryApiServer(token=TOKEN, org=ORG, project=PROJECT).start()
    yield server
    server.stop()


@pytest.fixture
def sentry_api_env(sentry_api, monkeypatch) -> dict[str, str]:
    """The operator commands' variables, pointing at the recording server."""
    env = {
        "SENTRY_AUTH_TOKEN": TOKEN,
        "SENTRY_ORG": ORG,
        "SENTRY_PROJECT": PROJECT,
        "SENTRY_URL": sentry_api.url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=app_environment({"LOG_FILE": "", **env}),
        capture_output=True,
        text=True,
        timeout=180,
    )
