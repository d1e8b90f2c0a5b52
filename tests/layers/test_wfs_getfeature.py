"""GetFeature, GetFeatureById and GetPropertyValue: formats, axis order, filters, paging, rights."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import numpy as np
import pytest
from django.contrib.gis.geos import Point
from pyproj import Transformer

from planning import geo
from planning import models as m
from tests.layers.test_wfs_support import (  # noqa: F401
    NS,
    basic,
    exception_code,
    fids,
    users,
    wfs_get,
    wfs_post,
    world,
    xml,
)

pytestmark = pytest.mark.django_db

URN = "urn:ogc:def:crs:EPSG::4326"
URI = "http://www.opengis.net/def/crs/EPSG/0/4326"


def _ids(world, *codes):
    return {f"industrial_areas.{world['areas'][c].pk}" for c in codes}


def _poslists(root) -> list[np.ndarray]:
    return [
        np.array(p.text.split(), dtype=float).reshape(-1, 2)
        for p in root.iter(f"{{{NS['gml']}}}posList")
    ]


def getfeature(client, version="2.0.0", **params):
    key = "typeNames" if version == "2.0.0" else "typeName"
    if "typeNames" in params:
        params[key] = params.pop("typeNames")
    return wfs_get(client, service="WFS", version=version, request="GetFeature", **params)


# --- formats -------------------------------------------------------------------------------------


def test_gml32_feature_collection(client, world):
    r = getfeature(client, typeNames="industrial_areas")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/gml+xml; version=3.2")
    root = xml(r)
    assert root.tag == f"{{{NS['wfs']}}}FeatureCollection"
    assert root.get("numberMatched") == "3" and root.get("numberReturned") == "3"
    assert root.get("next") is None and root.get("timeStamp")
    assert set(fids(root)) == _ids(world, "KCN-NH", "CCN-BTX", "CCN-PA")
    kcn = world["areas"]["KCN-NH"]
    feature = root.xpath(
        f"//kcn:industrial_areas[@gml:id='industrial_areas.{kcn.pk}']", namespaces=NS
    )[0]
    assert feature.findtext("kcn:name", namespaces=NS) == "KCN Nhơn Hòa"
    assert feature.findtext("kcn:planned_area_ha", namespaces=NS) == "320.50"
    assert (
        feature.findtext("kcn:developer", namespaces=NS) == "Công ty Hạ tầng Nhơn Hòa"
    )  # natural key
    assert feature.findtext("kcn:admin_unit", namespaces=NS) == "21907"
    assert feature.findtext("kcn:established_on", namespaces=NS) == "2010-05-01"
    assert feature.findtext("kcn:wwtp_operating", namespaces=NS) == "false"
    surface = feature.find("kcn:boundary/gml:MultiSurface", NS)
    assert surface.get("srsName") == URN
    assert surface.get(f"{{{NS['gml']}}}id") == f"industrial_areas.{kcn.pk}.geom"
    assert (
        surface.find("gml:surfaceMember/gml:Polygon/gml:exterior/gml:LinearRing/gml:posList", NS)
        is not None
    )


def test_gml311_feature_collection(client, world):
    r = getfeature(client, version="1.1.0", typeNames="industrial_areas", maxFeatures="2")
    root = xml(r)
    assert root.tag == f"{{{NS['wfs1']}}}FeatureCollection"
    assert root.get("numberOfFeatures") == "2"
    members = root.findall("gml2:featureMember", NS)
    assert len(members) == 2
    feature = members[0][0]
    assert feature.get(f"{{{NS['gml2']}}}id").startswith("industrial_areas.")
    assert feature.find("kcn:boundary/gml2:MultiSurface", NS).get("srsName") == URN


def test_gml2_feature_collection(client, world):
    r = getfeature(client, version="1.0.0", typeNames="road_corridors")
    root = xml(r)
    assert root.tag == f"{{{NS['wfs1']}}}FeatureCollection"
    assert root.find("gml2:boundedBy/gml2:Box", NS) is not None
    feature = root.find("gml2:featureMember/kcn:road_corridors", NS)
    assert feature.get("fid") == f"road_corridors.{world['road'].pk}"
    line = feature.find("kcn:centerline/gml2:MultiLineString", NS)
    assert line.get("srsName") == "EPSG:4326"
    coords = line.findtext("gml2:lineStringMember/gml2:LineString/gml2:coordinates", namespaces=NS)
    assert coords == "108.96,13.97 109.2,13.99"  # GML 2 is longitude first


@pytest.mark.parametrize("output_format", ["application/json", "geojson", "json"])
def test_geojson(client, world, output_format):
    r = getfeature(
        client,
        typeNames="industrial_areas",
        outputFormat=output_format,
        srsName=URN,
        count="2",
        sortBy="code",
    )
    assert r["Content-Type"] == "application/json"
    doc = json.loads(r.content)
    assert doc["type"] == "FeatureCollection"
    assert doc["numberMatched"] == 3 and doc["numberReturned"] == 2
    assert "crs" not in doc
    first = doc["features"][0]
    assert first["id"] == f"industrial_areas.{world['areas']['CCN-BTX'].pk}"  # sorted by code
    assert first["properties"]["name"] == "CCN Bùi Thị Xuân"
    assert first["properties"]["admin_unit"] == "21907"
    assert first["properties"]["planned_area_ha"] == 320.5
    assert "boundary" not in first["properties"]
    assert first["geometry"]["type"] == "MultiPolygon"
    ring = np.array(first["geometry"]["coordinates"][0][0])
    # GeoJSON is always longitude, latitude — even when srsName is the lat/lon URN.
    assert ring[:, 0].min() == pytest.approx(109.05) and ring[:, 1].min() == pytest.approx(14.02)
    assert [link["rel"] for link in doc["links"]] == ["next"]


def test_several_type_names(client, world):
    root = xml(getfeature(client, typeNames="industrial_areas,road_corridors"))
    assert root.get("numberMatched") == "4"
    assert {f.rpartition(".")[0] for f in fids(root)} == {"industrial_areas", "road_corridors"}


# --- axis order ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "srs, lat_first",
    [("EPSG:4326", False), (URN, True), (URI, True), ("urn:x-ogc:def:crs:EPSG:4326", True)],
)
def test_axis_order_of_gml32_output(client, world, srs, lat_first):
    kcn = world["areas"]["KCN-NH"]
    root = xml(
        getfeature(
            client,
            typeNames="industrial_areas",
            resourceId=f"industrial_areas.{kcn.pk}",
            srsName=srs,
        )
    )
    coords = _poslists(root)[0]
    lon, lat = (coords[:, 1], coords[:, 0]) if lat_first else (coords[:, 0], coords[:, 1])
    assert lon.min() == pytest.approx(109.00) and lon.max() == pytest.approx(109.04)
    assert lat.min() == pytest.approx(13.96) and lat.max() == pytest.approx(13.99)
    assert root.find(".//gml:MultiSurface", NS).get("srsName") == srs


def test_default_output_of_110_is_lat_lon(client, world):
    root = xml(getfeature(client, version="1.1.0", typeNames="road_corridors"))
    coords = np.array(root.findtext(".//gml2:posList", namespaces=NS).split(), dtype=float).reshape(
        -1, 2
    )
    assert coords.tolist() == [[13.97, 108.96], [13.99, 109.2]]


BBOX_KCN_NH = (108.99, 13.95, 109.045, 14.0)  # lon/lat box around KCN Nhơn Hòa only


@pytest.mark.parametrize(
    "bbox",
    [
        "108.99,13.95,109.045,14.0,EPSG:4326",
        f"13.95,108.99,14.0,109.045,{URN}",
        f"13.95,108.99,14.0,109.045,{URI}",
        "108.99,13.95,109.045,14.0",  # no CRS: EPSG:4326 longitude/latitude
    ],
    ids=["epsg", "urn", "uri", "none"],
)
def test_bbox_axis_order(client, world, bbox):
    root = xml(getfeature(client, typeNames="industrial_areas", bbox=bbox))
    assert set(fids(root)) == _ids(world, "KCN-NH")


def test_bbox_in_wrong_axis_order_matches_nothing(client, world):
    root = xml(
        getfeature(client, typeNames="industrial_areas", bbox=f"108.99,13.95,109.045,14.0,{URN}")
    )
    assert fids(root) == []


def test_bbox_in_vn2000(client, world):
    t = Transformer.from_crs(4326, 9217, always_xy=True)
    x0, y0 = t.transform(BBOX_KCN_NH[0], BBOX_KCN_NH[1])
    x1, y1 = t.transform(BBOX_KCN_NH[2], BBOX_KCN_NH[3])
    root = xml(
        getfeature(client, typeNames="industrial_areas", bbox=f"{x0},{y0},{x1},{y1},EPSG:9217")
    )
    assert set(fids(root)) == _ids(world, "KCN-NH")


def _fes_envelope(srs: str, lower: str, upper: str) -> str:
    return (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">'
        "<fes:BBOX><fes:ValueReference>boundary</fes:ValueReference>"
        f'<gml:Envelope srsName="{srs}"><gml:lowerCorner>{lower}</gml:lowerCorner>'
        f"<gml:upperCorner>{upper}</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>"
    )


@pytest.mark.parametrize(
    "srs, lower, upper",
    [
        ("EPSG:4326", "108.99 13.95", "109.045 14.0"),
        (URN, "13.95 108.99", "14.0 109.045"),
        (URI, "13.95 108.99", "14.0 109.045"),
    ],
    ids=["epsg", "urn", "uri"],
)
def test_fes_envelope_axis_order(client, world, srs, lower, upper):
    # pygeofilter 0.4.0 alone reads the URN envelope as lon/lat and finds nothing (fault 1).
    root = xml(
        getfeature(client, typeNames="industrial_areas", filter=_fes_envelope(srs, lower, upper))
    )
    assert set(fids(root)) == _ids(world, "KCN-NH")


def test_fes11_envelope_and_gml2_box(client, world):
    fes11 = (
        '<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">'
        "<ogc:BBOX><ogc:PropertyName>boundary</ogc:PropertyName>"
        f'<gml:Envelope srsName="{URN}"><gml:lowerCorner>13.95 108.99</gml:lowerCorner>'
        "<gml:upperCorner>14.0 109.045</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>"
    )
    root = xml(getfeature(client, version="1.1.0", typeNames="industrial_areas", filter=fes11))
    assert set(fids(root)) == _ids(world, "KCN-NH")
    fes10 = (
        '<Filter xmlns="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">'
        '<BBOX><PropertyName>boundary</PropertyName><gml:Box srsName="EPSG:4326">'
        "<gml:coordinates>108.99,13.95 109.045,14.0</gml:coordinates></gml:Box></BBOX></Filter>"
    )
    root = xml(getfeature(client, version="1.0.0", typeNames="industrial_areas", filter=fes10))
    assert set(fids(root)) == _ids(world, "KCN-NH")


# --- filters -------------------------------------------------------------------------------------


def _like(pattern: str, *, wild="*", single=".", escape="!", match_case=True) -> str:
    return (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
        f'<fes:PropertyIsLike wildCard="{wild}" singleChar="{single}" escapeChar="{escape}"'
        f' matchCase="{"true" if match_case else "false"}">'
        f"<fes:ValueReference>name</fes:ValueReference><fes:Literal>{pattern}</fes:Literal>"
        "</fes:PropertyIsLike></fes:Filter>"
    )


@pytest.mark.parametrize(
    "pattern, kwargs, expected",
    [
        ("CCN*", {}, {"CCN-BTX", "CCN-PA"}),  # prefix
        ("*Hòa", {}, {"KCN-NH"}),  # suffix, non-ASCII
        ("*Bùi*Xuân", {}, {"CCN-BTX"}),  # two wildcards, in order
        ("CCN Phư.c An", {}, {"CCN-PA"}),  # single character
        ("ccn*", {"match_case": False}, {"CCN-BTX", "CCN-PA"}),  # case-insensitive
        ("ccn*", {}, set()),  # case-sensitive by default
        ("CCN%", {"wild": "%", "single": "_", "escape": "\\"}, {"CCN-BTX", "CCN-PA"}),
        ("CCN Ph_ớc%", {"wild": "%", "single": "_", "escape": "\\"}, {"CCN-PA"}),
        ("CCN!*", {}, set()),  # escaped wildcard is a literal '*'
        ("CCN", {}, set()),  # no wildcard: the whole value
    ],
    ids=[
        "prefix",
        "suffix",
        "infix",
        "single",
        "nocase",
        "case",
        "sql",
        "sql-single",
        "escaped",
        "exact",
    ],
)
def test_property_is_like_wildcards(client, world, pattern, kwargs, expected):
    # pygeofilter 0.4.0 alone turns every one of these into an exact match (fault 2).
    root = xml(getfeature(client, typeNames="industrial_areas", filter=_like(pattern, **kwargs)))
    assert set(fids(root)) == _ids(world, *expected)


def test_property_is_like_fes10_escape_attribute(client, world):
    flt = (
        '<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc">'
        '<ogc:PropertyIsLike wildCard="*" singleChar="#" escape="!">'
        "<ogc:PropertyName>name</ogc:PropertyName><ogc:Literal>KCN*</ogc:Literal>"
        "</ogc:PropertyIsLike></ogc:Filter>"
    )
    root = xml(getfeature(client, version="1.0.0", typeNames="industrial_areas", filter=flt))
    assert set(fids(root)) == _ids(world, "KCN-NH")


def test_comparison_logic_and_natural_keys(client, world):
    flt = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:And>'
        "<fes:PropertyIsEqualTo><fes:ValueReference>kcn:admin_unit</fes:ValueReference>"
        "<fes:Literal>21907</fes:Literal></fes:PropertyIsEqualTo>"
        "<fes:Not><fes:PropertyIsNull><fes:ValueReference>developer</fes:ValueReference></fes:PropertyIsNull></fes:Not>"
        "<fes:PropertyIsBetween><fes:ValueReference>planned_area_ha</fes:ValueReference>"
        "<fes:LowerBoundary><fes:Literal>300</fes:Literal></fes:LowerBoundary>"
        "<fes:UpperBoundary><fes:Literal>400</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween>"
        "</fes:And></fes:Filter>"
    )
    root = xml(getfeature(client, typeNames="industrial_areas", filter=flt))
    assert set(fids(root)) == _ids(world, "KCN-NH")
    flt_or = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:Or>'
        "<fes:PropertyIsEqualTo><fes:ValueReference>code</fes:ValueReference><fes:Literal>CCN-PA</fes:Literal>"
        "</fes:PropertyIsEqualTo><fes:PropertyIsGreaterThanOrEqualTo><fes:ValueReference>established_on"
        "</fes:ValueReference><fes:Literal>2010-01-01</fes:Literal></fes:PropertyIsGreaterThanOrEqualTo>"
        "</fes:Or></fes:Filter>"
    )
    root = xml(getfeature(client, typeNames="industrial_areas", filter=flt_or))
    assert set(fids(root)) == _ids(world, "KCN-NH", "CCN-PA")


def test_spatial_operators(client, world):
    point = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">'
        "<fes:Intersects><fes:ValueReference>boundary</fes:ValueReference>"
        f'<gml:Point gml:id="p1" srsName="{URN}"><gml:pos>13.98 109.16</gml:pos></gml:Point>'
        "</fes:Intersects></fes:Filter>"
    )
    assert set(fids(xml(getfeature(client, typeNames="industrial_areas", filter=point)))) == _ids(
        world, "CCN-PA"
    )
    dwithin = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">'
        "<fes:DWithin><fes:ValueReference>boundary</fes:ValueReference>"
        '<gml:Point gml:id="p2" srsName="EPSG:4326"><gml:pos>109.045 13.975</gml:pos></gml:Point>'
        '<fes:Distance uom="m">1000</fes:Distance></fes:DWithin></fes:Filter>'
    )
    # 0.005° east of KCN Nhơn Hòa is about 540 m: within 1 km of it, and of nothing else.
    assert set(fids(xml(getfeature(client, typeNames="industrial_areas", filter=dwithin)))) == _ids(
        world, "KCN-NH"
    )


@pytest.mark.parametrize(
    "cql, expected",
    [
        ("S_INTERSECTS(boundary, BBOX(108.99, 13.95, 109.045, 14.0))", {"KCN-NH"}),  # fault 3
        ("BBOX(boundary, 108.99, 13.95, 109.045, 14.0)", {"KCN-NH"}),
        ("name LIKE 'CCN%'", {"CCN-BTX", "CCN-PA"}),
        ("name LIKE 'CCN Ph_ớc An'", {"CCN-PA"}),
        ("kind = 'KCN' AND admin_unit = '21907'", {"KCN-NH"}),
    ],
)
def test_cql_filter(client, world, cql, expected):
    root = xml(getfeature(client, typeNames="industrial_areas", cql_filter=cql))
    assert set(fids(root)) == _ids(world, *expected)


def test_resource_and_feature_ids(client, world):
    a, b = world["areas"]["KCN-NH"], world["areas"]["CCN-PA"]
    root = xml(getfeature(client, resourceId=f"industrial_areas.{a.pk},industrial_areas.{b.pk}"))
    assert set(fids(root)) == _ids(world, "KCN-NH", "CCN-PA")
    root = xml(getfeature(client, version="1.1.0", featureId=f"industrial_areas.{a.pk}"))
    assert fids(root) == [f"industrial_areas.{a.pk}"]
    flt = (
        '<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc">'
        f'<ogc:FeatureId fid="industrial_areas.{b.pk}"/></ogc:Filter>'
    )
    root = xml(getfeature(client, version="1.0.0", typeNames="industrial_areas", filter=flt))
    assert fids(root) == [f"industrial_areas.{b.pk}"]


def test_property_name_selects_properties(client, world):
    root = xml(getfeature(client, typeNames="industrial_areas", propertyName="kcn:name,status"))
    feature = root.find("wfs:member/kcn:industrial_areas", NS)
    assert [child.tag.rpartition("}")[2] for child in feature] == ["name", "status"]
    root = xml(getfeature(client, typeNames="industrial_areas", propertyName="boundary"))
    feature = root.find("wfs:member/kcn:industrial_areas", NS)
    assert [child.tag.rpartition("}")[2] for child in feature] == ["boundary"]


@pytest.mark.parametrize(
    "version, sort_by, expected",
    [
        ("2.0.0", "name DESC", ["KCN-NH", "CCN-PA", "CCN-BTX"]),
        ("2.0.0", "kind ASC,name DESC", ["CCN-PA", "CCN-BTX", "KCN-NH"]),
        ("1.1.0", "name D", ["KCN-NH", "CCN-PA", "CCN-BTX"]),
        ("2.0.0", "code", ["CCN-BTX", "CCN-PA", "KCN-NH"]),
    ],
)
def test_sort_by(client, world, version, sort_by, expected):
    root = xml(getfeature(client, version=version, typeNames="industrial_areas", sortBy=sort_by))
    assert fids(root) == [f"industrial_areas.{world['areas'][c].pk}" for c in expected]


# --- paging and hits -----------------------------------------------------------------------------


@pytest.fixture
def many_points(world):
    m.InfrastructurePoint.objects.bulk_create(
        [
            m.InfrastructurePoint(
                name=f"Trạm {i % 4}",
                kind="substation",
                status="invested",
                geom=Point(109.0 + i * 0.001, 13.97, srid=4326),
                metric_srid=9217,
            )
            for i in range(23)
        ]
    )
    return list(m.InfrastructurePoint.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("sort_by", [None, "name"])
def test_paging_with_next_links_covers_every_feature_once(client, many_points, sort_by):
    params = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeNames": "infrastructure_points",
        "count": "5",
    }
    if sort_by:
        params["sortBy"] = sort_by  # many ties: the primary key must break them
    r = client.get("/ows/wfs", params)
    seen, pages = [], 0
    while True:
        root = xml(r)
        pages += 1
        assert root.get("numberMatched") == "23"
        seen.extend(fids(root))
        assert int(root.get("numberReturned")) == len(fids(root))
        if pages > 1:
            assert root.get("previous")
        nxt = root.get("next")
        if not nxt:
            break
        parts = urlsplit(nxt)
        r = client.get(f"{parts.path}?{parts.query}")
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert {int(f.rpartition(".")[2]) for f in seen} == set(many_points)


def test_start_index_and_count(client, many_points):
    root = xml(getfeature(client, typeNames="infrastructure_points", count="4", startIndex="20"))
    assert root.get("numberMatched") == "23" and root.get("numberReturned") == "3"
    assert root.get("next") is None and root.get("previous")
    root = xml(getfeature(client, typeNames="infrastructure_points", count="4", startIndex="40"))
    assert root.get("numberMatched") == "23" and root.get("numberReturned") == "0"


def test_hits(client, many_points):
    root = xml(getfeature(client, typeNames="infrastructure_points", resultType="hits"))
    assert root.get("numberMatched") == "23" and root.get("numberReturned") == "0"
    assert len(root) == 0
    root = xml(
        getfeature(client, version="1.1.0", typeNames="infrastructure_points", resultType="hits")
    )
    assert root.get("numberOfFeatures") == "23"
    doc = json.loads(
        getfeature(
            client,
            typeNames="infrastructure_points",
            resultType="hits",
            outputFormat="application/json",
        ).content
    )
    assert doc["numberMatched"] == 23 and doc["features"] == []


# --- reprojection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "srs", ["EPSG:9217", "urn:ogc:def:crs:EPSG::9217", "http://www.opengis.net/def/crs/EPSG/0/9217"]
)
def test_srsname_vn2000_matches_pyproj(client, world, srs):
    kcn = world["areas"]["KCN-NH"]
    root = xml(
        getfeature(
            client,
            typeNames="industrial_areas",
            resourceId=f"industrial_areas.{kcn.pk}",
            srsName=srs,
        )
    )
    got = _poslists(root)[0]
    stored = np.array(m.IndustrialArea.objects.get(pk=kcn.pk).boundary[0][0].coords)
    # Reference: pyproj's EPSG:4326 -> EPSG:9217, which takes "VN-2000 to WGS 84 (2)" (EPSG:6960).
    t = Transformer.from_crs(4326, 9217, always_xy=True)
    assert "VN-2000 to WGS 84 (2)" in t.description
    x, y = t.transform(stored[:, 0], stored[:, 1])
    np.testing.assert_allclose(got, np.column_stack([x, y]), atol=0.01)  # easting, northing; 1 cm
    assert root.find(".//gml:MultiSurface", NS).get("srsName") == srs


def test_vn2000_output_applies_the_datum_shift(client, world):
    kcn = world["areas"]["KCN-NH"]
    root = xml(
        getfeature(
            client,
            typeNames="industrial_areas",
            resourceId=f"industrial_areas.{kcn.pk}",
            srsName="EPSG:9217",
        )
    )
    got = _poslists(root)[0][0]
    # The same projection on the WGS 84 datum (no EPSG:6960 shift) lands ~ a hundred metres away.
    no_shift = Transformer.from_crs(
        4326,
        "+proj=tmerc +lat_0=0 +lon_0=108.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m",
        always_xy=True,
    )
    stored = m.IndustrialArea.objects.get(pk=kcn.pk).boundary[0][0].coords[0]
    naive = np.array(no_shift.transform(*stored))
    assert np.hypot(*(got - naive)) > 100


@pytest.mark.parametrize("output_format", ["application/json", None])
def test_srsname_3857(client, world, output_format):
    params = {"typeNames": "road_corridors", "srsName": "EPSG:3857"}
    if output_format:
        params["outputFormat"] = output_format
    r = getfeature(client, **params)
    t = geo.transformer(4326, 3857)
    expected = np.column_stack(t.transform([108.96, 109.20], [13.97, 13.99]))
    if output_format:
        doc = json.loads(r.content)
        assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::3857"
        got = np.array(doc["features"][0]["geometry"]["coordinates"][0])
    else:
        got = _poslists(xml(r))[0]
    np.testing.assert_allclose(got, expected, atol=0.01)


# --- stored query, GetPropertyValue, POST --------------------------------------------------------


def test_get_feature_by_id(client, world):
    kcn = world["areas"]["KCN-NH"]
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetFeature",
        storedQuery_id="urn:ogc:def:query:OGC-WFS::GetFeatureById",
        id=f"industrial_areas.{kcn.pk}",
    )
    assert r.status_code == 200
    root = xml(r)
    assert root.tag == f"{{{NS['kcn']}}}industrial_areas"  # the bare feature, no collection
    assert root.get(f"{{{NS['gml']}}}id") == f"industrial_areas.{kcn.pk}"
    assert root.findtext("kcn:code", namespaces=NS) == "KCN-NH"
    doc = json.loads(
        wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="GetFeature",
            storedQuery_id="urn:ogc:def:query:OGC-WFS::GetFeatureById",
            id=f"industrial_areas.{kcn.pk}",
            outputFormat="application/json",
        ).content
    )
    assert doc["type"] == "Feature" and doc["properties"]["code"] == "KCN-NH"


@pytest.mark.parametrize(
    "rid", ["industrial_areas.999999", "nothing.1", "proposals.1", "industrial_areas.x"]
)
def test_get_feature_by_id_not_found(client, world, rid):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetFeature",
        storedQuery_id="urn:ogc:def:query:OGC-WFS::GetFeatureById",
        id=rid,
    )
    assert r.status_code == 404
    assert exception_code(r) == ("NotFound", "ID")


def test_get_feature_by_id_of_staff_layer(client, users, world):
    pk = world["proposals"]["a"].pk
    params = dict(
        service="WFS",
        version="2.0.0",
        request="GetFeature",
        storedQuery_id="urn:ogc:def:query:OGC-WFS::GetFeatureById",
        id=f"proposals.{pk}",
    )
    assert wfs_get(client, **params).status_code == 404  # hidden from anonymous users
    # A draft is private to its unit: staff of commune B don't see it, commune A's staff do.
    assert wfs_get(client, HTTP_AUTHORIZATION=basic("canbo_b"), **params).status_code == 404
    r = wfs_get(client, HTTP_AUTHORIZATION=basic("canbo_a"), **params)
    assert r.status_code == 200 and xml(r).findtext("kcn:code", namespaces=NS) == "DX-A-1"
    with m.workflow_write("fixture"):  # a recorded state, not a workflow step under test
        world["proposals"]["a"].status = "submitted"
        world["proposals"]["a"].save()
    r = wfs_get(client, HTTP_AUTHORIZATION=basic("canbo_b"), **params)
    assert r.status_code == 200 and xml(r).findtext("kcn:code", namespaces=NS) == "DX-A-1"


def test_get_property_value(client, world):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetPropertyValue",
        typeNames="industrial_areas",
        valueReference="name",
        sortBy="name",
    )
    root = xml(r)
    assert root.tag == f"{{{NS['wfs']}}}ValueCollection"
    assert root.get("numberMatched") == "3"
    assert [e.text for e in root.findall("wfs:member", NS)] == [
        "CCN Bùi Thị Xuân",
        "CCN Phước An",
        "KCN Nhơn Hòa",
    ]
    root = xml(
        wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="GetPropertyValue",
            typeNames="road_corridors",
            valueReference="centerline",
            srsName="EPSG:4326",
        )
    )
    assert root.find("wfs:member/gml:MultiCurve", NS) is not None
    bad = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetPropertyValue",
        typeNames="road_corridors",
        valueReference="nothing",
    )
    assert bad.status_code == 400 and exception_code(bad) == (
        "InvalidParameterValue",
        "valueReference",
    )


def test_post_get_feature_200(client, world):
    body = """<wfs:GetFeature service="WFS" version="2.0.0" count="1" startIndex="1"
        xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"
        xmlns:kcn="http://kcn-planner.vn/kcn">
      <wfs:Query typeNames="kcn:industrial_areas" srsName="EPSG:4326">
        <wfs:PropertyName>kcn:name</wfs:PropertyName>
        <fes:Filter><fes:PropertyIsLike wildCard="*" singleChar="." escapeChar="!">
          <fes:ValueReference>name</fes:ValueReference><fes:Literal>CCN*</fes:Literal></fes:PropertyIsLike></fes:Filter>
        <fes:SortBy><fes:SortProperty><fes:ValueReference>name</fes:ValueReference>
          <fes:SortOrder>DESC</fes:SortOrder></fes:SortProperty></fes:SortBy>
      </wfs:Query></wfs:GetFeature>"""
    root = xml(wfs_post(client, body))
    assert root.get("numberMatched") == "2" and root.get("numberReturned") == "1"
    assert fids(root) == [f"industrial_areas.{world['areas']['CCN-BTX'].pk}"]


def test_post_get_feature_110(client, world):
    body = """<GetFeature xmlns="http://www.opengis.net/wfs" xmlns:ogc="http://www.opengis.net/ogc"
        xmlns:gml="http://www.opengis.net/gml" service="WFS" version="1.1.0" maxFeatures="10">
      <Query typeName="industrial_areas"><ogc:Filter><ogc:And>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>kind</ogc:PropertyName><ogc:Literal>CCN</ogc:Literal></ogc:PropertyIsEqualTo>
        <ogc:BBOX><ogc:PropertyName>boundary</ogc:PropertyName><gml:Envelope srsName="EPSG:4326">
          <gml:lowerCorner>109.0 13.9</gml:lowerCorner><gml:upperCorner>109.1 14.1</gml:upperCorner>
          </gml:Envelope></ogc:BBOX>
      </ogc:And></ogc:Filter></Query></GetFeature>"""
    root = xml(wfs_post(client, body))
    assert root.get("numberOfFeatures") == "1"
    assert fids(root) == [f"industrial_areas.{world['areas']['CCN-BTX'].pk}"]


# --- personal data and rights --------------------------------------------------------------------


@pytest.mark.parametrize(
    "version, fmt",
    [("2.0.0", None), ("1.1.0", None), ("1.0.0", None), ("2.0.0", "application/json")],
)
def test_personal_fields_never_published(client, users, version, fmt):
    params = {"typeNames": "clearance_parcels", "HTTP_AUTHORIZATION": basic("canbo_a")}
    if fmt:
        params["outputFormat"] = fmt
    r = getfeature(client, version=version, **params)
    assert r.status_code == 200
    body = r.content.decode()
    assert "parcel_no" in body and "map_sheet" in body
    for secret in (
        "holder_name",
        "holder_id_number",
        "households",
        "Nguyễn Văn Bí Mật",
        "052099001234",
    ):
        assert secret not in body


@pytest.mark.parametrize(
    "params",
    [
        {
            "filter": '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo><fes:ValueReference>'
            "holder_name</fes:ValueReference><fes:Literal>Nguyễn Văn Bí Mật</fes:Literal>"
            "</fes:PropertyIsEqualTo>"
            "</fes:Filter>"
        },
        {"cql_filter": "holder_id_number = '052099001234'"},
        {"propertyName": "holder_name"},
        {"sortBy": "households"},
    ],
    ids=["fes", "cql", "propertyname", "sortby"],
)
def test_personal_fields_cannot_be_queried(client, users, params):
    r = getfeature(
        client, typeNames="clearance_parcels", HTTP_AUTHORIZATION=basic("canbo_a"), **params
    )
    assert r.status_code == 400
    assert exception_code(r)[0] == "InvalidParameterValue"
    assert b"Nguy" not in r.content.split(b"ExceptionText")[0]


def test_staff_layer_rights(client, users):
    assert getfeature(client, typeNames="proposals").status_code == 400  # looks unknown
    r = getfeature(
        client, typeNames="proposals", HTTP_AUTHORIZATION=basic("khach")
    )  # signed in, no role
    assert r.status_code == 403
    assert exception_code(r) == ("OperationProcessingFailed", "typeNames")
    r = getfeature(client, typeNames="proposals", HTTP_AUTHORIZATION=basic("canbo_a"))
    assert (
        r.status_code == 200 and xml(r).get("numberMatched") == "1"
    )  # commune B's draft is private
    with m.workflow_write("fixture"):  # a recorded state, not a workflow step under test
        m.Proposal.objects.filter(code="DX-B-1").update(status="submitted")
    r = getfeature(client, typeNames="proposals", HTTP_AUTHORIZATION=basic("canbo_a"))
    assert xml(r).get("numberMatched") == "2"  # once submitted, every reader of the layer sees it
    r = getfeature(client, typeNames="proposals", HTTP_AUTHORIZATION=basic("quantri"))
    assert xml(r).get("numberMatched") == "2"


def test_wfs_100_is_lon_lat_whatever_the_spelling(client, world):
    """WFS 1.0.0 knows only x/y (GML 2): URN spellings neither swap output nor BBOX (as
    GeoServer)."""
    root = xml(getfeature(client, version="1.0.0", typeNames="road_corridors", srsName=URN))
    coords = root.findtext(".//gml2:coordinates", namespaces=NS)
    assert coords == "108.96,13.97 109.2,13.99"
    root = xml(
        getfeature(
            client,
            version="1.0.0",
            typeNames="industrial_areas",
            bbox=f"108.99,13.95,109.045,14.0,{URN}",
        )
    )
    assert set(fids(root)) == _ids(world, "KCN-NH")


def test_kvp_by_form_post(client, world):
    body = urlencode(
        {
            "service": "WFS",
            "version": "2.0.0",
            "request": "GetFeature",
            "typeNames": "industrial_areas",
            "count": "1",
        }
    )
    r = client.generic("POST", "/ows/wfs", body, content_type="application/x-www-form-urlencoded")
    root = xml(r)
    assert root.get("numberMatched") == "3" and root.get("numberReturned") == "1"
