from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from curriculum import terrain as g
from roblox.schemas import DisplayName
from terrain.models import Terrain

Biome = Literal[g.BIOMES]  # type: ignore[valid-type]


class TerrainGenerateIn(Schema):
    """Generation parameters; the ranges are those of ``curriculum.terrain.TerrainParams``."""

    name: DisplayName = Field("", max_length=200, description="Defaults to biome, size and seed")
    size: int = Field(128, strict=True, ge=g.MIN_SIZE, le=g.MAX_SIZE, description="cells a side")
    seed: int | None = Field(
        None, strict=True, ge=0, le=g.MAX_SEED, description="Random when omitted"
    )
    biome: Biome = "grassland"
    water_level: float = Field(
        0.3, strict=True, ge=0, le=1, allow_inf_nan=False, description="fraction of max_height"
    )
    roughness: float = Field(0.5, strict=True, ge=0, le=1, allow_inf_nan=False)
    octaves: int = Field(5, strict=True, ge=g.MIN_OCTAVES, le=g.MAX_OCTAVES)
    max_height: int = Field(
        128, strict=True, ge=g.MIN_MAX_HEIGHT, le=g.MAX_MAX_HEIGHT, description="studs"
    )


class TerrainParamsOut(Schema):
    size: int
    seed: int
    biome: str
    water_level: float
    roughness: float
    octaves: int
    max_height: int


def _api_url(context: dict[str, Any] | None, name: str, terrain_id: int) -> str:
    # Reverse within the namespace that served this request: the app never names the project's
    # NinjaAPI (whose namespace carries its version).
    request = (context or {}).get("request")
    match = getattr(request, "resolver_match", None)
    namespace = f"{match.namespace}:" if match is not None and match.namespace else ""
    return reverse(f"{namespace}{name}", kwargs={"terrain_id": terrain_id})


class TerrainOut(Schema):
    id: int
    name: str
    owner_id: int
    params: TerrainParamsOut
    # ``curriculum.shapes.TerrainStatistics`` as the generator stored it (``heightmap_statistics``
    # writes it through the shape), returned as stored: a field added to the shape reaches
    # clients. Typed as the shape, the OpenAPI document would change from a free-form object to a
    # named one and every stored row would be checked on each read: a different API.
    statistics: dict[str, Any]
    preview_url: str
    script_id: int
    script_url: str
    created_at: datetime

    @staticmethod
    def resolve_params(obj: Terrain) -> dict[str, Any]:
        return {field: getattr(obj, field) for field in TerrainParamsOut.model_fields}

    @staticmethod
    def resolve_preview_url(obj: Terrain, context: dict[str, Any] | None) -> str:
        return _api_url(context, "terrain_preview", obj.pk)

    @staticmethod
    def resolve_script_url(obj: Terrain, context: dict[str, Any] | None) -> str:
        return _api_url(context, "terrain_script", obj.pk)
