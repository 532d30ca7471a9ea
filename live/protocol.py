"""The WebSocket protocol: close codes, frames and the parsing of what clients send.

Every frame is a JSON object with a ``type``. A frame the server cannot use (not JSON, too large,
an unknown type, missing or invalid fields) is answered with an ``error`` frame; the connection
stays open. Close codes mirror the HTTP statuses they stand for.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from ninja import Schema
from pydantic import Field, StrictInt
from pydantic import ValidationError as PydanticValidationError

from curriculum.quizzes import MAX_QUESTIONS

# Close codes (4000-4999 are the application's own, RFC 6455 section 7.4.2).
NORMAL = 1000
POLICY_VIOLATION = 1008  # kept sending frames far beyond the rate limit
INTERNAL_ERROR = 1011
UNAUTHENTICATED = 4401  # no token, an invalid/expired/revoked one, or none within the time limit
FORBIDDEN = 4403  # authenticated, but this role or user may not open this channel
NOT_FOUND = 4404  # the job or classroom does not exist (or is not visible to this user)

# The subprotocol a browser offers (with "bearer.<access token>") and the server selects.
SUBPROTOCOL = "toolbox.v1"
BEARER_PREFIX = "bearer."

AUTH_TIMEOUT_SECONDS = 10.0
MAX_MESSAGE_BYTES = 64 * 1024

# Frames a client may send: FRAMES_PER_SECOND on average, in bursts of up to FRAME_BURST. A frame
# over the limit is not processed (no handler, no transaction); the first of a run is answered
# with a ``rate_limited`` error, and MAX_REFUSED_FRAMES refused in a row close the socket (1008).
FRAMES_PER_SECOND = 10.0
FRAME_BURST = 20
MAX_REFUSED_FRAMES = 100

# An open socket's session is checked again this often (token revoked, user deactivated, access
# to the job or classroom withdrawn), and ends when its access token expires.
SESSION_RECHECK_SECONDS = 60.0

# Used in metrics labels and transaction names for frames whose type cannot be trusted, so that a
# client sending random types cannot create unbounded series.
INVALID_TYPE = "<invalid>"
RATE_LIMITED_TYPE = "<rate_limited>"


class FrameBudget:
    """A token bucket: ``rate`` frames per second on average, ``burst`` at once."""

    def __init__(self, rate: float = FRAMES_PER_SECOND, burst: int = FRAME_BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class ProtocolError(Exception):
    """A frame the server will not process: answered with an ``error`` frame."""

    def __init__(
        self, code: str, detail: str, *, message_type: str = INVALID_TYPE, errors: Any = None
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.message_type = message_type
        self.errors = errors

    def frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "error", "code": self.code, "detail": self.detail}
        if self.message_type != INVALID_TYPE:
            frame["message_type"] = self.message_type
        if self.errors:
            frame["errors"] = self.errors
        return frame


# --- messages clients send ------------------------------------------------------------------------


class AuthIn(Schema):
    """The first frame of a client that did not offer a ``bearer.<token>`` subprotocol."""

    token: str = Field(min_length=1, max_length=4096)


class PingIn(Schema):
    pass


class JobStatusIn(Schema):
    pass


class QuizSubmitIn(Schema):
    quiz_id: int = Field(ge=1)
    answers: list[StrictInt | None] = Field(max_length=MAX_QUESTIONS)


COMMON_MESSAGES: dict[str, type[Schema]] = {"auth": AuthIn, "ping": PingIn}


@dataclass(frozen=True)
class ClientMessage:
    type: str
    payload: Schema
    raw: dict[str, Any]


def decode(text: str | None, data: bytes | None) -> dict[str, Any]:
    """The frame as a JSON object; raises :class:`ProtocolError`."""
    if text is None:
        raise ProtocolError("invalid_frame", "Frames must be JSON text, not binary")
    if len(text.encode("utf-8", errors="replace")) > MAX_MESSAGE_BYTES:
        raise ProtocolError("message_too_large", f"Frames are limited to {MAX_MESSAGE_BYTES} bytes")
    try:
        frame = json.loads(text)
    except ValueError:
        raise ProtocolError("invalid_json", "The frame is not valid JSON") from None
    if not isinstance(frame, dict):
        raise ProtocolError("invalid_message", "The frame must be a JSON object")
    return frame


def parse(text: str | None, data: bytes | None, schemas: dict[str, type[Schema]]) -> ClientMessage:
    """Decode and validate a frame against the consumer's message ``schemas`` (by type)."""
    frame = decode(text, data)
    message_type = frame.get("type")
    if not isinstance(message_type, str) or not message_type:
        raise ProtocolError("invalid_message", "The frame has no 'type'")
    schema = schemas.get(message_type)
    if schema is None:
        known = ", ".join(sorted(schemas))
        raise ProtocolError("unknown_type", f"Unknown message type; expected one of: {known}")
    fields = {key: value for key, value in frame.items() if key != "type"}
    try:
        payload = schema.model_validate(fields)
    except PydanticValidationError as exc:
        # Locations and messages only: pydantic's "input" would echo what the client sent.
        errors = [
            {"loc": list(error["loc"]), "msg": error["msg"]}
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise ProtocolError(
            "invalid_message",
            "The frame's fields are missing or invalid",
            message_type=message_type,
            errors=errors,
        ) from None
    return ClientMessage(type=message_type, payload=payload, raw=frame)


def error_frame(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail, **extra}
