"""Road access means a road a factory can connect to (issue 13, roads).

Hand-worked geometry in a metric CRS (metres). The proposal is the 20 ha rectangle
``box(0, 0, 500, 400)``; the expressway CT.34 runs along y = −100 (100 m south of it); its
interchange is either far, at (5000, −100), or near, at (1500, −100). The nearest point of the
proposal to either interchange is its corner (500, 0):

* far:  √(4500² + 100²) = √(20 250 000 + 10 000) = √20 260 000 ≈ 4501.11 m  > 2000 m → fails;
* near: √(1000² + 100²) = √(1 000 000 + 10 000) = √1 010 000 ≈ 1004.99 m  ≤ 2000 m → passes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely import LineString, Point, box

from planning.analysis.errors import CriteriaError
from planning.analysis.proposal_checks import ProposalCriteria, check_proposal
from planning.analysis.rasters import Grid
from planning.analysis.records import AccessPoint, RoadRecord
from planning.analysis.site_suggestion import SiteCriteria, suggest_sites
from tests.planning.analysis.texts import en, vi

CCN = box(0, 0, 500, 400)
EXPRESSWAY_LINE = LineString([(-10_000, -100), (10_000, -100)])
FAR = AccessPoint(Point(5000, -100), "Nút giao QL1", "under_construction")
NEAR = AccessPoint(Point(1500, -100), "Nút giao ĐT940", "under_construction")
FAR_M = math.sqrt(4500**2 + 100**2)  # 4501.11 m
NEAR_M = math.sqrt(1000**2 + 100**2)  # 1004.99 m


def expressway(*points: AccessPoint) -> RoadRecord:
    return RoadRecord(EXPRESSWAY_LINE, "under_construction", "CT.34", "expressway", points)


def road_access(roads, **criteria):
    results = check_proposal(geometry=CCN, roads=roads, criteria=ProposalCriteria(**criteria))
    return next(r for r in results if r.rule == "road_access")


def test_a_ccn_whose_only_road_is_an_expressway_fails_away_from_an_interchange():
    r = road_access([expressway(FAR)])
    assert r.passed is False
    assert r.measured == pytest.approx(FAR_M, abs=0.01) and r.limit == 2000 and r.unit == "m"
    assert en(r.message) == (
        "Only expressway CT.34 (under construction) is within 1.0 km (100 m), and vehicles enter "
        "it only at interchanges: the nearest, Nút giao QL1, is 4.5 km away, beyond the 2.0 km "
        "limit."
    )
    assert vi(r.message) == (
        "Chỉ có đường cao tốc CT.34 (đang đầu tư xây dựng) trong phạm vi 1,0 km (cách 100 m), và "
        "xe chỉ được ra, vào cao tốc tại nút giao: nút giao gần nhất, Nút giao QL1, cách 4,5 km, "
        "vượt giới hạn 2,0 km."
    )
    assert "23/2008/QH12" in en(r.citation) and "NOT CONFIRMED" in en(r.citation)
    assert "Luật Giao thông đường bộ" in vi(r.citation) and "CHƯA XÁC NHẬN" in vi(r.citation)


def test_the_same_ccn_passes_within_the_interchange_distance():
    r = road_access([expressway(FAR, NEAR)])
    assert r.passed is True
    assert r.measured == pytest.approx(NEAR_M, abs=0.01) and r.limit == 2000
    assert en(r.message) == (
        "1.0 km from interchange Nút giao ĐT940 of expressway CT.34 (under construction) "
        "(≤ 2.0 km)."
    )
    assert vi(r.message).startswith("Cách nút giao Nút giao ĐT940 của đường cao tốc CT.34")


def test_the_interchange_distance_is_a_criterion():
    assert road_access([expressway(FAR)], road_interchange_m=5000).passed is True  # 4501 ≤ 5000
    assert road_access([expressway(NEAR)], road_interchange_m=1000).passed is False  # 1005 > 1000


def test_an_expressway_without_interchanges_in_the_data_does_not_count():
    r = road_access([expressway()])
    assert r.passed is False and r.measured is None
    assert "has no interchange in the data" in en(r.message)
    assert "chưa có nút giao nào trong dữ liệu" in vi(r.message)


def test_a_planned_interchange_does_not_count_while_planned_roads_do_not():
    planned = AccessPoint(NEAR.geometry, NEAR.name, "planned")
    assert road_access([expressway(FAR, planned)]).passed is False
    statuses = ("invested", "under_construction", "planned")
    assert road_access([expressway(FAR, planned)], road_statuses=statuses).passed is True


def test_a_ccn_on_a_provincial_road_passes():
    dt940 = RoadRecord(LineString([(-5000, -300), (5000, -300)]), "invested", "ĐT940", "provincial")
    r = road_access([dt940])
    assert r.passed is True and r.measured == pytest.approx(300) and r.limit == 1000
    assert en(r.message) == "300 m from road ĐT940 (invested) (≤ 1.0 km)."
    # beside an expressway far from its interchanges, the provincial road still gives access
    r = road_access([expressway(FAR), dt940])
    assert r.passed is True and "ĐT940" in en(r.message)


@pytest.mark.parametrize(
    ("road_class", "passed"),
    [("national", True), ("provincial", True), ("district", True), ("local", False)],
)
def test_the_classes_that_count(road_class, passed):
    road = RoadRecord(LineString([(-5000, -300), (5000, -300)]), "invested", "X1", road_class)
    assert road_access([road]).passed is passed


def test_a_local_road_alone_is_named_and_can_be_made_to_count():
    road = RoadRecord(LineString([(-5000, -300), (5000, -300)]), "invested", "ĐX5", "local")
    r = road_access([road])
    assert r.passed is False
    assert en(r.message) == (
        "No invested or under construction road of a class that counts (expressway, national "
        "road, provincial road, district / urban road) in the data; the nearest road, ĐX5, is "
        "a local road."
    )
    assert "đường địa phương" in vi(r.message)
    classes = ("national", "provincial", "district", "local")
    assert road_access([road], road_classes=classes).passed is True


def test_a_road_of_unknown_class_counts_as_before():
    assert road_access([(LineString([(-5000, -300), (5000, -300)]), "invested", "A")]).passed


def test_an_expressway_not_access_controlled_by_choice_counts_like_a_road():
    r = road_access([expressway(FAR)], road_access_controlled=())
    assert r.passed is True and r.measured == pytest.approx(100)


def test_road_criteria_are_checked():
    with pytest.raises(CriteriaError):
        ProposalCriteria(road_classes=())
    with pytest.raises(CriteriaError):
        ProposalCriteria(road_classes=("motorway",))
    with pytest.raises(CriteriaError):
        ProposalCriteria(road_interchange_m=-1)
    with pytest.raises(CriteriaError):
        SiteCriteria(road_classes=("national", "lane"))


# ---- site suggestion -----------------------------------------------------------------------------
# A flat 4 × 6 km grid of annual crops (25 m cells, EPSG:9209 numbers). QL1 (national) runs along
# y = 1 059 500, 500 m below the top edge; ĐT940 (provincial) along y = 1 054 500, 500 m above the
# bottom edge: 5 km apart. With a 1 km corridor the two corridors are 3 km apart, so each site
# lies along exactly one of them.
X0, Y0, Y1 = 560_000, 1_054_000, 1_060_000
GRID = Grid.from_origin(X0, Y1, cell_size=25, rows=240, cols=160, crs_epsg=9209)
QL1 = RoadRecord(
    LineString([(X0 - 100, 1_059_500), (X0 + 4100, 1_059_500)]), "invested", "QL1", "national"
)
DT940 = RoadRecord(
    LineString([(X0 - 100, 1_054_500), (X0 + 4100, 1_054_500)]), "invested", "ĐT940", "provincial"
)


def sites(roads, **criteria):
    flat = np.zeros(GRID.shape, np.float32)
    crit = SiteCriteria(corridor_m=1000, max_count=4, min_spacing_m=200, **criteria)
    return suggest_sites(
        grid=GRID,
        dem=flat,
        landcover=np.full(GRID.shape, 2, np.uint8),
        flood=flat,
        population=flat + 1.0,
        roads=roads,
        criteria=crit,
    )


def test_site_suggestion_by_default_ignores_the_national_road_and_follows_the_provincial_one():
    found = sites([QL1, DT940])
    assert found, "sites along ĐT940"
    assert {s.nearest_road_name for s in found} == {"ĐT940"}
    for s in found:  # every site within the corridor of ĐT940, far from QL1
        assert s.geometry.distance(DT940.geometry) <= 1000
        assert s.geometry.distance(QL1.geometry) > 3000


def test_site_suggestion_with_national_roads_enabled_follows_the_ql():
    found = sites([QL1, DT940], road_classes=("national",))
    assert found and {s.nearest_road_name for s in found} == {"QL1"}
    assert all(s.geometry.distance(QL1.geometry) <= 1000 for s in found)
    both = sites([QL1, DT940], road_classes=("national", "provincial", "district"))
    assert {s.nearest_road_name for s in both} == {"QL1", "ĐT940"}


def test_site_suggestion_reaches_an_expressway_only_at_its_interchanges():
    """CT.34 along y = 1 057 000 with one interchange at x = X0 + 3000: with the expressway
    chosen, every site lies within the 1 km corridor of the interchange (a disc), not along the
    whole expressway."""
    ic = Point(X0 + 3000, 1_057_000)
    ct = RoadRecord(
        LineString([(X0 - 100, 1_057_000), (X0 + 4100, 1_057_000)]),
        "under_construction",
        "CT.34",
        "expressway",
        (AccessPoint(ic, "Nút giao QL1", "under_construction"),),
    )
    assert sites([ct]) == []  # not a class followed by default
    found = sites([ct], road_classes=("expressway",))
    assert found
    for s in found:
        assert s.geometry.distance(ic) <= 1000
        assert s.nearest_road_name == "CT.34 – Nút giao QL1"
