from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field


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
    """Only a name: students join with the join code (there is no way to add someone else)."""

    # Unknown fields (such as the former ``student_ids``) are a 422, so old clients learn.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


class ClassroomJoinIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, description="The code your teacher gave you")


class RosterStudentOut(Schema):
    id: int
    username: str


class ClassroomOut(Schema):
    """A class as its teacher and admins see it: join code and roster included."""

    id: int
    name: str
    teacher_id: int
    join_code: str
    join_code_expires_at: datetime
    students: list[RosterStudentOut]


class ClassroomForStudentOut(Schema):
    """A class as a student in it sees it: no roster (classmates), no join code."""

    id: int
    name: str
    teacher_name: str
