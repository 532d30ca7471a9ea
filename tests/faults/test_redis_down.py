"""Redis goes away mid-run and comes back: HTTP keeps working (login throttling counts in the
worker's memory, so does the circuit breaker), /health says degraded, nothing is reported to
Sentry as an error, and everything returns to Redis without a restart.

gunicorn (production settings, one worker, an LLM configured so that lessons go through the
circuit breaker) reaches Redis through a TCP proxy that the test stops and starts again.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from accounts.throttling import SHARED_CACHE_RETRY_SECONDS
from tests.faults.support import TEACHER, TEACHER_PASSWORD, production_env
from tests.faults.tcp_proxy import TcpProxy
from tests.support.fake_openai import LLM_TITLE_PREFIX, fake_openai
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.slow

PASSWORD = TEACHER_PASSWORD
REDIS_DB = 13  # apart from the suite's own keys
FAILURE_LIMIT = 3
LESSON = {
    "subject": "science",
    "grade_level": 4,
    "learning_objectives": ["Describe the water cycle"],
    "seed": 1,
}


@pytest.fixture
def redis_port():
    url = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    port = url.port or 6379
    client = redis.Redis(host=url.hostname or "127.0.0.1", port=port, db=REDIS_DB)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at port {port}")
    client.flushdb()
    yield port
    client.flushdb()


def login(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": TEACHER, "password": password})


def failure_keys(port: int) -> list[bytes]:
    return redis.Redis(port=port, db=REDIS_DB).keys("*login-failures*")


def test_redis_down__http_keeps_working_health_degraded_then_back_without_restart(
    tmp_path, redis_port, server_database
):
    proxy = TcpProxy(redis_port).start()
    receiver = SentryReceiver().start()
    with fake_openai() as llm:
        env = production_env(
            DATABASE_URL=server_database.url,
            REDIS_URL=f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}",
            SENTRY_DSN=receiver.dsn,
            OPENAI_API_KEY="sk-test-redis-fault-0123456789",
            OPENAI_BASE_URL=llm.base_url,
            LOGIN_FAILURE_LIMIT=str(FAILURE_LIMIT),
        )
        server = start_gunicorn(tmp_path, env, workers=1, wait_path="/health")
        try:
            client = httpx.Client(base_url=server.url, timeout=30)
            token = login(client).json()["access"]
            auth = {"Authorization": f"Bearer {token}"}
            lesson = client.post("/api/v1/content/generate", json=LESSON, headers=auth)
            assert lesson.json()["provider"] == "openai"
            assert login(client, "wrong").status_code == 401
            assert failure_keys(redis_port)  # counted in Redis, shared by every worker
            assert client.get("/health").json()["checks"]["cache"]["status"] == "healthy"

            # Redis stops answering: cache calls give up after 0.5 s, then the throttle
            # counts in memory without asking Redis again for a while.
            proxy.hang()
            started = time.monotonic()
            assert login(client).status_code == 200
            assert time.monotonic() - started < 1.5
            started = time.monotonic()
            lesson = client.post("/api/v1/content/generate", json=LESSON, headers=auth)
            assert lesson.status_code == 201, lesson.text
            # The breaker's first Redis call gives up after 0.5 s; the rest use memory.
            assert time.monotonic() - started < 1.5
            started = time.monotonic()
            lesson = client.post("/api/v1/content/generate", json=LESSON, headers=auth)
            assert lesson.json()["provider"] == "openai"
            assert time.monotonic() - started < 0.5, "no call waits on a Redis known to be down"
            health = client.get("/health").json()
            assert (health["status"], health["checks"]["cache"]["status"]) == ("degraded",) * 2

            # Redis is gone: connections refused.
            proxy.stop()
            went_down = time.monotonic()
            # Logins work; failures are still throttled, counted in the worker's memory.
            assert login(client).status_code == 200
            statuses = [login(client, "wrong").status_code for _ in range(FAILURE_LIMIT + 1)]
            assert statuses == [401] * FAILURE_LIMIT + [429]
            # Content generation works: the breaker's state is in the worker's memory.
            lesson = client.post("/api/v1/content/generate", json=LESSON, headers=auth)
            assert lesson.status_code == 201, lesson.text
            assert lesson.json()["title"].startswith(LLM_TITLE_PREFIX)
            health = client.get("/health")
            assert health.status_code == 200
            assert health.json()["status"] == "degraded"
            cache = health.json()["checks"]["cache"]
            assert cache.pop("latency_ms") >= 0
            assert cache == {"status": "degraded", "message": "cache unreachable"}
            assert time.monotonic() - went_down < 3, "a refused Redis must not slow requests"

            proxy.start()
            assert client.get("/health").json()["status"] == "healthy"
            # The login throttle tries Redis again after a while (429 until then: the worker's
            # own count), and counts there again.
            redis.Redis(port=redis_port, db=REDIS_DB).flushdb()
            deadline = time.monotonic() + 2 * SHARED_CACHE_RETRY_SECONDS + 1
            while login(client, "wrong").status_code != 401:
                assert time.monotonic() < deadline, "login throttling did not return to Redis"
                time.sleep(0.25)
            assert failure_keys(redis_port)
            lesson = client.post("/api/v1/content/generate", json=LESSON, headers=auth)
            assert lesson.json()["provider"] == "openai"
            # An outage of a dependency with a fallback is a warning (a breadcrumb and a log
            # line), not an error event: each breaker read would have been one.
            errors = [event for event in receiver.events if event.get("level") == "error"]
            assert errors == [], [
                event.get("logentry") or event.get("exception") for event in errors
            ]
        finally:
            server.stop()
            proxy.stop()
            receiver.stop()
