"""Per-user rate limits for the endpoints that cost CPU or LLM money.

Each signed-in user gets ``settings.RATE_LIMITS[scope]`` requests per fixed window (``30/hour``:
the clock hour) per scope; admins get ``RATE_LIMIT_ADMIN_MULTIPLIER`` times that. Over it, the
request is refused with 429, ``Retry-After`` (the seconds until the window ends) and Ninja's
``{"detail": ...}`` body, and counted in ``/metrics`` (``toolbox_rate_limited_total{scope}``).

Why admins are not exempt: an admin token is the most valuable one to steal, and a stolen one
must not buy unlimited LLM calls or CPU either; the multiplier keeps staff doing demos or bulk
preparation out of the way of the limit.

Counts live in the shared cache (Redis when configured), so every worker and instance sees the
same numbers; while it is unreachable each process counts in its own memory (the login
throttle's :class:`accounts.throttling.FailureCounts`), so a Redis outage never blocks
generation. Keys carry ``REDIS_KEY_PREFIX``, so deployments sharing a Redis never count together.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from ninja.errors import HttpError, Throttled

from accounts.models import Role, User
from accounts.throttling import FailureCounts
from monitoring.env import RateLimit
from monitoring.metrics import record_rate_limited

LESSON_GENERATE = "lesson_generate"
QUIZ_GENERATE = "quiz_generate"
TERRAIN_GENERATE = "terrain_generate"
SCRIPT_COMPILE = "script_compile"
FEEDBACK = "feedback"
BROWSER_ENVELOPES = "browser_envelopes"

_WHAT = {
    LESSON_GENERATE: "lesson generations",
    QUIZ_GENERATE: "quiz generations",
    TERRAIN_GENERATE: "terrain generations",
    SCRIPT_COMPILE: "script checks",
    FEEDBACK: "problem reports",
    BROWSER_ENVELOPES: "monitoring reports",
}

_counts = FailureCounts()


class RateLimited(Throttled):
    """429 for one user and scope; the API's error handler adds ``Retry-After`` from ``wait``."""

    def __init__(self, *, scope: str, wait: int) -> None:
        HttpError.__init__(
            self, 429, f"Too many {_WHAT.get(scope, 'requests')}: try again in {wait} s"
        )
        self.wait = wait
        self.scope = scope


def rate_limit_for(*, user: User, scope: str) -> tuple[int, int]:
    """(requests allowed, window in seconds) for ``user`` in ``scope``."""
    rate = settings.RATE_LIMITS[scope]
    staff = user.role == Role.ADMIN or user.is_superuser
    multiplier = settings.RATE_LIMIT_ADMIN_MULTIPLIER if staff else 1
    return rate.count * multiplier, rate.seconds


def rate_limit_consume(*, user: User, scope: str) -> None:
    """Count one request of ``user`` in ``scope``; raise :class:`RateLimited` when over the limit.

    A fixed window aligned on the clock: the key names the window, so it needs no TTL lookup
    to tell the client when to come back, and expires on its own one window later.
    """
    allowed, seconds = rate_limit_for(user=user, scope=scope)
    rate_limit_consume_key(key=str(user.pk), scope=scope, rate=RateLimit(allowed, seconds))


def rate_limit_consume_key(*, key: str, scope: str, rate: RateLimit) -> None:
    """Count one request of whoever ``key`` names (a user id, a client address) in ``scope``;
    raise :class:`RateLimited` when over ``rate``. For callers that are not (only) signed-in
    users, such as the Sentry tunnel, which limits per client address too."""
    allowed, seconds = rate.count, rate.seconds
    now = time.time()
    window = int(now // seconds)
    key = f"{settings.REDIS_KEY_PREFIX}:ratelimit:{scope}:{key}:{window}"
    if _counts.add(key, 1, timeout=seconds + 1):
        count = 1
    else:
        try:
            count = _counts.incr(key)
        except ValueError:  # expired between add and incr
            _counts.add(key, 1, timeout=seconds + 1)
            count = 1
    if count > allowed:
        record_rate_limited(scope=scope)
        raise RateLimited(scope=scope, wait=max(1, math.ceil((window + 1) * seconds - now)))
