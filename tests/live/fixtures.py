"""Channel layers for in-process socket tests: in memory by default, Redis where it matters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from live.layers import channel_layers
from tests.live.support import REDIS_URL, RUN_PREFIX


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
