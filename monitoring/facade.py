"""The spec's facade, ``sentry_manager``: user, custom context, tags and breadcrumbs.

Every call is a no-op when Sentry is off (:func:`~monitoring.guards.when_sentry_active`), never
raises, and obeys the PII rule: with ``SENTRY_SEND_DEFAULT_PII`` off only an opaque user id, the
role and permission names leave the process, because many of our users are children.
``add_breadcrumb``, ``set_context`` and ``set_user_context`` are its bound methods, for callers
that want one function.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.utils import capture_internal_exceptions

from monitoring.guards import send_pii, when_sentry_active
from monitoring.users import PII_USER_FIELDS

__all__ = [
    "SentryManager",
    "add_breadcrumb",
    "capture_exception",
    "sentry_manager",
    "set_context",
    "set_user_context",
]


class SentryManager:
    """The spec's ``sentry_manager`` facade over the current scopes."""

    @when_sentry_active()
    def set_user_context(
        self,
        user_id: Any,
        username: str | None = None,
        email: str | None = None,
        role: str | None = None,
        **extra: Any,
    ) -> None:
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

    @when_sentry_active()
    def set_context(self, name: str, data: dict[str, Any]) -> None:
        with capture_internal_exceptions():
            sentry_sdk.get_isolation_scope().set_context(name, dict(data))

    @when_sentry_active()
    def set_tag(self, key: str, value: str) -> None:
        with capture_internal_exceptions():
            sentry_sdk.get_isolation_scope().set_tag(key, value)

    @when_sentry_active()
    def add_breadcrumb(
        self,
        message: str,
        category: str = "custom",
        level: str = "info",
        data: dict[str, Any] | None = None,
    ) -> None:
        with capture_internal_exceptions():
            payload = dict(data or {})
            if not send_pii():
                for field in PII_USER_FIELDS:
                    payload.pop(field, None)
            sentry_sdk.add_breadcrumb(message=message, category=category, level=level, data=payload)

    @when_sentry_active()
    def capture_exception(
        self, error: BaseException | None = None, **scope_kwargs: Any
    ) -> str | None:
        """``sentry_sdk.capture_exception`` while Sentry is on; with it off, nothing at all.

        The SDK builds the whole event before it asks whether a client will send it: every
        frame's local variables go through its serializer, and without a client the guard of its
        Django integration is not set up, so an unevaluated QuerySet among them runs its query,
        against a database that may be what just failed (a pool with no connection to lend made
        a 503 wait 10 s per QuerySet).
        """
        return sentry_sdk.capture_exception(error, **scope_kwargs)


sentry_manager = SentryManager()
add_breadcrumb = sentry_manager.add_breadcrumb
capture_exception = sentry_manager.capture_exception
set_context = sentry_manager.set_context
set_user_context = sentry_manager.set_user_context
