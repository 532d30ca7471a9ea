"""Console logging: each line printed once, JSON for machines, readable for a developer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.servers import ROOT, app_environment

pytestmark = pytest.mark.slow

LOG_SOME_LINES = (
    "import logging;"
    "logging.getLogger('django.request').warning('django says %s', 'hi');"
    "logging.getLogger('toolbox').warning('we say hi')"
)


def _stderr_of_shell(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", LOG_SOME_LINES],
        cwd=ROOT,
        env=app_environment({"LOG_FILE": "", **env}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr


def test_console__django_lines_are_printed_once_as_json():
    lines = [line for line in _stderr_of_shell().splitlines() if "say" in line]
    assert len(lines) == 2, lines
    records = [json.loads(line) for line in lines]
    assert [(r["logger"], r["event"]) for r in records] == [
        ("django.request", "django says hi"),
        ("toolbox", "we say hi"),
    ]


def test_console__log_format_console_is_readable_not_json():
    lines = [line for line in _stderr_of_shell(LOG_FORMAT="console").splitlines() if "say" in line]
    assert len(lines) == 2, lines
    assert "django says hi" in lines[0] and "django.request" in lines[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[0])


def test_console__bad_log_format_stops_startup_naming_it():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=app_environment({"LOG_FORMAT": "xml"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "toolbox: configuration error: LOG_FORMAT='xml' is invalid: "
        "expected one of AUTO, JSON, CONSOLE"
    ]
