"""The database goes away mid-run and comes back: clean 503s, an unhealthy /health, Sentry told
(as a ``database`` error), no half-written content, and service resumes without a restart.

gunicorn (production settings) reaches PostgreSQL through a TCP proxy that the test stops (every
connection dropped, new ones refused) and starts again, while content is being generated.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from tests.faults.support import SCRAPER, TEACHER, TEACHER_PASSWORD, production_env, through
from tests.faults.tcp_proxy import TcpProxy
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.slow

PASSWORD = TEACHER_PASSWORD
UNAVAILABLE = {"detail": "Service temporarily unavailable"}
QUIZ = {"subject": "mathematics", "grade_level": 6, "question_count": 12, "seed": 3}
TERRAIN = {"size": 128, "seed": 5, "biome": "islands"}


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert {k: v for k, v in body.items() if k != "request_id"} == UNAVAILABLE
    assert body["request_id"] == response.headers["X-Request-ID"]


def content_rows(database) -> dict[str, int]:
    """Stored quizzes and terrains, after checking that each one is whole."""
    with psycopg.connect(database.url) as db:
        quizzes = db.execute("SELECT question_count, questions FROM quizzes_quiz").fetchall()
        assert all(len(questions) == count for count, questions in quizzes)
        orphan_scripts = db.execute(
            "SELECT count(*) FROM roblox_robloxscript s WHERE s.kind = 'terrain' AND NOT EXISTS "
            "(SELECT 1 FROM terrain_terrain t WHERE t.script_id = s.id)"
        ).fetchone()[0]
        assert orphan_scripts == 0
        terrains, with_script, with_preview = db.execute(
            "SELECT count(*), count(script_id), count(*) FILTER (WHERE length(preview_png) > 0) "
            "FROM terrain_terrain"
        ).fetchone()
        assert terrains == with_script == with_preview
    return {"quiz": len(quizzes), "terrain": terrains}


class Generator(threading.Thread):
    """Generates quizzes and terrains back to back until told to stop; keeps every status."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )
        self.statuses: list[tuple[str, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for kind, path, body in (
                ("quiz", "/api/v1/quizzes/generate", QUIZ),
                ("terrain", "/api/v1/terrain/generate", TERRAIN),
            ):
                self.statuses.append((kind, self.client.post(path, json=body).status_code))

    def wait_for(self, condition, what: str, timeout: float = 30) -> None:
        """Poll the statuses so far until ``condition(statuses)`` holds (or fail after timeout)."""
        deadline = time.monotonic() + timeout
        while not condition(list(self.statuses)):
            assert self.is_alive(), f"the generator stopped before {what}: {self.statuses}"
            assert time.monotonic() < deadline, f"no {what} within {timeout} s: {self.statuses}"
            time.sleep(0.05)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)
        self.client.close()


def test_database_down__clean_503s_unhealthy_then_resumes_without_restart(
    tmp_path, postgres_database
):
    proxy = TcpProxy(urlsplit(postgres_database.url).port or 5432).start()
    receiver = SentryReceiver().start()
    server = start_gunicorn(
        tmp_path,
        production_env(DATABASE_URL=through(proxy, postgres_database.url), SENTRY_DSN=receiver.dsn),
        workers=2,
        wait_path="/health",
    )
    generator = None
    before = content_rows(postgres_database)
    try:
        client = httpx.Client(base_url=server.url, timeout=30)
        login = {"username": TEACHER, "password": PASSWORD}
        token = client.post("/api/v1/auth/login", json=login).json()["access"]
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get("/health").status_code == 200

        generator = Generator(server.url, token)
        generator.start()
        # The database goes away while content is being generated: once both kinds have been
        # stored at least once (the generator posts back to back, so one is under way).
        generator.wait_for(lambda s: {("quiz", 201), ("terrain", 201)} <= set(s), "generating")
        proxy.stop()  # returns once every connection is dropped and new ones are refused

        # Every kind of request answers a clean 503 JSON, never a 500 or a crash page.
        assert_unavailable(client.post("/api/v1/auth/login", json=login))
        assert_unavailable(client.get("/api/v1/auth/me", headers=auth))
        assert_unavailable(client.get("/api/v1/quizzes", headers=auth))
        assert_unavailable(client.post("/api/v1/quizzes/generate", json=QUIZ, headers=auth))
        django_path = client.get("/admin/", headers={"Cookie": "sessionid=" + "x" * 32})
        assert_unavailable(django_path)  # the admin's session lookup: Django's own handler
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unhealthy"
        assert health.json()["checks"]["database"]["status"] == "unhealthy"
        # Requests that need no database still work.
        assert client.get("/sentry/status", headers=SCRAPER).status_code == 200

        # The generator met the outage too, before the database comes back.
        generator.wait_for(lambda s: ("quiz", 503) in s or ("terrain", 503) in s, "a 503")
        proxy.start()
        deadline = time.monotonic() + 10
        while client.get("/health").status_code != 200:
            assert time.monotonic() < deadline, "the service did not resume by itself"
            time.sleep(0.1)
        # ...and generates again, without a restart: both kinds stored after the outage.
        resumed = len(generator.statuses)
        generator.wait_for(
            lambda s: {("quiz", 201), ("terrain", 201)} <= set(s[resumed:]), "generating again"
        )
        generator.stop()

        assert client.get("/api/v1/auth/me", headers=auth).status_code == 200
        assert client.post("/api/v1/quizzes/generate", json=QUIZ, headers=auth).status_code == 201
        statuses = {status for _, status in generator.statuses}
        assert statuses <= {201, 503}, generator.statuses
        assert {201, 503} <= statuses, generator.statuses  # it did generate across the outage
    finally:
        if generator is not None:
            generator.stop()
        server.stop()
        proxy.stop()

    # Nothing half-written: every stored quiz is whole, every terrain has its script, and no
    # terrain script was stored without its terrain (the terrain write is one transaction).
    stored = {kind: count - before[kind] for kind, count in content_rows(postgres_database).items()}
    for kind in ("quiz", "terrain"):
        # Each 201 is a stored row (plus the one quiz made after the outage); a request cut off
        # after its commit may have stored a row and still answered 503, never the reverse.
        extra = 1 if kind == "quiz" else 0
        created = sum(1 for k, s in generator.statuses if k == kind and s == 201) + extra
        attempts = sum(1 for k, _ in generator.statuses if k == kind) + extra
        assert 0 < created <= stored[kind] <= attempts, (kind, stored, generator.statuses)

    # Sentry heard of the outage, as database errors grouped by component and type.
    events = receiver.wait_for(lambda r: r.events, timeout=5)
    receiver.stop()
    assert events
    assert {event["tags"]["error_category"] for event in events} == {"database"}
    fingerprints = {tuple(event["fingerprint"]) for event in events}
    assert {f[1:] for f in fingerprints} <= {("database", "OperationalError")}, fingerprints
