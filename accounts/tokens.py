"""JSON Web Tokens for the API: short-lived access tokens and rotating refresh tokens.

Every token names its login session (``fam``, a :class:`~accounts.models.TokenFamily`); a token
is valid only while that session is: see :func:`accounts.selectors.token_session_user`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.conf import settings

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"


class InvalidToken(Exception):
    """The token is malformed, expired, revoked or of the wrong type."""


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_in: int
    family_id: str
    refresh_jti: str
    refresh_expires_at: datetime


def _lifetime(kind: str) -> timedelta:
    seconds = settings.JWT_ACCESS_TTL if kind == ACCESS else settings.JWT_REFRESH_TTL
    return timedelta(seconds=seconds)


def new_jti() -> str:
    return uuid.uuid4().hex


def refresh_expiry(now: datetime) -> datetime:
    # JWT times are whole seconds: the session row must not outlive its token by a fraction.
    return (now + _lifetime(REFRESH)).replace(microsecond=0)


def encode(
    user_id: int,
    role: str,
    kind: str,
    *,
    family_id: str = "",
    jti: str | None = None,
    now: datetime | None = None,
) -> str:
    now = now or datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "role": role,
        "type": kind,
        "fam": family_id,
        "jti": jti or new_jti(),
        "iat": now,
        "exp": now + _lifetime(kind),
    }
    return jwt.encode(payload, settings.SECRET_KEY, algorithm=ALGORITHM)


def decode(token: str, kind: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "type", "jti", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token expired") from None
    except jwt.PyJWTError:
        raise InvalidToken("token invalid") from None
    if claims.get("type") != kind:
        raise InvalidToken(f"not an {kind} token" if kind == ACCESS else f"not a {kind} token")
    if not isinstance(claims.get("fam"), str) or not claims["fam"]:
        raise InvalidToken("token invalid")
    return claims


def encode_pair(user_id: int, role: str, *, family_id: str, refresh_jti: str) -> TokenPair:
    """The tokens of one session: the caller has recorded ``refresh_jti`` as its current one."""
    now = datetime.now(UTC)
    return TokenPair(
        access=encode(user_id, role, ACCESS, family_id=family_id, now=now),
        refresh=encode(user_id, role, REFRESH, family_id=family_id, jti=refresh_jti, now=now),
        access_expires_in=settings.JWT_ACCESS_TTL,
        family_id=family_id,
        refresh_jti=refresh_jti,
        refresh_expires_at=refresh_expiry(now),
    )


def issue_pair(user_id: int, role: str) -> TokenPair:
    """A new login session for a user, without a password (tests, benchmarks, tools).

    Kept for its many callers; the login endpoint goes through ``accounts.services``.
    """
    from accounts.models import User  # models, services and selectors import this module
    from accounts.services import token_session_start

    return token_session_start(user=User.objects.get(pk=user_id))


def expiry(claims: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
