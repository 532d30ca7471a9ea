"""The consumers' dispatch loop ends its receives even when one swallows a cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.exceptions import StopConsumer

from live.dispatch import dispatch_until_stopped


def test_dispatch_until_stopped__a_receive_that_swallows_one_cancel_still_ends():
    # What Python 3.11's asyncio.wait_for does to a cancel that lands as redis-py connects.
    swallowed = []
    ended = []

    async def stubborn_receive():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.append(True)
        try:
            await asyncio.sleep(3600)
        finally:
            ended.append(True)

    async def one_message():
        return {"type": "websocket.disconnect"}

    async def dispatch(message):
        raise StopConsumer()

    async def scenario():
        started = time.monotonic()
        with pytest.raises(StopConsumer):
            await dispatch_until_stopped([one_message, stubborn_receive], dispatch)
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 2
    assert swallowed == [True] and ended == [True]
