"""Site suggestion: golden provinces worked out by hand, invariants with Hypothesis, I/O variants.

No database. The golden province is described (with the hand count) in ``scenes.py``.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace

import numpy as np
import pytest
import rasterio
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, box

from planning.analysis.errors import CriteriaError, GridError
from planning.analysis.rasters import Grid, dataset_reader
from planning.analysis.records import AreaLimits, RoadRecord
from planning.analysis.site_suggestion import (
    SiteCriteria,
    SiteWeights,
    site_suitability,
    suggest_sites,
    suggest_sites_windowed,
)
from tests.planning.analysis.scenes import (
    CELL,
    GOLDEN_CORRIDOR_HA,
    GOLDEN_CRITERIA,
    GOLDEN_ELIGIBLE_HA,
    GOLDEN_ELIGIBLE_HA_NO_RICE,
    GOLDEN_EXCLUDED_HA,
    X0,
    Y0,
    Scene,
    golden_province,
    local,
    open_plain,
)
from tests.planning.analysis.texts import en, vi

GOLDEN = golden_province()
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _vector_exclusions(scene: Scene, crit: SiteCriteria):
    geoms = [shapely.buffer(g, crit.setback_m) for g in scene.existing_areas]
    geoms += [shapely.buffer(g, crit.proposal_setback_m) for g in scene.proposals]
    geoms += list(scene.exclusion_zones)
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


def _excluded_cell_centres(scene: Scene, crit: SiteCriteria):
    """Centres of cells excluded by a raster criterion, by brute force (independent of the code)."""
    lc, rows, cols = scene.landcover, *scene.grid.shape
    bad = np.isin(lc, (0, 3, 4)) | (scene.flood > crit.flood_depth_max_m)
    if crit.exclude_rice:
        bad |= lc == 1
    built = np.argwhere(lc == 5)
    if len(built):
        rr, cc = np.mgrid[0:rows, 0:cols]
        r_cells = crit.builtup_buffer_m / scene.grid.cell_size
        for r, c in built:
            bad |= (rr - r) ** 2 + (cc - c) ** 2 <= r_cells * r_cells
    t = scene.grid.transform
    r, c = np.nonzero(bad)
    return shapely.points(t.c + (c + 0.5) * t.a, t.f + (r + 0.5) * t.e)


def _assert_respects_exclusions(scene: Scene, crit: SiteCriteria, sites) -> None:
    """No candidate overlaps an exclusion by a cell or more (rasterisation tolerance: one cell)."""
    vector = _vector_exclusions(scene, crit)
    centres = _excluded_cell_centres(scene, crit)
    for s in sites:
        core = s.geometry.buffer(-scene.grid.cell_size)
        assert not core.intersects(vector), f"candidate {s.rank} overlaps a vector exclusion"
        inner = s.geometry.buffer(-1.0)
        assert not np.any(
            shapely.contains_xy(inner, shapely.get_x(centres), shapely.get_y(centres))
        ), f"candidate {s.rank} covers an excluded cell"


# --------------------------------------------------------------------------------------------
# Golden results
# --------------------------------------------------------------------------------------------
def test_golden_eligible_land_matches_the_hand_count():
    # scenes.py: corridor 160 rows × 200 columns = 32 000 cells = 2 000 ha; minus 10 136 excluded
    # cells (no overlaps) = 21 864 cells × 0.0625 ha = 1 366.5 ha.
    suit = site_suitability(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    assert suit.corridor_ha == GOLDEN_CORRIDOR_HA
    assert suit.eligible_ha == GOLDEN_ELIGIBLE_HA
    assert dict(suit.excluded_ha) == GOLDEN_EXCLUDED_HA
    assert int(suit.eligible.sum()) == 21_864
    assert suit.score[~suit.eligible].max() == 0
    assert 0 < suit.score[suit.eligible].min() and suit.score.max() <= 1


def test_golden_excluding_rice_removes_its_1170_cells():
    # rice block rows 100–129 × columns 110–148 = 1 170 cells = 73.125 ha, disjoint from the rest
    crit = replace(GOLDEN_CRITERIA, exclude_rice=True)
    suit = site_suitability(**GOLDEN.kwargs(), criteria=crit)
    assert suit.eligible_ha == GOLDEN_ELIGIBLE_HA_NO_RICE
    assert suit.excluded_ha["rice"] == 73.125


def test_golden_candidates():
    sites = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    assert 3 <= len(sites) <= GOLDEN_CRITERIA.max_count
    assert [s.rank for s in sites] == list(range(1, len(sites) + 1))
    assert [s.score for s in sites] == sorted((s.score for s in sites), reverse=True)
    for s in sites:
        assert 10 <= s.area_ha <= 75
        assert s.geometry.is_valid and s.geometry.geom_type == "Polygon"
        # the planned road ĐH12 is not considered: only ĐT640 (invested)
        assert s.nearest_road_name == "ĐT640" and s.nearest_road_status == "invested"
        # DEM is a 1 % plane: slope exactly 1 % everywhere (numpy.gradient is exact on a plane)
        assert s.mean_slope_pct == pytest.approx(1.0)
        assert s.crs_epsg == 9217 and s.kind == "CCN"
    _assert_respects_exclusions(GOLDEN, GOLDEN_CRITERIA, sites)
    for a, b in itertools.combinations(sites, 2):
        assert a.geometry.distance(b.geometry) >= GOLDEN_CRITERIA.min_spacing_m
    top = sites[0]
    # 42.5 ha = the midpoint of 10–75 ha = 680 cells of 625 m² (simplification keeps the area);
    # 50 000 residents: 40 000 cells × 1 + 20 village cells × 500, all within 5 km of the centre.
    assert top.area_ha == pytest.approx(42.5, abs=0.5)
    assert top.population_in_reach == pytest.approx(50_000)
    # regression value for the distance (seed order is deterministic)
    assert vi(top.reasons) == (
        "Cách tuyến ĐT640 (đã đầu tư) 235 m; độ dốc trung bình 1,0 %; không có đất lúa; "
        "không ngập; 50.000 dân trong bán kính 5 km."
    )


def test_single_eligible_patch_becomes_the_only_candidate_exactly():
    # A 3 km × 3 km plain of water except a 16 × 16-cell block of crops (rows 40–55, columns
    # 30–45): x 750–1150, y 1600–2000 (local), 16 ha. Growth stops when the block is used up
    # (256 cells < the 680-cell target), 16 ha ≥ 10 ha, so the candidate is the block itself.
    plain = open_plain(landcover=4)
    lc = plain.landcover.copy()
    lc[40:56, 30:46] = 2
    scene = replace(plain, landcover=lc)
    sites = suggest_sites(**scene.kwargs())
    assert len(sites) == 1
    s = sites[0]
    assert s.geometry.equals(local(box(750, 1600, 1150, 2000)))
    assert s.area_ha == 16.0
    # road at y = 1493: 107 m south of the block
    assert s.nearest_road_distance_m == pytest.approx(107.0)
    # every cell of the 3 km × 3 km grid is within 5 km: 14 400 cells × 2 residents
    assert s.population_in_reach == pytest.approx(28_800)
    # score = 0.30·road 1 + 0.15·infra 0 + 0.15·slope 1 + 0.15·conversion 0.7
    #       + 0.15·population (28 800 / 50 000 = 0.576) + 0.10·flood 1 = 0.7414
    assert s.score == pytest.approx(0.7414, abs=1e-5)
    by_name = {b.name: b for b in s.breakdown}
    assert by_name["population"].mean_value == pytest.approx(0.576, abs=1e-6)
    assert by_name["conversion"].mean_value == pytest.approx(0.7, abs=1e-6)
    assert by_name["infrastructure"].contribution == 0
    assert vi(s.reasons) == (
        "Cách tuyến QL1 (đã đầu tư) 107 m; độ dốc trung bình 0,0 %; không có đất lúa; "
        "không ngập; 28.800 dân trong bán kính 5 km."
    )


def test_patch_below_the_legal_minimum_is_dropped():
    plain = open_plain(landcover=4)
    lc = plain.landcover.copy()
    lc[40:52, 30:42] = 2  # 144 cells = 9 ha < 10 ha
    assert suggest_sites(**replace(plain, landcover=lc).kwargs()) == []
    # … but a mountainous CCN may be 5 ha
    sites = suggest_sites(
        **replace(plain, landcover=lc).kwargs(), criteria=SiteCriteria(is_mountainous=True)
    )
    assert [s.area_ha for s in sites] == [9.0]


# --------------------------------------------------------------------------------------------
# Behaviour of the criteria
# --------------------------------------------------------------------------------------------
def test_no_considered_road_means_no_candidates():
    planned_only = replace(GOLDEN, roads=tuple(r for r in GOLDEN.roads if r.status == "planned"))
    assert suggest_sites(**planned_only.kwargs(), criteria=GOLDEN_CRITERIA) == []
    assert site_suitability(**planned_only.kwargs(), criteria=GOLDEN_CRITERIA).eligible_ha == 0


def test_planned_roads_count_when_the_criteria_say_so():
    crit = replace(GOLDEN_CRITERIA, road_statuses=("planned",))
    planned_only = replace(GOLDEN, roads=tuple(r for r in GOLDEN.roads if r.status == "planned"))
    sites = suggest_sites(**planned_only.kwargs(), criteria=crit)
    assert sites and {s.nearest_road_name for s in sites} == {"ĐH12 (quy hoạch)"}
    assert "(quy hoạch)" in vi(sites[0].reasons)


def test_excluding_rice_leaves_no_rice_in_candidates():
    crit = replace(GOLDEN_CRITERIA, exclude_rice=True)
    sites = suggest_sites(**GOLDEN.kwargs(), criteria=crit)
    assert sites and all(s.rice_land_ha == 0 for s in sites)


@pytest.mark.parametrize(("region", "flag"), [("central_coast", True), ("mekong", False)])
def test_rice_phasing_flag_follows_the_regional_threshold(region, flag):
    # A KCN of 180 ha on rice land: over the 150 ha Central Coast threshold, under the 200 ha
    # Mekong Delta one (Decree 35/2022 Art. 9, DOMAIN §1.4).
    scene = open_plain(rows=160, cols=160, landcover=1)
    crit = SiteCriteria(kind="KCN", target_area_ha=180, region=region, max_count=1)
    (site,) = suggest_sites(**scene.kwargs(), criteria=crit)
    assert site.rice_land_ha == pytest.approx(180.0)
    assert site.rice_phasing_required is flag
    assert site.rice_threshold_ha == (150.0 if region == "central_coast" else 200.0)
    assert ("phải phân kỳ" in vi(site.reasons)) is flag


def test_max_count_and_spacing():
    scene = open_plain(rows=160, cols=160)
    crit = SiteCriteria(max_count=3, min_spacing_m=300)
    sites = suggest_sites(**scene.kwargs(), criteria=crit)
    assert len(sites) == 3
    for a, b in itertools.combinations(sites, 2):
        assert a.geometry.distance(b.geometry) >= 300


def test_breakdown_adds_up_to_the_score_and_weights_are_renormalised():
    crit = replace(
        GOLDEN_CRITERIA,
        weights=SiteWeights(road=3, infrastructure=0, slope=1, conversion=1, population=0, flood=0),
    )
    sites = suggest_sites(**GOLDEN.kwargs(), criteria=crit)
    for s in sites:
        assert sum(b.weight for b in s.breakdown) == pytest.approx(1.0)
        assert sum(b.contribution for b in s.breakdown) == pytest.approx(s.score, abs=1e-5)
        assert {b.name: b.weight for b in s.breakdown}["road"] == pytest.approx(0.6)
        for b in s.breakdown:
            assert 0 <= b.mean_value <= 1


def test_candidates_serialise_to_json():
    sites = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    data = json.loads(json.dumps([s.to_dict() for s in sites], ensure_ascii=False))
    assert data[0]["geometry"]["type"] == "Polygon"
    assert data[0]["rank"] == 1 and data[0]["breakdown"][0]["name"] == "road"
    assert shapely.geometry.shape(data[0]["geometry"]).equals(sites[0].geometry)


def test_reasons_are_one_vietnamese_sentence():
    pattern = re.compile(
        r"^(Tiếp giáp|Cách) tuyến .+ \((đã đầu tư|đang đầu tư xây dựng)\)( [\d.,]+ k?m)?; "
        r"độ dốc trung bình \d+,\d %; (không có đất lúa|[\d.]+,\d ha đất lúa( \(vượt .*\))?); "
        r"(không ngập|ngập sâu tối đa \d+,\d m); [\d.]+ dân trong bán kính 5 km\.$"
    )
    for s in suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA):
        assert pattern.match(vi(s.reasons)), vi(s.reasons)


def test_inputs_are_checked():
    kw = GOLDEN.kwargs()
    with pytest.raises(GridError, match="dem has shape"):
        suggest_sites(**{**kw, "dem": kw["dem"][:10]})
    with pytest.raises(GridError, match="not a projected CRS"):
        Grid.from_origin(105, 10, cell_size=0.0002, rows=10, cols=10, crs_epsg=4326)
    with pytest.raises(CriteriaError, match="legal range"):
        SiteCriteria(target_area_ha=80)
    with pytest.raises(CriteriaError):
        SiteCriteria(
            weights=SiteWeights(
                road=0, infrastructure=0, slope=0, conversion=0, population=0, flood=0
            )
        )


# --------------------------------------------------------------------------------------------
# Same result whatever the I/O path
# --------------------------------------------------------------------------------------------
def test_same_inputs_same_output():
    a = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    b = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    assert [s.to_dict() for s in a] == [s.to_dict() for s in b]


def test_stripes_do_not_change_the_result():
    # 8-row stripes need the halo for slope and the 8-cell built-up buffer to be exact
    whole = site_suitability(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA, block_rows=1000)
    striped = site_suitability(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA, block_rows=8)
    np.testing.assert_array_equal(whole.eligible, striped.eligible)
    np.testing.assert_allclose(whole.score, striped.score, rtol=0, atol=1e-6)
    a = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA, block_rows=8)
    b = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    assert [s.geometry.wkt for s in a] == [s.geometry.wkt for s in b]


def test_reading_geotiffs_window_by_window_gives_the_same_sites(tmp_path):
    g = GOLDEN.grid
    paths = {}
    for name in ("dem", "landcover", "flood", "population"):
        arr = getattr(GOLDEN, name)
        paths[name] = tmp_path / f"{name}.tif"
        with rasterio.open(
            paths[name],
            "w",
            driver="GTiff",
            height=g.rows,
            width=g.cols,
            count=1,
            dtype=arr.dtype,
            crs="EPSG:9217",
            transform=g.transform,
            nodata=-9999 if arr.dtype.kind == "f" else None,
        ) as dst:
            dst.write(arr, 1)
    kw = GOLDEN.kwargs()
    for name in ("dem", "landcover", "flood", "population"):
        kw.pop(name)
    datasets = {n: rasterio.open(p) for n, p in paths.items()}
    try:
        from_files = suggest_sites_windowed(
            read_window=dataset_reader(**datasets), criteria=GOLDEN_CRITERIA, block_rows=16, **kw
        )
    finally:
        for ds in datasets.values():
            ds.close()
    in_memory = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    assert [s.to_dict() for s in from_files] == [s.to_dict() for s in in_memory]


# --------------------------------------------------------------------------------------------
# Invariants (Hypothesis)
# --------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(d1=st.floats(50, 3000), d2=st.floats(50, 3000))
def test_wider_corridor_never_has_fewer_eligible_hectares(d1, d2):
    near, far = sorted((d1, d2))
    a = site_suitability(**GOLDEN.kwargs(), criteria=replace(GOLDEN_CRITERIA, corridor_m=near))
    b = site_suitability(**GOLDEN.kwargs(), criteria=replace(GOLDEN_CRITERIA, corridor_m=far))
    assert b.eligible_ha >= a.eligible_ha
    assert not np.any(a.eligible & ~b.eligible)  # and it is a superset, cell by cell


@SLOW
@given(
    dx=st.integers(-200_000, 200_000),
    dy=st.integers(-200_000, 200_000),
    frac=st.sampled_from([0.0, 0.25, 0.5]),
)
def test_translating_every_input_translates_the_sites(dx, dy, frac):
    dx, dy = dx + frac, dy - frac
    base = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    moved = suggest_sites(**GOLDEN.translated(dx, dy).kwargs(), criteria=GOLDEN_CRITERIA)
    assert len(moved) == len(base)
    for a, b in zip(base, moved, strict=True):
        back = shapely.affinity.translate(b.geometry, -dx, -dy)
        assert back.equals_exact(a.geometry, tolerance=1e-6)
        assert b.score == a.score and b.area_ha == pytest.approx(a.area_ha, abs=1e-6)
        assert b.nearest_road_distance_m == pytest.approx(a.nearest_road_distance_m, abs=1e-3)
        assert b.rice_land_ha == a.rice_land_ha


@st.composite
def random_scenes(draw):
    rows = cols = 96
    size = rows * CELL  # 2.4 km
    plain = open_plain(rows=rows, cols=cols)
    coord = st.floats(0, size)

    def rnd_box(max_side):
        x, y = draw(coord), draw(coord)
        w, h = draw(st.floats(20, max_side)), draw(st.floats(20, max_side))
        return local(box(x, y, x + w, y + h))

    lc = plain.landcover.copy()
    for _ in range(draw(st.integers(0, 3))):
        r, c = draw(st.integers(0, rows - 1)), draw(st.integers(0, cols - 1))
        code = draw(st.sampled_from([1, 3, 4, 5, 6]))
        lc[r : r + draw(st.integers(1, 30)), c : c + draw(st.integers(1, 30))] = code
    flood = plain.flood.copy()
    if draw(st.booleans()):
        r = draw(st.integers(0, rows - 1))
        flood[r : r + 20, :] = draw(st.sampled_from([0.2, 0.8]))
    road = RoadRecord(
        local(LineString([(draw(coord), -10), (draw(coord), size + 10)])), "invested", "ĐT1"
    )
    scene = replace(
        plain,
        landcover=lc,
        flood=flood,
        roads=(road,),
        existing_areas=tuple(rnd_box(600) for _ in range(draw(st.integers(0, 2)))),
        proposals=tuple(rnd_box(400) for _ in range(draw(st.integers(0, 1)))),
        exclusion_zones=tuple(rnd_box(500) for _ in range(draw(st.integers(0, 2)))),
    )
    crit = SiteCriteria(
        is_mountainous=draw(st.booleans()),
        setback_m=draw(st.sampled_from([0.0, 120.0, 500.0])),
        builtup_buffer_m=draw(st.sampled_from([0.0, 60.0, 200.0])),
        corridor_m=draw(st.floats(300, 2000)),
        min_spacing_m=draw(st.sampled_from([0.0, 250.0, 1000.0])),
        exclude_rice=draw(st.booleans()),
        max_count=draw(st.integers(1, 6)),
    )
    return scene, crit


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_scenes())
def test_candidates_are_legal_spaced_and_avoid_exclusions(scene_crit):
    scene, crit = scene_crit
    sites = suggest_sites(**scene.kwargs(), criteria=crit)
    low, high = crit.area_range_ha()
    assert len(sites) <= crit.max_count
    for s in sites:
        assert low <= s.area_ha <= high
        assert s.geometry.is_valid
        assert 0 <= s.score <= 1
    for a, b in itertools.combinations(sites, 2):
        assert a.geometry.distance(b.geometry) >= crit.min_spacing_m - 1e-6
        assert a.geometry.intersection(b.geometry).area < 1e-6
    _assert_respects_exclusions(scene, crit, sites)


def test_kcn_candidates_use_the_kcn_range():
    scene = open_plain(rows=200, cols=200, cell=30.0)  # 6 km × 6 km
    crit = SiteCriteria(
        kind="KCN", max_count=2, area_limits=AreaLimits(kcn_min_ha=100, kcn_max_ha=500)
    )
    sites = suggest_sites(**scene.kwargs(), criteria=crit)
    assert sites and all(100 <= s.area_ha <= 500 for s in sites)
    assert sites[0].area_ha == pytest.approx(300, rel=0.01)  # midpoint of 100–500 ha
    assert sites[0].kind == "KCN"


def test_grid_origin_is_respected():
    sites = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)
    x0, y0, x1, y1 = GOLDEN.grid.bounds
    assert (x0, y0) == (X0, Y0)
    for s in sites:
        bx0, by0, bx1, by1 = s.geometry.bounds
        assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1
