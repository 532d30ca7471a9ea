from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field, model_validator

from robloxcloud.crypto import api_key_mask
from robloxcloud.models import PublicationTarget

# Roblox ids are positive 64-bit integers.
RobloxId = Field(default=None, ge=1, le=2**63 - 1)


class ConnectionIn(Schema):
    # Optional on update: the page shows the key masked and cannot send it back.
    api_key: str | None = Field(
        default=None, min_length=16, max_length=4096, pattern=r"^[\x21-\x7e]+$"
    )
    universe_id: int | None = RobloxId
    place_id: int | None = RobloxId
    creator_user_id: int | None = RobloxId
    creator_group_id: int | None = RobloxId

    @model_validator(mode="after")
    def one_creator(self) -> ConnectionIn:
        if self.creator_user_id and self.creator_group_id:
            raise ValueError("give a creator user id or a creator group id, not both")
        if bool(self.universe_id) != bool(self.place_id):
            raise ValueError("give both the universe id and the place id, or neither")
        return self


class ConnectionOut(Schema):
    api_key_masked: str
    universe_id: int | None
    place_id: int | None
    creator_user_id: int | None
    creator_group_id: int | None
    updated_at: datetime

    @staticmethod
    def resolve_api_key_masked(obj) -> str:
        return api_key_mask(last4=obj.api_key_last4)


class PublicationIn(Schema):
    target: PublicationTarget
    script_id: int | None = Field(default=None, ge=1)
    terrain_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def one_source(self) -> PublicationIn:
        if (self.script_id is None) == (self.terrain_id is None):
            raise ValueError("give exactly one of script_id and terrain_id")
        return self


class PublicationOut(Schema):
    id: int
    script_id: int
    target: str
    status: str
    asset_id: int | None
    task_state: str
    output: list
    logs: list[str]
    error: str
    http_status: int | None
    roblox_code: str
    retry_at: datetime | None
    polls: int
    created_at: datetime
    finished_at: datetime | None
