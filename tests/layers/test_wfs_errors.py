"""Every error is an OGC exception report with the right code, locator and HTTP status."""

from __future__ import annotations

import logging
import time

import pytest

from layers.xml import MAX_REQUEST_BYTES
from tests.layers.test_wfs_support import (
    NS,
    basic,
    exception_code,
    users,
    wfs_get,
    wfs_post,
    world,
    xml,
)

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
{body}"""


def _assert_report(r, status: int, code: str, locator: str | None = "any", *, ows: str = "ows"):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith(("application/xml", "text/xml"))
    root = xml(r)
    if ows == "ogc":
        assert root.tag == "{http://www.opengis.net/ogc}ServiceExceptionReport"
    else:
        assert root.tag == f"{{{NS[ows]}}}ExceptionReport"
    got_code, got_locator = exception_code(r)
    assert got_code == code
    if locator != "any":
        assert (got_locator or "").lower() == (locator or "").lower()
    return root


def test_missing_request(client, world):
    _assert_report(
        wfs_get(client, service="WFS", version="2.0.0"), 400, "MissingParameterValue", "request"
    )


def test_empty_post(client, world):
    _assert_report(wfs_post(client, b""), 400, "MissingParameterValue", "request")


@pytest.mark.parametrize(
    "request_name", ["DoSomething", "LockFeature", "GetFeatureWithLock", "CreateStoredQuery"]
)
def test_unknown_or_unsupported_operation(client, world, request_name):
    _assert_report(
        wfs_get(client, service="WFS", version="2.0.0", request=request_name),
        501,
        "OperationNotSupported",
        "request",
    )


def test_operation_not_in_version(client, world):
    _assert_report(
        wfs_get(
            client,
            service="WFS",
            version="1.1.0",
            request="GetPropertyValue",
            typeName="industrial_areas",
            valueReference="name",
        ),
        501,
        "OperationNotSupported",
        "request",
        ows="ows1",
    )


def test_wrong_service(client, world):
    _assert_report(
        wfs_get(client, service="WMS", request="GetCapabilities"),
        400,
        "InvalidParameterValue",
        "service",
    )


@pytest.mark.parametrize(
    "params",
    [
        {"request": "GetFeature", "version": "3.0.0", "typeNames": "industrial_areas"},
        {"request": "GetCapabilities", "acceptVersions": "3.0.0,0.9"},
        {"request": "GetCapabilities", "version": "9.9.9"},
    ],
)
def test_wrong_version(client, world, params):
    _assert_report(wfs_get(client, service="WFS", **params), 400, "VersionNegotiationFailed")


def test_unknown_type_name(client, world):
    _assert_report(
        wfs_get(client, service="WFS", version="2.0.0", request="GetFeature", typeNames="nothing"),
        400,
        "InvalidParameterValue",
        "typeNames",
    )


def test_missing_type_name(client, world):
    _assert_report(
        wfs_get(client, service="WFS", version="2.0.0", request="GetFeature"),
        400,
        "MissingParameterValue",
        "typeNames",
    )


def test_hidden_layer_is_unknown_to_anonymous_and_forbidden_to_users(client, users):
    anon = wfs_get(
        client, service="WFS", version="2.0.0", request="GetFeature", typeNames="clearance_parcels"
    )
    unknown = wfs_get(
        client, service="WFS", version="2.0.0", request="GetFeature", typeNames="nothing_here"
    )
    _assert_report(anon, 400, "InvalidParameterValue", "typeNames")
    assert xml(anon).findtext(".//ows:ExceptionText", namespaces=NS).replace(
        "clearance_parcels", "X"
    ) == xml(unknown).findtext(".//ows:ExceptionText", namespaces=NS).replace("nothing_here", "X")
    signed_in = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetFeature",
        typeNames="clearance_parcels",
        HTTP_AUTHORIZATION=basic("khach"),
    )
    _assert_report(signed_in, 403, "OperationProcessingFailed", "typeNames")


@pytest.mark.parametrize(
    "bbox",
    [
        "109,13.9,109.1",
        "a,b,c,d",
        "109.1,13.9,109.0,14.0",
        "109,13.9,109.1,14,EPSG:99999",
        "109,13.9,109.1,14,nonsense",
        "nan,13.9,109.1,14",
    ],
)
def test_bad_bbox(client, world, bbox):
    _assert_report(
        wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="GetFeature",
            typeNames="industrial_areas",
            bbox=bbox,
        ),
        400,
        "InvalidParameterValue",
        "BBOX",
    )


def test_bbox_with_filter_is_refused(client, world):
    _assert_report(
        wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="GetFeature",
            typeNames="industrial_areas",
            bbox="109,13.9,109.1,14",
            filter="<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'/>",
        ),
        400,
        "InvalidParameterValue",
    )


@pytest.mark.parametrize(
    "flt, code",
    [
        (
            "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsEqualTo>",
            "OperationParsingFailed",
        ),
        ("not xml at all", "OperationParsingFailed"),
        (
            "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsEqualTo><fes:ValueReference>nope"
            "</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>",
            "InvalidParameterValue",
        ),
        (
            "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsEqualTo>"
            "<fes:Function name='strlen'>"
            "<fes:ValueReference>name</fes:ValueReference></fes:Function><fes:Literal>1</fes:Literal>"
            "</fes:PropertyIsEqualTo></fes:Filter>",
            "InvalidParameterValue",
        ),
        (
            "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsGreaterThan><fes:ValueReference>"
            "planned_area_ha</fes:ValueReference><fes:Literal>lots</fes:Literal></fes:PropertyIsGreaterThan></fes:Filter>",
            "InvalidParameterValue",
        ),
        (
            "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0' xmlns:gml='http://www.opengis.net/gml/3.2'><fes:BBOX>"
            "<gml:Envelope srsName='EPSG:4326'><gml:lowerCorner>109 x</gml:lowerCorner>"
            "<gml:upperCorner>1 2</gml:upperCorner>"
            "</gml:Envelope></fes:BBOX></fes:Filter>",
            "InvalidParameterValue",
        ),
        (
            "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:After><fes:ValueReference>established_on"
            "</fes:ValueReference><fes:Literal>2020-01-01</fes:Literal></fes:After></fes:Filter>",
            "InvalidParameterValue",
        ),
        (
            "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'>"
            "<fes:PropertyIsLike wildCard='*' singleChar='.' "
            "escapeChar='!'><fes:ValueReference>roads_done_pct</fes:ValueReference><fes:Literal>1*</fes:Literal>"
            "</fes:PropertyIsLike></fes:Filter>",
            "InvalidParameterValue",
        ),
    ],
    ids=[
        "truncated",
        "text",
        "unknown-property",
        "function",
        "bad-literal",
        "bad-envelope",
        "temporal",
        "like-number",
    ],
)
def test_bad_filter(client, world, flt, code):
    _assert_report(
        wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="GetFeature",
            typeNames="industrial_areas",
            filter=flt,
        ),
        400,
        code,
        "FILTER",
    )


@pytest.mark.parametrize("cql", ["name LIKE", "S_INTERSECTS(boundary, FOO(1))", "nothing = 1"])
def test_bad_cql(client, world, cql):
    _assert_report(
        wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="GetFeature",
            typeNames="industrial_areas",
            cql_filter=cql,
        ),
        400,
        "InvalidParameterValue",
        "FILTER",
    )


def test_entity_bomb_in_filter_parameter(client, world):
    bomb = BILLION_LAUGHS.format(
        body="<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'>&lol9;</fes:Filter>"
    )
    start = time.perf_counter()
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetFeature",
        typeNames="industrial_areas",
        filter=bomb,
    )
    assert time.perf_counter() - start < 1.0
    _assert_report(r, 400, "OperationParsingFailed", "FILTER")


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS.format(
            body="<wfs:GetFeature xmlns:wfs='http://www.opengis.net/wfs/2.0'>&lol9;</wfs:GetFeature>"
        ),
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<wfs:GetFeature "
        "xmlns:wfs='http://www.opengis.net/wfs/2.0'>&e;</wfs:GetFeature>",
        BILLION_LAUGHS.format(body="<Transaction>&lol9;</Transaction>").encode("utf-16"),
    ],
    ids=["billion-laughs", "external-entity", "utf16-bomb"],
)
def test_entity_bomb_in_post_body(client, users, body):
    start = time.perf_counter()
    r = wfs_post(client, body, HTTP_AUTHORIZATION=basic("canbo_a"))
    assert time.perf_counter() - start < 1.0
    _assert_report(r, 400, "OperationParsingFailed")
    assert b"root:" not in r.content


@pytest.mark.parametrize(
    "params, locator",
    [
        ({"count": "100000"}, "COUNT"),
        ({"maxFeatures": "10001"}, "MAXFEATURES"),
        ({"count": "-1"}, "COUNT"),
        ({"count": "ten"}, "COUNT"),
        ({"startIndex": "-5"}, "STARTINDEX"),
        ({"resultType": "everything"}, "resultType"),
        ({"outputFormat": "image/png"}, "outputFormat"),
        ({"srsName": "EPSG:2000"}, "srsName"),
        ({"srsName": "whatever"}, "srsName"),
        ({"sortBy": "name SIDEWAYS"}, "SORTBY"),
        ({"sortBy": "nothing"}, "sortBy"),
        ({"propertyName": "nothing"}, "propertyName"),
    ],
)
def test_bad_get_feature_parameters(client, world, params, locator):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetFeature",
        typeNames="industrial_areas",
        **params,
    )
    _assert_report(r, 400, "InvalidParameterValue", locator)


def test_count_at_the_maximum_is_accepted(client, world):
    r = wfs_get(
        client,
        service="WFS",
        version="2.0.0",
        request="GetFeature",
        typeNames="industrial_areas",
        count="10000",
    )
    assert r.status_code == 200


def test_error_reports_follow_the_version(client, world):
    _assert_report(
        wfs_get(client, service="WFS", version="1.1.0", request="GetFeature", typeName="nothing"),
        400,
        "InvalidParameterValue",
        "typeNames",
        ows="ows1",
    )
    root = _assert_report(
        wfs_get(client, service="WFS", version="1.0.0", request="GetFeature", typeName="nothing"),
        400,
        "InvalidParameterValue",
        "typeNames",
        ows="ogc",
    )
    assert root.get("version") == "1.2.0"


def test_body_too_large(client, world):
    body = (
        b"<wfs:GetFeature xmlns:wfs='http://www.opengis.net/wfs/2.0'>"
        + b" " * MAX_REQUEST_BYTES
        + b"</wfs:GetFeature>"
    )
    _assert_report(wfs_post(client, body), 413, "OperationParsingFailed")


def test_method_not_allowed(client, world):
    _assert_report(client.put("/ows/wfs", b""), 405, "OperationNotSupported")


def test_transaction_by_get_is_refused(client, world):
    _assert_report(
        wfs_get(client, service="WFS", version="2.0.0", request="Transaction"),
        501,
        "OperationNotSupported",
    )


def test_unexpected_errors_are_reports_and_logged(client, world, monkeypatch, caplog):
    from layers.wfs import operations

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(operations, "get_feature", boom)
    with caplog.at_level(logging.ERROR, logger="layers.wfs.views"):
        r = wfs_get(
            client,
            service="WFS",
            version="2.0.0",
            request="GetFeature",
            typeNames="industrial_areas",
        )
    _assert_report(r, 503, "OperationProcessingFailed")
    assert b"disk on fire" not in r.content  # no internals leak to the client
    assert any("disk on fire" in (rec.exc_text or "") or rec.exc_info for rec in caplog.records)
