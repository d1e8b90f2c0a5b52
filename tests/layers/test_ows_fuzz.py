"""Property-based fuzzing of the OGC services: random KVP and XML requests, hostile documents.

Whatever the request, the answer is a success the client can parse or a 4xx/501 OGC exception
report that says what was wrong — never a 500, never an empty message, never personal data.
Bounded: a fixed number of examples per property (hypothesis), no deadlines (a busy machine
must not fail the suite).
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.layers.test_wfs_support import WFS, basic, users, wfs_post, world  # noqa: F401

# MapServer reads the rows from its own process: the WMS property needs them committed.
from tests.layers.test_wms import province  # noqa: F401

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OK_STATUSES = {200, 400, 401, 403, 404, 405, 413, 501}
SECRET = "Bí Mật"  # holder names in the parcels: personal data

LAYERS = [
    "industrial_areas",
    "clearance_parcels",
    "road_corridors",
    "proposals",
    "admin_units",
    "secondary_projects",
    "suggested_sites",
]
junk = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
number = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    junk,
)
coord = st.one_of(
    st.floats(-200, 200, allow_nan=False).map(lambda v: f"{v:.5f}"),
    st.sampled_from(["nan", "inf", "", "1e400"]),
)
bbox = st.one_of(
    st.lists(coord, min_size=0, max_size=6).map(",".join),
    st.tuples(
        st.lists(coord, min_size=4, max_size=4).map(",".join),
        st.sampled_from(
            ["EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "EPSG:9217", "EPSG:3857", "EPSG:0", "x"]
        ),
    ).map(lambda t: f"{t[0]},{t[1]}"),
    junk,
)
crs = st.sampled_from(
    [
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:3857",
        "EPSG:9217",
        "EPSG:9209",
        "http://www.opengis.net/def/crs/EPSG/0/4326",
        "EPSG:999999",
        "CRS:84",
        "",
        "EPSG:",
        "%00",
    ]
)
type_names = st.one_of(
    st.sampled_from(LAYERS),
    st.sampled_from(["kcn:industrial_areas", "ns:x", "a,b", ""]),
    st.lists(st.sampled_from(LAYERS), min_size=2, max_size=3).map(",".join),
    junk,
)
fes_filters = (
    st.sampled_from(
        [
            '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
            "<fes:ValueReference>kind</fes:ValueReference><fes:Literal>KCN</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>",
            '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
            '<fes:PropertyIsLike wildCard="*" singleChar="." escapeChar="!">'
            "<fes:ValueReference>name</fes:ValueReference><fes:Literal>*Nh*</fes:Literal></fes:PropertyIsLike></fes:Filter>",
            '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
            "<fes:ValueReference>holder_name</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>",
            '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
            '<fes:ResourceId rid="industrial_areas.1"/></fes:Filter>',
            "<Filter><unclosed>",
            "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><Filter>&e;</Filter>",
            "",
        ]
    )
    | junk
)
cql = (
    st.sampled_from(
        [
            "kind = 'KCN'",
            "name LIKE '%Nh%'",
            "INTERSECTS(boundary, POINT(109 14))",
            "S_INTERSECTS(boundary, BBOX(108,13,110,15))",
            "holder_name = 'x'",
            "kind = ",
            "1=1 OR",
            "leased_land_ha > 'abc'",
        ]
    )
    | junk
)

wfs_params = st.fixed_dictionaries(
    {
        "SERVICE": st.sampled_from(["WFS", "wfs", "WMS", ""]),
        "REQUEST": st.sampled_from(
            [
                "GetCapabilities",
                "DescribeFeatureType",
                "GetFeature",
                "GetPropertyValue",
                "ListStoredQueries",
                "DescribeStoredQueries",
                "Transaction",
                "LockFeature",
                "getfeature",
                "",
            ]
        )
        | junk,
    },
    optional={
        "VERSION": st.sampled_from(["2.0.0", "2.0.2", "1.1.0", "1.0.0", "3.0.0", "", "2"]),
        "ACCEPTVERSIONS": st.sampled_from(["2.0.0,1.1.0", "9.9.9", ""]),
        "TYPENAMES": type_names,
        "TYPENAME": type_names,
        "BBOX": bbox,
        "SRSNAME": crs,
        "COUNT": number,
        "MAXFEATURES": number,
        "STARTINDEX": number,
        "RESULTTYPE": st.sampled_from(["results", "hits", "x"]),
        "OUTPUTFORMAT": st.sampled_from(
            [
                "application/json",
                "application/gml+xml; version=3.2",
                "text/xml; subtype=gml/3.1.1",
                "GML2",
                "geojson",
                "shape-zip",
                "",
            ]
        ),
        "PROPERTYNAME": st.sampled_from(
            ["name", "name,kind", "holder_name", "boundary", "nope", ""]
        ),
        "VALUEREFERENCE": st.sampled_from(["name", "holder_name", "boundary", ""]),
        "SORTBY": st.sampled_from(
            ["name", "name DESC", "name ASC,kind", "nope", "name SIDEWAYS", ""]
        ),
        "FILTER": fes_filters,
        "CQL_FILTER": cql,
        "RESOURCEID": st.sampled_from(["industrial_areas.1", "x.y", "industrial_areas.abc", ""]),
        "STOREDQUERY_ID": st.sampled_from(["urn:ogc:def:query:OGC-WFS::GetFeatureById", "nope"]),
        "ID": st.sampled_from(["industrial_areas.1", "x"]),
        "NAMESPACES": junk,
    },
)


STATS: dict[int, int] = {}


getfeature_params = st.fixed_dictionaries(
    {
        "SERVICE": st.just("WFS"),
        "VERSION": st.sampled_from(["2.0.0", "2.0.0", "1.1.0", "1.0.0"]),
        "REQUEST": st.sampled_from(
            ["GetFeature", "GetFeature", "GetPropertyValue", "DescribeFeatureType"]
        ),
        "TYPENAMES": st.sampled_from(LAYERS),
    },
    optional={
        "BBOX": st.tuples(
            st.floats(108, 110),
            st.floats(13, 15),
            st.floats(0.001, 2),
            st.floats(0.001, 2),
            st.sampled_from(["", ",EPSG:4326", ",urn:ogc:def:crs:EPSG::4326", ",EPSG:3857"]),
        ).map(lambda t: f"{t[0]:.4f},{t[1]:.4f},{t[0] + t[2]:.4f},{t[1] + t[3]:.4f}{t[4]}"),
        "SRSNAME": st.sampled_from(
            ["EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "EPSG:3857", "EPSG:9217", "EPSG:9209"]
        ),
        "COUNT": st.integers(-2, 5000).map(str),
        "STARTINDEX": st.integers(-2, 50).map(str),
        "RESULTTYPE": st.sampled_from(["results", "hits"]),
        "OUTPUTFORMAT": st.sampled_from(
            ["application/json", "application/gml+xml; version=3.2", "GML2"]
        ),
        "PROPERTYNAME": st.sampled_from(["name", "name,kind", "code", "status"]),
        "VALUEREFERENCE": st.sampled_from(["name", "code", "status"]),
        "SORTBY": st.sampled_from(["name", "name DESC", "code ASC", "status"]),
        "FILTER": fes_filters,
        "CQL_FILTER": cql,
    },
)


def assert_ogc_answer(r, *, personal_allowed: bool = False):
    STATS[r.status_code] = STATS.get(r.status_code, 0) + 1
    assert r.status_code in OK_STATUSES, (r.status_code, r.content[:500])
    body = r.content
    if not personal_allowed:
        assert SECRET.encode() not in body
        assert b"052099001234" not in body
    ctype = r.get("Content-Type", "")
    if r.status_code >= 400:
        if "json" in ctype:
            payload = json.loads(body)
            message = payload.get("error", {}).get("message") or payload.get("detail")
        else:
            root = etree.fromstring(body)
            texts = [t.strip() for t in root.itertext() if t.strip()]
            message = " ".join(texts)
        assert message, f"a {r.status_code} with no message: {body[:300]!r}"
        return
    if "json" in ctype:
        json.loads(body)
    elif "xml" in ctype:
        etree.fromstring(body)


def _auth(who, users):
    if who == "anonymous":
        return {}
    return {"HTTP_AUTHORIZATION": basic(users[who].username)}


@FUZZ
@given(params=wfs_params, who=st.sampled_from(["anonymous", "staff_a", "reviewer", "nobody"]))
def test_wfs_kvp_never_fails_badly(client, world, users, params, who):
    r = client.get(WFS, params, **_auth(who, users))
    assert_ogc_answer(r)


@FUZZ
@given(params=getfeature_params, who=st.sampled_from(["anonymous", "staff_a", "admin"]))
def test_wfs_getfeature_variants_answer_or_explain(client, world, users, params, who):
    if "FILTER" in params and "CQL_FILTER" in params:
        params.pop("CQL_FILTER")
    r = client.get(WFS, params, **_auth(who, users))
    assert_ogc_answer(r)


GETFEATURE = """<wfs:GetFeature service="WFS" version="2.0.0" count="5"
  xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"
  xmlns:gml="http://www.opengis.net/gml/3.2">
  <wfs:Query typeNames="industrial_areas"><fes:Filter><fes:BBOX>
  <fes:ValueReference>boundary</fes:ValueReference>
  <gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>13.5 108.6</gml:lowerCorner>
  <gml:upperCorner>14.7 109.4</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter></wfs:Query>
</wfs:GetFeature>"""

INSERT = """<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
  xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:kcn="https://kcn-planner.example/kcn">
  <wfs:Insert><kcn:proposals><kcn:code>DX-FUZZ-1</kcn:code><kcn:name>Cụm thử</kcn:name>
  <kcn:kind>CCN</kcn:kind>
  <kcn:geom><gml:MultiSurface srsName="urn:ogc:def:crs:EPSG::4326"><gml:surfaceMember><gml:Polygon>
  <gml:exterior>
  <gml:LinearRing>
  <gml:posList>14.05 108.97 14.05 108.99 14.07 108.99 14.07 108.97 14.05 108.97</gml:posList>
  </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></kcn:geom>
  </kcn:proposals></wfs:Insert></wfs:Transaction>"""


@st.composite
def mutated(draw, doc: str):
    """A valid document cut, spliced or sprinkled with hostile bytes."""
    data = doc.encode()
    op = draw(
        st.sampled_from(["truncate", "insert", "delete", "replace_number", "dtd", "namespace"])
    )
    if op == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if op == "insert":
        at = draw(st.integers(0, len(data)))
        noise = draw(
            st.sampled_from(
                [b"<", b"&", b"]]>", b"\x00", b"<x>", b"&amp;&#0;", b"\xff\xfe", b"'\"", b"<!--"]
            )
        )
        return data[:at] + noise + data[at:]
    if op == "delete":
        a = draw(st.integers(0, len(data)))
        b = draw(st.integers(a, min(len(data), a + 40)))
        return data[:a] + data[b:]
    if op == "replace_number":
        value = draw(st.sampled_from(["nan", "inf", "-1e400", "", "1 2 3", "999999999", "abc"]))
        return re.sub(rb"\d+\.\d+", value.encode(), data, count=draw(st.integers(1, 6)))
    if op == "dtd":
        decl, ref = draw(
            st.sampled_from(
                [
                    (b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;"),
                    (b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>', b""),
                    (
                        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
                        b"&b;",
                    ),
                ]
            )
        )
        return decl + data.replace(b"industrial_areas", b"industrial_areas" + ref, 1).replace(
            "Cụm thử".encode(), "Cụm thử".encode() + ref, 1
        )
    return data.replace(
        b"http://www.opengis.net/wfs/2.0",
        draw(st.sampled_from([b"http://www.opengis.net/wfs", b"urn:nothing", b""])),
        1,
    )


@FUZZ
@given(
    body=st.one_of(mutated(GETFEATURE), mutated(INSERT)),
    who=st.sampled_from(["anonymous", "staff_a", "admin"]),
)
def test_wfs_xml_never_fails_badly(client, world, users, body, who):
    r = wfs_post(client, body, **_auth(who, users))
    assert_ogc_answer(r)
    assert b"root:x:0:0" not in r.content  # external entities are never resolved


def test_wfs_xml_rejects_external_entities_with_a_message(client, world, users):
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + GETFEATURE.encode().replace(b'count="5"', b'count="&xxe;"')
    )
    r = wfs_post(client, doc)
    assert r.status_code == 400 and b"root:x:0:0" not in r.content
    assert_ogc_answer(r)


wms_params = st.fixed_dictionaries(
    {
        "SERVICE": st.sampled_from(["WMS", "WMS", "WMS", "wms", "WFS", ""]),
        "REQUEST": st.sampled_from(
            [
                "GetMap",
                "GetMap",
                "GetFeatureInfo",
                "GetLegendGraphic",
                "GetCapabilities",
                "GetStyles",
                "",
            ]
        )
        | junk,
        "VERSION": st.sampled_from(["1.3.0", "1.1.1", "1.0.0", "2.0", ""]),
    },
    optional={
        "LAYERS": st.one_of(
            st.sampled_from(LAYERS),
            st.lists(st.sampled_from(LAYERS), min_size=2, max_size=4).map(",".join),
            junk,
        ),
        "QUERY_LAYERS": st.sampled_from(LAYERS + ["nope", ""]),
        "LAYER": st.sampled_from(LAYERS + ["nope", ""]),
        "STYLES": st.sampled_from(["", "default", "nope", ",,,"]),
        "CRS": crs,
        "SRS": crs,
        "BBOX": st.one_of(
            st.tuples(
                st.floats(108.5, 109.5),
                st.floats(13.5, 14.5),
                st.floats(0.0, 1.0),
                st.floats(0.0, 1.0),
            ).map(lambda t: f"{t[0]:.4f},{t[1]:.4f},{t[0] + t[2]:.4f},{t[1] + t[3]:.4f}"),
            bbox,
        ),
        "WIDTH": st.sampled_from(["256", "1", "0", "-5", "4096", "100000", "abc", "2.5"]),
        "HEIGHT": st.sampled_from(["256", "1", "0", "-5", "4096", "100000", "abc"]),
        "FORMAT": st.sampled_from(
            ["image/png", "image/jpeg", "image/png; mode=8bit", "image/gif", "text/html", ""]
        ),
        "INFO_FORMAT": st.sampled_from(
            ["text/html", "text/plain", "application/vnd.ogc.gml", "application/json", "x"]
        ),
        "TRANSPARENT": st.sampled_from(["TRUE", "false", "maybe"]),
        "I": number,
        "J": number,
        "X": number,
        "Y": number,
        "FEATURE_COUNT": number,
        "BGCOLOR": st.sampled_from(["0xFFFFFF", "red", "0xZZZZZZ"]),
        "EXCEPTIONS": st.sampled_from(
            ["XML", "application/vnd.ogc.se_xml", "INIMAGE", "BLANK", "x"]
        ),
        "SLD_BODY": st.sampled_from(["<StyledLayerDescriptor/>", "<", ""]),
        "SLD": st.sampled_from(["http://127.0.0.1:9/evil.sld", "file:///etc/passwd"]),
    },
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=wms_params)
def test_wms_kvp_never_fails_badly(client, province, params):
    r = client.get("/ows/wms", params, HTTP_HOST="127.0.0.1")
    assert r.status_code in OK_STATUSES, (r.status_code, r.content[:500])
    assert SECRET.encode() not in r.content and b"root:x:0:0" not in r.content
    ctype = r.get("Content-Type", "")
    if r.status_code >= 400 or "xml" in ctype:
        if ctype.startswith("image/"):
            return  # EXCEPTIONS=INIMAGE / BLANK: the error drawn in the image, as the client asked
        text = r.content.decode("utf-8", "replace")
        assert text.strip(), f"an empty {r.status_code} answer"
    STATS[r.status_code] = STATS.get(r.status_code, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _report_fuzz_counts():
    """Prints how many requests the properties sent, by status, when the module ends (pytest -s)."""
    yield
    print(f"\nOWS fuzz: {sum(STATS.values())} requests, by status {dict(sorted(STATS.items()))}")
