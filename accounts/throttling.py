"""Throttle failed logins, per account and per client address, for the API and the admin.

The policy real products use:

- **Per account** (the attempted username, whether or not such a user exists, so a response
  never tells whether an account exists): after ``LOGIN_FAILURE_LIMIT`` failures within
  ``LOGIN_FAILURE_WINDOW_SECONDS`` the account's password login is locked for that window; each
  further lockout within a day doubles it, up to ``LOGIN_LOCKOUT_MAX_SECONDS``. A successful
  login resets only its own account.
- **Per client address** (``monitoring.network.client_address``: the socket peer unless trusted
  proxies say otherwise, so a client cannot pick a new ``X-Forwarded-For`` per try): a much
  higher ceiling, ``LOGIN_CLIENT_FAILURE_LIMIT`` failures per window, so one school network
  behind one address is not locked out by a few children's typos, while password spraying from
  one address is stopped. A success does not reset it.

Both the JWT login and the admin's login form go through ``django.contrib.auth.authenticate``:
:class:`LoginLockoutBackend` (first in ``AUTHENTICATION_BACKENDS``) refuses a locked login before
any password is checked, and the ``user_login_failed`` / ``user_logged_in`` receivers count.

Counts live in the shared cache (Redis when configured), so every worker sees them, under
hashed keys (no username or address is stored in clear). While that cache cannot be reached,
logins keep working: this process counts in its own memory and tries the shared cache again
after ``SHARED_CACHE_RETRY_SECONDS``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest
from redis import RedisError

from monitoring.network import client_address

logger = logging.getLogger(__name__)

SHARED_CACHE_RETRY_SECONDS = 5.0
# How long an account's lockouts are remembered for doubling the next one.
LOCKOUT_MEMORY_SECONDS = 24 * 3600


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

    def set(self, key: str, value: float, timeout: int) -> None:
        self._call("set", key, value, timeout=timeout)

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        return self._call("get_many", keys)

    def delete_many(self, keys: list[str]) -> None:
        self._call("delete_many", keys)

    def count(self, key: str, timeout: int) -> int:
        """Add one to a counter that expires ``timeout`` seconds after its first count."""
        if self.add(key, 1, timeout=timeout):
            return 1
        try:
            return self.incr(key)
        except ValueError:  # expired between add and incr
            self.add(key, 1, timeout=timeout)
            return 1


def _digest(kind: str, value: str) -> str:
    return f"login-failures:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


def account_key(username: str) -> str:
    """One account, however its name is typed (Unicode forms, case)."""
    return _digest("account", unicodedata.normalize("NFKC", username).casefold())


class LoginThrottle:
    """The login policy (see the module docstring) over :class:`FailureCounts`."""

    def __init__(self) -> None:
        self.counts = FailureCounts()

    @staticmethod
    def _keys(username: str, client: str) -> dict[str, str]:
        account = account_key(username)
        return {
            "account_failures": account,
            "account_locked": account + ":locked",
            "account_lockouts": account + ":lockouts",
            "client_failures": _digest("client", client),
            "client_locked": _digest("client", client) + ":locked",
        }

    def retry_after(self, *, username: str, client: str) -> int | None:
        """Seconds until this login may be tried, or None when it may be tried now."""
        keys = self._keys(username, client)
        found = self.counts.get_many([keys["account_locked"], keys["client_locked"]])
        until = max(found.values(), default=0)
        wait = until - time.time()
        return math.ceil(wait) if wait > 0 else None

    def record_failure(self, *, username: str, client: str) -> None:
        keys = self._keys(username, client)
        window = settings.LOGIN_FAILURE_WINDOW
        now = time.time()
        client_failures = self.counts.count(keys["client_failures"], window)
        if client_failures >= settings.LOGIN_CLIENT_FAILURE_LIMIT:
            self.counts.set(keys["client_locked"], now + window, timeout=window)
            self.counts.delete(keys["client_failures"])
            logger.warning("login failures: client address locked for %d s", window)
        if self.counts.count(keys["account_failures"], window) >= settings.LOGIN_FAILURE_LIMIT:
            lockouts = self.counts.count(keys["account_lockouts"], LOCKOUT_MEMORY_SECONDS)
            duration = min(window * 2 ** min(lockouts - 1, 32), settings.LOGIN_LOCKOUT_MAX)
            self.counts.set(keys["account_locked"], now + duration, timeout=duration)
            self.counts.delete(keys["account_failures"])
            logger.warning("login failures: account locked for %d s", duration)

    def record_success(self, *, username: str) -> None:
        """The account's own counts start over; the client's do not (a valid login of one's own
        account must not buy more guesses at others')."""
        keys = self._keys(username, "")
        self.counts.delete_many(
            [keys["account_failures"], keys["account_locked"], keys["account_lockouts"]]
        )


login_throttle = LoginThrottle()


def _attempt(request: HttpRequest | None, credentials: dict[str, Any]) -> tuple[str, str] | None:
    username = credentials.get("username")
    if not isinstance(username, str) or not username:
        return None
    client = client_address(request.META) if request is not None else ""
    return username, client or "unknown"


class LoginLockoutBackend(ModelBackend):
    """Django's model backend, refusing a locked login before any password is checked.

    ``PermissionDenied`` makes ``authenticate()`` stop and return None; the seconds to wait are
    left on the request as ``login_retry_after`` for the caller's answer (429, or the admin's
    form error).
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs):
        attempt = _attempt(request, {"username": username})
        wait = None
        if attempt is not None:
            wait = login_throttle.retry_after(username=attempt[0], client=attempt[1])
        if wait is None:
            return super().authenticate(request, username=username, **kwargs)
        if request is not None:
            request.login_retry_after = wait
        raise PermissionDenied("login locked")


@receiver(user_login_failed, dispatch_uid="accounts.throttling.count_failure")
def count_failure(sender: Any, credentials: dict[str, Any], request=None, **kwargs: Any) -> None:
    if request is not None and getattr(request, "login_retry_after", None):
        return  # refused while locked: not a guess, and it must not extend the lockout
    attempt = _attempt(request, credentials)
    if attempt is not None:
        login_throttle.record_failure(username=attempt[0], client=attempt[1])


@receiver(user_logged_in, dispatch_uid="accounts.throttling.reset_account")
def reset_account(sender: Any, request=None, user=None, **kwargs: Any) -> None:
    if user is not None:
        login_throttle.record_success(username=user.get_username())
