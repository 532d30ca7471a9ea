"""API authentication (JWT bearer or the admin session) and role checks."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from accounts import tokens
from accounts.models import User
from accounts.selectors import token_session_user
from accounts.services import user_mark_active
from monitoring.facade import add_breadcrumb
from monitoring.log_context import bind_user


def _record_authenticated(user: User, method: str) -> None:
    add_breadcrumb(
        message="Request authenticated",
        category="auth",
        data={"user_id": str(user.pk), "role": user.role, "method": method},
    )


class JWTAuth(HttpBearer):
    """``Authorization: Bearer <access token>``; sets ``request.user``."""

    def __call__(self, request: HttpRequest) -> User | None:
        # Ninja's HttpBearer logs a non-bearer Authorization header verbatim in DEBUG; a
        # credential must never reach a log line, so other schemes are simply not ours.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            claims = tokens.decode(token, tokens.ACCESS)
        except tokens.InvalidToken as exc:
            add_breadcrumb(
                message="Access token rejected", category="auth", level="warning",
                data={"reason": str(exc)},
            )  # fmt: skip
            raise HttpError(401, f"Invalid access token: {exc}") from None
        # One query: the token's login session, joined to its user (logout, reuse of a refresh
        # token, a password change and deactivation all end the session).
        user = token_session_user(claims=claims)
        if user is None:
            raise HttpError(401, "Invalid access token: token revoked")
        request.user = user
        request.token_claims = claims
        user_mark_active(user=user)
        bind_user(user)
        _record_authenticated(user, "jwt")
        return user


class SessionAuth(NinjaSessionAuth):
    """The Django session (staff using the admin), with Ninja's CSRF check."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session to forge requests with: skip the CSRF
        # check, so an anonymous caller hears 401 "Unauthorized", not 403 "CSRF check Failed".
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        if user is not None:
            user_mark_active(user=user)
            bind_user(user)
            _record_authenticated(user, "session")
        return user


api_auth = [JWTAuth(), SessionAuth()]


def require_role(request: HttpRequest, *roles: str) -> User:
    """The authenticated user, or a 403 naming the roles that may do this."""
    user = request.auth
    if user.role not in roles and not user.is_superuser:
        add_breadcrumb(
            message="Permission denied", category="auth", level="warning",
            data={"role": user.role, "required": list(roles), "path": request.path},
        )  # fmt: skip
        raise HttpError(403, f"This action requires the role {' or '.join(roles)}")
    return user
