"""Proposal rule checks."""

from __future__ import annotations

import json

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString, box

from planning.analysis.efficiency import unit_efficiency
from planning.analysis.errors import GridError, RecordError
from planning.analysis.proposal_checks import ProposalCriteria, check_proposal
from planning.analysis.records import AreaLimits, AreaRecord, RoadRecord
from tests.planning.analysis.texts import en, vi

UNIT = box(-5000, -5000, 5000, 5000)
ROAD = RoadRecord(LineString([(-5000, -50), (5000, -50)]), "invested", "QL19B")


def rules(results):
    return {r.rule: r for r in results}


def square_ha(ha: float, x0: float = 0, y0: float = 0):
    side = (ha * 10_000) ** 0.5
    return box(x0, y0, x0 + side, y0 + side)


@pytest.mark.parametrize(
    ("ha", "mountainous", "craft", "passed"),
    [
        (9.99, False, False, False),
        (10.0, False, False, True),
        (75.0, False, False, True),
        (75.01, False, False, False),
        (5.0, True, False, True),
        (5.0, False, True, True),
        (4.99, True, False, False),
    ],
)
def test_ccn_area_limits(ha, mountainous, craft, passed):
    r = rules(
        check_proposal(geometry=square_ha(ha), is_mountainous=mountainous, is_craft_village=craft)
    )["area_limits"]
    assert r.passed is passed
    assert r.measured == pytest.approx(ha, abs=1e-6) and r.unit == "ha"
    assert "32/2024" in vi(r.citation) and "chưa xác minh" in vi(r.citation)


def test_kcn_over_500_ha_must_be_phased():
    r = rules(check_proposal(geometry=square_ha(620), kind="KCN"))["area_limits"]
    assert r.passed is False and "phân kỳ" in vi(r.message) and r.limit == 500
    assert "Điều 9" in vi(r.citation)
    r = rules(
        check_proposal(
            geometry=square_ha(80),
            kind="KCN",
            criteria=ProposalCriteria(area_limits=AreaLimits(kcn_min_ha=50)),
        )
    )["area_limits"]
    assert r.passed is True


def test_overlaps_with_existing_and_other_proposals():
    prop = box(0, 0, 500, 400)
    existing = [
        AreaRecord(
            id="E1", kind="CCN", name="CCN Cát Nhơn", planned_ha=10, geometry=box(450, 0, 900, 400)
        ),
        AreaRecord(
            id="E2", kind="CCN", name="CCN far", planned_ha=10, geometry=box(2000, 0, 2400, 400)
        ),
    ]
    others = [("P2", box(500, 0, 800, 400), "Đề xuất P2")]  # touches only
    r = rules(check_proposal(geometry=prop, existing_areas=existing, other_proposals=others))
    assert r["no_overlap_existing"].passed is False
    assert r["no_overlap_existing"].measured == pytest.approx(2.0)  # 50 m × 400 m
    assert (
        vi(r["no_overlap_existing"].message)
        == "Chồng lấn khu, cụm công nghiệp hiện có: CCN Cát Nhơn (2,00 ha)."
    )
    assert r["no_overlap_proposals"].passed is True


def test_digitising_slivers_are_tolerated():
    prop = box(0, 0, 500, 400)
    sliver = [("E", box(499.9, 0, 900, 400), "E")]  # 0.1 m × 400 m = 40 m² < 100 m²
    r = rules(check_proposal(geometry=prop, existing_areas=sliver))["no_overlap_existing"]
    assert r.passed is True and "sai số" in vi(r.message)


def test_inside_unit_and_road_access():
    prop = box(4600, 0, 5100, 400)  # 100 m × 400 m of 500 × 400 outside the unit = 20 %
    r = rules(check_proposal(geometry=prop, unit="xã Cát Hanh", unit_geometry=UNIT, roads=[ROAD]))
    assert r["inside_unit"].passed is False and r["inside_unit"].measured == pytest.approx(0.2)
    assert vi(r["inside_unit"].message) == "20,0 % diện tích đề xuất nằm ngoài địa bàn xã Cát Hanh."
    assert r["road_access"].passed is True and r["road_access"].measured == pytest.approx(50)
    far = rules(check_proposal(geometry=box(0, 2000, 500, 2400), roads=[ROAD]))["road_access"]
    assert far.passed is False and "vượt khoảng cách tối đa 1,0 km" in vi(far.message)
    planned = rules(
        check_proposal(geometry=prop, roads=[RoadRecord(ROAD.geometry, "planned", "QL mới")])
    )
    assert planned["road_access"].passed is False
    assert rules(check_proposal(geometry=prop))["inside_unit"].passed is None


def test_inside_unit_names_the_proposing_unit_and_where_the_proposal_lies():
    """The rule judges the unit the proposal names; when part lies elsewhere it says where."""
    neighbour = box(5000, -5000, 15000, 5000)
    around = [("X1", UNIT, "Phường Hoài Nhơn"), ("X2", neighbour, "Xã Ân Hảo")]
    prop = box(4600, 0, 5100, 400)  # 20 % in the neighbour
    r = rules(
        check_proposal(
            geometry=prop, unit="Phường Hoài Nhơn", unit_geometry=UNIT, units_around=around
        )
    )["inside_unit"]
    assert r.passed is False
    assert vi(r.message) == (
        "20,0 % diện tích đề xuất nằm ngoài địa bàn Phường Hoài Nhơn. Đề xuất nằm "
        "trên địa bàn Phường Hoài Nhơn (80,0 %), Xã Ân Hảo (20,0 %)."
    )
    assert en(r.message) == (
        "20.0 % of the proposal lies outside Phường Hoài Nhơn. The proposal lies in "
        "Phường Hoài Nhơn (80.0 %), Xã Ân Hảo (20.0 %)."
    )
    # wholly in the neighbour; a part outside every unit given is said too
    away = rules(
        check_proposal(
            geometry=box(14800, 0, 15300, 400),
            unit="Phường Hoài Nhơn",
            unit_geometry=UNIT,
            units_around=around,
        )
    )["inside_unit"]
    assert vi(away.message).endswith(
        "Đề xuất nằm trên địa bàn Xã Ân Hảo (40,0 %), ngoài ranh giới các đơn vị đã có (60,0 %)."
    )
    inside = rules(
        check_proposal(
            geometry=box(0, 0, 500, 400),
            unit="Phường Hoài Nhơn",
            unit_geometry=UNIT,
            units_around=around,
        )
    )["inside_unit"]
    assert inside.passed is True and vi(inside.message) == "Nằm trong địa bàn Phường Hoài Nhơn."


def test_the_occupancy_unit_is_named_apart_from_the_proposing_unit():
    existing = [
        AreaRecord(
            id=i, kind="CCN", planned_ha=60, leasable_ha=50, leased_ha=40, units={"district": "D"}
        )
        for i in range(2)
    ]
    (district,) = unit_efficiency(existing, level="district")
    r = rules(
        check_proposal(
            geometry=square_ha(30),
            unit="Phường Hoài Nhơn",
            occupancy_unit="Thị xã Hoài Nhơn",
            unit_geometry=UNIT,
            unit_occupancy=district,
        )
    )
    assert "Thị xã Hoài Nhơn" in vi(r["unit_occupancy"].message)
    assert vi(r["inside_unit"].message) == "Nằm trong địa bàn Phường Hoài Nhơn."


def test_exclusions_are_one_rule_per_layer():
    prop = box(0, 0, 500, 400)
    r = rules(
        check_proposal(
            geometry=prop,
            exclusions={
                "water": [box(-10, -10, 5, 500)],
                "forest": [box(1000, 0, 2000, 100)],
                "flood": [],
            },
        )
    )
    assert r["exclusion:water"].passed is False and r["exclusion:water"].measured == pytest.approx(
        0.2
    )
    assert r["exclusion:forest"].passed is True and r["exclusion:flood"].passed is True
    assert en(r["exclusion:forest"].message) == "No overlap with protected forest."


def test_unit_occupancy_prerequisite_for_a_new_ccn():
    existing = [
        AreaRecord(
            id=i, kind="CCN", planned_ha=60, leasable_ha=50, leased_ha=10, units={"commune": "X"}
        )
        for i in range(3)
    ]  # 20 % occupied, 120 ha unleased
    (unit,) = unit_efficiency(existing, level="commune")
    r = rules(check_proposal(geometry=square_ha(30), unit="xã X", unit_occupancy=unit))[
        "unit_occupancy"
    ]
    assert (
        r.passed is False
        and "chưa đủ điều kiện" in vi(r.message)
        and r.measured == pytest.approx(0.2)
    )
    r = rules(
        check_proposal(
            geometry=square_ha(30),
            unit_occupancy={"n_counted": 2, "occupancy": 0.3, "unleased_ha": 80},
        )
    )["unit_occupancy"]
    assert r.passed is True
    assert rules(check_proposal(geometry=square_ha(30)))["unit_occupancy"].passed is None


def test_expansion_uses_total_area_and_own_occupancy():
    ccn = AreaRecord(id="C", kind="CCN", planned_ha=60, leasable_ha=40, leased_ha=26)  # 65 %
    r = rules(check_proposal(geometry=square_ha(10), expands=ccn))
    assert r["area_limits"].passed is True and r["area_limits"].measured == pytest.approx(70)
    assert "unit_occupancy" not in r and r["expansion_occupancy"].passed is True
    r = rules(check_proposal(geometry=square_ha(20), expands=ccn))
    assert r["area_limits"].passed is False  # 80 ha > 75 ha


def test_results_are_json_ready_and_bilingual():
    results = check_proposal(
        geometry=square_ha(30), roads=[ROAD], unit_geometry=UNIT, exclusions={"water": []}
    )
    for r in results:
        assert vi(r.message) and en(r.message) and vi(r.citation)
    json.dumps([r.to_dict() for r in results], ensure_ascii=False)


def test_bad_geometry_is_refused():
    with pytest.raises(RecordError):
        check_proposal(geometry=LineString([(0, 0), (1, 1)]))
    with pytest.raises(GridError, match="degrees"):
        check_proposal(geometry=box(109.1, 13.9, 109.103, 13.903))


@given(x=st.floats(-3000, 3000), y=st.floats(-3000, 3000), side=st.floats(100, 1200))
def test_overlap_rule_agrees_with_shapely(x, y, side):
    prop = box(x, y, x + side, y + side)
    existing = [("E", box(0, 0, 800, 800), "E")]
    r = rules(check_proposal(geometry=prop, existing_areas=existing))["no_overlap_existing"]
    overlap = shapely.intersection(prop, existing[0][1]).area
    assert r.passed is (overlap <= 100)
