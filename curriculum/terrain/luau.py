"""Roblox Luau build scripts: the heightmap as a table of heights and the program that fills
the terrain, kept as a Luau file (``build_terrain.luau``, a :class:`string.Template`: ``$name``
placeholders, since Luau itself uses braces) so it reads, diffs and lints as Luau."""

from __future__ import annotations

from pathlib import Path
from string import Template

import numpy as np

from curriculum.terrain.params import (
    MAX_CELL_SIZE,
    MAX_SCRIPT_GRID,
    MIN_CELL_SIZE,
    TerrainParams,
    as_heightmap,
    check_int,
)

_TEMPLATE = Template(
    (Path(__file__).resolve().parent / "build_terrain.luau").read_text(encoding="utf-8")
)

# Material bands per biome: (upper bound as a fraction of the land range between the water
# level and max_height, Enum.Material name). Columns under water use the seabed material.
_MATERIAL_BANDS: dict[str, tuple[tuple[float, str], ...]] = {
    "grassland": (
        (0.06, "Sand"),
        (0.5, "Grass"),
        (0.7, "LeafyGrass"),
        (0.88, "Rock"),
        (1.0, "Snow"),
    ),
    "desert": ((0.45, "Sand"), (0.7, "Sandstone"), (1.0, "Rock")),
    "mountains": ((0.25, "Grass"), (0.4, "Ground"), (0.6, "Rock"), (0.75, "Slate"), (1.0, "Snow")),
    "islands": ((0.08, "Sand"), (0.6, "Grass"), (0.85, "Rock"), (1.0, "Basalt")),
    "arctic": ((0.1, "Ice"), (0.6, "Snow"), (0.85, "Glacier"), (1.0, "Snow")),
    "volcanic": ((0.35, "Basalt"), (0.6, "Rock"), (0.8, "Slate"), (1.0, "CrackedLava")),
}
_SEABED_MATERIAL = {
    "grassland": "Mud",
    "desert": "Sand",
    "mountains": "Ground",
    "islands": "Sand",
    "arctic": "Ice",
    "volcanic": "Basalt",
}
# Material for steep cliffs (height difference to a neighbour above 1.5 cells).
_STEEP_MATERIAL = {
    "grassland": "Rock",
    "desert": "Sandstone",
    "mountains": "Rock",
    "islands": "Rock",
    "arctic": "Glacier",
    "volcanic": "Basalt",
}
_ROWS_PER_YIELD = 4


def _downsample(hm: np.ndarray, grid: int) -> np.ndarray:
    """Area-average ``hm`` onto a ``grid`` x ``grid`` lattice (exact for uneven splits)."""
    rows, cols = hm.shape
    if rows == grid and cols == grid:
        return hm.astype(np.float64)
    row_edges = np.linspace(0, rows, grid + 1).astype(np.intp)
    col_edges = np.linspace(0, cols, grid + 1).astype(np.intp)
    row_sums = np.add.reduceat(hm.astype(np.float64), row_edges[:-1], axis=0)
    summed = np.add.reduceat(row_sums, col_edges[:-1], axis=1)
    counts = np.outer(np.diff(row_edges), np.diff(col_edges))
    return summed / counts


def build_lua_script(heightmap: np.ndarray, params: TerrainParams, *, cell_size: int = 4) -> str:
    """A Roblox Luau script that rebuilds the terrain with ``workspace.Terrain:FillBlock``.

    The heightmap is area-averaged to at most 128 x 128 columns of ``cell_size`` studs, embedded
    as a table of integer heights (studs), and filled row by row with ``task.wait()`` every few
    rows so Studio stays responsive. Columns below the water level are topped with water.
    """
    check_int("cell_size", cell_size, MIN_CELL_SIZE, MAX_CELL_SIZE)
    hm = as_heightmap(heightmap)
    if hm.shape[0] != hm.shape[1]:
        raise ValueError(f"heightmap must be square, got shape {hm.shape}")
    grid = min(hm.shape[0], MAX_SCRIPT_GRID)
    small = _downsample(hm, grid)
    studs = np.rint(np.clip(small, 0.0, 1.0) * params.max_height).astype(np.int64)
    water_height = round(params.water_level * params.max_height, 2)

    land_range = params.max_height - water_height
    band_lines = "\n".join(
        f"\t{{ top = {round(water_height + top * land_range, 2)}, "
        f"material = Enum.Material.{name} }},"
        for top, name in _MATERIAL_BANDS[params.biome]
    )
    rows = "\n".join("\t{" + ",".join(str(int(v)) for v in row) + "}," for row in studs)
    extent = grid * cell_size

    return _TEMPLATE.substitute(
        biome=params.biome,
        size=params.size,
        seed=params.seed,
        water_level=params.water_level,
        roughness=params.roughness,
        octaves=params.octaves,
        max_height=params.max_height,
        grid=grid,
        cell_size=cell_size,
        extent=extent,
        water_height=water_height,
        rows_per_yield=_ROWS_PER_YIELD,
        band_lines=band_lines,
        steep_material=_STEEP_MATERIAL[params.biome],
        seabed_material=_SEABED_MATERIAL[params.biome],
        rows=rows,
    )
