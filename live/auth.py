"""WebSocket authentication with the API's JWT access tokens, without ever exposing them.

A client authenticates in one of two ways:

* it offers the subprotocols ``toolbox.v1`` and ``bearer.<access token>`` (what a browser can do:
  it cannot set headers on a WebSocket); the server selects ``toolbox.v1``;
* or it sends ``{"type": "auth", "token": "<access token>"}`` as its first frame, within
  :data:`~live.protocol.AUTH_TIMEOUT_SECONDS`;
* or, for the classroom's own pages (``classroom/``), the browser sends the Django session
  cookie of a signed-in page. A cookie is sent by the browser whatever page opens the socket,
  so it is accepted only when the handshake's ``Origin`` is this site (its host is the
  ``Host`` the socket was opened on, and in ``ALLOWED_HOSTS``): another site's page cannot
  open a socket in the user's name (cross-site WebSocket hijacking).

A token in the URL's query string is never read: servers and proxies log URLs. The middleware
(``live.middleware.TokenAuthMiddleware``) removes the token from the ASGI scope (``subprotocols``
and the raw header) before anything else sees it, so no log line, breadcrumb or event carries it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from ninja.errors import HttpError

from accounts.auth import JWTAuth
from accounts.models import User
from accounts.selectors import token_session_user
from live.protocol import BEARER_PREFIX
from monitoring.guards import send_pii
from monitoring.users import user_context

PROTOCOL_HEADER = b"sec-websocket-protocol"


@dataclass(frozen=True)
class Identity:
    """Who a token belongs to, with the Sentry user context computed where queries are allowed,
    and the token's claims and expiry (an open socket's session ends with its token)."""

    user: User
    sentry_user: dict[str, Any]
    claims: dict[str, Any]
    expires_at: float  # seconds since the epoch
    # Set for a socket authenticated by a Django session cookie (no token claims then).
    session_key: str | None = None


class AuthenticationFailed(Exception):
    """The token is malformed, expired, revoked, or its user is inactive."""


def split_subprotocols(offered: list[str]) -> tuple[list[str], str | None]:
    """The offered subprotocols without the bearer token, and the token (if one was offered)."""
    token = None
    kept = []
    for protocol in offered:
        if protocol.startswith(BEARER_PREFIX):
            token = protocol[len(BEARER_PREFIX) :] or None
        else:
            kept.append(protocol)
    return kept, token


def headers_without_token(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    cleaned = []
    for name, value in headers:
        if name.lower() == PROTOCOL_HEADER:
            protocols = [p.strip() for p in value.decode("latin-1").split(",")]
            value = ", ".join(p for p in protocols if not p.startswith(BEARER_PREFIX)).encode()
            if not value:
                continue
        cleaned.append((name, value))
    return cleaned


def identify(token: str) -> Identity:
    """The active user a valid access token belongs to; raises :class:`AuthenticationFailed`.

    The API's own bearer authentication decides (signature, expiry, type, revocation, active
    user), so a token is valid on a socket exactly when it is valid on the API.
    """
    holder = SimpleNamespace()
    try:
        user = JWTAuth().authenticate(holder, token)  # type: ignore[arg-type]
    except HttpError as exc:
        raise AuthenticationFailed(str(exc)) from None
    if user is None:
        raise AuthenticationFailed("Invalid access token")
    claims = holder.token_claims
    return Identity(
        user=user,
        sentry_user=user_context(user, pii=send_pii()),
        claims=claims,
        expires_at=float(claims["exp"]),
    )


identify_async = database_sync_to_async(identify)


def _session_user(session_key: str) -> tuple[User | None, float]:
    """The user a Django session is signed in as (None when it is not, ended, or the password
    changed since: Django's own check) and when the session expires."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore(session_key)
    user = get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
    if not user.is_authenticated or not user.is_active:
        return None, 0.0
    return user, session.get_expiry_date().timestamp()


def origin_is_same_site(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the handshake comes from one of our own pages: an ``Origin`` whose host is the
    ``Host`` header's and is allowed (``ALLOWED_HOSTS``). Browsers always send ``Origin`` on a
    WebSocket handshake and a page cannot forge it."""
    values = {name.lower(): value.decode("latin-1") for name, value in headers}
    origin, host = values.get(b"origin"), values.get(b"host")
    if not origin or not host:
        return False
    parsed = urlsplit(origin)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return False
    if parsed.netloc.lower() != host.lower():
        return False
    hostname, _ = split_domain_port(parsed.netloc)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(hostname) and validate_host(hostname, allowed)


def session_cookie(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The Django session cookie's value from the handshake's ``Cookie`` header."""
    for name, value in headers:
        if name.lower() == b"cookie":
            cookies = parse_cookie(value.decode("latin-1"))
            if settings.SESSION_COOKIE_NAME in cookies:
                return cookies[settings.SESSION_COOKIE_NAME] or None
    return None


def identify_session(session_key: str) -> Identity:
    """The active user signed in with this Django session; raises :class:`AuthenticationFailed`."""
    user, expires_at = _session_user(session_key)
    if user is None:
        raise AuthenticationFailed("Not signed in")
    return Identity(
        user=user,
        sentry_user=user_context(user, pii=send_pii()),
        claims={},
        expires_at=expires_at,
        session_key=session_key,
    )


identify_session_async = database_sync_to_async(identify_session)


def session_ended(identity: Identity) -> str | None:
    """Why the session of an open socket is over (token expired or revoked, user deactivated),
    or None while it is not: the API would now refuse the same token."""
    if identity.session_key is not None:
        # Signed out, the session expired or was flushed, the password changed, deactivated.
        user, _ = _session_user(identity.session_key)
        if user is None or user.pk != identity.user.pk:
            return "Signed out"
        return None
    if time.time() >= identity.expires_at:
        return "Access token expired"
    # The API's own check (one query): logout, a reused refresh token, a password change or
    # deactivation all end the login session the token belongs to.
    if token_session_user(claims=identity.claims) is None:
        if not User.objects.filter(pk=identity.user.pk, is_active=True).exists():
            return "User inactive"  # only on the way out: the common case stays one query
        return "Access token revoked"
    return None


session_ended_async = database_sync_to_async(session_ended)
