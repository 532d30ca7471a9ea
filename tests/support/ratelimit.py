"""A fixture to lower the per-user rate limits in one test, counting apart from every other test.

Counters live in the shared cache and are keyed by user id, which the next run (or a server test's
own database) reuses: a key prefix of its own keeps each test's counts to itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from monitoring.env import RateLimit

SetRateLimit = Callable[..., None]


@pytest.fixture
def rate_limit(settings) -> SetRateLimit:
    """``rate_limit("terrain_generate", 2)``: two requests per user and hour in that scope."""
    settings.REDIS_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
    settings.RATE_LIMITS = dict(settings.RATE_LIMITS)

    def set_limit(scope: str, count: int, seconds: int = 3600) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: RateLimit(count, seconds)}

    return set_limit
