"""ASGI middleware for sockets: a Sentry scope per connection, then token authentication."""

from __future__ import annotations

from typing import Any

import sentry_sdk
import structlog
from channels.middleware import BaseMiddleware

from live.auth import (
    AuthenticationFailed,
    headers_without_token,
    identify_async,
    identify_session_async,
    origin_is_same_site,
    session_cookie,
    split_subprotocols,
)


class ConnectionScopeMiddleware(BaseMiddleware):
    """Everything a connection records (its user, breadcrumbs, log context) stays with it.

    Outermost, so that even authentication's breadcrumbs land in the connection's own isolation
    scope and not in the process-wide one that every other connection would then carry.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        with sentry_sdk.isolation_scope() as isolation:
            isolation.clear_breadcrumbs()
            structlog.contextvars.clear_contextvars()
            return await super().__call__(scope, receive, send)


class TokenAuthMiddleware(BaseMiddleware):
    """Authenticates a ``bearer.<token>`` subprotocol and strips the token from the scope; else a
    Django session cookie, only from one of our own pages (``live.auth.origin_is_same_site``).

    Sets ``scope["identity"]`` (a :class:`live.auth.Identity` or None) and ``scope["auth_error"]``
    (why an offered token was refused, or None). The consumer decides what either means.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") != "websocket":
            return await super().__call__(scope, receive, send)
        offered, token = split_subprotocols(list(scope.get("subprotocols") or []))
        scope = dict(scope)
        scope["subprotocols"] = offered
        scope["headers"] = headers_without_token(list(scope.get("headers") or []))
        scope["identity"] = None
        scope["auth_error"] = None
        if token is not None:
            try:
                scope["identity"] = await identify_async(token)
            except AuthenticationFailed as exc:
                scope["auth_error"] = str(exc)
        elif origin_is_same_site(scope["headers"]):
            session_key = session_cookie(scope["headers"])
            if session_key is not None:
                try:
                    scope["identity"] = await identify_session_async(session_key)
                except AuthenticationFailed:
                    pass  # not signed in: the client may still authenticate with a frame
        return await super().__call__(scope, receive, send)


def websocket_stack(inner: Any) -> Any:
    """The middleware every socket route goes through, outermost first."""
    return ConnectionScopeMiddleware(TokenAuthMiddleware(inner))
