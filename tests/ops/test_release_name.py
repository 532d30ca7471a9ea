"""The release name: toolbox@<version>+<git sha>, the same for web hosts and workers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from monitoring.conf import SentryConfig
from monitoring.env import ConfigError
from monitoring.release import git_head_sha, release_from_env
from tests.support.servers import ROOT, app_environment


def head_sha() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def release(**environ: str) -> str:
    return SentryConfig.from_env(environ, app_version="2.3.4", debug=False).release


def test_release__from_git_carries_the_commit():
    sha = head_sha()
    if not sha:
        pytest.skip("not a git checkout")
    git_head_sha.cache_clear()  # read once per process: HEAD may have moved since
    assert release() == f"toolbox@2.3.4+{sha}"


def test_release__a_build_variable_names_the_commit():
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert release(GIT_SHA=sha) == "toolbox@2.3.4+0123456789ab"
    assert release(SOURCE_VERSION="ABCDEF1") == "toolbox@2.3.4+abcdef1"


def test_release__sentry_release_still_wins():
    assert release(SENTRY_RELEASE="toolbox@custom", GIT_SHA="abcdef1") == "toolbox@custom"


def test_release__without_git_the_version_alone(tmp_path):
    git_head_sha.cache_clear()
    try:
        assert git_head_sha(tmp_path) == ""  # not a repository
    finally:
        git_head_sha.cache_clear()


def test_release__without_a_commit_falls_back_to_app_version(monkeypatch):
    monkeypatch.setattr("monitoring.release.build_sha", lambda environ: "")
    assert release_from_env({}, "2.3.4") == "toolbox@2.3.4"


@pytest.mark.parametrize("value", ["main", "12345", "not-a-sha!"])
def test_release__a_bad_commit_variable_is_refused(value):
    with pytest.raises(ConfigError, match="GIT_SHA"):
        release(GIT_SHA=value)


def _sdk_release(extra: dict[str, str], *, celery: bool) -> str:
    """The release the Sentry SDK of a web process or of a Celery worker reports."""
    loader = (
        # What `celery worker` does before it runs a task: Celery's Django fix-up sets Django up.
        "from toolbox.celery import app; app.loader.init_worker(); "
        if celery
        else "from toolbox.wsgi import application; "
    )
    code = loader + "import sentry_sdk; print(sentry_sdk.get_client().options['release'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=app_environment({"LOG_FILE": "", **extra}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_release__web_and_worker_report_the_same_release():
    # A DSN so the SDK is initialised; nothing is captured, so nothing is sent.
    extra = {"APP_VERSION": "3.1.0", "SENTRY_DSN": "http://0123456789abcdef@127.0.0.1:9/1"}
    web = _sdk_release(extra, celery=False)
    worker = _sdk_release(extra, celery=True)
    assert web == worker
    assert web.startswith("toolbox@3.1.0")
