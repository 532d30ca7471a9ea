"""Who is asking: the request's user and the context Sentry events carry about them.

With ``SENTRY_SEND_DEFAULT_PII`` off only an opaque user id, the role and permission names leave
the process, because many of our users are children; ``PII_USER_FIELDS`` are the fields that go
only with it on.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SynchronousOnlyOperation
from django.utils.functional import SimpleLazyObject, empty

from monitoring.permissions import permission_names

__all__ = ["PII_USER_FIELDS", "resolved_user", "user_context"]

PII_USER_FIELDS = ("username", "email", "ip_address")


def resolved_user(request: Any) -> Any | None:
    """The request's user if authentication has already resolved it; never forces a lazy user."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped if user._wrapped is not empty else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


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
