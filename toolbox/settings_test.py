"""Test settings: the real settings, minus anything that could reach a real Sentry project."""

import os
from pathlib import Path

# Tests point the SDK at their own loopback receiver; a developer's .env must never leak in.
os.environ["SENTRY_DSN"] = ""
# Tests read what reached the JSON log file; keep it apart from a developer's own log.
os.environ["LOG_FILE"] = str(Path(__file__).resolve().parent.parent / "var" / "log" / "tests.jsonl")

# The suite generates far more content than a teacher would, and the counters live in the shared
# Redis across tests and runs: the per-user limits are tested where a test lowers them
# (tests/support/ratelimit.py). Environment variables still win, and reach the app servers tests
# start in subprocesses.
for _limit in (
    "LESSON_GENERATE_RATE_LIMIT",
    "QUIZ_GENERATE_RATE_LIMIT",
    "TERRAIN_GENERATE_RATE_LIMIT",
    "SCRIPT_COMPILE_RATE_LIMIT",
):
    os.environ.setdefault(_limit, "1000000/hour")

# Roblox Open Cloud: tests point it at their loopback Roblox; anything else finds nothing there
# (the discard port) rather than apis.roblox.com.
os.environ.setdefault("ROBLOX_OPEN_CLOUD_URL", "http://127.0.0.1:9/")

from toolbox.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
