"""Persistent database connections: one per worker, replaced when PostgreSQL drops it.

A new connection per request cost more than the lessons list's own queries (bench/README.md), so
WSGI workers keep theirs (``DATABASE_CONN_MAX_AGE``, 60 s by default there) and check it before
each request's first query; ASGI processes keep Django's 0, as Django advises. Checked here on
PostgreSQL's side (``pg_stat_activity``) against gunicorn.
"""

from __future__ import annotations

import httpx
import psycopg
import pytest

from tests.faults.support import TEACHER, TEACHER_PASSWORD, production_env
from tests.support.servers import load_settings, run_python, start_gunicorn

pytestmark = pytest.mark.slow


def app_backends(database) -> set[int]:
    """The server processes of PostgreSQL serving the app's database (this one's aside)."""
    with psycopg.connect(database.url) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return {pid for (pid,) in rows}


def terminate(database, pid: int) -> None:
    with psycopg.connect(database.url, autocommit=True) as db:
        assert db.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def signed_in(server) -> dict[str, str]:
    response = server.post(
        "/api/v1/auth/login", json={"username": TEACHER, "password": TEACHER_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def lessons(server, headers) -> httpx.Response:
    response = server.get("/api/v1/content?limit=5", headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_worker_keeps_one_connection_and_replaces_a_dropped_one(postgres_database, tmp_path):
    server = start_gunicorn(tmp_path, production_env(DATABASE_URL=postgres_database.url))
    try:
        headers = signed_in(server)
        lessons(server, headers)
        first = app_backends(postgres_database)
        assert len(first) == 1, first
        for _ in range(10):
            lessons(server, headers)
        assert app_backends(postgres_database) == first

        # PostgreSQL drops the connection between two requests (a restart, a failover, an
        # idle timeout): the next request checks it, reconnects and succeeds.
        terminate(postgres_database, next(iter(first)))
        for _ in range(3):
            lessons(server, headers)
        second = app_backends(postgres_database)
        assert len(second) == 1 and second != first
    finally:
        server.stop()


def test_conn_max_age_zero_closes_the_connection_after_each_request(postgres_database, tmp_path):
    server = start_gunicorn(
        tmp_path, production_env(DATABASE_URL=postgres_database.url, DATABASE_CONN_MAX_AGE="0")
    )
    try:
        headers = signed_in(server)
        for _ in range(3):
            lessons(server, headers)
        assert app_backends(postgres_database) == set()
    finally:
        server.stop()


@pytest.mark.parametrize("value", ["forever", "-1", "1.5"])
def test_bad_conn_max_age_stops_with_one_line(value):
    result = load_settings(DATABASE_CONN_MAX_AGE=value)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"toolbox: configuration error: DATABASE_CONN_MAX_AGE={value!r} is invalid: "
        "expected a whole number >= 0"
    )


@pytest.mark.parametrize(("entry", "expected"), [("toolbox.wsgi", "60"), ("toolbox.asgi", "0")])
def test_connections_persist_by_default_only_in_wsgi_processes(entry, expected):
    result = run_python(
        f"import {entry}; from django.conf import settings; "
        "print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        LOG_FILE="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
