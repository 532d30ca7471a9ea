"""Heightmaps from fractal (fBm) Perlin gradient noise in vectorised numpy, shaped per biome
(radial falloff for islands, ridged noise for mountains, dunes for deserts, terraces for arctic
plateaus, a cratered cone for volcanic), and their statistics."""

from __future__ import annotations

import math

import numpy as np

from curriculum.shapes import TerrainStatistics
from curriculum.terrain.params import BIOMES, MAX_OCTAVES, TerrainParams, as_heightmap

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


def heightmap_statistics(heightmap: np.ndarray, params: TerrainParams) -> dict:
    """JSON-serialisable summary (:class:`~curriculum.shapes.TerrainStatistics`): range,
    mean/std, water and land coverage, peak and histogram."""
    hm = as_heightmap(heightmap)
    water = float(np.count_nonzero(hm < params.water_level)) / hm.size
    peak_row, peak_col = (int(i) for i in np.unravel_index(int(np.argmax(hm)), hm.shape))
    counts, edges = np.histogram(hm, bins=10, range=(0.0, 1.0))
    peak = float(hm[peak_row, peak_col])
    return TerrainStatistics.model_validate(
        {
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
    ).model_dump()
