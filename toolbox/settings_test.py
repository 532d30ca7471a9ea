"""Test settings: the real settings, minus anything that could reach a real Sentry project."""

import os

# Tests point the SDK at their own loopback receiver; a developer's .env must never leak in.
os.environ["SENTRY_DSN"] = ""

from toolbox.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
