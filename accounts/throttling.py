"""Throttle repeated failed logins (Ninja's throttling API, counting failures only)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle


class LoginFailureThrottle(BaseThrottle):
    """Refuse logins from a client after too many recent failures.

    Unlike Ninja's rate throttles this counts only failed attempts (recorded by the login
    service), so a teacher who types the password right is never slowed down.
    """

    def _key(self, request: HttpRequest) -> str:
        ident = self.get_ident(request) or "unknown"
        return "login-failures:" + hashlib.sha256(ident.encode()).hexdigest()[:32]

    def allow_request(self, request: HttpRequest) -> bool:
        return cache.get(self._key(request), 0) < settings.LOGIN_FAILURE_LIMIT

    def wait(self) -> float | None:
        return float(settings.LOGIN_FAILURE_WINDOW)

    def record_failure(self, request: HttpRequest) -> None:
        key = self._key(request)
        if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)

    def reset(self, request: HttpRequest) -> None:
        cache.delete(self._key(request))


login_failure_throttle = LoginFailureThrottle()
