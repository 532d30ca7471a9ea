from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from tests.accounts.factories import make_user
from tests.support.live_servers import start_asgi, wait_until_serving
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import AppServer

PRODUCTION_MONITORING_TOKEN = "production-server-monitoring-token-0123456789"


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


@pytest.fixture
def production_server(tmp_path) -> Iterator[tuple[AppServer, SentryReceiver]]:
    """The production command (gunicorn + uvicorn workers), Sentry on (loopback) at traces 1.0,
    logs to a file: every place a request's text is scrubbed."""
    receiver = SentryReceiver().start()
    env = {
        "SENTRY_ENVIRONMENT": "production",
        "SECRET_KEY": "production-server-tests-secret-key-not-for-real-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SENTRY_DSN": receiver.dsn,
        "SENTRY_TRACES_SAMPLE_RATE": "1.0",
        "SENTRY_ENABLE_LOGS": "true",
        "MONITORING_TOKEN": PRODUCTION_MONITORING_TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "LOG_FILE": str(tmp_path / "app.log"),
    }
    server = wait_until_serving(start_asgi(tmp_path, env))
    try:
        yield server, receiver
    finally:
        server.stop()
        receiver.stop()
