from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from tests.accounts.factories import make_user


@pytest.fixture
def probe_urls(settings):
    """Serve the project plus the probe endpoints of tests/monitoring/urls.py."""
    settings.ROOT_URLCONF = "tests.monitoring.urls"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def teacher(db):
    return make_user("teacher", username="ada-lovelace-teacher", email="ada.teacher@example.com")


class LogFile:
    """The JSON log file: what was appended since the fixture started."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def text(self) -> str:
        if not self.path.exists():
            return ""
        with self.path.open("rb") as log:
            log.seek(self.offset)
            return log.read().decode("utf-8", errors="replace")

    def records(self) -> list[dict]:
        import json

        return [json.loads(line) for line in self.text().splitlines() if line.strip()]


@pytest.fixture
def log_file() -> LogFile:
    return LogFile(Path(django_settings.LOG_FILE))
