"""Helpers for socket tests: a communicator per user, frames, closes, Redis per test run, and the
channel layers (in memory by default, Redis where it matters)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import connection

from accounts import tokens
from accounts.models import User
from live.layers import channel_layers
from live.routing import websocket_application

# Redis: the environment's (CI sets REDIS_URL), else the local default; keys of this run only.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
RUN_PREFIX = f"toolbox-test-{uuid.uuid4().hex[:10]}"

TIMEOUT = 10  # seconds to wait for one frame: generous on a loaded two-core machine


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run an async scenario from a sync test. Database calls made with
    ``database_sync_to_async`` come back to the test's thread, and so to its database."""
    return async_to_sync(scenario)()


def access_token(user: User) -> str:
    """A new login session's access token. Opening a session writes its row, and scenarios
    call this from the event loop, where Django refuses queries: it runs on a thread of its
    own (the tests' databases are transactional, so the row is visible to the app)."""

    def issue() -> str:
        try:
            return tokens.issue_pair(user.pk, user.role).access
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(issue).result()


def bearer_protocols(user: User) -> list[str]:
    return ["toolbox.v1", f"bearer.{access_token(user)}"]


def socket(path: str, user: User | None = None, **kwargs: Any) -> WebsocketCommunicator:
    """A communicator on the real socket stack (middleware, router, consumers)."""
    if user is not None:
        kwargs.setdefault("subprotocols", bearer_protocols(user))
    return WebsocketCommunicator(websocket_application, path, **kwargs)


async def receive(communicator: WebsocketCommunicator, timeout: float = TIMEOUT) -> dict:
    return await communicator.receive_json_from(timeout=timeout)


async def receive_until(
    communicator: WebsocketCommunicator, predicate: Callable[[dict], bool], timeout: float = TIMEOUT
) -> list[dict]:
    """Frames up to and including the first for which ``predicate`` is true."""
    frames = []
    while True:
        frame = await receive(communicator, timeout)
        frames.append(frame)
        if predicate(frame):
            return frames


async def closed_with(communicator: WebsocketCommunicator, timeout: float = TIMEOUT) -> int:
    """The close code the server sent (skipping frames sent before it)."""
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code", 1000)


async def send(communicator: WebsocketCommunicator, frame: Any) -> None:
    await communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))


@pytest.fixture(autouse=True)
def channel_layer(settings) -> Iterator[None]:
    """A fresh in-memory layer per test (Channels re-creates layers when the setting changes)."""
    settings.CHANNEL_LAYERS = channel_layers("", prefix="")
    yield


@pytest.fixture
def redis_channel_layer(settings) -> Iterator[str]:
    """The Redis layer, under keys of this test run only; yields the key prefix."""
    prefix = f"{RUN_PREFIX}:asgi"
    settings.CHANNEL_LAYERS = channel_layers(REDIS_URL, prefix=prefix)
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
