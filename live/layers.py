"""The channel layer's configuration, for settings and for tests alike.

No Django imports here: ``toolbox.settings`` reads it while settings are being built.
"""

from __future__ import annotations

from typing import Any

# redis-py 8 reads with a 5 s socket timeout by default: exactly channels-redis's blocking pop
# (BZPOPMIN, 5 s), so an idle socket's receive would fail with a TimeoutError every few seconds.
# Three times the pop leaves room, and still notices a Redis that went away.
REDIS_SOCKET_TIMEOUT_SECONDS = 15
# redis-py 8 also caps an asyncio pool at 100 connections and fails (MaxConnectionsError) past
# that, rather than waiting: a burst of sockets opening at once (each joins a group) needs more.
# Connections are reused once the burst is over.
REDIS_MAX_CONNECTIONS = 1000


def channel_layers(redis_url: str, prefix: str) -> dict[str, Any]:
    """Redis (shared by every instance) when ``redis_url`` is set, else in this process only."""
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": redis_url,
                        "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                        "max_connections": REDIS_MAX_CONNECTIONS,
                    }
                ],
                "prefix": prefix,
            },
        }
    }
