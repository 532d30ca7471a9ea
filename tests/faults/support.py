"""What fault tests share: a PostgreSQL database of their own (even when the suite runs on SQLite:
the local server), a teacher in it, and the environment of a production deployment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings as django_settings

from tests.support.servers import ServerDatabase, run_manage

LOCAL_POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "HOST": "127.0.0.1",
    "PORT": 5432,
    "USER": "postgres",
    "PASSWORD": "",
}
MONITORING_TOKEN = "fault-scrape-token-0123456789"
SCRAPER = {"Authorization": f"Bearer {MONITORING_TOKEN}"}


def postgres_settings() -> dict:
    """The suite's PostgreSQL, or the local one (trust auth) when the suite runs on SQLite."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        return database
    return LOCAL_POSTGRES


TEACHER, TEACHER_PASSWORD = "fault-teacher", "fault-maple-kite-42"


def through(proxy, url: str) -> str:
    """``url`` with the database reached through ``proxy`` (a ``TcpProxy``) on loopback."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def postgres_available() -> bool:
    import psycopg

    settings = postgres_settings()
    try:
        psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=2,
        ).close()
    except psycopg.OperationalError:
        return False
    return True


def database_with_teacher(tmp_path: Path, settings: dict) -> ServerDatabase:
    database = ServerDatabase(tmp_path, settings)
    run_manage(
        database.url, "create_user", TEACHER, "--role", "teacher", "--password", TEACHER_PASSWORD
    )
    return database


def production_env(**extra: str) -> dict[str, str]:
    """What a production deployment sets (see the README), for a server on loopback."""
    return {
        "SENTRY_ENVIRONMENT": "production",
        "SECRET_KEY": "fault-tests-secret-key-not-for-real-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MONITORING_TOKEN": MONITORING_TOKEN,
        "SENTRY_TRACES_SAMPLE_RATE": "0",
        "SENTRY_PROFILES_SAMPLE_RATE": "0",
        "LOG_FILE": "",
        **extra,
    }
