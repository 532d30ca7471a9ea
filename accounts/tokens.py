"""JSON Web Tokens for the API: short-lived access tokens and rotating refresh tokens."""

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


def _lifetime(kind: str) -> timedelta:
    seconds = settings.JWT_ACCESS_TTL if kind == ACCESS else settings.JWT_REFRESH_TTL
    return timedelta(seconds=seconds)


def encode(user_id: int, role: str, kind: str) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "role": role,
        "type": kind,
        "jti": uuid.uuid4().hex,
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
    return claims


def issue_pair(user_id: int, role: str) -> TokenPair:
    return TokenPair(
        access=encode(user_id, role, ACCESS),
        refresh=encode(user_id, role, REFRESH),
        access_expires_in=settings.JWT_ACCESS_TTL,
    )


def expiry(claims: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
