"""Raster helpers: each fast path checked against a brute-force reference."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from rasterio.windows import Window
from shapely import LineString, Point, box

from planning.analysis.errors import GridError
from planning.analysis.rasters import (
    Grid,
    array_reader,
    block_sum,
    box_sum,
    capped_sq_distance,
    dataset_reader,
    disc_kernel,
    distance_to_mask,
    focal_sum_disc,
    geometry_window,
    iter_blocks,
    ramp_down,
    rasterize_mask,
    read_windows,
    slope_percent,
    upsample_bilinear,
    within_distance,
)

masks = arrays(np.bool_, st.tuples(st.integers(1, 14), st.integers(1, 14)), elements=st.booleans())


def brute_sq_distance(mask: np.ndarray) -> np.ndarray:
    rows, cols = mask.shape
    pts = np.argwhere(mask)
    out = np.full(mask.shape, np.inf)
    if len(pts):
        rr, cc = np.mgrid[0:rows, 0:cols]
        for r, c in pts:
            out = np.minimum(out, (rr - r) ** 2 + (cc - c) ** 2)
    return out


@given(mask=masks, cap=st.floats(0, 20))
def test_capped_distance_is_exact_up_to_the_cap(mask, cap):
    ref = brute_sq_distance(mask)
    ref[ref > cap * cap] = np.inf
    np.testing.assert_array_equal(capped_sq_distance(mask, cap), ref.astype(np.float32))


@given(mask=masks, cap=st.integers(0, 6), data=st.data())
def test_capped_distance_by_stripes_equals_whole(mask, cap, data):
    r0 = data.draw(st.integers(0, mask.shape[0] - 1))
    r1 = data.draw(st.integers(r0 + 1, mask.shape[0]))
    whole = capped_sq_distance(mask, cap)
    np.testing.assert_array_equal(capped_sq_distance(mask, cap, rows=slice(r0, r1)), whole[r0:r1])


def test_distance_in_metres_and_within():
    m = np.zeros((5, 5), bool)
    m[2, 2] = True
    d = distance_to_mask(m, cell_size=10, max_distance=25)
    assert d[2, 4] == 20 and d[1, 1] == pytest.approx(np.sqrt(2) * 10)
    assert np.isinf(d[0, 0])  # 28.3 m > the 25 m cap
    assert within_distance(m, cell_size=10, distance=10).sum() == 5  # the cell and its 4 neighbours
    assert within_distance(m, cell_size=10, distance=14.2).sum() == 9  # + diagonals (14.14 m)


def test_slope_of_a_plane_and_stripes():
    # z = 0.03 x + 0.04 y  → gradient 5 % everywhere, also at the edges
    rows, cols, cell = 12, 9, 20.0
    yy, xx = np.mgrid[0:rows, 0:cols] * cell
    dem = (0.03 * xx + 0.04 * yy).astype(np.float32)
    s = slope_percent(dem, cell)
    np.testing.assert_allclose(s, 5.0, rtol=1e-5)
    np.testing.assert_array_equal(slope_percent(dem, cell, rows=slice(3, 7)), s[3:7])


def test_slope_stripes_match_whole_on_rough_terrain():
    dem = np.random.default_rng(1).normal(50, 5, (30, 20)).astype(np.float32)
    whole = slope_percent(dem, 10.0)
    for outer, _, rows in iter_blocks(dem.shape, block_rows=7, halo=1):
        part = slope_percent(dem[outer.row_off : outer.row_off + outer.height], 10.0, rows=rows)
        np.testing.assert_array_equal(
            part, whole[outer.row_off + rows.start : outer.row_off + rows.stop]
        )


def test_nan_dem_gives_nan_slope_nearby():
    dem = np.zeros((5, 5), np.float32)
    dem[2, 2] = np.nan
    s = slope_percent(dem, 10)
    assert np.isnan(s[2, 1]) and np.isnan(s[1, 2]) and not np.isnan(s[0, 0])


@given(
    a=arrays(
        np.float64, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.floats(0, 100)
    ),
    k=st.integers(1, 5),
)
def test_block_sum_keeps_the_total(a, k):
    out = block_sum(a, k)
    assert out.shape == (-(-a.shape[0] // k), -(-a.shape[1] // k))
    assert out.sum() == pytest.approx(a.sum())
    assert out[0, 0] == pytest.approx(a[:k, :k].sum())


@settings(max_examples=30, deadline=None)
@given(
    a=arrays(
        np.float64, st.tuples(st.integers(1, 30), st.integers(1, 30)), elements=st.floats(0, 1000)
    ),
    radius=st.floats(0, 9),
)
def test_focal_disc_matches_brute_force(a, radius):
    k = disc_kernel(radius)
    r = k.shape[0] // 2
    pad = np.pad(a, r)
    ref = np.zeros_like(a)
    for dy, dx in np.argwhere(k > 0):
        ref += pad[dy : dy + a.shape[0], dx : dx + a.shape[1]]
    np.testing.assert_allclose(focal_sum_disc(a, radius, tile=8), ref, rtol=1e-9, atol=1e-6)


@given(
    a=arrays(
        np.float64, st.tuples(st.integers(1, 15), st.integers(1, 15)), elements=st.floats(-10, 10)
    ),
    half=st.integers(0, 4),
)
def test_box_sum_matches_brute_force(a, half):
    out = box_sum(a, half)
    for r in range(a.shape[0]):
        for c in range(a.shape[1]):
            ref = a[max(0, r - half) : r + half + 1, max(0, c - half) : c + half + 1].sum()
            assert out[r, c] == pytest.approx(ref, abs=1e-9)


def test_bilinear_upsampling_reproduces_planes_inside_and_holds_edges():
    k = 4
    cy, cx = np.mgrid[0:5, 0:6].astype(np.float32)
    coarse = 2 * cx + 3 * cy  # a plane in coarse-cell units
    fine = upsample_bilinear(coarse, k, row_start=0, nrows=20, ncols=24)
    fy, fx = np.mgrid[0:20, 0:24]
    u, v = (fx + 0.5) / k - 0.5, (fy + 0.5) / k - 0.5
    ref = 2 * np.clip(u, 0, 5) + 3 * np.clip(v, 0, 4)
    np.testing.assert_allclose(fine, ref, atol=1e-5)
    part = upsample_bilinear(coarse, k, row_start=7, nrows=5, ncols=10)
    np.testing.assert_allclose(part, fine[7:12, :10], atol=1e-6)
    part = upsample_bilinear(coarse, k, row_start=3, nrows=4, col_start=9, ncols=11)
    np.testing.assert_allclose(part, fine[3:7, 9:20], atol=1e-6)


def test_ramp():
    np.testing.assert_array_equal(
        ramp_down(np.array([-1, 0, 5, 10, 20, np.nan]), 0, 10),
        np.array([1, 1, 0.5, 0, 0, np.nan], np.float32),
    )


def test_grid_basics_and_errors():
    g = Grid.from_origin(600_000, 1_550_000, cell_size=10, rows=100, cols=200, crs_epsg=9217)
    assert g.bounds == (600_000, 1_549_000, 602_000, 1_550_000)
    assert g.translate(5, -5).bounds == (600_005, 1_548_995, 602_005, 1_549_995)
    assert g.window_for_bounds((600_015, 1_549_985, 600_031, 1_549_999)) == Window(1, 0, 3, 2)
    assert g.window_for_bounds((0, 0, 1, 1)) is None
    assert geometry_window(Point(600_005, 1_549_995).buffer(1), g) == Window(0, 0, 2, 2)
    with pytest.raises(GridError, match="square"):
        Grid(g.transform @ rasterio.Affine.scale(1, 2), (2, 2))
    with pytest.raises(GridError, match="north-up"):
        Grid(rasterio.Affine(10, 0, 0, 0, 10, 0), (2, 2))
    with pytest.raises(GridError, match="positive"):
        Grid.from_origin(0, 0, cell_size=1, rows=0, cols=2)


def test_iter_blocks_tile_the_grid():
    covered = np.zeros(23, int)
    for outer, inner, rows in iter_blocks((23, 4), block_rows=5, halo=2, multiple_of=3):
        assert inner.height <= 6 and inner.row_off % 3 == 0
        assert outer.row_off + rows.start == inner.row_off
        covered[inner.row_off : inner.row_off + inner.height] += 1
    assert covered.tolist() == [1] * 23


def test_rasterize_centre_and_all_touched():
    g = Grid.from_origin(0, 100, cell_size=10, rows=10, cols=10)
    line = LineString([(0, 55), (100, 55)])
    assert rasterize_mask([line], g, all_touched=True).sum() == 10
    assert rasterize_mask([box(0, 0, 100, 100)], g).all()
    assert rasterize_mask([], g).sum() == 0
    w = Window(2, 3, 4, 2)
    np.testing.assert_array_equal(
        rasterize_mask([box(21, 41, 59, 69)], g, window=w),
        rasterize_mask([box(21, 41, 59, 69)], g)[3:5, 2:6],
    )


def test_readers_agree(tmp_path):
    g = Grid.from_origin(500_000, 1_600_000, cell_size=25, rows=20, cols=30, crs_epsg=9209)
    dem = np.arange(600, dtype=np.float32).reshape(20, 30)
    dem[0, 0] = -9999
    path = tmp_path / "dem.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=20,
        width=30,
        count=1,
        dtype="float32",
        crs="EPSG:9209",
        transform=g.transform,
        nodata=-9999,
    ) as dst:
        dst.write(dem, 1)
    with rasterio.open(path) as ds:
        w = Window(0, 0, 5, 4)
        from_file = dataset_reader(dem=ds)(w)["dem"]
        assert np.isnan(from_file[0, 0])
        np.testing.assert_array_equal(from_file[1:], array_reader(dem=dem)(w)["dem"][1:])
        stitched = np.concatenate(
            [
                arrs["dem"][rows]
                for _, _, rows, arrs in read_windows({"dem": ds}, block_rows=6, halo=2)
            ]
        )
        assert stitched.shape == (20, 30) and np.isnan(stitched[0, 0])
        np.testing.assert_array_equal(stitched.ravel()[1:], dem.ravel()[1:])
    with pytest.raises(GridError, match="one shape"):
        array_reader(a=np.zeros((2, 2)), b=np.zeros((3, 2)))
