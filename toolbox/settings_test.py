"""Test settings: the real settings, minus anything that could reach a real Sentry project."""

import os
from pathlib import Path

# Tests point the SDK at their own loopback receiver; a developer's .env must never leak in.
os.environ["SENTRY_DSN"] = ""
# Tests read what reached the JSON log file; keep it apart from a developer's own log.
os.environ["LOG_FILE"] = str(Path(__file__).resolve().parent.parent / "var" / "log" / "tests.jsonl")

from toolbox.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
