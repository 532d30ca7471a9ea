"""A short-lived, per-process copy of each user's permission names, for the user context.

Loading a user's permissions costs two queries (a superuser's: every permission), and the user
context is built for every traced request: each process keeps a short-lived copy per user.
A change of permissions or groups clears this process's copies at once (see
:func:`forget_permissions`, connected in ``MonitoringConfig.ready``); other processes (and
deletions of whole groups or permissions, which send no m2m signal) are seen within
``PERMISSIONS_CACHE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["PERMISSIONS_CACHE_SECONDS", "forget_permissions", "permission_names"]

PERMISSIONS_CACHE_SECONDS = 60.0
_PERMISSIONS_CACHE_SIZE = 10_000
_permissions_lock = threading.Lock()
_permissions: dict[tuple[Any, ...], tuple[float, tuple[str, ...]]] = {}


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
