"""Geometry validity and repair: pure shapely, no database."""

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString, MultiPolygon, Point, Polygon

from planning.analysis.geometry import GeometryRejected, check_extent, repair_geometry


def test_valid_geometry_is_returned_unchanged():
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    result = repair_geometry(square)
    assert result.repaired is False
    assert result.geometry.equals(square)


def test_bowtie_is_rejected_with_reason_and_location():
    bowtie = Polygon([(109.0, 13.0), (109.1, 13.1), (109.1, 13.0), (109.0, 13.1)])
    with pytest.raises(GeometryRejected) as err:
        repair_geometry(bowtie)
    message = str(err.value)
    assert "Self-intersection" in message
    assert "(109.05, 13.05)" in message
    assert "0.1 %" in message


def test_spike_is_repaired_when_area_is_kept():
    # A zero-width spike: invalid (self-touching ring), repair changes nothing of the area.
    spiky = Polygon([(0, 0), (10, 0), (10, 5), (15, 5), (10, 5), (10, 10), (0, 10)])
    assert not spiky.is_valid
    result = repair_geometry(spiky)
    assert result.repaired
    assert result.geometry.is_valid
    assert result.geometry.area == pytest.approx(100)
    assert "repaired" in result.note


def test_repair_refused_when_area_change_exceeds_threshold():
    # Ring overlapping itself: the repaired polygon differs in area by far more than 0.1 %.
    loop = Polygon([(0, 0), (10, 0), (10, 10), (5, -5), (0, 10)])
    assert not loop.is_valid
    with pytest.raises(GeometryRejected, match="repair would change its area"):
        repair_geometry(loop)


def test_repair_threshold_is_configurable():
    # Two squares touching along a self-overlapping sliver: 0.5 % change passes at 1 %, not 0.1 %.
    shell = [
        (0, 0),
        (100, 0),
        (100, 100),
        (0, 100),
        (0, 50.5),
        (-0.5, 50),
        (0, 49.5),
        (0.5, 50),
        (0, 50.5),
    ]
    poly = Polygon(shell)
    if poly.is_valid:
        pytest.skip("GEOS considers this ring valid")
    result = repair_geometry(poly, max_area_change=0.05)
    assert result.geometry.is_valid


@pytest.mark.parametrize(
    "geom", [Polygon(), MultiPolygon(), None], ids=["empty", "empty-multi", "none"]
)
def test_empty_geometries_are_rejected(geom):
    with pytest.raises(GeometryRejected, match="empty"):
        repair_geometry(geom)


def test_non_finite_coordinates_are_rejected():
    with pytest.raises(GeometryRejected, match="non-finite"):
        repair_geometry(Point(float("nan"), 1))


def test_self_crossing_line_is_valid_and_kept():
    line = LineString([(0, 0), (1, 1), (1, 0), (0, 1)])
    assert repair_geometry(line).repaired is False


def test_extent_check_names_projected_metres():
    with pytest.raises(GeometryRejected, match="projected metres"):
        check_extent(Point(602532.57, 1523062.89), (100, 6, 112, 24.5), crs_label="EPSG:4326")


def test_extent_check_accepts_vietnam():
    check_extent(Point(105.97, 9.60), (100, 6, 112, 24.5), crs_label="EPSG:4326")


@given(
    x=st.floats(-1000, 1000),
    y=st.floats(-1000, 1000),
    w=st.floats(1, 500),
    h=st.floats(1, 500),
)
def test_repair_never_loses_a_valid_rectangle(x, y, w, h):
    rect = shapely.box(x, y, x + w, y + h)
    result = repair_geometry(rect)
    assert result.geometry.equals(rect)
    assert not result.repaired
