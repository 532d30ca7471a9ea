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


def test_first_delivery__once_per_push_id_and_the_memory_is_bounded(monkeypatch):
    from collections import OrderedDict

    from live import tracking

    monkeypatch.setattr(tracking, "_recent_pushes", OrderedDict())
    monkeypatch.setattr(tracking, "RECENT_PUSHES_KEPT", 3)
    assert [tracking.first_delivery(i) for i in ("a", "a", "b", "a")] == [True, False, True, False]
    assert tracking.first_delivery(None) and tracking.first_delivery(None)  # no id: always
    for push_id in ("c", "d", "e"):
        tracking.first_delivery(push_id)
    assert list(tracking._recent_pushes) == ["c", "d", "e"]
    assert tracking.first_delivery("a")  # forgotten: a copy that late gets a transaction again
