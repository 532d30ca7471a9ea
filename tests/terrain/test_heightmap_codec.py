import numpy as np
import pytest

from curriculum.terrain import BIOMES, TerrainParams, generate_heightmap
from terrain.heightmap_codec import heightmap_decode, heightmap_encode


@pytest.mark.parametrize("biome", BIOMES)
def test_heightmap_codec__round_trip_within_one_quantisation_step(biome):
    heightmap = generate_heightmap(TerrainParams(size=96, seed=5, biome=biome, water_level=0.3))
    stored = heightmap_encode(heightmap)
    restored = heightmap_decode(stored, size=96)
    assert restored.shape == (96, 96) and restored.dtype == np.float32
    assert float(np.abs(restored - heightmap).max()) <= 0.5 / 65535 + 1e-7
    assert len(stored) < heightmap.size * 2  # smaller than raw uint16


def test_heightmap_codec__extremes_and_memoryview_input():
    heightmap = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    restored = heightmap_decode(memoryview(heightmap_encode(heightmap)), size=2)
    assert restored.tolist() == heightmap.tolist()


def test_heightmap_codec__rejects_foreign_or_wrongly_sized_data():
    with pytest.raises(ValueError, match="HM16D1"):
        heightmap_decode(b"PNG...", size=2)
    with pytest.raises(ValueError, match="3x3"):
        heightmap_decode(heightmap_encode(np.zeros((2, 2))), size=3)
