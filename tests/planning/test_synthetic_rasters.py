"""Synthetic rasters agree with the vectors: rivers flood, towns and parks are built-up and
populated."""

import numpy as np
import pytest
import rasterio
import shapely

from planning.synthetic_rasters import (
    BUILT,
    FOREST,
    NODATA,
    WATER,
    ProvinceScene,
    grid_for,
    synthesise,
)


@pytest.fixture(scope="module")
def scene():
    outline = shapely.box(500_000, 1_500_000, 530_000, 1_540_000)
    river = shapely.LineString([(500_000, 1_520_000), (530_000, 1_518_000)])
    park = shapely.box(520_000, 1_530_000, 522_000, 1_532_000)
    town = (510_000, 1_510_000, 50_000)
    return ProvinceScene(
        outline=outline, towns=[town], rivers=[river], areas=[park], relief="coastal_mountains"
    )


@pytest.fixture(scope="module")
def layers(scene):
    grid = grid_for(scene.outline, 50.0)
    return grid, synthesise(scene, grid, seed=1)


def _value(grid, array, x, y):
    row, col = rasterio.transform.rowcol(grid.transform, x, y)
    return array[row, col]


def test_same_seed_same_rasters(scene):
    grid = grid_for(scene.outline, 100.0)
    a, b = synthesise(scene, grid, seed=3), synthesise(scene, grid, seed=3)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_river_is_water_and_its_banks_flood(layers):
    grid, r = layers
    assert _value(grid, r["landcover"], 515_000, 1_519_000) == WATER
    near = _value(grid, r["flood"], 515_000, 1_519_300)
    far = _value(grid, r["flood"], 515_000, 1_535_000)
    assert near > far


def test_park_and_town_are_built_up_and_town_is_populated(layers):
    grid, r = layers
    assert _value(grid, r["landcover"], 521_000, 1_531_000) == BUILT
    assert _value(grid, r["flood"], 521_000, 1_531_000) == 0
    assert _value(grid, r["landcover"], 510_000, 1_510_000) == BUILT
    town = _value(grid, r["population"], 510_000, 1_510_000)
    rural = _value(grid, r["population"], 528_000, 1_538_000)
    assert town > 10 * max(rural, 0.01)


def test_outside_the_province_is_nodata_and_unpopulated(layers):
    grid, r = layers
    assert _value(grid, r["landcover"], 499_800, 1_499_800) == NODATA
    assert r["population"][r["landcover"] == NODATA].sum() == 0
    assert r["population"][r["landcover"] == FOREST].sum() == 0


def test_population_total_is_plausible(layers, scene):
    _, r = layers
    # 50,000 in the town plus ~250 people/km² on farmland of a 1,200 km² box.
    assert 50_000 < r["population"].sum() < 50_000 + 1_200 * 400


@pytest.mark.django_db
def test_build_rasters_registers_cogs(tmp_path, settings):
    from planning.models import RasterLayer
    from planning.services.demo import demo_load
    from planning.services.rasters import rasters_build

    settings.KCN_RASTER_DIR = tmp_path
    demo_load()
    builds = rasters_build(resolution_m=100.0)
    assert {b.province for b in builds} == {"Bình Định", "Sóc Trăng"}
    layers = RasterLayer.objects.all()
    assert layers.count() == 8
    for layer in layers:
        with rasterio.open(tmp_path / layer.path) as src:
            assert src.crs.to_epsg() == layer.srid in (9217, 9209)
            assert src.res == (100.0, 100.0)
            assert src.overviews(1)  # a COG carries overviews
            assert src.tags()["SYNTHETIC"] == "yes"
    assert rasters_build(resolution_m=100.0) == []  # already there: skipped
