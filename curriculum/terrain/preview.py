"""PNG previews: a colour ramp per biome, water by depth and hillshading."""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from curriculum.terrain.params import MAX_PREVIEW_SIZE, TerrainParams, as_heightmap

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
    hm = as_heightmap(heightmap).astype(np.float64)
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
