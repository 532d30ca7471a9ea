"""The consumers' receive loop: Channels' ``await_many_dispatch``, made to end every receive.

One ``cancel()`` is not always enough to end a channel layer's receive: on Python 3.11,
``asyncio.wait_for`` (which redis-py uses while it opens a connection) swallows a cancellation
that arrives just as the connection completes, and the receive then blocks in Redis (a 5 s
BZPOPMIN, again and again) until it is cancelled once more. Channels cancels once, which would
leave such a receive running after its socket has closed, holding a Redis connection and a
graceful shutdown up; here the cleanup cancels until the receive has ended.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger("live")

CANCEL_RETRY_SECONDS = 0.05


async def cancel_surely(task: asyncio.Future) -> None:
    """Cancel ``task`` until it has ended (see the module's docstring)."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_RETRY_SECONDS)
    if not task.cancelled() and task.exception() is not None:
        logger.info(
            "channel receive ended with an error while closing",
            extra={"error": type(task.exception()).__name__},
        )


async def dispatch_until_stopped(
    sources: list[Callable[[], Awaitable[dict[str, Any]]]],
    dispatch: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    """Channels' ``await_many_dispatch``, with a cleanup that cannot leave a receive behind."""
    tasks = [asyncio.ensure_future(source()) for source in sources]
    try:
        while True:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for index, task in enumerate(tasks):
                if task.done():
                    message = task.result()
                    await dispatch(message)
                    tasks[index] = asyncio.ensure_future(sources[index]())
    finally:
        for task in tasks:
            await cancel_surely(task)
