"""The release every event of this build reports: ``toolbox@<version>+<sha>``."""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from monitoring.env import ConfigError, env_str

RELEASE_PACKAGE = "toolbox"
_SHA = re.compile(r"[0-9a-f]{7,40}")
GIT_SHA_VARIABLES = ("GIT_SHA", "SOURCE_VERSION")
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def git_head_sha(root: Path = REPOSITORY_ROOT) -> str:
    """The checkout's short commit id, or "" outside git (an image built without ``.git``).

    Read once per process: one ``git rev-parse`` (a few milliseconds) at startup.
    """
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    sha = result.stdout.strip()
    return sha if result.returncode == 0 and _SHA.fullmatch(sha) else ""


def build_sha(environ: Mapping[str, str]) -> str:
    """The commit being run: ``GIT_SHA`` or ``SOURCE_VERSION`` (set by a build that ships no
    ``.git``; checked strictly, shortened to 12), else ``git rev-parse``, else ""."""
    for name in GIT_SHA_VARIABLES:
        raw = env_str(environ, name)
        if raw:
            if not _SHA.fullmatch(raw.lower()):
                raise ConfigError(name, environ.get(name), "a git commit id (7-40 hex digits)")
            return raw.lower()[:12]
    return git_head_sha()


def release_from_env(environ: Mapping[str, str], app_version: str) -> str:
    """``toolbox@<version>+<sha>`` from git, ``toolbox@<version>`` without it.

    Web hosts and Celery workers load the same settings, so both report the same release.
    """
    sha = build_sha(environ)
    return f"{RELEASE_PACKAGE}@{app_version}+{sha}" if sha else f"{RELEASE_PACKAGE}@{app_version}"
