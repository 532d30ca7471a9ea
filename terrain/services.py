"""Terrain writes: generate a terrain, its preview and its Roblox script, and store them.

The generation runs inside a ``content.generation`` span with ``terrain.generate``,
``terrain.render`` and ``lua.compile`` child spans. The monitored functions take ids, not
``User`` objects: the monitor records arguments as span data, and a user's repr is their
username.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets

import numpy as np
from django.db import transaction

from curriculum.terrain import (
    MAX_SEED,
    TerrainParams,
    build_lua_script,
    generate_heightmap,
    heightmap_statistics,
    render_preview_png,
)
from monitoring import errors
from monitoring.content_context import educational_content_generation
from monitoring.decorators import sentry_performance_monitor
from monitoring.facade import sentry_manager
from roblox.models import ScriptKind
from roblox.services import ScriptRejected, script_create
from terrain.heightmap_codec import heightmap_encode
from terrain.models import Terrain


class GeneratedScriptInvalid(RuntimeError):
    """The generator wrote a Luau script that does not compile: a bug in the generator, never
    the user's fault, and never stored (the plugin would run it)."""

    error_category = errors.CONTENT_GENERATION


def terrain_random_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


def terrain_default_name(*, params: TerrainParams) -> str:
    return f"{params.biome.title()} {params.size}x{params.size} (seed {params.seed})"


@sentry_performance_monitor(operation="terrain.generate", description="Generate heightmap")
def terrain_heightmap_generate(*, params: TerrainParams) -> np.ndarray:
    return generate_heightmap(params)


@sentry_performance_monitor(operation="terrain.render", description="Render preview PNG")
def terrain_preview_render(*, heightmap: np.ndarray, params: TerrainParams) -> bytes:
    return render_preview_png(heightmap, params)


def _content_request(params: TerrainParams) -> dict[str, object]:
    # Parameters only: the name is free text a teacher typed, and may name a pupil.
    return {"content_type": "terrain", **dataclasses.asdict(params)}


@sentry_performance_monitor(
    operation="content.generation", description="Generate terrain", component="terrain"
)
def terrain_generate(*, owner_id: int, params: TerrainParams, name: str = "") -> Terrain:
    """Generate and store a terrain with its preview and its (compiled) Roblox script.

    Deterministic: the same ``params`` give byte-identical heightmap, preview and script. All or
    nothing: on any failure no row is left behind, and the failure is reported to Sentry with
    the ``educational_content`` context before it propagates.
    """
    name = name or terrain_default_name(params=params)
    with educational_content_generation(
        _content_request(params),
        owner_id=owner_id,
        started="Terrain generation started",
        data={"biome": params.biome, "size": params.size, "seed": params.seed},
    ):
        heightmap = terrain_heightmap_generate(params=params)
        statistics = heightmap_statistics(heightmap, params)
        preview = terrain_preview_render(heightmap=heightmap, params=params)
        source = build_lua_script(heightmap, params)
        stored_heightmap = heightmap_encode(heightmap)
        with transaction.atomic():
            try:
                script = script_create(
                    owner_id=owner_id, name=name, kind=ScriptKind.TERRAIN, source=source
                )
            except ScriptRejected as exc:
                raise GeneratedScriptInvalid(
                    f"generated {params.biome} terrain script does not compile: {exc}"
                ) from exc
            terrain = Terrain.objects.create(
                owner_id=owner_id,
                name=name,
                **dataclasses.asdict(params),
                heightmap=stored_heightmap,
                statistics=statistics,
                preview_png=preview,
                preview_sha256=hashlib.sha256(preview).hexdigest(),
                script=script,
            )
    sentry_manager.add_breadcrumb(
        message="Terrain generated",
        category="content",
        data={"terrain_id": terrain.pk, "script_id": script.pk, "biome": params.biome},
    )
    return terrain
