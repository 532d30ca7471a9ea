from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator


class FeedbackIn(Schema):
    message: str = Field(min_length=1, max_length=2000)
    content_kind: Literal["lesson", "quiz", "terrain", "script"] | None = None
    content_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    # Sentry.lastEventId() on the page: 32 lower-case hex digits.
    event_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    page_path: str | None = Field(default=None, max_length=500, pattern=r"^/[^\s]*$")

    @field_validator("message")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class FeedbackOut(Schema):
    id: int
    status: str
    created_at: datetime
