"""Infrastructure to the fence."""

from __future__ import annotations

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString, Point, box

from planning.analysis.infrastructure import FenceCriteria, infrastructure_to_fence
from planning.analysis.records import AreaRecord, NetworkFeature
from tests.planning.analysis.texts import en, vi

AREA = box(0, 0, 500, 500)


def test_nearest_invested_feature_per_network():
    nets = [
        NetworkFeature(LineString([(800, -100), (800, 900)]), "road", "invested", "QL1"),
        NetworkFeature(LineString([(600, -100), (600, 900)]), "road", "planned", "QL1 mới"),
        NetworkFeature(
            LineString([(-300, 0), (-300, 900)]), "power", "invested", "ĐZ 22 kV", "power_mv"
        ),
        NetworkFeature(Point(250, 2500), "power", "invested", "TBA Phước An", "substation"),
    ]
    (r,) = infrastructure_to_fence([("A", AREA, "CCN A")], nets)
    road, power, water = r.links
    assert (road.feature_name, road.distance_m, road.connected) == ("QL1", 300.0, False)
    assert (power.feature_name, power.distance_m) == ("ĐZ 22 kV", 300.0)
    assert road.connector.length == pytest.approx(300) and road.connector.coords[0] == (500.0, 0.0)
    assert water.distance_m is None and water.connector is None
    assert tuple(vi(g) for g in r.gaps) == (
        "thiếu đường kết nối: tuyến đường gần nhất (QL1) cách 300 m",
        "thiếu cấp điện: đường dây trung thế gần nhất (ĐZ 22 kV) cách 300 m",
        "thiếu cấp nước: chưa có tuyến ống nào đủ điều kiện trong dữ liệu",
    )
    assert en(r.gaps[2]) == "no water supply: no usable water main in the data"


def test_touching_or_crossing_feature_is_connected_with_zero_length_connector():
    nets = [NetworkFeature(LineString([(-10, 250), (900, 250)]), "water", name="Ống D300")]
    (r,) = infrastructure_to_fence(
        [AreaRecord(id=1, kind="CCN", planned_ha=25, geometry=AREA)],
        nets,
        criteria=FenceCriteria(networks=("water",)),
    )
    (w,) = r.links
    assert w.connected and w.distance_m == 0 and w.connector.length == 0 and r.gaps == ()


def test_statuses_are_configurable():
    nets = [
        NetworkFeature(LineString([(600, 0), (600, 500)]), "road", "under_construction", "ĐT639")
    ]
    assert infrastructure_to_fence([(1, AREA)], nets)[0].links[0].distance_m is None
    crit = FenceCriteria(statuses=("invested", "under_construction"))
    assert infrastructure_to_fence([(1, AREA)], nets, criteria=crit)[0].links[0].distance_m == 100


@given(st.lists(st.tuples(st.floats(-5000, 5000), st.floats(-5000, 5000)), min_size=1, max_size=8))
def test_distance_is_the_minimum_and_connector_measures_it(points):
    nets = [
        NetworkFeature(Point(x, y), "power", name=str(i), kind="substation")
        for i, (x, y) in enumerate(points)
    ]
    (r,) = infrastructure_to_fence([(1, AREA)], nets, criteria=FenceCriteria(networks=("power",)))
    (link,) = r.links
    expected = min(AREA.distance(Point(p)) for p in points)
    assert link.distance_m == pytest.approx(expected, abs=0.01)
    assert link.connector.length == pytest.approx(link.distance_m, abs=0.01)
    assert shapely.distance(Point(link.connector.coords[0]), AREA) < 1e-6
