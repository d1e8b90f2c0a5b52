"""The national synthetic rasters (issue 15, item 2): window by window, tiled COGs, consistent with
the national dataset's vectors and across resolutions, memory bounded by the window.

Small grids (coarse cells or a few km² at 10–30 m) so the module runs in seconds; the whole
country at 30 m is the scale benchmark's (``scripts/bench.sh scale rasters``)."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from django.core.management import CommandError, call_command

from planning import synthetic_national as sn
from planning import synthetic_national_rasters as nr
from planning.synthetic_rasters import BUILT, FOREST, NODATA, WATER

SOURCE = Path(os.environ.get("KCN_VN_DATA", Path(__file__).resolve().parents[3] / "shared/data/vn"))
pytestmark = pytest.mark.skipif(
    not (SOURCE / sn.SOURCE_FILES[0]).exists(), reason="../shared/data/vn not present"
)
SEED = 11


@pytest.fixture(scope="module")
def national():
    dataset = sn.build(sn.Source.read(SOURCE), seed=SEED, parcels=0)
    scene = nr.scene_from_dataset(dataset, SEED)
    return dataset, scene, nr.Fields(scene, SEED)


def _write(national, tmp: Path, grid, *, window=512, clip=None, name="r"):
    _, scene, fields = national
    files = {k: tmp / f"{name}_{k}.tif" for k in nr.KINDS}
    written = nr.write_rasters(scene, fields, grid, files, window=window, clip=clip)
    return written, {k: rasterio.open(p) for k, p in files.items()}


def _park_grid(scene, cell: float, side_m: float = 6000.0):
    """A grid of ``side_m`` around the largest park that exists on the ground."""
    park = max(scene.parks, key=lambda p: p.area)
    c = park.centroid
    bounds = (c.x - side_m / 2, c.y - side_m / 2, c.x + side_m / 2, c.y + side_m / 2)
    return park, nr.RasterGrid.covering(bounds, cell)


def test_national_grid_is_cogs_with_the_land_as_data(national, tmp_path):
    _, scene, _ = national
    grid = nr.national_grid(scene, 2000.0)
    written, ds = _write(national, tmp_path, grid)
    try:
        for kind, d in ds.items():
            assert d.crs.to_epsg() == nr.NATIONAL_EPSG
            assert d.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG", kind
            assert d.profile["tiled"] and d.profile["blockxsize"] == nr.BLOCK
            assert d.tags()["SYNTHETIC"] == "yes"
            assert d.dtypes[0] == nr.DTYPES[kind]
        lc = ds["landcover"].read(1)
        dem = ds["dem"].read(1)
        land_km2 = float(scene.land.area) / 1e6
        # the land mask is the provinces' outlines: ≈ 331,000 km² (cells of 4 km²)
        assert abs(written.land_cells * 4 - land_km2) / land_km2 < 0.03
        assert 300_000 < land_km2 < 345_000
        assert written.land_cells == int(np.count_nonzero(lc))
        assert (dem[lc == NODATA] == nr.NODATA_VALUES["dem"]).all()
        assert (dem[lc != NODATA] > 0).all()

        # the relief: the Mekong delta low, the Central Highlands high
        def at(lon, lat, arr):
            x, y = nr.metric(shapely.Point(lon, lat)).coords[0]
            r, c = ds["dem"].index(x, y)
            return arr[r, c]

        assert at(105.6, 9.9, dem) < 5
        assert at(108.1, 13.9, dem) > 300
        pop = ds["population"].read(1)
        assert 60e6 < pop.sum() < 130e6  # Viet Nam: ~100 M people
        assert (pop[(lc == WATER) | (lc == FOREST) | (lc == NODATA)] == 0).all()
    finally:
        for d in ds.values():
            d.close()


def test_any_window_size_gives_the_same_rasters(national, tmp_path):
    _, scene, _ = national
    _, grid = _park_grid(scene, 20.0, side_m=30_000)  # 1,500 × 1,500 cells
    a, da = _write(national, tmp_path, grid, window=512, name="a")
    b, db = _write(national, tmp_path, grid, window=2048, name="b")
    assert (a.windows_total, b.windows_total) == (9, 1)
    try:
        for kind in nr.KINDS:
            x, y = da[kind].read(1), db[kind].read(1)
            if kind == "landcover":
                assert (x == y).all()
            else:
                np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-4)
    finally:
        for d in (*da.values(), *db.values()):
            d.close()


def test_the_vectors_hold_in_the_rasters(national, tmp_path):
    _, scene, _ = national
    park, grid = _park_grid(scene, 30.0)
    _, ds = _write(national, tmp_path, grid)
    try:
        lc, flood = ds["landcover"].read(1), ds["flood"].read(1)
        inside = rasterio.features.geometry_mask(
            [park], lc.shape, ds["landcover"].transform, invert=True
        )
        assert inside.sum() > 100
        assert (lc[inside] == BUILT).all()  # a park on the ground is built-up ...
        assert (flood[inside] == 0).all()  # ... and dry
    finally:
        for d in ds.values():
            d.close()
    # a provincial capital is a town: built-up at its seat, hundreds of people per hectare
    town = max(scene.towns, key=lambda t: t.people)
    grid = nr.RasterGrid.covering((town.x - 3000, town.y - 3000, town.x + 3000, town.y + 3000), 30)
    _, ds = _write(national, tmp_path, grid, name="town")
    try:
        r, c = ds["landcover"].index(town.x, town.y)
        assert ds["landcover"].read(1)[r, c] == BUILT
        assert ds["population"].read(1)[r, c] / 0.09 > 100  # people per hectare
    finally:
        for d in ds.values():
            d.close()


def test_ten_metres_agree_with_thirty(national, tmp_path):
    _, scene, _ = national
    park, g30 = _park_grid(scene, 30.0, side_m=9000)
    g10 = nr.RasterGrid.covering((g30.x0, g30.y1 - g30.height * 30, g30.x0 + g30.width * 30,
                                  g30.y1), 10.0)  # fmt: skip
    clip = shapely.box(g30.x0, g30.y1 - g30.height * 30, g30.x0 + g30.width * 30, g30.y1)
    _, d30 = _write(national, tmp_path, g30, name="g30")
    _, d10 = _write(national, tmp_path, g10, clip=clip, name="g10")
    try:
        dem30, dem10 = d30["dem"].read(1), d10["dem"].read(1)
        lc30, lc10 = d30["landcover"].read(1), d10["landcover"].read(1)
        h, w = dem30.shape
        centre10 = dem10[1 : 3 * h : 3, 1 : 3 * w : 3]  # the 10 m cell at each 30 m cell's centre
        land = lc30 != NODATA
        assert np.median(np.abs(centre10[land] - dem30[land])) < 0.01
        assert (lc10[1 : 3 * h : 3, 1 : 3 * w : 3][land] == lc30[land]).mean() > 0.97
        # people are per cell: nine 10 m cells hold what one 30 m cell holds
        assert d10["population"].read(1).sum() == pytest.approx(
            d30["population"].read(1).sum(), rel=0.03
        )
    finally:
        for d in (*d30.values(), *d10.values()):
            d.close()


def test_memory_is_the_window_not_the_grid(national, tmp_path):
    """Python-side peak (NumPy arrays included) of a grid 4× the cells stays that of one window."""
    _, scene, _ = national
    peaks = []
    for side in (1024, 2048):
        park = max(scene.parks, key=lambda p: p.area).centroid
        half = side * 15.0
        grid = nr.RasterGrid.covering(
            (park.x - half, park.y - half, park.x + half, park.y + half), 30.0
        )
        tracemalloc.start()
        try:
            _write(national, tmp_path, grid, window=512, name=f"m{side}")[1]
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    window_bytes = 512 * 512 * 4
    assert peaks[1] < 1.3 * peaks[0], peaks
    assert peaks[1] < 40 * window_bytes, peaks  # a whole float32 layer alone would be 4 × 4 MB


def test_command_writes_national_and_fine_provinces(tmp_path, capsys):
    call_command(
        "build_national_rasters",
        seed=SEED,
        cell=4000,
        fine="Bình Định",
        fine_cell=500,
        out=str(tmp_path),
        lang="en",
    )
    names = sorted(p.name for p in tmp_path.glob("*.tif"))
    expected = [f"national_{k}_4000m.tif" for k in nr.KINDS]
    expected += [f"binh-dinh_{k}_500m.tif" for k in nr.KINDS]
    assert names == sorted(expected)
    out = capsys.readouterr().out
    assert "rasters written in" in out and "land cells" in out
    with rasterio.open(tmp_path / "binh-dinh_landcover_500m.tif") as d:
        lc = d.read(1)
        assert 0.8 * 6000 / 0.25 < np.count_nonzero(lc) < 1.25 * 6000 / 0.25  # ~6,000 km²
    with pytest.raises(CommandError, match="no province named Atlantis"):
        call_command("build_national_rasters", cell=4000, fine="Atlantis", out=str(tmp_path),
                     lang="en")  # fmt: skip
    with pytest.raises(CommandError, match="cell sizes"):
        call_command("build_national_rasters", cell=1, out=str(tmp_path), lang="en")
