"""Database connections kept between requests: one per WSGI worker, a pool per ASGI worker.

A new connection per request cost more than the lessons list's own queries (bench/README.md), so
WSGI workers keep theirs (``DATABASE_CONN_MAX_AGE``, 60 s by default there) and check it before
each request's first query. ASGI processes close theirs after each request and each socket's
database call, as Django advises, and borrow them from a pool (``DATABASE_POOL_MAX_SIZE``, 10 by
default there) that checks one before lending it. Checked here on PostgreSQL's side
(``pg_stat_activity``) against gunicorn's sync and uvicorn workers.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from tests.faults.support import TEACHER, TEACHER_PASSWORD, production_env
from tests.support.live_servers import start_asgi, wait_until_serving
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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        *(("DATABASE_CONN_MAX_AGE", value) for value in ("forever", "-1", "1.5")),
        *(("DATABASE_POOL_MAX_SIZE", value) for value in ("many", "-2", "0.5")),
    ],
)
def test_bad_connection_setting_stops_with_one_line(name, value):
    result = load_settings(**{name: value})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"toolbox: configuration error: {name}={value!r} is invalid: expected a whole number >= 0"
    )


POSTGRES_URL = "postgres://toolbox@127.0.0.1:5432/toolbox"  # settings only: never connected
POOL = {"min_size": 1, "max_size": 10, "timeout": 10}


@pytest.mark.parametrize(
    ("entry", "database_url", "expected"),
    [
        ("toolbox.wsgi", POSTGRES_URL, [60, None]),
        ("toolbox.asgi", POSTGRES_URL, [0, POOL]),
        ("toolbox.asgi", "sqlite:///db.sqlite3", [0, None]),  # pools are PostgreSQL's
    ],
)
def test_connections_persist_in_wsgi_processes_and_are_pooled_in_asgi_ones(
    entry, database_url, expected
):
    result = run_python(
        f"import json, {entry}; from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d.get('OPTIONS', {}).get('pool')]))",
        LOG_FILE="",
        DATABASE_URL=database_url,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


def test_persistent_connections_win_over_a_pool():
    # One connection per sync worker is what a pool would lend it, without the lending.
    result = run_python(
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS'].get('pool')))",
        LOG_FILE="",
        DATABASE_URL=POSTGRES_URL,
        DATABASE_CONN_MAX_AGE="60",
        DATABASE_POOL_MAX_SIZE="5",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "null"


def lessons_status(server, headers) -> int:
    return server.get("/api/v1/content?limit=5", headers=headers).status_code


@pytest.fixture
def uvicorn(postgres_database, tmp_path):
    """Starts the ASGI production command (one uvicorn worker under gunicorn) on the database,
    with ``extra`` settings; stopped after the test."""
    servers = []

    def start(**extra: str):
        environment = production_env(DATABASE_URL=postgres_database.url, **extra)
        servers.append(wait_until_serving(start_asgi(tmp_path, environment)))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_asgi_worker_borrows_pooled_connections_and_replaces_a_dropped_one(
    uvicorn, postgres_database
):
    server = uvicorn()
    headers = signed_in(server)
    lessons(server, headers)
    first = app_backends(postgres_database)
    # Each request's thread closed its connection: back in the pool, not to PostgreSQL.
    assert 1 <= len(first) <= POOL["max_size"], first
    for _ in range(10):
        lessons(server, headers)
    assert app_backends(postgres_database) <= first

    # PostgreSQL drops the pooled connections (a restart, a failover): the pool checks each
    # before lending it and opens another; no request fails.
    for pid in first:
        terminate(postgres_database, pid)
    for _ in range(3):
        lessons(server, headers)
    second = app_backends(postgres_database)
    assert second and not second & first


def test_asgi_pool_bounds_the_connections_of_concurrent_requests(uvicorn, postgres_database):
    server = uvicorn(DATABASE_POOL_MAX_SIZE="2")
    headers = signed_in(server)
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(len(app_backends(postgres_database)))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(lambda _: lessons_status(server, headers), range(60)))
    finally:
        done.set()
        watcher.join()
    # Twelve at a time, two connections: the others waited their turn, none failed.
    assert statuses == [200] * 60
    assert seen and max(seen) <= 2, seen


def test_asgi_pool_exhausted_answers_503_after_its_wait_and_recovers(uvicorn, postgres_database):
    server = uvicorn(DATABASE_POOL_MAX_SIZE="1")
    headers = signed_in(server)
    url = server.url + "/api/v1/content?limit=5"
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        psycopg.connect(postgres_database.url) as locker,
    ):
        # The first request's query waits on this lock with the pool's one connection.
        locker.execute("LOCK TABLE lessons_lesson IN ACCESS EXCLUSIVE MODE")
        first = pool.submit(httpx.get, url, headers=headers, timeout=60)
        time.sleep(1)
        started = time.monotonic()
        second = httpx.get(url, headers=headers, timeout=60)
        waited = time.monotonic() - started
        locker.rollback()
        assert first.result().status_code == 200
    # The second waited for a connection (at most 10 s), then was told to come back.
    assert second.status_code == 503, second.text
    assert second.headers["Retry-After"] == "5"
    assert second.json()["detail"] == "Service temporarily unavailable"
    assert 9 <= waited < 20, waited
    assert lessons_status(server, headers) == 200
