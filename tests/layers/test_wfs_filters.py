"""Filters and GML geometries without a database: the three pygeofilter 0.4.0 faults and their
fixes.

Each fault is shown on pygeofilter alone (so we notice when an upgrade fixes it) and then on
``layers.wfs.filters``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import shapely
from django.utils import translation
from lxml import etree
from pygeofilter.backends.django import to_filter
from pygeofilter.parsers.cql2_text import parse as parse_cql2
from pygeofilter.parsers.fes import parse as parse_fes_raw

from layers.wfs.filters import FilterError, evaluate, filter_q, like_regex, parse_cql, parse_fes
from layers.wfs.gml import GMLError, read_geometry, read_storage_geometry
from layers.wfs.requests import FilterSpec
from layers.wfs.schema import feature_type

URN_ENVELOPE = (
    '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">'
    "<fes:BBOX><fes:ValueReference>boundary</fes:ValueReference>"
    '<gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326">'
    "<gml:lowerCorner>13.95 108.99</gml:lowerCorner>"
    "<gml:upperCorner>14.0 109.045</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>"
)
LIKE = (
    '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
    '<fes:PropertyIsLike wildCard="*" singleChar="." escapeChar="!">'
    "<fes:ValueReference>name</fes:ValueReference><fes:Literal>KCN*</fes:Literal>"
    "</fes:PropertyIsLike></fes:Filter>"
)
CQL2_BBOX = "S_INTERSECTS(boundary, BBOX(108.99, 13.95, 109.045, 14.0))"


@pytest.fixture
def english():
    """The messages asserted here are the English ones (the service's default is Vietnamese)."""
    with translation.override("en"):
        yield


def crs_mod_inverse(points):
    from pyproj import Transformer

    t = Transformer.from_crs(9217, 4326, always_xy=True)
    return np.array([t.transform(x, y) for x, y in points])


@pytest.fixture
def areas():
    return feature_type("industrial_areas")


def _only(q):
    ((lookup, value),) = q.children
    return lookup, value


def test_fault_1_envelope_axis_order(areas):
    raw = to_filter(parse_fes_raw(URN_ENVELOPE))
    assert raw.negated and raw.children[0][0] == "boundary__disjoint"
    assert raw.children[0][1].extent[0] == pytest.approx(13.95)  # pygeofilter: latitude taken as x
    lookup, geom = _only(filter_q(FilterSpec("fes", element=etree.fromstring(URN_ENVELOPE)), areas))
    assert lookup == "boundary__intersects" and geom.srid == 4326
    assert geom.extent == pytest.approx((108.99, 13.95, 109.045, 14.0))


def test_fault_2_like_wildcards(areas):
    raw = to_filter(parse_fes_raw(LIKE))
    assert raw.children == [("name__exact", "KCN*")]  # pygeofilter: an exact match
    lookup, regex = _only(filter_q(FilterSpec("fes", element=etree.fromstring(LIKE)), areas))
    assert lookup == "name__regex" and regex == "(?s)^KCN.*$"


def test_fault_3_cql2_bbox_function(areas):
    with pytest.raises(NotImplementedError):  # pygeofilter
        to_filter(parse_cql2(CQL2_BBOX))
    lookup, geom = _only(filter_q(FilterSpec("cql", text=CQL2_BBOX), areas))
    assert lookup == "boundary__intersects"
    assert geom.extent == pytest.approx((108.99, 13.95, 109.045, 14.0))


@pytest.mark.parametrize(
    "pattern, wild, single, escape, matches, misses",
    [
        ("KCN*", "*", ".", "!", ["KCN", "KCN Nhơn Hòa"], ["CCN KCN"]),
        ("*(1.5)*", "*", "#", "!", ["Lô (1.5) A"], ["Lô (105) A"]),  # regex specials are literal
        ("a!*b", "*", ".", "!", ["a*b"], ["axb", "ab"]),
        ("a.c", "*", ".", "!", ["abc", "a c"], ["ac", "abbc"]),
        ("50%%", "%", "_", "\\", ["50%", "50% x", "50"], ["5"]),
        ("a\\%b", "%", "_", "\\", ["a%b"], ["axb"]),
        ("dòng*", "*", ".", "!", ["dòng 1\ndòng 2"], ["1 dòng"]),  # newlines inside values
    ],
)
def test_like_regex(pattern, wild, single, escape, matches, misses):
    regex = re.compile(like_regex(pattern, wild, single, escape))
    assert all(regex.search(s) for s in matches)
    assert not any(regex.search(s) for s in misses)


@pytest.mark.usefixtures("english")
def test_unknown_and_personal_properties(areas):
    parcels = feature_type("clearance_parcels")
    for name in ("holder_name", "holder_id_number", "households"):
        with pytest.raises(FilterError, match="no property"):
            filter_q(FilterSpec("cql", text=f"{name} = 'x'"), parcels)
    with pytest.raises(FilterError):
        filter_q(FilterSpec("cql", text="nope = 1"), areas)


def test_filter_in_default_or_no_namespace(areas):
    xml = (
        "<Filter><PropertyIsEqualTo><PropertyName>code</PropertyName><Literal>KCN-NH</Literal>"
        "</PropertyIsEqualTo></Filter>"
    )
    assert _only(
        filter_q(FilterSpec("fes", element=etree.fromstring(xml)), areas, version="1.0.0")
    ) == ("code__exact", "KCN-NH")
    xml = (
        '<Filter xmlns="http://www.opengis.net/wfs"><FeatureId fid="industrial_areas.7"/>'
        '<FeatureId fid="proposals.8"/></Filter>'
    )
    assert _only(
        filter_q(FilterSpec("fes", element=etree.fromstring(xml)), areas, version="1.0.0")
    ) == ("pk__in", [7])


@pytest.mark.usefixtures("english")
def test_literals_are_typed_by_the_property(areas):
    import datetime as dt
    from decimal import Decimal

    node = parse_cql(
        "planned_area_ha >= 100.5 AND established_on < '2020-01-01' AND wwtp_operating = 'true'"
    )
    q = evaluate(node, areas)
    flat = dict(q.children)
    assert flat["planned_area_ha__gte"] == Decimal("100.5")
    assert flat["established_on__lt"] == dt.date(2020, 1, 1)
    assert flat["wwtp_operating__exact"] is True
    with pytest.raises(FilterError, match="not a valid value"):
        evaluate(parse_cql("roads_done_pct = 'many'"), areas)


# --- GML -----------------------------------------------------------------------------------------


def _el(xml: str):
    return etree.fromstring(xml)


@pytest.mark.parametrize(
    "xml, crs_epsg",
    [
        (
            '<gml:Polygon xmlns:gml="http://www.opengis.net/gml"><gml:outerBoundaryIs><gml:LinearRing>'
            '<gml:coordinates decimal="," cs=";" ts=" ">'
            "109,0;14,0 109,1;14,0 109,1;14,1 109,0;14,0</gml:coordinates>"
            "</gml:LinearRing></gml:outerBoundaryIs></gml:Polygon>",
            4326,
        ),
        (
            '<gml:Polygon xmlns:gml="http://www.opengis.net/gml/3.2" '
            'srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior>'
            '<gml:LinearRing><gml:posList srsDimension="3">'
            "14.0 109.0 5 14.0 109.1 5 14.1 109.1 5 14.0 109.0 5</gml:posList>"
            "</gml:LinearRing></gml:exterior></gml:Polygon>",
            4326,
        ),
        (
            '<Surface srsName="EPSG:4326"><patches><PolygonPatch><exterior><LinearRing>'
            "<pos>109.0 14.0</pos>"
            "<pos>109.1 14.0</pos><pos>109.1 14.1</pos><pos>109.0 14.0</pos></LinearRing>"
            "</exterior></PolygonPatch>"
            "</patches></Surface>",
            4326,
        ),
    ],
)
def test_gml_polygons(xml, crs_epsg):
    geom, crs = read_geometry(_el(xml))
    assert crs.epsg == crs_epsg and geom.geom_type == "Polygon"
    assert geom.bounds[0] == pytest.approx(109.0) and geom.bounds[1] == pytest.approx(14.0)


def test_gml_multicurve_in_vn2000_to_storage():
    xml = (
        '<gml:MultiCurve xmlns:gml="http://www.opengis.net/gml/3.2" srsName="EPSG:9217">'
        "<gml:curveMember>"
        "<gml:LineString><gml:posList>580000 1540000 581000 1541000</gml:posList></gml:LineString>"
        "</gml:curveMember></gml:MultiCurve>"
    )
    geom = read_storage_geometry(_el(xml))
    lonlat = shapely.get_coordinates(geom)
    # Reference: pyproj's inverse of EPSG:9217 (through EPSG:6960).
    np.testing.assert_allclose(
        lonlat, crs_mod_inverse([(580000, 1540000), (581000, 1541000)]), atol=1e-9
    )


@pytest.mark.parametrize(
    "srs, corners, expected_xy",
    [
        ("EPSG:4326", ("109 14", "110 15"), True),
        ("urn:ogc:def:crs:EPSG::4326", ("14 109", "15 110"), False),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", ("14 109", "15 110"), False),
        ("urn:ogc:def:crs:EPSG::9217", ("500000 1500000", "510000 1510000"), True),
    ],
)
def test_gml_envelope_axis_order(srs, corners, expected_xy):
    xml = (
        f'<gml:Envelope xmlns:gml="http://www.opengis.net/gml/3.2" srsName="{srs}">'
        f"<gml:lowerCorner>{corners[0]}</gml:lowerCorner><gml:upperCorner>{corners[1]}</gml:upperCorner>"
        "</gml:Envelope>"
    )
    geom, crs = read_geometry(_el(xml))
    assert crs.xy is expected_xy
    if crs.epsg == 4326:
        assert geom.bounds == (109.0, 14.0, 110.0, 15.0)


def test_wfs_100_is_always_lon_lat():
    xml = (
        '<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="urn:ogc:def:crs:EPSG::4326">'
        "<gml:coordinates>109.1,14.2</gml:coordinates></gml:Point>"
    )
    assert read_geometry(_el(xml))[0].coords[0] == (14.2, 109.1)
    assert read_geometry(_el(xml), force_xy=True)[0].coords[0] == (109.1, 14.2)


@pytest.mark.parametrize(
    "xml, message",
    [
        (
            '<gml:Point xmlns:gml="http://www.opengis.net/gml"><gml:pos>1</gml:pos></gml:Point>',
            "two numbers",
        ),
        (
            '<gml:LineString xmlns:gml="http://www.opengis.net/gml">'
            "<gml:posList>1 2 3</gml:posList></gml:LineString>",
            "not a multiple",
        ),
        ('<gml:Polygon xmlns:gml="http://www.opengis.net/gml"/>', "exterior"),
        (
            '<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="EPSG:abc">'
            "<gml:pos>1 2</gml:pos></gml:Point>",
            "unknown CRS",
        ),
        ('<gml:Solid xmlns:gml="http://www.opengis.net/gml"/>', "unsupported"),
        (
            '<gml:MultiPoint xmlns:gml="http://www.opengis.net/gml"><gml:pointMember>'
            '<gml:Point srsName="EPSG:4326">'
            "<gml:pos>1 2</gml:pos></gml:Point></gml:pointMember><gml:pointMember>"
            '<gml:Point srsName="EPSG:3857">'
            "<gml:pos>1 2</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint>",
            "mixed CRSs",
        ),
    ],
)
@pytest.mark.usefixtures("english")
def test_gml_errors(xml, message):
    with pytest.raises(GMLError, match=message):
        read_geometry(_el(xml))


def test_parse_fes_refuses_non_filters():
    with pytest.raises(FilterError):
        parse_fes(_el('<fes:PropertyIsNull xmlns:fes="http://www.opengis.net/fes/2.0"/>'))
