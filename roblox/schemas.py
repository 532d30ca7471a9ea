from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field

from roblox.luau import MAX_SOURCE_CHARS

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _single_line(value: str) -> str:
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("must not contain control characters (tabs, line breaks, NUL...)")
    return value


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL. The syntax check rejects it today too, but a stored
    # script must never depend on the grammar's error recovery to stay storable.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


#: A name shown in lists, the admin and Roblox Studio: one line of printable text.
DisplayName = Annotated[str, AfterValidator(_single_line)]
LuauSource = Annotated[str, AfterValidator(_no_nul)]


class CompileIn(Schema):
    source: str = Field(max_length=MAX_SOURCE_CHARS)


class DiagnosticOut(Schema):
    line: int
    column: int
    message: str


class CompileOut(Schema):
    ok: bool
    diagnostics: list[DiagnosticOut]


class ScriptIn(Schema):
    name: DisplayName = Field(min_length=1, max_length=200)
    source: LuauSource = Field(min_length=1, max_length=MAX_SOURCE_CHARS)


class ScriptOut(Schema):
    id: int
    name: str
    kind: str
    checksum: str
    compiled_ok: bool
    diagnostics: list[DiagnosticOut]
    created_at: datetime
    delivered_at: datetime | None


class PluginPollIn(Schema):
    after: int = Field(0, ge=0, description="Only scripts with a larger id (the last id seen)")


class PluginScriptOut(Schema):
    id: int
    name: str
    kind: str
    checksum: str
    created_at: datetime


class PluginPollOut(Schema):
    scripts: list[PluginScriptOut]
    has_more: bool


class PluginScriptSourceOut(PluginScriptOut):
    source: str
    delivered_at: datetime | None


class PluginAckOut(Schema):
    id: int
    delivered_at: datetime
