"""What a terrain is made from: the biomes, the limits of every input and their checks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from curriculum.vocabulary import MAX_SEED

BIOMES = ("grassland", "desert", "mountains", "islands", "arctic", "volcanic")

MIN_SIZE, MAX_SIZE = 32, 512
MIN_OCTAVES, MAX_OCTAVES = 1, 8
MIN_MAX_HEIGHT, MAX_MAX_HEIGHT = 16, 512
MAX_PREVIEW_SIZE = 512
MAX_SCRIPT_GRID = 128
MIN_CELL_SIZE, MAX_CELL_SIZE = 4, 64


def check_int(name: str, value: object, low: int, high: int) -> None:
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
        check_int("size", self.size, MIN_SIZE, MAX_SIZE)
        check_int("seed", self.seed, 0, MAX_SEED)
        if not isinstance(self.biome, str) or self.biome not in BIOMES:
            raise ValueError(f"biome must be one of {', '.join(BIOMES)}; got {self.biome!r}")
        water_level = _check_float("water_level", self.water_level, 0.0, 1.0)
        roughness = _check_float("roughness", self.roughness, 0.0, 1.0)
        check_int("octaves", self.octaves, MIN_OCTAVES, MAX_OCTAVES)
        check_int("max_height", self.max_height, MIN_MAX_HEIGHT, MAX_MAX_HEIGHT)
        # Normalise numeric types so equal params compare (and hash) equal.
        for name in ("size", "seed", "octaves", "max_height"):
            object.__setattr__(self, name, int(getattr(self, name)))
        object.__setattr__(self, "water_level", water_level)
        object.__setattr__(self, "roughness", roughness)


def as_heightmap(heightmap: np.ndarray) -> np.ndarray:
    """``heightmap`` as a float32 2-D array; ``ValueError`` for anything else."""
    array = np.asarray(heightmap, dtype=np.float32)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"heightmap must be a non-empty 2-D array, got shape {array.shape}")
    return array
