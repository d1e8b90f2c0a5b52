"""OGC API – Features – Part 2 (CRS by reference, OGC 18-058r1) and Part 3 (Filtering, OGC
19-079r2, with CQL2, OGC 21-065r2) at /ogc/: one test per abstract test, named after it.

Part 2's tests follow its Abstract Test Suite (``/conf/crs/...``). Part 3's draft ATS has no
tests written yet (``abstract_tests/cc/TEST001`` is a template), so its tests are named after
the requirements they check (``/req/queryables/...``, ``/req/filter/...``,
``/req/features-filter/...``) and CQL2's conformance classes (``/conf/basic-cql2`` ...).

The data is the WFS tests' world: three areas (KCN Nhơn Hòa 109.00–109.04 E 13.96–13.99 N, a
KCN, in commune A 21907; CCN Bùi Thị Xuân 109.05–109.07 E 14.02–14.04 N in A; CCN Phước An
109.15–109.17 E 13.97–13.99 N in commune B 21910), a road from (108.96, 13.97) to
(109.20, 13.99), clearance parcels (a staff layer) and proposals; then OWSLib, GDAL and QGIS.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from urllib.parse import quote, urlencode

import pytest
from django.contrib.gis.geos import Point
from owslib.ogcapi.features import Features

from planning import models as m
from tests.layers.test_wfs_support import world  # noqa: F401

pytestmark = pytest.mark.django_db

OGC = "/ogc"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
AREAS = "/collections/industrial_areas"


def get(client, path, params=None, **extra):
    """GET /ogc``path``; messages in English unless the test asks for another language (the
    service's default is Vietnamese)."""
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    if params:
        path += ("&" if "?" in path else "?") + urlencode(params)
    return client.get(OGC + path, **extra)


def doc(response, status=200):
    assert response.status_code == status, response.content[:800]
    return json.loads(response.content)


def codes(fc) -> list[str]:
    return sorted(f["properties"]["code"] for f in fc["features"])


def area_codes(client, **params) -> list[str]:
    return codes(doc(get(client, f"{AREAS}/items", params)))


@pytest.fixture
def beacon(world):
    """A substation at DOMAIN.md §4.2's test vector, WGS 84 lon 109.20, lat 13.77."""
    return m.InfrastructurePoint.objects.create(
        name="Trạm biến áp thử",
        kind="substation",
        status="invested",
        geom=Point(109.20, 13.77, srid=4326),
        admin_unit=world["province"],
    )


def public_collections(client) -> list[dict]:
    return doc(get(client, "/collections"))["collections"]


# === Part 2: /conf/crs =========================================================================


def test_ats_crs_crs_uri(client, world):
    """/conf/crs/crs-uri: every ``crs`` and ``storageCrs`` value (in /collections and each
    /collections/{id}) is an OGC CRS http-URI."""
    pattern = re.compile(
        r"^http://www\.opengis\.net/def/crs/(OGC/1\.3/CRS84|EPSG/0/\d+)$",
    )
    for c in public_collections(client):
        one = doc(get(client, f"/collections/{c['id']}"))
        for d in (c, one):
            assert d["crs"] and all(pattern.match(u) for u in d["crs"]), d["crs"]
            assert pattern.match(d["storageCrs"])


def test_ats_crs_default_crs(client, world):
    """/conf/crs/default-crs: each ``crs`` list includes CRS84 (Part 1's default), first."""
    for c in public_collections(client):
        assert c["crs"][0] == CRS84
        assert doc(get(client, f"/collections/{c['id']}"))["crs"][0] == CRS84


def test_ats_crs_storage_crs(client, world):
    """/conf/crs/storageCrs: ``storageCrs`` (CRS84: EPSG:4326 stored longitude first) is in
    the collection's ``crs`` list."""
    for c in public_collections(client):
        assert c["storageCrs"] == CRS84 and c["storageCrs"] in c["crs"]
    # The offered list: CRS84, WGS 84 (lat/lon), Web Mercator and VN-2000 with Bình Định's TM-3
    # zone 108-15 (EPSG:9217) and Gia Lai's 108-30 (9218).
    offered = doc(get(client, AREAS))["crs"]
    for code in (4326, 3857, 4756, 9209, 9217, 9218, 5897):
        assert f"{EPSG}{code}" in offered


def test_ats_crs_crs_parameter(client, world, beacon):
    """/conf/crs/crs-parameter: every CRS of the list, on items and on one item: 200, a Feature
    (Collection), ``Content-Crs: <the requested URI>``."""
    fid = doc(get(client, "/collections/infrastructure_points/items"))["features"][0]["id"]
    for uri in doc(get(client, "/collections/infrastructure_points"))["crs"]:
        r = get(client, "/collections/infrastructure_points/items", {"crs": uri})
        fc = doc(r)
        assert fc["type"] == "FeatureCollection" and fc["numberReturned"] == 1
        assert r["Content-Crs"] == f"<{uri}>"
        r = get(client, f"/collections/infrastructure_points/items/{fid}", {"crs": uri})
        assert doc(r)["type"] == "Feature" and r["Content-Crs"] == f"<{uri}>"


def test_ats_crs_crs_parameter_default(client, world):
    """/conf/crs/crs-parameter-default: no ``crs``: CRS84, said in ``Content-Crs``, also on
    one item and on the HTML page."""
    r = get(client, f"{AREAS}/items")
    assert r["Content-Crs"] == f"<{CRS84}>"
    fid = doc(r)["features"][0]["id"]
    assert get(client, f"{AREAS}/items/{fid}")["Content-Crs"] == f"<{CRS84}>"
    assert get(client, f"{AREAS}/items?f=html")["Content-Crs"] == f"<{CRS84}>"


def test_ats_crs_crs_parameter_invalid(client, world):
    """/conf/crs/crs-parameter-invalid: a CRS outside the list is a 400 (items and one item),
    with a message that names the parameter and the offered CRSs."""
    fid = doc(get(client, f"{AREAS}/items"))["features"][0]["id"]
    for bad in (f"{EPSG}2154", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "nonsense"):
        error = doc(get(client, f"{AREAS}/items", {"crs": bad}), 400)
        assert error["description"].startswith("crs: the CRS")
        assert CRS84 in error["description"]
        assert doc(get(client, f"{AREAS}/items/{fid}", {"crs": bad}), 400)


def test_ats_crs_crs_parameter_transform(client, world, beacon):
    """/conf/crs/crs-parameter-transform: coordinates reprojected, in the CRS's axis order.

    The beacon is at lon 109.20, lat 13.77 (WGS 84).
    * EPSG:3857 (sphere R = 6 378 137 m): x = R·λ = 6 378 137 × 1.905899543 = 12 156 088.39;
      y = R·ln tan(π/4 + φ/2) = 6 378 137 × ln(1.274659886) = 6 378 137 × 0.242679387
      = 1 547 842.38.
    * EPSG:9217 (VN-2000 / TM-3 108-15, Bình Định), by EPSG:6960: E 602 532.57,
      N 1 523 062.89 (DOMAIN.md §4.2's test vector).
    * EPSG:4326 by its URI: latitude first, (13.77, 109.20); CRS84: (109.20, 13.77).
    """
    url = "/collections/infrastructure_points/items"

    def coords(uri):
        r = get(client, url, {"crs": uri})
        fc = doc(r)
        return fc["features"][0]["geometry"]["coordinates"]

    assert coords(CRS84) == pytest.approx([109.20, 13.77], abs=1e-8)
    assert coords(f"{EPSG}4326") == pytest.approx([13.77, 109.20], abs=1e-8)
    assert coords(f"{EPSG}3857") == pytest.approx([12156088.39, 1547842.38], abs=0.01)
    assert coords(f"{EPSG}9217") == pytest.approx([602532.57, 1523062.89], abs=0.01)
    # One item: the same numbers.
    fid = doc(get(client, url))["features"][0]["id"]
    one = doc(get(client, f"{url}/{fid}", {"crs": f"{EPSG}9217"}))
    assert one["geometry"]["coordinates"] == pytest.approx([602532.57, 1523062.89], abs=0.01)
    # A polygon too: KCN Nhơn Hòa's south-west corner (109.00, 13.96) first, lat/lon.
    fc = doc(get(client, f"{AREAS}/items", {"crs": f"{EPSG}4326", "code": "KCN-NH"}))
    ring = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert ring[0] == pytest.approx([13.96, 109.00], abs=1e-8)


def test_ats_crs_bbox_crs_parameter(client, world, beacon):
    """/conf/crs/bbox-crs-parameter: ``bbox`` read in ``bbox-crs`` and its axis order.

    A box of ±100 m around the beacon in EPSG:9217 (602 432.57–602 632.57 E,
    1 522 962.89–1 523 162.89 N) or in EPSG:3857 (12 155 988–12 156 188,
    1 547 742–1 547 942) finds it; a box 1 km east does not. KCN Nhơn Hòa (109.00–109.04 E,
    13.96–13.99 N) by a lat/lon box in EPSG:4326: 13.95,108.99,13.995,109.045."""
    url = "/collections/infrastructure_points/items"

    def count(bbox, crs):
        return doc(get(client, url, {"bbox": bbox, "bbox-crs": crs}))["numberMatched"]

    assert count("602432.57,1522962.89,602632.57,1523162.89", f"{EPSG}9217") == 1
    assert count("603432.57,1522962.89,603632.57,1523162.89", f"{EPSG}9217") == 0
    assert count("12155988,1547742,12156188,1547942", f"{EPSG}3857") == 1
    assert count("13.76,109.19,13.78,109.21", f"{EPSG}4326") == 1
    # The same numbers read lon/lat (CRS84) are in Antarctica's longitude band: nothing.
    assert count("13.76,109.19,13.78,109.21", CRS84) == 0
    assert area_codes(client, bbox="13.95,108.99,13.995,109.045", **{"bbox-crs": f"{EPSG}4326"})
    assert area_codes(
        client, bbox="13.95,108.99,13.995,109.045", **{"bbox-crs": f"{EPSG}4326"}
    ) == ["KCN-NH"]
    # The next link keeps bbox-crs.
    fc = doc(
        get(
            client,
            f"{AREAS}/items",
            {"bbox": "13.9,108.9,14.1,109.3", "bbox-crs": f"{EPSG}4326", "limit": 1},
        )
    )
    assert fc["numberMatched"] == 3
    nxt = next(link["href"] for link in fc["links"] if link["rel"] == "next")
    assert "bbox-crs=" + quote(f"{EPSG}4326", safe="") in nxt


def test_ats_crs_bbox_crs_parameter_default(client, world):
    """/conf/crs/bbox-crs-parameter-default: without ``bbox-crs`` the box is CRS84."""
    box = "108.99,13.95,109.045,13.995"
    assert area_codes(client, bbox=box) == ["KCN-NH"]
    assert area_codes(client, bbox=box, **{"bbox-crs": CRS84}) == ["KCN-NH"]


def test_ats_crs_bbox_crs_parameter_invalid(client, world):
    """/conf/crs/bbox-crs-parameter-invalid: a ``bbox-crs`` outside the list is a 400."""
    error = doc(get(client, f"{AREAS}/items", {"bbox": "1,2,3,4", "bbox-crs": f"{EPSG}2154"}), 400)
    assert error["description"].startswith("bbox-crs: the CRS")
    assert doc(get(client, f"{AREAS}/items", {"bbox-crs": "EPSG:9217"}), 400)


def test_crs_safe_curie_and_openapi(client, world, beacon):
    """OGC 18-058r1 also allows the ``[EPSG:9217]`` safe CURIE; the OpenAPI document
    declares ``crs`` and ``bbox-crs`` with the list as an enum."""
    r = get(client, "/collections/infrastructure_points/items", {"crs": "[EPSG:9217]"})
    assert r["Content-Crs"] == f"<{EPSG}9217>"
    api = doc(get(client, "/api"))
    params = api["components"]["parameters"]
    assert CRS84 in params["crs"]["schema"]["enum"] and params["bbox-crs"]["schema"]["enum"]
    items = api["paths"]["/collections/industrial_areas/items"]["get"]["parameters"]
    refs = {p.get("$ref", "").rsplit("/", 1)[-1] for p in items}
    assert {"crs", "bbox-crs", "filter", "filter-lang", "filter-crs"} <= refs


# === Part 3: queryables ==========================================================================


def test_ats_queryables_get_queryables_op(client, world):
    """/req/queryables/get-queryables-op: GET /collections/{id}/queryables answers
    ``application/schema+json``, for every collection; a hidden one is a 404."""
    for c in public_collections(client):
        r = get(client, f"/collections/{c['id']}/queryables")
        assert r.status_code == 200 and r["Content-Type"] == "application/schema+json"
    assert doc(get(client, "/collections/clearance_parcels/queryables"), 404)


def test_ats_queryables_queryables_link(client, world):
    """/req/queryables/queryables-link: each collection links its queryables with the
    ``http://www.opengis.net/def/rel/ogc/1.0/queryables`` relation."""
    for c in public_collections(client):
        links = [
            link
            for link in c["links"]
            if link["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"
        ]
        assert links and links[0]["href"].endswith(f"/collections/{c['id']}/queryables")


def test_ats_queryables_get_queryables_response(client, world):
    """/req/queryables/get-queryables-response: JSON Schema 2020-12, ``$id`` the URI without
    query, ``type: object``; every property has a type except the geometry, which has
    ``format: geometry-multipolygon``; dates have ``format: date``; additionalProperties false."""
    q = doc(get(client, f"{AREAS}/queryables?f=json"))
    assert q["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert q["$id"] == "http://testserver/ogc/collections/industrial_areas/queryables"
    assert q["type"] == "object" and q["additionalProperties"] is False
    props = q["properties"]
    assert props["boundary"]["format"] == "geometry-multipolygon"
    assert "type" not in props["boundary"] and "$ref" not in props["boundary"]
    assert props["code"]["type"] == "string"
    assert props["planned_area_ha"]["type"] == "number"
    assert props["wwtp_operating"]["type"] == "boolean"
    assert props["established_on"] == {**props["established_on"], "type": "string"}
    assert props["established_on"]["format"] == "date"
    assert props["kind"]["enum"] == ["KCN", "CCN"]
    assert all("type" in p for name, p in props.items() if name != "boundary")
    roads = doc(get(client, "/collections/road_corridors/queryables"))
    assert roads["properties"]["centerline"]["format"] == "geometry-multilinestring"


def test_ats_queryables_expression_construction(client, world, django_user_model):
    """/req/queryables/expression-construction and get-queryables-response G: only queryables
    in a filter; anything else is a 400 that names it. Personal data (a parcel holder's name)
    is no queryable even for staff who read the layer."""
    error = doc(get(client, f"{AREAS}/items", {"filter": "colour = 'red'"}), 400)
    assert "'colour'" in error["description"] and "industrial_areas" in error["description"]
    from tests.layers.test_wfs_support import basic, make_user

    make_user("canbo_q", role="commune_staff", unit=world["commune_a"])
    auth = {"HTTP_AUTHORIZATION": basic("canbo_q")}
    q = doc(get(client, "/collections/clearance_parcels/queryables", **auth))
    assert "holder_name" not in q["properties"] and "land_use" in q["properties"]
    error = doc(
        get(
            client,
            "/collections/clearance_parcels/items",
            {"filter": "holder_name LIKE 'Nguyễn%'"},
            **auth,
        ),
        400,
    )
    assert "'holder_name'" in error["description"]
    fc = doc(
        get(client, "/collections/clearance_parcels/items", {"filter": "land_use = 'LUC'"}, **auth)
    )
    assert fc["numberMatched"] == 3


def test_ats_queryables_query_parameters_parameters(client, world):
    """/req/queryables-query-parameters/parameters: every simple queryable is a query
    parameter of items with its schema (in the OpenAPI document) and selects by value."""
    api = doc(get(client, "/api"))
    params = api["paths"]["/collections/industrial_areas/items"]["get"]["parameters"]
    named = {p["name"]: p for p in params if "name" in p}
    q = doc(get(client, f"{AREAS}/queryables"))
    for name, schema in q["properties"].items():
        if "type" in schema:
            assert named[name]["schema"]["type"] == schema["type"], name
    assert area_codes(client, kind="CCN") == ["CCN-BTX", "CCN-PA"]
    assert area_codes(client, status="operating") == ["KCN-NH"]
    assert area_codes(client, established_on="2010-05-01") == ["KCN-NH"]


# === Part 3: filter, features-filter =============================================================


def test_ats_filter_filter_param(client, world):
    """/req/filter/filter-param, /req/features-filter/filter-param: ``filter`` on items."""
    assert area_codes(client, filter="kind = 'KCN'") == ["KCN-NH"]
    assert area_codes(client, filter="kind <> 'KCN'") == ["CCN-BTX", "CCN-PA"]
    assert area_codes(client, filter="admin_unit = '21910'") == ["CCN-PA"]


def test_ats_filter_filter_lang_param(client, world):
    """/req/filter/filter-lang-param: ``cql2-text`` (the default) and ``cql2-json``, listed in
    the OpenAPI enum with the default; any other language is a 400."""
    api = doc(get(client, "/api"))
    lang = api["components"]["parameters"]["filter-lang"]["schema"]
    assert lang["enum"] == ["cql2-text", "cql2-json"] and lang["default"] == "cql2-text"
    text = "kind = 'CCN' AND admin_unit = '21907'"
    assert area_codes(client, filter=text) == ["CCN-BTX"]
    assert area_codes(client, filter=text, **{"filter-lang": "cql2-text"}) == ["CCN-BTX"]
    cql_json = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "kind"}, "CCN"]},
            {"op": "=", "args": [{"property": "admin_unit"}, "21907"]},
        ],
    }
    assert area_codes(client, filter=json.dumps(cql_json), **{"filter-lang": "cql2-json"}) == [
        "CCN-BTX"
    ]
    error = doc(get(client, f"{AREAS}/items", {"filter": text, "filter-lang": "ecql"}), 400)
    assert "filter-lang" in error["description"]


def test_ats_filter_filter_crs_wgs84(client, world):
    """/req/filter/filter-crs-wgs84: without ``filter-crs``, filter geometries are CRS84
    (longitude first): a point inside KCN Nhơn Hòa (109.02 E, 13.975 N)."""
    assert area_codes(client, filter="S_INTERSECTS(boundary, POINT(109.02 13.975))") == ["KCN-NH"]
    # The same numbers latitude first are nowhere near.
    assert area_codes(client, filter="S_INTERSECTS(boundary, POINT(13.975 109.02))") == []


def test_ats_filter_filter_crs_param(client, world):
    """/req/features-filter/filter-crs-param: ``filter-crs`` names the CRS of the filter's
    geometries, in its axis order; a CRS outside the list is a 400.

    The point 109.02 E, 13.975 N inside KCN Nhơn Hòa: in EPSG:3857
    x = 6 378 137 × 109.02 × π/180 = 6 378 137 × 1.902758 = 12 136 050.9,
    y = 6 378 137 × ln tan(45° + 6.9875°) = 6 378 137 × 0.246368 = 1 571 348.5;
    in EPSG:4326 (lat/lon) POINT(13.975 109.02)."""
    point = "S_INTERSECTS(boundary, POINT({} {}))"
    assert area_codes(
        client,
        filter=point.format(12136050.9, 1571348.5),
        **{"filter-crs": f"{EPSG}3857"},
    ) == ["KCN-NH"]
    assert area_codes(
        client, filter=point.format(13.975, 109.02), **{"filter-crs": f"{EPSG}4326"}
    ) == ["KCN-NH"]
    # BBOX / ENVELOPE in the filter CRS too: lat/lon box around KCN Nhơn Hòa.
    assert area_codes(
        client,
        filter="S_INTERSECTS(boundary, BBOX(13.95, 108.99, 13.995, 109.045))",
        **{"filter-crs": f"{EPSG}4326"},
    ) == ["KCN-NH"]
    cql_json = {"op": "s_intersects", "args": [{"property": "boundary"}, {"bbox": [
        13.95, 108.99, 13.995, 109.045]}]}  # fmt: skip
    assert area_codes(
        client,
        filter=json.dumps(cql_json),
        **{"filter-lang": "cql2-json", "filter-crs": f"{EPSG}4326"},
    ) == ["KCN-NH"]
    error = doc(
        get(client, f"{AREAS}/items", {"filter": "kind = 'KCN'", "filter-crs": "EPSG:2154"}),
        400,
    )
    assert error["description"].startswith("filter-crs: the CRS")


def test_ats_filter_response(client, world):
    """/req/filter/response: features for which the filter is TRUE are in, FALSE out (NULL
    is not TRUE: only the KCN has an establishment date)."""
    assert area_codes(client, filter="established_on > DATE('2000-01-01')") == ["KCN-NH"]
    assert area_codes(client, filter="established_on IS NULL") == ["CCN-BTX", "CCN-PA"]
    assert area_codes(client, filter="NOT (kind = 'KCN')") == ["CCN-BTX", "CCN-PA"]


def test_ats_filter_mixing_expressions(client, world):
    """/req/filter/mixing-expressions, /req/features-filter/response B–D: ``filter`` ANDed
    with ``bbox``, ``datetime`` and property parameters."""
    ccn = "kind = 'CCN'"
    # CCN: BTX and PA; the bbox 109.04–109.10 E, 14.00–14.05 N holds only BTX.
    assert area_codes(client, filter=ccn, bbox="109.04,14.0,109.1,14.05") == ["CCN-BTX"]
    assert area_codes(client, filter=ccn, admin_unit="21910") == ["CCN-PA"]
    assert area_codes(client, filter="kind = 'KCN'", datetime="2011-01-01/..") == []
    assert area_codes(client, filter="kind = 'KCN'", datetime="2010-05-01") == ["KCN-NH"]


def test_ats_features_filter_response(client, world):
    """/req/features-filter/response E: a bad ``filter`` is a 400 with the line and column of
    the error; paging keeps the filter in ``next``/``prev`` links and numberMatched counts
    the filtered features."""
    error = doc(get(client, f"{AREAS}/items", {"filter": "kind = 'CCN' AND"}), 400)
    # 'kind = ''CCN'' AND' is 16 characters: the parser wants more at column 17.
    assert error["position"] == {"line": 1, "column": 17}
    assert "line 1, column 17" in error["description"]
    # Line 2 is "AND ) x": the ")" at column 5 is the error.
    error = doc(get(client, f"{AREAS}/items", {"filter": "kind = 'CCN'\nAND ) x"}), 400)
    assert error["position"] == {"line": 2, "column": 5}
    error = doc(
        get(client, f"{AREAS}/items", {"filter": '{"op": "=",', "filter-lang": "cql2-json"}),
        400,
    )
    assert error["position"]["line"] == 1 and "JSON" in error["description"]
    assert doc(
        get(client, f"{AREAS}/items", {"filter": '{"op": "nope"}', "filter-lang": "cql2-json"}),
        400,
    )
    assert doc(get(client, f"{AREAS}/items", {"filter": "planned_area_ha = 'many'"}), 400)
    assert doc(get(client, f"{AREAS}/items", {"filter": " "}), 400)
    fc = doc(get(client, f"{AREAS}/items", {"filter": "kind = 'CCN'", "limit": 1}))
    assert fc["numberMatched"] == 2 and fc["numberReturned"] == 1
    nxt = next(link["href"] for link in fc["links"] if link["rel"] == "next")
    assert "filter=kind+%3D+%27CCN%27" in nxt
    page2 = doc(client.get(nxt.replace("http://testserver", ""), HTTP_ACCEPT_LANGUAGE="en"))
    assert page2["numberReturned"] == 1
    assert {fc["features"][0]["id"], page2["features"][0]["id"]} == {
        f["id"] for f in doc(get(client, f"{AREAS}/items", {"kind": "CCN"}))["features"]
    }
    assert not [link for link in page2["links"] if link["rel"] == "next"]
    assert "filter=" in next(link["href"] for link in page2["links"] if link["rel"] == "prev")


# === CQL2 (OGC 21-065r2) conformance classes =====================================================


def test_ats_cql2_basic_cql2(client, world):
    """/conf/basic-cql2: comparisons on strings, numbers, booleans and dates, AND/OR/NOT,
    IS [NOT] NULL. Every area has planned_area_ha 320.50; only the KCN operates."""
    assert area_codes(client, filter="planned_area_ha = 320.5") == ["CCN-BTX", "CCN-PA", "KCN-NH"]
    assert area_codes(client, filter="planned_area_ha < 320") == []
    assert area_codes(client, filter="planned_area_ha >= 320.5 AND kind = 'KCN'") == ["KCN-NH"]
    assert area_codes(client, filter="code = 'CCN-PA' OR code = 'KCN-NH'") == ["CCN-PA", "KCN-NH"]
    assert area_codes(client, filter="established_on <= DATE('2010-05-01')") == ["KCN-NH"]
    assert area_codes(client, filter="established_on IS NOT NULL") == ["KCN-NH"]
    assert area_codes(client, filter="status <> 'operating'") == ["CCN-BTX", "CCN-PA"]


def test_ats_cql2_advanced_comparison_operators(client, world):
    """/conf/advanced-comparison-operators: LIKE (``%`` any, ``_`` one character), BETWEEN,
    IN and their NOT forms."""
    assert area_codes(client, filter="name LIKE 'CCN%'") == ["CCN-BTX", "CCN-PA"]
    # 'CCN-P_' matches CCN-PA (one character after the P), not CCN-BTX.
    assert area_codes(client, filter="code LIKE 'CCN-P_'") == ["CCN-PA"]
    assert area_codes(client, filter="code LIKE 'CCN-_'") == []
    assert area_codes(client, filter="name NOT LIKE 'CCN%'") == ["KCN-NH"]
    assert area_codes(client, filter="planned_area_ha BETWEEN 300 AND 321") == [
        "CCN-BTX",
        "CCN-PA",
        "KCN-NH",
    ]
    assert area_codes(client, filter="planned_area_ha NOT BETWEEN 300 AND 321") == []
    assert area_codes(client, filter="code IN ('KCN-NH', 'CCN-PA', 'X')") == ["CCN-PA", "KCN-NH"]
    assert area_codes(client, filter="code NOT IN ('KCN-NH', 'CCN-PA')") == ["CCN-BTX"]


def test_ats_cql2_basic_spatial_functions(client, world):
    """/conf/basic-spatial-functions (S_INTERSECTS with POINT and BBOX) and
    basic-spatial-functions-plus (the other geometry literals).

    The road runs from (108.96, 13.97) to (109.20, 13.99): it crosses KCN Nhơn Hòa (at
    109.00–109.04 its latitude is 13.97 + 0.02 × (0.04…0.08)/0.24 = 13.973–13.977, inside
    13.96–13.99) and CCN Phước An (109.15–109.17: 13.986–13.988, inside 13.97–13.99); it
    stays south of CCN Bùi Thị Xuân (14.02–14.04)."""
    assert area_codes(client, filter="S_INTERSECTS(boundary, BBOX(109.0, 13.9, 109.1, 14.1))") == [
        "CCN-BTX",
        "KCN-NH",
    ]
    road = "LINESTRING(108.96 13.97, 109.20 13.99)"
    assert area_codes(client, filter=f"S_INTERSECTS(boundary, {road})") == ["CCN-PA", "KCN-NH"]
    poly = "POLYGON((109.06 14.03, 109.2 14.03, 109.2 14.2, 109.06 14.2, 109.06 14.03))"
    assert area_codes(client, filter=f"S_INTERSECTS(boundary, {poly})") == ["CCN-BTX"]
    multi = "MULTIPOINT((109.02 13.975), (109.16 13.98))"
    assert area_codes(client, filter=f"S_INTERSECTS(boundary, {multi})") == ["CCN-PA", "KCN-NH"]


def test_ats_cql2_spatial_functions(client, world):
    """/conf/spatial-functions: S_WITHIN, S_CONTAINS, S_DISJOINT, S_CROSSES, S_TOUCHES,
    S_OVERLAPS, S_EQUALS (GeoDjango's lookups on both databases)."""
    commune_a = "POLYGON((108.95 13.95, 109.10 13.95, 109.10 14.10, 108.95 14.10, 108.95 13.95))"
    assert area_codes(client, filter=f"S_WITHIN(boundary, {commune_a})") == ["CCN-BTX", "KCN-NH"]
    assert area_codes(client, filter=f"S_DISJOINT(boundary, {commune_a})") == ["CCN-PA"]
    assert area_codes(client, filter="S_CONTAINS(boundary, POINT(109.06 14.03))") == ["CCN-BTX"]
    road = "LINESTRING(108.96 13.97, 109.20 13.99)"
    assert area_codes(client, filter=f"S_CROSSES(boundary, {road})") == ["CCN-PA", "KCN-NH"]
    # CCN Bùi Thị Xuân's east edge is 109.07: a box east of it shares that edge only.
    east = "POLYGON((109.07 14.02, 109.08 14.02, 109.08 14.04, 109.07 14.04, 109.07 14.02))"
    assert area_codes(client, filter=f"S_TOUCHES(boundary, {east})") == ["CCN-BTX"]
    half = "POLYGON((109.06 14.0, 109.1 14.0, 109.1 14.1, 109.06 14.1, 109.06 14.0))"
    assert area_codes(client, filter=f"S_OVERLAPS(boundary, {half})") == ["CCN-BTX"]
    same = "MULTIPOLYGON(((109.15 13.97, 109.17 13.97, 109.17 13.99, 109.15 13.99, 109.15 13.97)))"
    assert area_codes(client, filter=f"S_EQUALS(boundary, {same})") == ["CCN-PA"]


def test_ats_cql2_cql2_text(client, world):
    """/conf/cql2-text: the text encoding with nested parentheses, double-quoted property
    names, booleans and case-insensitive keywords."""
    assert area_codes(client, filter="\"kind\" = 'CCN' and (code = 'CCN-PA' or code = 'X')") == [
        "CCN-PA"
    ]
    # No area has a working treatment plant (the world leaves wwtp_operating False).
    assert area_codes(client, filter="wwtp_operating = true") == []
    assert area_codes(client, filter="wwtp_operating = FALSE") == ["CCN-BTX", "CCN-PA", "KCN-NH"]
    # Line breaks are white space; positions count the user's lines.
    assert area_codes(client, filter="kind = 'CCN'\nAND\n\tadmin_unit = '21910'") == ["CCN-PA"]


def test_ats_cql2_cql2_json(client, world):
    """/conf/cql2-json: the JSON encoding: comparison, like, between (the standard's three
    arguments), in, isNull, not, s_intersects with a GeoJSON geometry and a bbox."""

    def codes_json(expr):
        return area_codes(client, filter=json.dumps(expr), **{"filter-lang": "cql2-json"})

    prop = {"property": "code"}
    assert codes_json({"op": "like", "args": [prop, "CCN-P_"]}) == ["CCN-PA"]
    assert codes_json({"op": "between", "args": [{"property": "planned_area_ha"}, 300, 321]}) == [
        "CCN-BTX",
        "CCN-PA",
        "KCN-NH",
    ]
    assert codes_json({"op": "in", "args": [prop, ["KCN-NH", "X"]]}) == ["KCN-NH"]
    assert codes_json({"op": "isNull", "args": [{"property": "established_on"}]}) == [
        "CCN-BTX",
        "CCN-PA",
    ]
    assert codes_json({"op": "not", "args": [{"op": "=", "args": [prop, "KCN-NH"]}]}) == [
        "CCN-BTX",
        "CCN-PA",
    ]
    point = {"type": "Point", "coordinates": [109.16, 13.98]}
    assert codes_json({"op": "s_intersects", "args": [{"property": "boundary"}, point]}) == [
        "CCN-PA"
    ]


# === real clients ================================================================================


@pytest.mark.django_db(transaction=True)
def test_owslib_filter_and_queryables(live_server, world, beacon):
    """OWSLib 0.35's Features client: queryables, a CQL2 text filter and a CQL2 JSON filter
    (GET, as ``filter`` + ``filter-lang``), a crs."""
    api = Features(f"{live_server.url}/ogc/")
    conf = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    assert "code" in api.collection_queryables("industrial_areas")["properties"]
    fc = api.collection_items("industrial_areas", filter="kind = 'CCN' AND admin_unit = '21910'")
    assert codes(fc) == ["CCN-PA"]
    expr = {"op": "=", "args": [{"property": "kind"}, "KCN"]}
    fc = api.collection_items(
        "industrial_areas", filter=json.dumps(expr), **{"filter-lang": "cql2-json"}
    )
    assert codes(fc) == ["KCN-NH"]
    fc = api.collection_items("infrastructure_points", crs=f"{EPSG}9217")
    assert fc["features"][0]["geometry"]["coordinates"] == pytest.approx(
        [602532.57, 1523062.89], abs=0.01
    )


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL is not installed")
@pytest.mark.django_db(transaction=True)
def test_ogrinfo_oapif_where(live_server, world):
    """GDAL 3.6's OAPIF driver with ``-where``: it has no CQL2 (it knows the pre-standard
    ``cql-text``), so it sends the queryables' query parameters it finds in the OpenAPI
    document (``kind=CCN``: /req/queryables-query-parameters) and evaluates the rest itself;
    ``-spat`` becomes ``bbox``. The counts are the server's."""
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "60", "CPL_DEBUG": "ON", "GDAL_HTTP_MAX_RETRY": "0"}

    def ogrinfo(*args):
        run = subprocess.run(
            ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{live_server.url}/ogc/", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        count = re.search(r"Feature Count: (\d+)", run.stdout)
        return int(count[1]), run.stderr

    count, log = ogrinfo("industrial_areas", "-where", "kind = 'CCN'")
    assert count == 2
    assert "kind=CCN" in log  # server side: the query parameter in GDAL's request
    count, _log = ogrinfo("industrial_areas", "-where", "kind = 'CCN' AND admin_unit = '21910'")
    assert count == 1
    count, _log = ogrinfo("industrial_areas", "-spat", "108.99", "13.95", "109.045", "13.995")
    assert count == 1


@pytest.mark.skipif(
    not os.path.exists("/usr/lib/python3/dist-packages/qgis/core/__init__.py"),
    reason="QGIS (Debian python3-qgis) is not installed",
)
@pytest.mark.django_db(transaction=True)
def test_qgis_oapif_filter_expression(live_server, world, tmp_path):
    """QGIS 3.22's OAPIF provider: a layer filtered by an expression (a subset string and a
    QgsFeatureRequest) counts the features the server's filter counts."""
    script = os.path.join(os.path.dirname(__file__), "..", "clients", "qgis_oapif_client.py")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        ["/usr/bin/python3", script, live_server.url, "industrial_areas"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{run.returncode}: {run.stdout[-2000:]} {run.stderr[-2000:]}"
    seen = json.loads(lines[-1])["industrial_areas"]
    assert seen["ccn"] == ["CCN-BTX", "CCN-PA"]
    assert seen["subset_ok"] and seen["subset_count"] == 1 and seen["subset"] == ["CCN-PA"]


# === declarations ================================================================================


def test_conformance_declares_parts_2_and_3(client, world):
    """/conformance lists the classes these tests cover — and no temporal, arithmetic,
    property-property or case/accent-insensitive CQL2 class, which are not implemented."""
    conforms = set(doc(get(client, "/conformance"))["conformsTo"])
    spec = "http://www.opengis.net/spec/"
    assert f"{spec}ogcapi-features-2/1.0/conf/crs" in conforms
    for name in ("queryables", "queryables-query-parameters", "filter", "features-filter"):
        assert f"{spec}ogcapi-features-3/1.0/conf/{name}" in conforms
    cql2 = {c.rsplit("/", 1)[1] for c in conforms if c.startswith(f"{spec}cql2/")}
    assert cql2 == {
        "cql2-text",
        "cql2-json",
        "basic-cql2",
        "advanced-comparison-operators",
        "basic-spatial-functions",
        "basic-spatial-functions-plus",
        "spatial-functions",
    }


def test_filter_errors_in_the_request_language(client, world):
    """Part 2/3 errors are gettext messages: Vietnamese for a Vietnamese client."""
    r = get(client, f"{AREAS}/items", {"filter": "kind = 'CCN' AND"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert doc(r, 400)["description"].startswith("filter: lỗi cú pháp CQL2 ở dòng 1, cột 17")
    r = get(client, f"{AREAS}/items", {"crs": "EPSG:1"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert doc(r, 400)["description"].startswith("crs: không hỗ trợ hệ tọa độ 'EPSG:1'")
