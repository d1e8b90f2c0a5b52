"""The national synthetic dataset's generator (issue 15, item 1): pure, no database.

Built once, small (60 parks and clusters, 3,000 parcels; the units are the whole country's):
counts, reproducibility, sizes, placement, cadastral numbers and flags."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pytest
import shapely

from planning import synthetic_national as sn

SOURCE = Path(os.environ.get("KCN_VN_DATA", Path(__file__).resolve().parents[3] / "shared/data/vn"))
pytestmark = pytest.mark.skipif(
    not (SOURCE / sn.SOURCE_FILES[0]).exists(), reason="../shared/data/vn not present"
)
PARCELS, KCN, CCN = 3000, 20, 40


def _build(seed=7, chunk=1000):
    data = sn.build(
        sn.Source.read(SOURCE), seed=seed, parcels=PARCELS, kcn=KCN, ccn=CCN, chunk=chunk
    )
    tables = {t.table: t for t in data.tables}
    chunks = list(data.parcels)
    return tables, chunks, data.summary


@pytest.fixture(scope="module")
def built():
    return _build()


def _parcels(chunks) -> dict:
    return {k: np.concatenate([c.columns[k] for c in chunks]) for k in chunks[0].columns}


def test_the_country_in_units(built):
    tables, _chunks, summary = built
    units = tables["planning_adminunit"]
    level, valid_to = units.columns["level"], units.columns["valid_to"]
    provinces_old = (level == "province") & (valid_to == sn.PRE_2025_TO)
    provinces_new = (level == "province") & np.array([v is None for v in valid_to])
    assert provinces_old.sum() == 63 and provinces_new.sum() == 34
    assert 600 <= summary["districts"] <= 800  # ~705 districts before 1 July 2025
    assert 3000 <= summary["communes"] <= 3600  # 3,321 communes and wards after
    # The 34 outlines are the 63 dissolved: the same land.
    old_area = shapely.area(units.geometry[provinces_old]).sum()
    assert shapely.total_bounds(units.geometry)[2] <= 112.0  # within the service's extent
    new_area = shapely.area(units.geometry[provinces_new]).sum()
    assert new_area == pytest.approx(old_area, rel=1e-3)
    # Every commune lies in its 2025 province; zones are VN-2000 TM-3 codes.
    ids = units.columns["id"]
    for i in np.flatnonzero(level == "commune")[::97]:
        parent = units.geometry[ids == units.columns["parent_id"][i]][0]
        assert shapely.area(shapely.intersection(units.geometry[i], parent)) == pytest.approx(
            shapely.area(units.geometry[i]), rel=1e-6
        )
    assert set(units.columns["zone_srid"].tolist()) <= set(sn.ZONES)
    # Synthetic where invented: districts and communes; the provinces' outlines are ODM's.
    assert units.columns["is_synthetic"][level != "province"].all()
    succession = tables["planning_adminunitsuccession"]
    assert len(succession) == 63
    assert all(d == sn.REFORM for d in succession.columns["effective_on"])


def test_parks_and_clusters_beside_roads_with_the_decrees_sizes(built):
    tables, _chunks, summary = built
    areas = tables["planning_industrialarea"]
    kinds = areas.columns["kind"]
    assert summary["kcn"] == KCN and summary["ccn"] == CCN
    ha = areas.columns["planned_area_ha"]
    assert (ha[kinds == "KCN"] >= 50).all() and (ha[kinds == "KCN"] <= 1300).all()
    assert (ha[kinds == "CCN"] >= 10).all() and (ha[kinds == "CCN"] <= 75).all()
    geoms = areas.geometry
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="intersects")
    assert (pairs[0] == pairs[1]).all(), "two parks overlap"
    roads = tables["planning_roadcorridor"]
    near = shapely.STRtree(roads.geometry).query_nearest(geoms, return_distance=True)[1]
    assert (near < 0.03).all()  # degrees: within ~3 km of a national or provincial road
    assert (areas.columns["leased_land_ha"] <= areas.columns["industrial_land_ha"]).all()
    assert (areas.columns["industrial_land_ha"] <= ha).all()
    assert areas.columns["is_synthetic_boundary"].all()


def test_parcels_fill_their_parks_with_unique_cadastral_numbers(built):
    tables, chunks, _summary = built
    p = _parcels(chunks)
    assert len(p["id"]) == PARCELS
    assert (p["id"] == np.arange(1, PARCELS + 1)).all()
    areas = tables["planning_industrialarea"]
    geoms = np.concatenate([c.geometry for c in chunks])
    host = areas.geometry[p["area_id"] - 1]
    assert shapely.contains(host, geoms).all()
    cadastral = (p["admin_unit_id"].tolist(), p["map_sheet"].tolist(), p["parcel_no"].tolist())
    keys = set(zip(*cadastral, strict=True))
    assert len(keys) == PARCELS  # the database's parcel_cadastral_id_uniq
    assert (p["area_m2"] > 0).all() and p["is_synthetic"].all()
    assert shapely.is_valid(geoms).all()
    # The dates follow the steps of clearance (the database's checks).
    for a, b in (("inventoried_on", "plan_approved_on"), ("plan_approved_on", "compensated_on")):
        both = ~np.isnat(p[a]) & ~np.isnat(p[b])
        assert (p[a][both] <= p[b][both]).all()


def test_the_same_seed_gives_the_same_dataset_whatever_the_chunk_size(built):
    tables, chunks, _summary = built
    tables2, chunks2, _ = _build(seed=7, chunk=777)
    for name, table in tables.items():
        other = tables2[name]
        for key, col in table.columns.items():
            assert col.tolist() == other.columns[key].tolist(), (name, key)
        if table.geometry is not None:
            assert shapely.equals_exact(table.geometry, other.geometry, 0).all(), name
    a, b = _parcels(chunks), _parcels(chunks2)
    for key in a:
        assert a[key].astype(str).tolist() == b[key].astype(str).tolist(), key
    ga = np.concatenate([c.geometry for c in chunks])
    gb = np.concatenate([c.geometry for c in chunks2])
    assert shapely.equals_exact(ga, gb, 0).all()


def test_another_seed_gives_another_dataset(built):
    tables, _chunks, _ = built
    other, _c, _s = _build(seed=8)
    a = tables["planning_industrialarea"].geometry
    b = other["planning_industrialarea"].geometry
    assert not shapely.equals_exact(a, b, 0).all()


def test_reports_show_developers_behind_two_years(built):
    tables, _chunks, _ = built
    reports = tables["planning_annualreport"]
    targets = tables["planning_developmenttarget"]
    assert set(reports.columns["year"].tolist()) == {2023, 2024, 2025}
    assert {2023, 2024, 2025, 2026} <= set(targets.columns["year"].tolist())
    assert all(d > dt.date(2023, 12, 31) for d in reports.columns["submitted_on"])
