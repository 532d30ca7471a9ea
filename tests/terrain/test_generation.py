"""Tests for the numpy terrain generator, its previews and Luau build scripts (no Django)."""

from __future__ import annotations

import dataclasses
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from curriculum.terrain import (
    BIOMES,
    TerrainParams,
    build_lua_script,
    generate_heightmap,
    heightmap_statistics,
    render_preview_png,
)
from roblox.luau import compile_luau


def make(size: int = 48, seed: int = 7, biome: str = "grassland", **kw: object) -> TerrainParams:
    kw.setdefault("water_level", 0.3)
    return TerrainParams(size=size, seed=seed, biome=biome, **kw)  # type: ignore[arg-type]


def edge_band(hm: np.ndarray, width: int) -> np.ndarray:
    return np.concatenate(
        [hm[:width].ravel(), hm[-width:].ravel(), hm[:, :width].ravel(), hm[:, -width:].ravel()]
    )


def centre_block(hm: np.ndarray) -> np.ndarray:
    n = hm.shape[0]
    return hm[n // 4 : 3 * n // 4, n // 4 : 3 * n // 4]


# ---------------------------------------------------------------------------- heightmap


@pytest.mark.parametrize("biome", BIOMES)
def test_heightmap_shape_dtype_and_range(biome: str) -> None:
    hm = generate_heightmap(make(size=40, biome=biome))
    assert hm.shape == (40, 40)
    assert hm.dtype == np.float32
    assert np.isfinite(hm).all()
    assert float(hm.min()) >= 0.0 and float(hm.max()) <= 1.0
    assert float(hm.std()) > 0.01, "terrain should not be flat"


@pytest.mark.parametrize("biome", BIOMES)
def test_same_params_give_identical_outputs(biome: str) -> None:
    params = make(size=32, seed=1234, biome=biome, roughness=0.7, octaves=6)
    first = generate_heightmap(params)
    second = generate_heightmap(dataclasses.replace(params))
    assert first.tobytes() == second.tobytes()
    assert render_preview_png(first, params) == render_preview_png(second, params)
    assert build_lua_script(first, params) == build_lua_script(second, params)


def test_different_seed_gives_different_map() -> None:
    a = generate_heightmap(make(seed=1))
    b = generate_heightmap(make(seed=2))
    assert not np.array_equal(a, b)
    assert float(np.abs(a - b).mean()) > 0.01


def test_roughness_and_octaves_change_the_map() -> None:
    base = generate_heightmap(make(size=64))
    assert not np.array_equal(base, generate_heightmap(make(size=64, roughness=0.9)))
    assert not np.array_equal(base, generate_heightmap(make(size=64, octaves=1)))


def test_noise_is_spatially_coherent() -> None:
    # Neighbouring cells are far closer than random pairs: real coherent noise, not white noise.
    hm = generate_heightmap(make(size=64, biome="grassland")).astype(np.float64)
    neighbour = float(np.abs(np.diff(hm, axis=1)).mean())
    shuffled = np.random.default_rng(0).permutation(hm.ravel())
    random_pairs = float(np.abs(np.diff(shuffled)).mean())
    assert neighbour < random_pairs / 3


def test_water_level_does_not_change_the_shape() -> None:
    dry = generate_heightmap(make(water_level=0.0))
    wet = generate_heightmap(make(water_level=0.8))
    assert np.array_equal(dry, wet)


@pytest.mark.parametrize("seed", [0, 1, 99, 2**31 - 1])
def test_islands_have_water_at_the_edges_and_land_in_the_middle(seed: int) -> None:
    params = make(size=64, seed=seed, biome="islands", water_level=0.3)
    hm = generate_heightmap(params)
    edge_water = float((edge_band(hm, 4) < params.water_level).mean())
    centre_water = float((centre_block(hm) < params.water_level).mean())
    assert edge_water > 0.9
    assert centre_water < 0.5
    assert edge_water > centre_water


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_biomes_shape_relief(seed: int) -> None:
    std = {
        biome: float(generate_heightmap(make(size=64, seed=seed, biome=biome)).std())
        for biome in BIOMES
    }
    assert std["desert"] < std["grassland"] < std["mountains"]
    volcanic = generate_heightmap(make(size=64, seed=seed, biome="volcanic"))
    assert float(centre_block(volcanic).mean()) > float(edge_band(volcanic, 4).mean()) + 0.05


def test_generation__a_256_map_with_preview_and_script() -> None:
    # Speed is measured in bench/, not asserted here.
    params = make(size=256, seed=5, biome="mountains", octaves=8)
    hm = generate_heightmap(params)
    png = render_preview_png(hm, params)
    script = build_lua_script(hm, params)
    assert hm.shape == (256, 256)
    assert Image.open(io.BytesIO(png)).size == (256, 256)
    assert compile_luau(script).ok


# ---------------------------------------------------------------------------- statistics


def test_statistics_are_consistent_and_json_serialisable() -> None:
    params = make(size=48, biome="islands", water_level=0.35)
    hm = generate_heightmap(params)
    stats = heightmap_statistics(hm, params)
    assert json.loads(json.dumps(stats)) == stats

    direct_water = float((hm < params.water_level).mean())
    assert stats["water_coverage"] == pytest.approx(direct_water, abs=1e-4)
    assert stats["land_coverage"] == pytest.approx(1.0 - direct_water, abs=1e-4)
    assert stats["min"] == pytest.approx(float(hm.min()), abs=1e-4)
    assert stats["max"] == pytest.approx(float(hm.max()), abs=1e-4)
    assert stats["mean"] == pytest.approx(float(hm.mean()), abs=1e-4)
    assert stats["std"] == pytest.approx(float(hm.std()), abs=1e-4)

    peak = stats["peak"]
    assert hm[peak["row"], peak["col"]] == hm.max()
    assert peak["height"] == stats["max"]
    assert peak["height_studs"] == pytest.approx(float(hm.max()) * params.max_height, abs=0.01)

    histogram = stats["histogram"]
    assert len(histogram["counts"]) == 10
    assert len(histogram["edges"]) == 11
    assert histogram["edges"][0] == 0.0 and histogram["edges"][-1] == 1.0
    assert sum(histogram["counts"]) == hm.size


def test_statistics_extremes_of_water_level() -> None:
    params = make(water_level=0.0)
    hm = generate_heightmap(params)
    assert heightmap_statistics(hm, params)["water_coverage"] == 0.0
    flooded = make(water_level=1.0)
    assert heightmap_statistics(hm, flooded)["water_coverage"] == pytest.approx(
        float((hm < 1.0).mean()), abs=1e-4
    )


def test_statistics_reject_non_2d_input() -> None:
    with pytest.raises(ValueError, match="2-D"):
        heightmap_statistics(np.zeros(10), make())


# ---------------------------------------------------------------------------- PNG preview


@pytest.mark.parametrize("biome", BIOMES)
def test_png_preview_decodes_with_the_map_size(biome: str) -> None:
    params = make(size=40, biome=biome)
    png = render_preview_png(generate_heightmap(params), params)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.size == (40, 40)
    assert image.mode == "RGB"
    colours = np.unique(np.asarray(image).reshape(-1, 3), axis=0)
    assert len(colours) > 10, "preview should not be a flat colour"


def test_png_water_is_blue_and_land_is_not() -> None:
    params = make(size=64, biome="islands", water_level=0.3)
    hm = generate_heightmap(params)
    pixels = np.asarray(Image.open(io.BytesIO(render_preview_png(hm, params))).convert("RGB"))
    water = pixels[hm < params.water_level].astype(int)
    land = pixels[hm >= params.water_level].astype(int)
    assert (water[:, 2] > water[:, 0]).all()
    assert (land[:, 1] >= land[:, 2]).mean() > 0.9  # islands land is sand/green/rock


def test_png_differs_between_seeds() -> None:
    a, b = make(seed=10), make(seed=11)
    assert render_preview_png(generate_heightmap(a), a) != render_preview_png(
        generate_heightmap(b), b
    )


def test_png_is_downscaled_to_at_most_512() -> None:
    params = make()
    hm = np.linspace(0.0, 1.0, 600 * 600, dtype=np.float32).reshape(600, 600)
    image = Image.open(io.BytesIO(render_preview_png(hm, params)))
    assert image.size == (512, 512)


# ---------------------------------------------------------------------------- Luau script


@pytest.mark.parametrize("biome", BIOMES)
@pytest.mark.parametrize("size", [32, 77, 200])
def test_lua_script_compiles_for_every_biome_and_size(biome: str, size: int) -> None:
    params = make(size=size, biome=biome, seed=size)
    script = build_lua_script(generate_heightmap(params), params)
    result = compile_luau(script)
    assert result.ok, result.diagnostics
    assert "workspace.Terrain" in script
    assert "Terrain:FillBlock(" in script
    assert "Enum.Material.Water" in script
    assert "task.wait()" in script


def test_lua_script_embeds_a_downsampled_height_table() -> None:
    params = make(size=200, biome="mountains", max_height=256)
    hm = generate_heightmap(params)
    script = build_lua_script(hm, params, cell_size=8)
    table = script.split("local HEIGHTS: {{number}} = {\n", 1)[1].split("\n}\n", 1)[0]
    rows = [row.strip().strip("{},") for row in table.splitlines()]
    assert len(rows) == 128
    values = [[int(v) for v in row.split(",")] for row in rows]
    assert all(len(row) == 128 for row in values)
    assert min(map(min, values)) >= 0 and max(map(max, values)) <= 256
    # The tallest column is close to the tallest point of the (area-averaged) map.
    assert max(map(max, values)) <= round(float(hm.max()) * 256)
    assert "local CELL_SIZE = 8" in script
    assert "local GRID_SIZE = 128" in script
    assert len(script) < 100_000


def test_lua_script_small_maps_keep_full_resolution() -> None:
    params = make(size=40)
    hm = generate_heightmap(params)
    script = build_lua_script(hm, params)
    assert "local GRID_SIZE = 40" in script
    first_row = re.search(r"HEIGHTS: \{\{number\}\} = \{\n\t\{([0-9,]+)\}", script)
    assert first_row is not None
    expected = [int(v) for v in np.rint(hm[0].astype(np.float64) * params.max_height)]
    assert [int(v) for v in first_row.group(1).split(",")] == expected


def test_lua_script_header_and_materials_follow_params() -> None:
    params = make(size=32, seed=4242, biome="arctic", water_level=0.25, max_height=64)
    script = build_lua_script(generate_heightmap(params), params)
    header = script.splitlines()[:6]
    assert any("biome=arctic" in line and "seed=4242" in line for line in header)
    assert "local WATER_HEIGHT = 16.0" in script
    assert "Enum.Material.Snow" in script and "Enum.Material.Glacier" in script
    desert = make(size=32, biome="desert")
    desert_script = build_lua_script(generate_heightmap(desert), desert)
    assert "Enum.Material.Sand" in desert_script and "Enum.Material.Snow" not in desert_script


@pytest.mark.parametrize("cell_size", [0, 3, 65, 4.5, True])
def test_lua_script_rejects_bad_cell_size(cell_size: object) -> None:
    params = make(size=32)
    with pytest.raises(ValueError, match="cell_size"):
        build_lua_script(generate_heightmap(params), params, cell_size=cell_size)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- validation


def test_defaults() -> None:
    params = TerrainParams(size=64, seed=1, biome="desert", water_level=0.2)
    assert (params.roughness, params.octaves, params.max_height) == (0.5, 5, 128)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("size", 31),
        ("size", 513),
        ("size", 64.0),
        ("size", True),
        ("seed", -1),
        ("seed", 2**31),
        ("biome", "jungle"),
        ("biome", None),
        ("water_level", -0.01),
        ("water_level", 1.5),
        ("water_level", float("nan")),
        ("water_level", "0.3"),
        ("roughness", 1.01),
        ("roughness", -0.5),
        ("octaves", 0),
        ("octaves", 9),
        ("max_height", 15),
        ("max_height", 513),
    ],
)
def test_invalid_params_raise_value_error_naming_the_field(field: str, value: object) -> None:
    kwargs: dict[str, object] = {"size": 64, "seed": 1, "biome": "grassland", "water_level": 0.3}
    kwargs[field] = value
    with pytest.raises(ValueError, match=field):
        TerrainParams(**kwargs)  # type: ignore[arg-type]


def test_boundary_values_are_accepted() -> None:
    TerrainParams(
        size=32, seed=0, biome="islands", water_level=0, roughness=0, octaves=1, max_height=16
    )
    TerrainParams(
        size=512,
        seed=2**31 - 1,
        biome="volcanic",
        water_level=1,
        roughness=1,
        octaves=8,
        max_height=512,
    )


def test_params_are_frozen_and_normalised() -> None:
    params = TerrainParams(size=np.int64(64), seed=1, biome="arctic", water_level=0)  # type: ignore[arg-type]
    assert type(params.size) is int and type(params.water_level) is float
    assert params == TerrainParams(size=64, seed=1, biome="arctic", water_level=0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.size = 128  # type: ignore[misc]
