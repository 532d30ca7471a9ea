"""What every log line of a request says about who made it (structlog's context variables).

Only the opaque user id and the role: log files are kept longer than events, and many of our
users are children. The request id is bound by ``RequestContextMiddleware``.
"""

from __future__ import annotations

from typing import Any

import structlog

__all__ = ["bind_user"]


def bind_user(user: Any) -> None:
    """Put the authenticated user's opaque id and role on every log line of this request."""
    structlog.contextvars.bind_contextvars(
        user_id=str(user.pk), role=getattr(user, "role", None) or "unknown"
    )
