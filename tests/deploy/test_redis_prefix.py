"""REDIS_KEY_PREFIX keeps deployments sharing one Redis apart.

Two deployments (different prefixes) on one Redis: locking logins on one must not lock them on
the other, a breaker opened by one stays closed for the other, and every key either writes
starts with its prefix.
"""

from __future__ import annotations

import contextlib
import os
import secrets

import httpx
import pytest
import redis

from providers.breaker import OPENAI, breakers_reset, get_breaker
from tests.support.deploy import ADMIN, ADMIN_PASSWORD
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.slow


@pytest.fixture
def shared_redis():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    yield url, client
    breakers_reset()


def httpx_post(server, body: dict) -> httpx.Response:
    return httpx.post(server.url + "/api/v1/auth/login", json=body, timeout=10)


def new_keys(client: redis.Redis, before: set[bytes]) -> list[str]:
    return sorted(key.decode() for key in set(client.scan_iter(count=1000)) - before)


def test_redis_key_prefix__login_lockout_of_one_deployment_spares_the_other(
    tmp_path, server_database, shared_redis
):
    url, client = shared_redis
    tag = secrets.token_hex(4)
    prefixes = (f"deploy-a-{tag}", f"deploy-b-{tag}")
    before = set(client.scan_iter(count=1000))
    servers = [
        start_gunicorn(
            tmp_path,
            {
                "DATABASE_URL": server_database.url,
                "REDIS_URL": url,
                "REDIS_KEY_PREFIX": prefix,
                "LOGIN_FAILURE_LIMIT": "3",
                "LOG_FILE": "",
            },
            wait_path="/health",
        )
        for prefix in prefixes
    ]
    first, second = servers
    try:
        wrong = {"username": ADMIN, "password": "not-the-password"}
        right = {"username": ADMIN, "password": ADMIN_PASSWORD}
        for _ in range(3):
            response = httpx_post(first, wrong)
            assert response.status_code == 401, response.text
        assert httpx_post(first, right).status_code == 429  # this deployment is locked...
        assert httpx_post(second, right).status_code == 200  # ...the other one is not
    finally:
        for server in servers:
            server.stop()
    written = new_keys(client, before)
    assert written, "the lockout was counted somewhere else than the shared Redis"
    assert all(key.startswith(prefixes) for key in written), written
    for key in written:
        client.delete(key)


def test_redis_key_prefix__breaker_opened_by_one_deployment_stays_closed_for_the_other(
    settings, shared_redis
):
    url, client = shared_redis
    tag = secrets.token_hex(4)
    before = set(client.scan_iter(count=1000))
    settings.REDIS_URL = url
    settings.LLM_BREAKER_FAIL_MAX = 1
    settings.REDIS_KEY_PREFIX = f"deploy-a-{tag}"
    first = get_breaker(OPENAI)
    with contextlib.suppress(RuntimeError), first.calling():
        raise RuntimeError("provider down")
    assert first.current_state == "open"

    settings.REDIS_KEY_PREFIX = f"deploy-b-{tag}"
    assert get_breaker(OPENAI).current_state == "closed"

    written = new_keys(client, before)
    prefixes = (f"deploy-a-{tag}:breaker:", f"deploy-b-{tag}:breaker:")
    assert written and all(key.startswith(prefixes) for key in written), written
    for key in written:
        client.delete(key)
