"""Procedural terrain for Roblox: heightmaps, statistics, PNG previews and Luau build scripts.

Pure numpy and Pillow (no Django). Everything is deterministic: the same ``TerrainParams`` give
a byte-identical heightmap, PNG and script.
"""

from curriculum.terrain.heightmap import generate_heightmap, heightmap_statistics
from curriculum.terrain.luau import build_lua_script
from curriculum.terrain.params import (
    BIOMES,
    MAX_CELL_SIZE,
    MAX_MAX_HEIGHT,
    MAX_OCTAVES,
    MAX_PREVIEW_SIZE,
    MAX_SCRIPT_GRID,
    MAX_SIZE,
    MIN_CELL_SIZE,
    MIN_MAX_HEIGHT,
    MIN_OCTAVES,
    MIN_SIZE,
    TerrainParams,
)
from curriculum.terrain.preview import render_preview_png
from curriculum.vocabulary import MAX_SEED

__all__ = [
    "BIOMES",
    "MAX_CELL_SIZE",
    "MAX_MAX_HEIGHT",
    "MAX_OCTAVES",
    "MAX_PREVIEW_SIZE",
    "MAX_SCRIPT_GRID",
    "MAX_SEED",
    "MAX_SIZE",
    "MIN_CELL_SIZE",
    "MIN_MAX_HEIGHT",
    "MIN_OCTAVES",
    "MIN_SIZE",
    "TerrainParams",
    "build_lua_script",
    "generate_heightmap",
    "heightmap_statistics",
    "render_preview_png",
]
