"""What the Sentry browser SDK on a page is told (rendered by browser_monitoring.html)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from monitoring.effective import effective_sample_rates
from monitoring.guards import when_sentry_active
from monitoring.runtime import current

TUNNEL_PATH = "/api/v1/sentry-tunnel"

# Session replay records what a person sees and does. Children (students) are never recorded,
# nor anyone not signed in (the sign-in page is used by children too).
REPLAY_ROLES = frozenset({"teacher", "admin"})


def dsn_parts(dsn: str) -> tuple[str, str, int | None, str, str] | None:
    """(scheme, host, port, public key, project id) of a DSN, or None if it is not one."""
    try:
        parts = urlsplit(dsn)
        port = parts.port
    except (ValueError, TypeError, AttributeError):
        return None
    project = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if not (parts.username and parts.hostname and project.isdigit()):
        return None
    return (parts.scheme, parts.hostname.lower(), port, parts.username, project)


@when_sentry_active(fallback=str)
def browser_dsn() -> str:
    """The DSN browser envelopes must name; "" when browser monitoring is off."""
    return settings.SENTRY.effective_browser_dsn


def replay_allowed(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and (getattr(user, "role", None) in REPLAY_ROLES or getattr(user, "is_superuser", False))
    )


def browser_user(user: Any) -> dict[str, str] | None:
    """The opaque id and role: the same id the server's events carry (monitoring.users), and
    nothing that names a person, whatever SENTRY_SEND_DEFAULT_PII says."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    data = {"id": str(user.pk)}
    role = getattr(user, "role", None)
    if role:
        data["role"] = str(role)
    return data


def browser_config(user: Any) -> dict[str, Any] | None:
    """The SDK options for a page seen by ``user``; None when browser monitoring is off."""
    dsn = browser_dsn()
    if not dsn:
        return None
    config = settings.SENTRY
    runtime = current()
    replay = None
    if replay_allowed(user):
        replay = {
            "sessionSampleRate": runtime.replays_session_sample_rate,
            "onErrorSampleRate": runtime.replays_on_error_sample_rate,
        }
    return {
        "dsn": dsn,
        "tunnel": TUNNEL_PATH,
        "environment": config.environment,
        "release": config.release,
        "tracesSampleRate": float(effective_sample_rates()["traces"].value),
        "user": browser_user(user),
        "replay": replay,
    }
