from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class LoginIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Schema):
    refresh: str = Field(min_length=1, max_length=4096)


class LogoutIn(Schema):
    refresh: str | None = Field(default=None, max_length=4096)


class UserBriefOut(Schema):
    id: int
    username: str
    role: str


class TokenOut(Schema):
    access: str
    refresh: str
    token_type: str = "Bearer"
    expires_in: int


class LoginOut(TokenOut):
    user: UserBriefOut


class MeOut(Schema):
    id: int
    username: str
    email: str
    role: str
    permissions: list[str]
    last_active: datetime | None


class MessageOut(Schema):
    detail: str


class ClassroomIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    student_ids: list[int] = Field(default_factory=list, max_length=500)


class ClassroomOut(Schema):
    id: int
    name: str
    teacher_id: int
    student_ids: list[int]
