"""Throttle repeated failed logins (Ninja's throttling API, counting failures only).

Failures are counted in the shared cache (Redis when configured), so every worker sees them.
While that cache cannot be reached, logins keep working: this process counts in its own memory
and tries the shared cache again after ``SHARED_CACHE_RETRY_SECONDS``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle
from redis import RedisError

logger = logging.getLogger(__name__)

SHARED_CACHE_RETRY_SECONDS = 5.0


class FailureCounts:
    """The shared cache, or this process's memory while the shared cache is unreachable."""

    def __init__(self) -> None:
        self._local = LocMemCache("toolbox-login-failures", {})
        self._shared_down_until = 0.0  # time.monotonic(); a float store is atomic

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._shared_down_until:
            try:
                return getattr(cache, operation)(*args, **kwargs)
            except (RedisError, OSError) as exc:
                self._shared_down_until = time.monotonic() + SHARED_CACHE_RETRY_SECONDS
                logger.warning(
                    "login failures counted in memory for %.0f s: shared cache unreachable (%s)",
                    SHARED_CACHE_RETRY_SECONDS,
                    type(exc).__name__,
                )
        return getattr(self._local, operation)(*args, **kwargs)

    def get(self, key: str, default: int) -> int:
        return self._call("get", key, default)

    def add(self, key: str, value: int, timeout: int) -> bool:
        return self._call("add", key, value, timeout=timeout)

    def incr(self, key: str) -> int:
        return self._call("incr", key)

    def delete(self, key: str) -> None:
        self._call("delete", key)


class LoginFailureThrottle(BaseThrottle):
    """Refuse logins from a client after too many recent failures.

    Unlike Ninja's rate throttles this counts only failed attempts (recorded by the login
    service), so a teacher who types the password right is never slowed down.
    """

    def __init__(self) -> None:
        self.counts = FailureCounts()

    def _key(self, request: HttpRequest) -> str:
        ident = self.get_ident(request) or "unknown"
        return "login-failures:" + hashlib.sha256(ident.encode()).hexdigest()[:32]

    def allow_request(self, request: HttpRequest) -> bool:
        return self.counts.get(self._key(request), 0) < settings.LOGIN_FAILURE_LIMIT

    def wait(self) -> float | None:
        return float(settings.LOGIN_FAILURE_WINDOW)

    def record_failure(self, request: HttpRequest) -> None:
        key = self._key(request)
        if self.counts.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
            return
        try:
            self.counts.incr(key)
        except ValueError:  # expired between add and incr
            self.counts.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)

    def reset(self, request: HttpRequest) -> None:
        self.counts.delete(self._key(request))


login_failure_throttle = LoginFailureThrottle()
