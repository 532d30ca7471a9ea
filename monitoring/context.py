"""Who, what and where: user, request and application context for Sentry events.

``sentry_manager`` is the spec's facade (``set_user_context``, ``set_context``,
``add_breadcrumb``). Every call is a no-op when Sentry is off, never raises, and obeys the PII
rule: with ``SENTRY_SEND_DEFAULT_PII`` off only an opaque user id, the role and permission names
leave the process, because many of our users are children.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import sentry_sdk
from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.utils.functional import SimpleLazyObject, empty
from sentry_sdk.utils import capture_internal_exceptions

logger = logging.getLogger(__name__)

PII_USER_FIELDS = ("username", "email", "ip_address")

# Loading a user's permissions costs two queries (a superuser's: every permission), and the user
# context is built for every traced request: each process keeps a short-lived copy per user.
# A change of permissions or groups clears this process's copies at once (see
# ``forget_permissions``); other processes (and deletions of whole groups or permissions, which
# send no m2m signal) are seen within PERMISSIONS_CACHE_SECONDS.
PERMISSIONS_CACHE_SECONDS = 60.0
_PERMISSIONS_CACHE_SIZE = 10_000
_permissions_lock = threading.Lock()
_permissions: dict[tuple[Any, ...], tuple[float, tuple[str, ...]]] = {}


def send_pii() -> bool:
    return settings.SENTRY.send_default_pii


def sentry_active() -> bool:
    return sentry_sdk.get_client().is_active()


def resolved_user(request: Any) -> Any | None:
    """The request's user if authentication has already resolved it; never forces a lazy user."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped if user._wrapped is not empty else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def permission_names(user: Any) -> list[str]:
    """``sorted(user.get_all_permissions())``, from this process's copy when it is recent.

    Raises ``SynchronousOnlyOperation`` like ``get_all_permissions`` when it has to query from an
    event loop.
    """
    if hasattr(user, "_perm_cache"):  # the request has loaded them already (ModelBackend)
        return sorted(user.get_all_permissions())
    # Part of the key: what changes the answer (active, superuser), and when the account was
    # created, so that a new account that reuses a deleted one's id starts afresh.
    key = (
        user.pk,
        getattr(user, "date_joined", None),
        bool(getattr(user, "is_active", True)),
        bool(getattr(user, "is_superuser", False)),
    )
    now = time.monotonic()
    cached = _permissions.get(key)
    if cached is not None and now - cached[0] < PERMISSIONS_CACHE_SECONDS:
        return list(cached[1])
    names = sorted(user.get_all_permissions())
    with _permissions_lock:
        if len(_permissions) >= _PERMISSIONS_CACHE_SIZE:
            _permissions.clear()
        _permissions[key] = (now, tuple(names))
    return names


def forget_permissions(**kwargs: Any) -> None:
    """``m2m_changed`` receiver (user permissions, user groups, group permissions)."""
    with _permissions_lock:
        _permissions.clear()


def user_context(user: Any, *, pii: bool, ip_address: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(user.pk)}
    role = getattr(user, "role", None)
    if role:
        data["role"] = role
    last_active = getattr(user, "last_active", None)
    if last_active:
        data["last_active"] = last_active.isoformat()
    try:
        data["permissions"] = permission_names(user)
    except SynchronousOnlyOperation:
        pass  # async context and permissions not cached: not worth a blocking query
    if pii:
        data["username"] = user.get_username()
        if getattr(user, "email", ""):
            data["email"] = user.email
        if ip_address:
            data["ip_address"] = ip_address
    return data


class SentryManager:
    """The spec's ``sentry_manager`` facade over the current scopes."""

    def set_user_context(
        self,
        user_id: Any,
        username: str | None = None,
        email: str | None = None,
        role: str | None = None,
        **extra: Any,
    ) -> None:
        if not sentry_active():
            return
        with capture_internal_exceptions():
            data: dict[str, Any] = {"id": str(user_id), **extra}
            if role:
                data["role"] = role
            if send_pii():
                if username:
                    data["username"] = username
                if email:
                    data["email"] = email
            else:
                for field in PII_USER_FIELDS:
                    data.pop(field, None)
            scope = sentry_sdk.get_isolation_scope()
            scope.set_user(data)
            if role:
                scope.set_tag("user.role", role)

    def set_context(self, name: str, data: dict[str, Any]) -> None:
        if not sentry_active():
            return
        with capture_internal_exceptions():
            sentry_sdk.get_isolation_scope().set_context(name, dict(data))

    def set_tag(self, key: str, value: str) -> None:
        if not sentry_active():
            return
        with capture_internal_exceptions():
            sentry_sdk.get_isolation_scope().set_tag(key, value)

    def add_breadcrumb(
        self,
        message: str,
        category: str = "custom",
        level: str = "info",
        data: dict[str, Any] | None = None,
    ) -> None:
        if not sentry_active():
            return
        with capture_internal_exceptions():
            payload = dict(data or {})
            if not send_pii():
                for field in PII_USER_FIELDS:
                    payload.pop(field, None)
            sentry_sdk.add_breadcrumb(message=message, category=category, level=level, data=payload)


sentry_manager = SentryManager()
add_breadcrumb = sentry_manager.add_breadcrumb
set_context = sentry_manager.set_context
set_user_context = sentry_manager.set_user_context


def application_context(config: Any) -> dict[str, Any]:
    import os

    return {
        "process_id": os.getpid(),
        "environment": config.environment,
        "release": config.release,
        "server_name": config.server_name,
        "debug": config.debug,
    }


def bind_user(user: Any) -> None:
    """Put the authenticated user's opaque id and role on every log line of this request."""
    import structlog

    structlog.contextvars.bind_contextvars(
        user_id=str(user.pk), role=getattr(user, "role", None) or "unknown"
    )
