"""Procedural terrain for Roblox: heightmaps, statistics, PNG previews and Luau build scripts.

Heights come from fractal (fBm) Perlin gradient noise implemented with vectorised numpy, shaped
per biome (radial falloff for islands, ridged noise for mountains, dunes for deserts, terraces
for arctic plateaus, a cratered cone for volcanic). Everything is deterministic: the same
``TerrainParams`` give a byte-identical heightmap, PNG and script.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

__all__ = [
    "BIOMES",
    "TerrainParams",
    "build_lua_script",
    "generate_heightmap",
    "heightmap_statistics",
    "render_preview_png",
]

BIOMES = ("grassland", "desert", "mountains", "islands", "arctic", "volcanic")

MIN_SIZE, MAX_SIZE = 32, 512
MAX_SEED = 2**31 - 1
MIN_OCTAVES, MAX_OCTAVES = 1, 8
MIN_MAX_HEIGHT, MAX_MAX_HEIGHT = 16, 512
MAX_PREVIEW_SIZE = 512
MAX_SCRIPT_GRID = 128
MIN_CELL_SIZE, MAX_CELL_SIZE = 4, 64


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def _check_float(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number between {low} and {high}, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return number


@dataclass(frozen=True)
class TerrainParams:
    """Inputs of the generator. ``size`` is the heightmap side in cells; ``water_level`` is a
    fraction of ``max_height`` (studs); ``roughness`` raises the weight of fine detail."""

    size: int
    seed: int
    biome: str
    water_level: float
    roughness: float = 0.5
    octaves: int = 5
    max_height: int = 128

    def __post_init__(self) -> None:
        _check_int("size", self.size, MIN_SIZE, MAX_SIZE)
        _check_int("seed", self.seed, 0, MAX_SEED)
        if not isinstance(self.biome, str) or self.biome not in BIOMES:
            raise ValueError(f"biome must be one of {', '.join(BIOMES)}; got {self.biome!r}")
        water_level = _check_float("water_level", self.water_level, 0.0, 1.0)
        roughness = _check_float("roughness", self.roughness, 0.0, 1.0)
        _check_int("octaves", self.octaves, MIN_OCTAVES, MAX_OCTAVES)
        _check_int("max_height", self.max_height, MIN_MAX_HEIGHT, MAX_MAX_HEIGHT)
        # Normalise numeric types so equal params compare (and hash) equal.
        for name in ("size", "seed", "octaves", "max_height"):
            object.__setattr__(self, name, int(getattr(self, name)))
        object.__setattr__(self, "water_level", water_level)
        object.__setattr__(self, "roughness", roughness)


# --------------------------------------------------------------------------------------------
# Noise
# --------------------------------------------------------------------------------------------

_DIAG = 1.0 / math.sqrt(2.0)
_GRADIENTS = np.array(
    [
        [1.0, 0.0],
        [-1.0, 0.0],
        [0.0, 1.0],
        [0.0, -1.0],
        [_DIAG, _DIAG],
        [-_DIAG, _DIAG],
        [_DIAG, -_DIAG],
        [-_DIAG, -_DIAG],
    ]
)


def _fade(t: np.ndarray) -> np.ndarray:
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0)


class _Perlin:
    """2-D Perlin gradient noise over a seeded permutation table (period 256 lattice cells)."""

    def __init__(self, rng: np.random.Generator) -> None:
        table = rng.permutation(256)
        self._perm = np.concatenate([table, table]).astype(np.intp)

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Noise at every (y, x) of the two coordinate axes, shape (len(ys), len(xs)), ~[-1, 1]."""
        x0 = np.floor(xs)
        y0 = np.floor(ys)
        fx = (xs - x0)[None, :]
        fy = (ys - y0)[:, None]
        xi = x0.astype(np.intp) & 255
        yi = y0.astype(np.intp) & 255
        perm = self._perm
        px0 = perm[xi][None, :]
        px1 = perm[xi + 1][None, :]
        yi0 = yi[:, None]
        yi1 = yi0 + 1

        def corner(hx: np.ndarray, yy: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
            gradient = _GRADIENTS[perm[hx + yy] & 7]
            return gradient[..., 0] * dx + gradient[..., 1] * dy

        n00 = corner(px0, yi0, fx, fy)
        n10 = corner(px1, yi0, fx - 1.0, fy)
        n01 = corner(px0, yi1, fx, fy - 1.0)
        n11 = corner(px1, yi1, fx - 1.0, fy - 1.0)
        u = _fade(fx)
        v = _fade(fy)
        top = n00 + u * (n10 - n00)
        bottom = n01 + u * (n11 - n01)
        return (top + v * (bottom - top)) * math.sqrt(2.0)


def _fbm(
    rng: np.random.Generator,
    size: int,
    base_cells: float,
    octaves: int,
    gain: float,
    *,
    ridged: bool = False,
) -> np.ndarray:
    """Fractal sum of ``octaves`` noise layers, normalised to [0, 1].

    Octaves finer than two pixels per lattice cell only alias, so they are skipped.
    ``ridged`` folds each layer (1 - |n|)^2 to form sharp crests (ridged multifractal).
    """
    noise = _Perlin(rng)
    offsets = rng.uniform(0.0, 256.0, size=(MAX_OCTAVES, 2))
    axis = np.arange(size, dtype=np.float64) / size
    total = np.zeros((size, size), dtype=np.float64)
    amplitude = 1.0
    weight = np.ones((size, size), dtype=np.float64)
    for octave in range(octaves):
        cells = base_cells * (2.0**octave)
        if octave > 0 and cells > size / 2.0:
            break
        layer = noise.grid(axis * cells + offsets[octave, 0], axis * cells + offsets[octave, 1])
        if ridged:
            layer = (1.0 - np.abs(layer)) ** 2
            layer = layer * weight  # crests of coarse octaves carry finer detail
            weight = np.clip(layer * 1.5, 0.0, 1.0)
        total += amplitude * layer
        amplitude *= gain
    return _normalise(total)


def _normalise(values: np.ndarray) -> np.ndarray:
    low = float(values.min())
    high = float(values.max())
    if high - low < 1e-12:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def _smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _radial_distance(size: int, cx: float = 0.5, cy: float = 0.5) -> np.ndarray:
    """Distance from (cx, cy) (fractions of the map) in half-map units: 1.0 at an edge's middle."""
    axis = (np.arange(size, dtype=np.float64) + 0.5) / size
    dx = (axis - cx)[None, :]
    dy = (axis - cy)[:, None]
    return np.sqrt(dx * dx + dy * dy) * 2.0


# --------------------------------------------------------------------------------------------
# Heightmap
# --------------------------------------------------------------------------------------------


def generate_heightmap(params: TerrainParams) -> np.ndarray:
    """A deterministic float32 heightmap of shape (size, size) with values in [0, 1]."""
    size = params.size
    rng = np.random.default_rng(np.random.SeedSequence([params.seed, BIOMES.index(params.biome)]))
    gain = 0.35 + 0.35 * params.roughness  # persistence: rougher maps keep more fine detail
    base_cells = 2.0 + size / 64.0  # 2.5 lattice cells across a 32 map, 10 across a 512 map
    base = _fbm(rng, size, base_cells, params.octaves, gain)
    biome = params.biome

    if biome == "grassland":
        height = 0.18 + 0.6 * base**1.4
    elif biome == "desert":
        warp = _fbm(rng, size, base_cells * 0.5, 2, 0.5)
        angle = rng.uniform(0.0, math.pi)
        axis = np.arange(size, dtype=np.float64) / size
        along = axis[None, :] * math.cos(angle) + axis[:, None] * math.sin(angle)
        dunes_across = max(3.0, size / 14.0)
        phase = 2.0 * math.pi * (along * dunes_across + warp * 1.5)
        dunes = (0.5 + 0.5 * np.sin(phase)) ** 2
        height = 0.26 + 0.24 * base + 0.14 * dunes * (0.5 + 0.5 * base)
    elif biome == "mountains":
        ridges = _fbm(rng, size, base_cells * 0.6, params.octaves, gain + 0.1, ridged=True)
        height = 0.12 + 0.88 * (0.3 * base + 0.7 * ridges) ** 1.3
    elif biome == "islands":
        shape = _fbm(rng, size, base_cells * 0.75, 3, 0.5)
        distance = _radial_distance(size) + 0.45 * (shape - 0.5)
        mask = _smoothstep(0.95, 0.3, distance)
        height = 0.04 + 0.06 * base + mask * (0.22 + 0.68 * base)
    elif biome == "arctic":
        steps = base * 5.0
        terraces = (np.floor(steps) + _smoothstep(0.35, 0.65, steps - np.floor(steps))) / 5.0
        height = 0.15 + 0.6 * (0.7 * terraces + 0.3 * base)
    else:  # volcanic
        ridges = _fbm(rng, size, base_cells, params.octaves, gain, ridged=True)
        cx, cy = rng.uniform(0.35, 0.65, size=2)
        distance = _radial_distance(size, float(cx), float(cy))
        cone = np.clip(1.0 - distance / 0.75, 0.0, 1.0) ** 1.8
        crater = _smoothstep(0.16, 0.06, distance)
        height = 0.14 + 0.2 * base + 0.12 * ridges + 0.56 * cone - 0.3 * crater

    return np.clip(height, 0.0, 1.0).astype(np.float32)


def _as_heightmap(heightmap: np.ndarray) -> np.ndarray:
    array = np.asarray(heightmap, dtype=np.float32)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"heightmap must be a non-empty 2-D array, got shape {array.shape}")
    return array


def heightmap_statistics(heightmap: np.ndarray, params: TerrainParams) -> dict:
    """JSON-serialisable summary: range, mean/std, water and land coverage, peak and histogram."""
    hm = _as_heightmap(heightmap)
    water = float(np.count_nonzero(hm < params.water_level)) / hm.size
    peak_row, peak_col = (int(i) for i in np.unravel_index(int(np.argmax(hm)), hm.shape))
    counts, edges = np.histogram(hm, bins=10, range=(0.0, 1.0))
    peak = float(hm[peak_row, peak_col])
    return {
        "min": round(float(hm.min()), 4),
        "max": round(float(hm.max()), 4),
        "mean": round(float(hm.mean(dtype=np.float64)), 4),
        "std": round(float(hm.std(dtype=np.float64)), 4),
        "water_level": round(params.water_level, 4),
        "water_coverage": round(water, 4),
        "land_coverage": round(1.0 - water, 4),
        "peak": {
            "row": peak_row,
            "col": peak_col,
            "height": round(peak, 4),
            "height_studs": round(peak * params.max_height, 2),
        },
        "histogram": {
            "edges": [round(float(edge), 2) for edge in edges],
            "counts": [int(count) for count in counts],
        },
    }


# --------------------------------------------------------------------------------------------
# PNG preview
# --------------------------------------------------------------------------------------------

# Land colour ramps: (position in the land elevation range 0..1, RGB).
_PALETTES: dict[str, tuple[tuple[float, tuple[int, int, int]], ...]] = {
    "grassland": (
        (0.0, (214, 200, 140)),
        (0.06, (106, 168, 79)),
        (0.45, (64, 128, 52)),
        (0.75, (120, 110, 90)),
        (1.0, (235, 235, 235)),
    ),
    "desert": (
        (0.0, (222, 196, 140)),
        (0.5, (230, 186, 112)),
        (0.8, (196, 142, 86)),
        (1.0, (150, 100, 66)),
    ),
    "mountains": (
        (0.0, (112, 150, 80)),
        (0.2, (84, 120, 66)),
        (0.4, (122, 112, 100)),
        (0.65, (150, 146, 140)),
        (0.8, (250, 250, 252)),
        (1.0, (255, 255, 255)),
    ),
    "islands": (
        (0.0, (236, 222, 170)),
        (0.1, (120, 190, 90)),
        (0.55, (46, 130, 60)),
        (0.85, (112, 104, 90)),
        (1.0, (160, 150, 140)),
    ),
    "arctic": (
        (0.0, (190, 200, 205)),
        (0.3, (225, 235, 240)),
        (0.7, (245, 250, 255)),
        (1.0, (210, 230, 245)),
    ),
    "volcanic": (
        (0.0, (60, 56, 54)),
        (0.45, (84, 76, 72)),
        (0.8, (120, 80, 60)),
        (1.0, (230, 90, 30)),
    ),
}
_WATER_SHALLOW = (90, 170, 220)
_WATER_DEEP = (20, 60, 130)


def _ramp(values: np.ndarray, stops: tuple[tuple[float, tuple[int, int, int]], ...]) -> np.ndarray:
    positions = [position for position, _ in stops]
    channels = [
        np.interp(values, positions, [colour[channel] for _, colour in stops])
        for channel in range(3)
    ]
    return np.stack(channels, axis=-1)


def _hillshade(heights_studs: np.ndarray, spacing: float) -> np.ndarray:
    """Lambertian shading for a light from the north-west, 45 degrees up; 0..1."""
    dz_dy, dz_dx = np.gradient(heights_studs, spacing)
    azimuth = math.radians(315.0)
    altitude = math.radians(45.0)
    slope = np.arctan(np.hypot(dz_dx, dz_dy))
    aspect = np.arctan2(-dz_dx, dz_dy)
    shade = math.sin(altitude) * np.cos(slope) + math.cos(altitude) * np.sin(slope) * np.cos(
        azimuth - aspect
    )
    return np.clip(shade, 0.0, 1.0)


def render_preview_png(heightmap: np.ndarray, params: TerrainParams) -> bytes:
    """A top-down, hill-shaded colour PNG (one pixel per cell, downscaled to at most 512 px)."""
    hm = _as_heightmap(heightmap).astype(np.float64)
    level = params.water_level
    land_span = max(1.0 - level, 1e-6)
    land = np.clip((hm - level) / land_span, 0.0, 1.0)
    colours = _ramp(land, _PALETTES[params.biome])
    depth = np.clip((level - hm) / max(level, 1e-6), 0.0, 1.0)
    shallow = np.array(_WATER_SHALLOW, dtype=np.float64)
    deep = np.array(_WATER_DEEP, dtype=np.float64)
    water_colours = shallow + (deep - shallow) * np.sqrt(depth)[..., None]

    shade = _hillshade(hm * params.max_height, spacing=4.0)
    flat = math.sin(math.radians(45.0))
    land_light = 1.0 + 0.7 * (shade[..., None] - flat)
    colours = colours * land_light
    is_water = (hm < level)[..., None]
    rgb = np.where(is_water, water_colours, colours)
    image = Image.fromarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8))
    longest = max(image.size)
    if longest > MAX_PREVIEW_SIZE:
        scale = MAX_PREVIEW_SIZE / longest
        target = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(target, Image.Resampling.BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Roblox Luau script
# --------------------------------------------------------------------------------------------

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
    _check_int("cell_size", cell_size, MIN_CELL_SIZE, MAX_CELL_SIZE)
    hm = _as_heightmap(heightmap)
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

    return f"""--!strict
-- ToolboxAI generated terrain (do not edit by hand; regenerate instead)
-- biome={params.biome} size={params.size} seed={params.seed} water_level={params.water_level}
-- roughness={params.roughness} octaves={params.octaves} max_height={params.max_height} studs
-- {grid}x{grid} columns of {cell_size} studs = {extent}x{extent} studs, centred on the origin
-- Run from a Script or the Studio command bar; existing terrain is cleared first.

local Terrain = workspace.Terrain

local CELL_SIZE = {cell_size}
local GRID_SIZE = {grid}
local WATER_HEIGHT = {water_height}
local BASE_DEPTH = 8 -- solid ground below y = 0
local STEEP_DROP = CELL_SIZE * 1.5
local ROWS_PER_YIELD = {_ROWS_PER_YIELD}
local CLEAR_EXISTING = true

type Band = {{ top: number, material: Enum.Material }}

local BANDS: {{Band}} = {{
{band_lines}
}}
local STEEP_MATERIAL = Enum.Material.{_STEEP_MATERIAL[params.biome]}
local SEABED_MATERIAL = Enum.Material.{_SEABED_MATERIAL[params.biome]}

-- HEIGHTS[z][x]: ground height in studs of each column
local HEIGHTS: {{{{number}}}} = {{
{rows}
}}

local function heightAt(x: number, z: number): number
	local row = HEIGHTS[math.clamp(z, 1, GRID_SIZE)]
	return row[math.clamp(x, 1, GRID_SIZE)]
end

local function materialFor(height: number, drop: number): Enum.Material
	if height < WATER_HEIGHT then
		return SEABED_MATERIAL
	end
	if drop > STEEP_DROP then
		return STEEP_MATERIAL
	end
	for _, band in ipairs(BANDS) do
		if height <= band.top then
			return band.material
		end
	end
	return BANDS[#BANDS].material
end

if CLEAR_EXISTING then
	Terrain:Clear()
end

local origin = -GRID_SIZE * CELL_SIZE / 2
for z = 1, GRID_SIZE do
	local row = HEIGHTS[z]
	for x = 1, GRID_SIZE do
		local height = row[x]
		local drop = math.max(
			math.abs(height - heightAt(x - 1, z)),
			math.abs(height - heightAt(x + 1, z)),
			math.abs(height - heightAt(x, z - 1)),
			math.abs(height - heightAt(x, z + 1))
		)
		local centreX = origin + (x - 0.5) * CELL_SIZE
		local centreZ = origin + (z - 0.5) * CELL_SIZE
		local columnHeight = height + BASE_DEPTH
		Terrain:FillBlock(
			CFrame.new(centreX, height - columnHeight / 2, centreZ),
			Vector3.new(CELL_SIZE, columnHeight, CELL_SIZE),
			materialFor(height, drop)
		)
		if height < WATER_HEIGHT then
			local depth = WATER_HEIGHT - height
			Terrain:FillBlock(
				CFrame.new(centreX, height + depth / 2, centreZ),
				Vector3.new(CELL_SIZE, depth, CELL_SIZE),
				Enum.Material.Water
			)
		end
	end
	if z % ROWS_PER_YIELD == 0 then
		task.wait()
	end
end

print(`ToolboxAI: built {{GRID_SIZE}}x{{GRID_SIZE}} {params.biome} terrain (seed {params.seed})`)
"""
