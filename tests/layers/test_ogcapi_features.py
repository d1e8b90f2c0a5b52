"""OGC API – Features – Part 1: Core at /ogc/, one test per abstract test of the standard's
Abstract Test Suite (OGC 17-069r4, Annex A; named after it), on the WFS tests' world (three areas,
a road, three clearance parcels, two proposals); then OWSLib's and GDAL's OGC API clients.

Same access policy as the WFS: clearance parcels are a staff layer, absent for anonymous callers
(404, as if they did not exist) and present for signed-in staff.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from jsonschema import Draft4Validator
from owslib.ogcapi.features import Features
from schemathesis.specs.openapi.definitions import OPENAPI_30

from tests.layers.test_wfs_support import PASSWORD, basic, make_user, world  # noqa: F401

pytestmark = pytest.mark.django_db

OGC = "/ogc"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
PUBLIC = {
    "admin_units",
    "industrial_areas",
    "road_corridors",
    "infrastructure_lines",
    "infrastructure_points",
    "secondary_projects",
    "road_interchanges",
    "plan_entries",
}


def get(client, path, **extra):
    return client.get(OGC + path, **extra)


def doc(response, status=200):
    assert response.status_code == status, response.content[:500]
    return json.loads(response.content)


def rels(links) -> dict:
    return {(link["rel"], link["type"]): link["href"] for link in links}


@pytest.fixture
def staff(world):
    return make_user("canbo_ogc", role="commune_staff", unit=world["commune_a"])


# --- /conf/core ----------------------------------------------------------------------------------


def test_ats_core_landing_page_op(client, world):
    """/conf/core/root-op and /conf/core/root-success: links self, service-desc, conformance,
    data."""
    response = get(client, "/")
    assert response["Content-Type"] == "application/json"
    links = {link["rel"]: link for link in doc(response)["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= set(links)
    assert links["service-desc"]["href"].endswith("/ogc/api")
    assert links["data"]["href"].endswith("/ogc/collections")
    # QGIS asks the landing page without the trailing slash and follows no redirect.
    assert "links" in doc(client.get("/ogc"))


def test_ats_core_api_definition_op(client, world):
    """/conf/core/api-definition-op and -success: an OpenAPI 3.0 document of the paths."""
    response = get(client, "/api")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    api = doc(response)
    assert api["openapi"].startswith("3.0")
    assert {"/", "/conformance", "/collections"} <= set(api["paths"])
    assert "/collections/industrial_areas/items/{featureId}" in api["paths"]
    # Only the collections the caller may read are described.
    assert "/collections/clearance_parcels" not in api["paths"]
    # Valid against the OpenAPI 3.0 JSON Schema (OAS's own, as schemathesis ships it).
    assert list(Draft4Validator(OPENAPI_30).iter_errors(api)) == []
    # Every $ref resolves inside the document.
    text = json.dumps(api)
    for ref in {r.split('"')[0] for r in text.split('"$ref": "#/')[1:]}:
        node = api
        for part in ref.split("/"):
            node = node[part]


def test_ats_core_conformance_op(client, world):
    """/conf/core/conformance-op and -success: only the classes implemented."""
    conforms = doc(get(client, "/conformance"))["conformsTo"]
    assert CORE in conforms
    part1 = {c.rsplit("/", 1)[1] for c in conforms if "ogcapi-features-1/1.0/conf/" in c}
    assert part1 == {"core", "geojson", "html", "oas30"}
    # Parts 2 and 3 and CQL2: tests/layers/test_ogcapi_conformance_parts23.py.


def test_ats_core_fc_md_op(client, world):
    """/conf/core/fc-md-op, -success, -links, -items: the readable collections, each with links."""
    cols = doc(get(client, "/collections"))
    assert {c["id"] for c in cols["collections"]} == PUBLIC
    for c in cols["collections"]:
        assert c["itemType"] == "feature"
        assert ("items", "application/geo+json") in rels(c["links"])


def test_ats_core_fc_md_extent(client, world):
    """/conf/core/fc-md-extent: the spatial extent in CRS84 (longitude first)."""
    col = doc(get(client, "/collections/industrial_areas"))
    assert col["extent"]["spatial"]["crs"].endswith("/OGC/1.3/CRS84")
    # The three area boxes: 109.00–109.17 E, 13.96–14.04 N.
    assert col["extent"]["spatial"]["bbox"][0] == pytest.approx([109.00, 13.96, 109.17, 14.04])
    # Only KCN Nhơn Hòa has an establishment date (2010-05-01).
    assert col["extent"]["temporal"]["interval"] == [["2010-05-01", "2010-05-01"]]
    units = doc(get(client, "/collections/admin_units"))["extent"]["temporal"]
    assert units["interval"] == [["1976-01-01", "2025-06-30"]]


def test_ats_core_sfc_md_op(client, world):
    """/conf/core/sfc-md-op and -success: one collection; an unknown one is a 404."""
    col = doc(get(client, "/collections/road_corridors"))
    assert col["id"] == "road_corridors" and col["crs"][0].endswith("CRS84")
    assert doc(get(client, "/collections/nothing"), 404)["code"] == "NotFound"


def test_ats_core_fc_op(client, world):
    """/conf/core/fc-op and /conf/core/fc-response: a FeatureCollection with its counts."""
    response = get(client, "/collections/industrial_areas/items")
    assert response["Content-Type"] == "application/geo+json"
    fc = doc(response)
    assert fc["type"] == "FeatureCollection"
    assert fc["numberMatched"] == 3 and fc["numberReturned"] == 3
    assert fc["timeStamp"].endswith("Z")
    assert {f["properties"]["code"] for f in fc["features"]} == {"KCN-NH", "CCN-BTX", "CCN-PA"}
    assert "holder_name" not in json.dumps(fc)
    feature = fc["features"][0]
    assert feature["geometry"]["type"] == "MultiPolygon"
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 108 < lon < 110 and 13 < lat < 15  # CRS84: longitude first
    assert ("self", "application/geo+json") in rels(fc["links"])


def test_ats_core_fc_limit_definition(client, world):
    """/conf/core/fc-limit-definition: an integer ≥ 1, default 10, maximum 10000."""
    assert doc(get(client, "/collections/industrial_areas/items?limit=0"), 400)
    assert doc(get(client, "/collections/industrial_areas/items?limit=x"), 400)
    api = doc(get(client, "/api"))
    schema = api["components"]["parameters"]["limit"]["schema"]
    assert schema == {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10}


def test_ats_core_fc_limit_response(client, world):
    """/conf/core/fc-limit-response: no more than ``limit``; above the maximum is no error."""
    fc = doc(get(client, "/collections/industrial_areas/items?limit=2"))
    assert fc["numberReturned"] == 2 and len(fc["features"]) == 2 and fc["numberMatched"] == 3
    fc = doc(get(client, "/collections/industrial_areas/items?limit=20000"))
    assert fc["numberReturned"] == 3


def test_ats_core_fc_links(client, world):
    """/conf/core/fc-links: next and prev walk every feature exactly once (3 areas, pages of 2:
    offsets 0 and 2)."""
    first = doc(get(client, "/collections/industrial_areas/items?limit=2"))
    links = rels(first["links"])
    assert ("prev", "application/geo+json") not in links
    nxt = links[("next", "application/geo+json")]
    assert "offset=2" in nxt and nxt.startswith("http://testserver/ogc/")
    second = doc(client.get(nxt.replace("http://testserver", "")))
    assert second["numberReturned"] == 1
    links2 = rels(second["links"])
    assert ("next", "application/geo+json") not in links2
    assert "offset=0" in links2[("prev", "application/geo+json")]
    ids = [f["id"] for f in first["features"] + second["features"]]
    assert len(set(ids)) == 3


def test_ats_core_fc_bbox_definition(client, world):
    """/conf/core/fc-bbox-definition: four or six numbers; anything else is a 400."""
    for bad in ("1,2,3", "a,b,c,d", "109,14,109.1,13"):
        assert doc(get(client, f"/collections/industrial_areas/items?bbox={bad}"), 400)
    six = "/collections/industrial_areas/items?bbox=108.99,13.95,0,109.045,13.995,100"
    assert doc(get(client, six))["numberMatched"] == 1


def test_ats_core_fc_bbox_response(client, world):
    """/conf/core/fc-bbox-response: only features intersecting the CRS84 box (KCN Nhơn Hòa,
    109.00–109.04 E, 13.96–13.99 N)."""
    fc = doc(get(client, "/collections/industrial_areas/items?bbox=108.99,13.95,109.045,13.995"))
    assert [f["properties"]["code"] for f in fc["features"]] == ["KCN-NH"]
    assert fc["numberMatched"] == 1
    assert "bbox=108.99" in rels(fc["links"])[("self", "application/geo+json")]


def test_ats_core_query_param_unknown(client, world):
    """/conf/core/query-param-unknown: an unknown parameter is a 400; a published simple
    property is a filter (/rec/core/fc-filters)."""
    assert doc(get(client, "/collections/industrial_areas/items?colour=red"), 400)
    # Personal data is not a property, so not a filter either.
    assert doc(get(client, "/collections/clearance_parcels/items?holder_name=x"), 404)
    fc = doc(get(client, "/collections/industrial_areas/items?kind=CCN"))
    assert {f["properties"]["code"] for f in fc["features"]} == {"CCN-BTX", "CCN-PA"}
    fc = doc(get(client, "/collections/industrial_areas/items?kind=CCN&admin_unit=21910"))
    assert [f["properties"]["code"] for f in fc["features"]] == ["CCN-PA"]
    assert doc(get(client, "/collections/industrial_areas/items?wwtp_operating=maybe"), 400)


def test_ats_core_f_op(client, world):
    """/conf/core/f-op and /conf/core/f-success: one feature by the id it carries; unknown → 404."""
    fc = doc(get(client, "/collections/industrial_areas/items?code=KCN-NH"))
    fid = fc["features"][0]["id"]
    response = get(client, f"/collections/industrial_areas/items/{fid}")
    assert response["Content-Type"] == "application/geo+json"
    feature = doc(response)
    assert feature["type"] == "Feature" and feature["id"] == fid
    assert feature["properties"]["code"] == "KCN-NH"
    assert ("collection", "application/json") in rels(feature["links"])
    assert doc(get(client, "/collections/industrial_areas/items/industrial_areas.999999"), 404)
    assert doc(get(client, "/collections/industrial_areas/items/road_corridors.1"), 404)


def test_ats_geojson_content(client, world):
    """/conf/geojson/content and -definition: application/geo+json by Accept or f=json."""
    url = "/collections/road_corridors/items"
    for extra in ({"HTTP_ACCEPT": "application/geo+json"}, {"HTTP_ACCEPT": "application/json"}):
        assert get(client, url, **extra)["Content-Type"] == "application/geo+json"
    fc = doc(get(client, url + "?f=json"))
    assert fc["features"][0]["geometry"]["type"] == "MultiLineString"


def test_ats_html_content(client, world):
    """/conf/html/content: every resource in HTML by f=html or a browser's Accept."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path in ("/", "/conformance", "/collections", "/collections/industrial_areas"):
        response = get(client, path, HTTP_ACCEPT=browser)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    response = get(client, "/collections/industrial_areas/items?f=html")
    assert response["Content-Type"].startswith("text/html")
    assert "KCN Nhơn Hòa" in response.content.decode()
    assert doc(get(client, "/?f=xml"), 400)


# --- the access policy ---------------------------------------------------------------------------


def test_staff_layer_absent_for_anonymous(client, world):
    ids = {c["id"] for c in doc(get(client, "/collections"))["collections"]}
    assert "clearance_parcels" not in ids and "proposals" not in ids
    for path in (
        "/collections/clearance_parcels",
        "/collections/clearance_parcels/items",
        f"/collections/clearance_parcels/items/{world['parcels'][0].pk}",
    ):
        assert doc(get(client, path), 404)["code"] == "NotFound"


def test_staff_layer_present_for_staff(client, world, staff):
    auth = {"HTTP_AUTHORIZATION": basic("canbo_ogc")}
    ids = {c["id"] for c in doc(get(client, "/collections", **auth))["collections"]}
    assert {"clearance_parcels", "proposals"} <= ids
    fc = doc(get(client, "/collections/clearance_parcels/items", **auth))
    assert fc["numberMatched"] == 3
    assert "holder_name" not in fc["features"][0]["properties"]  # personal data never published
    pk = world["parcels"][0].pk
    feature = doc(get(client, f"/collections/clearance_parcels/items/{pk}", **auth))
    assert feature["id"] == f"clearance_parcels.{pk}"
    # A signed-in browser session counts too.
    client.force_login(staff)
    assert doc(get(client, "/collections/clearance_parcels"))["id"] == "clearance_parcels"


# --- real clients --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_owslib_features_client(live_server, world):
    api = Features(f"{live_server.url}/ogc/")
    assert CORE in api.conformance()["conformsTo"]
    ids = {c["id"] for c in api.collections()["collections"]}
    assert ids == PUBLIC
    fc = api.collection_items("industrial_areas", limit=2)
    assert fc["numberMatched"] == 3 and len(fc["features"]) == 2
    fc = api.collection_items("industrial_areas", bbox=[108.99, 13.95, 109.045, 13.995])
    assert [f["properties"]["code"] for f in fc["features"]] == ["KCN-NH"]
    one = api.collection_item("industrial_areas", fc["features"][0]["id"])
    assert one["properties"]["name"] == "KCN Nhơn Hòa"


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL is not installed")
@pytest.mark.django_db(transaction=True)
def test_ogrinfo_oapif_lists_and_counts(live_server, world):
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "60", "CPL_DEBUG": "OFF", "GDAL_HTTP_MAX_RETRY": "0"}
    run = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{live_server.url}/ogc/"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    layers = {
        line.split(":", 1)[1].split()[0] for line in run.stdout.splitlines() if line[:1].isdigit()
    }
    assert layers == PUBLIC
    # Every collection counted (GDAL reads numberMatched or pages through the items).
    run = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{live_server.url}/ogc/"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    counts, name = {}, None
    for line in run.stdout.splitlines():
        if line.startswith("Layer name:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("Feature Count:"):
            counts[name] = int(line.split(":", 1)[1])
    assert set(counts) == PUBLIC
    # The world: three areas, one road, the province and two communes; the rest empty.
    assert counts["industrial_areas"] == 3 and counts["road_corridors"] == 1
    assert counts["admin_units"] == 3 and counts["plan_entries"] == 0


def test_other_units_draft_proposal_is_hidden(client, world, staff):
    """Row-level rule (``access.readable_rows``): a draft proposal is private to its unit's staff;
    commune A's staff see A's draft, not commune B's (both proposals are drafts)."""
    auth = {"HTTP_AUTHORIZATION": basic("canbo_ogc")}
    fc = doc(get(client, "/collections/proposals/items", **auth))
    assert [f["properties"]["code"] for f in fc["features"]] == ["DX-A-1"]
    assert fc["numberMatched"] == 1
    hidden = world["proposals"]["b"].pk
    assert doc(get(client, f"/collections/proposals/items/{hidden}", **auth), 404)
    assert doc(get(client, f"/collections/proposals/items/proposals.{hidden}", **auth), 404)
    assert (
        doc(get(client, "/collections/proposals/items?code=DX-B-1", **auth))["numberMatched"] == 0
    )


def test_errors_in_the_request_language(client, world):
    """Error descriptions are gettext messages: Vietnamese for a Vietnamese client."""
    response = get(client, "/collections/nothing", HTTP_ACCEPT_LANGUAGE="vi")
    assert doc(response, 404)["description"] == "không có tập dữ liệu 'nothing'"
    response = get(
        client, "/collections/industrial_areas/items?colour=1", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert doc(response, 400)["description"].startswith("unknown parameter 'colour'")


def test_database_unavailable_is_a_503(client, world, monkeypatch):
    """A locked or restarting database: 503 + Retry-After in the OGC API's exception form."""
    from django.db import OperationalError

    from layers.wfs import selectors

    def locked(user):
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "readable_feature_types", locked)
    client.raise_request_exception = False
    response = get(client, "/collections")
    assert doc(response, 503)["code"] == "ServiceUnavailable"
    assert response["Retry-After"]


def test_ats_core_fc_time_definition(client, world):
    """/conf/core/fc-time-definition: an RFC 3339 instant or interval; anything else is a 400."""
    url = "/collections/industrial_areas/items?datetime="
    for bad in ("yesterday", "2020-13-01", "../..", "2021-01-01/2020-01-01"):
        assert doc(get(client, url + bad), 400)
    assert "/components/parameters/datetime" in json.dumps(doc(get(client, "/api")))


def test_ats_core_fc_time_response(client, world):
    """/conf/core/fc-time-response: only features whose time intersects ``datetime``.

    Areas: only KCN Nhơn Hòa has a date (established 2010-05-01). Units: the province and both
    communes were in force 1976-01-01 … 2025-06-30, so none is on 2025-07-01."""
    url = "/collections/industrial_areas/items?datetime="

    def codes(query):
        return sorted(f["properties"]["code"] for f in doc(get(client, url + query))["features"])

    assert codes("2010-05-01") == ["KCN-NH"]
    assert codes("2010-05-01T10:00:00Z") == ["KCN-NH"]
    assert codes("../2010-12-31") == ["KCN-NH"]
    assert codes("2011-01-01/..") == []
    assert codes("2010-01-01/2010-06-01") == ["KCN-NH"]
    url = "/collections/admin_units/items?datetime="
    assert codes("2025-06-30") == ["21907", "21910", "52"]
    assert codes("2025-07-01") == []
    assert codes("2025-07-01/..") == []
    assert codes("2020-01-01/2030-01-01") == ["21907", "21910", "52"]
    # Roads have no temporal property: datetime selects every feature.
    roads = doc(get(client, "/collections/road_corridors/items?datetime=2020-01-01"))
    assert roads["numberMatched"] == 1


@pytest.mark.skipif(
    not os.path.exists("/usr/lib/python3/dist-packages/qgis/core/__init__.py"),
    reason="QGIS (Debian python3-qgis) is not installed",
)
@pytest.mark.django_db(transaction=True)
def test_qgis_oapif_loads_every_collection(live_server, world, tmp_path):
    """QGIS 3.22's OAPIF provider: every collection valid, every feature read, an expression
    filter applied (two CCNs of the three areas)."""
    script = os.path.join(os.path.dirname(__file__), "..", "clients", "qgis_oapif_client.py")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        ["/usr/bin/python3", script, live_server.url, *sorted(PUBLIC)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{run.returncode}: {run.stdout[-2000:]} {run.stderr[-2000:]}"
    seen = json.loads(lines[-1])
    assert all(s["valid"] for s in seen.values()), seen
    assert seen["industrial_areas"]["count"] == 3 and seen["road_corridors"]["count"] == 1
    assert seen["admin_units"]["count"] == 3
    assert seen["industrial_areas"]["ccn"] == ["CCN-BTX", "CCN-PA"]
    assert "code" in seen["industrial_areas"]["fields"]
