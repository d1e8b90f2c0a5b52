"""OGC API – Features – Part 4 (OGC 20-002 draft) at /ogc/, driven as QGIS 3.32+ drives it:
plain HTTP (requests) against a live server — OPTIONS, then POST, PUT, PATCH, DELETE with
If-Match — each edit checked through WFS GetFeature, QGIS 3.22's OAPIF provider and the edit
history. Tests named ``test_ats_…`` follow Part 4's abstract tests (Annex A of the draft).

The world is the WFS tests' (three areas, two in commune A, one in commune B; proposals DX-A-1
and DX-B-1, drafts). The industry reviewer of the province may edit areas; commune staff edit
their unit's proposals; a signed-in user with no role edits nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from django.test import Client
from jsonschema import Draft4Validator
from pyproj import Transformer
from schemathesis.specs.openapi.definitions import OPENAPI_30

from planning import geo
from planning import models as m
from planning.services import proposals as workflow
from tests.conftest import box4326
from tests.layers.test_wfs_support import PASSWORD, make_user, users, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

GEOJSON = "application/geo+json"
MERGE = "application/merge-patch+json"
CONF = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/"
# A new cluster in commune A, clear of the three areas: 109.08–109.09 E, 13.96–13.97 N.
NEW_BOX = [[109.08, 13.96], [109.09, 13.96], [109.09, 13.97], [109.08, 13.97], [109.08, 13.96]]


class Session(requests.Session):
    """One user's HTTP client, answers in English (the messages the tests read)."""

    def __init__(self, base: str, username: str | None = None):
        super().__init__()
        self.base = base.rstrip("/") + "/ogc"
        if username:
            self.auth = (username.encode(), PASSWORD.encode())
        self.headers["Accept-Language"] = "en"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path


def call(s: Session, method: str, path: str, body=None, *, content_type=GEOJSON, **headers):
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = content_type
    return s.request(method, s.url(path), data=data, headers=headers, timeout=60)


def feature(name: str, code: str, *, ring=NEW_BOX, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {
            "code": code,
            "name": name,
            "kind": "CCN",
            "status": "planned",
            "planned_area_ha": 110,
            "industrial_land_ha": 80,
            **props,
        },
    }


def wfs_feature(live_server, typename: str, fid: str, auth=None) -> dict | None:
    """The feature as WFS 2.0 GetFeature returns it (GeoJSON), None if absent."""
    r = requests.get(
        f"{live_server.url}/ows/wfs",
        params={
            "service": "WFS",
            "version": "2.0.0",
            "request": "GetFeature",
            "typeNames": typename,
            "resourceId": fid,
            "outputFormat": "application/json",
        },
        auth=auth,
        timeout=60,
    )
    assert r.status_code == 200, r.text[:500]
    features = r.json()["features"]
    return features[0] if features else None


@pytest.fixture
def reviewer(live_server, users):
    return Session(live_server.url, "thamdinh")


@pytest.fixture
def anonymous(live_server, world):
    return Session(live_server.url)


def submit(user, proposal) -> None:
    """Submit a proposal through the workflow, first shrunk under the 75 ha cluster ceiling
    (0.005° × 0.005° ≈ 540 m × 550 m ≈ 30 ha)."""
    proposal.refresh_from_db()
    proposal.geom = box4326(108.970, 14.050, 108.975, 14.055)
    proposal.save()
    workflow.proposal_submit(user, proposal)


def _area_id(world, code: str) -> str:
    return f"industrial_areas.{world['areas'][code].pk}"


# --- /conf/create-replace-delete: insert (POST) --------------------------------------------------


def test_ats_create_post_op(live_server, world, reviewer):
    """/conf/create-replace-delete/insert/post-op, -response, -response-rid: POST a GeoJSON
    Feature in CRS84; 201 with Location (the new feature's URL) and its ETag; the feature reads
    back through OGC API, WFS GetFeature and the history, its area measured in VN-2000."""
    r = call(reviewer, "POST", "/collections/industrial_areas/items", feature("CCN Mới", "CCN-M"))
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    assert location.startswith(f"{reviewer.base}/collections/industrial_areas/items/")
    fid = location.rsplit("/", 1)[1]
    assert r.headers["ETag"].startswith('"')
    got = reviewer.get(location)
    assert got.status_code == 200 and got.headers["ETag"] == r.headers["ETag"]
    props = got.json()["properties"]
    # The reviewer holds one unit (the province): a missing admin_unit is theirs, as in WFS-T.
    assert props["name"] == "CCN Mới" and props["admin_unit"] == world["province"].code
    # Measured on write in the unit's TM-3 zone (EPSG:9217 for commune A's test unit here):
    # 0.01° × 0.01° at 13.965 N ≈ 1,080 m × 1,106 m ≈ 119.5 ha; the stored figure is pyproj's.
    area = m.IndustrialArea.objects.get(code="CCN-M")
    expected_ha = geo.area_ha(area.boundary, area.metric_srid)
    assert float(area.boundary_area_ha) == pytest.approx(expected_ha, rel=1e-4)
    assert 115 < expected_ha < 125
    # WFS sees it, with the same name.
    assert wfs_feature(live_server, "industrial_areas", fid)["properties"]["name"] == "CCN Mới"
    # The history names the user.
    versions = reviewer.get(f"{location}/versions").json()["versions"]
    assert [(v["changeType"], v["user"]) for v in versions] == [("created", "thamdinh")]


def test_ats_create_content_type(live_server, world, reviewer):
    """/conf/create-replace-delete/insert/content-type: a body that is not GeoJSON is 415."""
    r = call(
        reviewer, "POST", "/collections/industrial_areas/items", {"a": 1}, content_type="text/plain"
    )
    assert r.status_code == 415 and "application/geo+json" in r.json()["description"]


def test_ats_create_body_invalid_geometry_and_crs(live_server, world, reviewer):
    """/conf/create-replace-delete/insert/body: the body is a feature of the collection; a bad
    geometry or coordinates in the wrong CRS are a 400 saying why, and nothing is written."""
    items = "/collections/industrial_areas/items"
    r = call(reviewer, "POST", items, {"type": "Feature", "geometry": {"type": "Polygon"}})
    assert r.status_code == 400 and "geometry" in r.json()["description"]
    # TM-3 metres sent as CRS84 degrees: refused by the extent check, which says so.
    x, y = Transformer.from_crs(4326, 9217, always_xy=True).transform(109.08, 13.96)
    metres = [[x, y], [x + 1000, y], [x + 1000, y + 1000], [x, y + 1000], [x, y]]
    r = call(reviewer, "POST", items, feature("Sai", "CCN-X", ring=metres))
    assert r.status_code == 400
    assert "metre" in r.json()["description"] or "degree" in r.json()["description"]
    # A bow tie: repairing it would change its area far beyond 0.1 %, so it is refused with
    # the GEOS reason and where.
    bowtie = [[109.08, 13.96], [109.09, 13.97], [109.09, 13.96], [109.08, 13.97], [109.08, 13.96]]
    r = call(reviewer, "POST", items, feature("Nơ", "CCN-X", ring=bowtie))
    assert r.status_code == 400 and r.json()["description"].startswith("geometry: ")
    assert "Self-intersection at (109.085, 13.965)" in r.json()["description"]
    # An unknown property, a computed one set to a value: 400.
    r = call(reviewer, "POST", items, feature("Sai", "CCN-X", colour="red"))
    assert r.status_code == 400 and "colour" in r.json()["description"]
    r = call(reviewer, "POST", items, feature("X", "CCN-X"), **{"Content-Crs": "EPSG:999999"})
    assert r.status_code == 400 and "Content-Crs" in r.json()["description"]
    assert not m.IndustrialArea.objects.filter(code="CCN-X").exists()


def test_ats_features_crs_content_crs(live_server, world, reviewer):
    """/conf/features/crs: the same ring sent in VN-2000 TM-3 (Content-Crs EPSG:9217) is stored
    as its CRS84 coordinates (within 1 mm)."""
    fwd = Transformer.from_crs(4326, 9217, always_xy=True)
    ring = [list(fwd.transform(lon, lat)) for lon, lat in NEW_BOX]
    r = call(
        reviewer,
        "POST",
        "/collections/industrial_areas/items",
        feature("CCN TM-3", "CCN-TM3", ring=ring),
        **{"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/9217>"},
    )
    assert r.status_code == 201, r.text
    # EPSG:4326 by its URI is latitude first (Part 2): the same ring, axes swapped.
    swapped = [[lat, lon] for lon, lat in NEW_BOX]
    r4326 = call(
        reviewer,
        "POST",
        "/collections/industrial_areas/items",
        feature("CCN 4326", "CCN-4326", ring=swapped),
        **{"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/4326>"},
    )
    assert r4326.status_code == 201, r4326.text
    a = m.IndustrialArea.objects.get(code="CCN-4326").boundary
    assert a.extent == pytest.approx((109.08, 13.96, 109.09, 13.97))
    coords = reviewer.get(r.headers["Location"]).json()["geometry"]["coordinates"][0][0]
    got = sorted(tuple(c) for c in coords[:-1])
    want = sorted(tuple(c) for c in NEW_BOX[:-1])
    for (a, b), (c, d) in zip(got, want, strict=True):
        assert a == pytest.approx(c, abs=1e-8) and b == pytest.approx(d, abs=1e-8)


# --- /conf/create-replace-delete: replace (PUT), update (PATCH), delete -------------------------


def test_ats_replace_put_op(live_server, world, reviewer):
    """/conf/create-replace-delete/update/put/body, -response: GET, change, PUT back with
    If-Match (QGIS sends every attribute back, computed ones included); 204 with the new ETag."""
    url = f"/collections/industrial_areas/items/{_area_id(world, 'CCN-BTX')}"
    got = reviewer.get(reviewer.url(url))
    body = got.json()
    body["properties"]["name"] = "CCN Bùi Thị Xuân (mở rộng)"
    r = call(reviewer, "PUT", url, body, **{"If-Match": got.headers["ETag"]})
    assert r.status_code == 204, r.text
    assert r.headers["ETag"] != got.headers["ETag"]
    assert reviewer.get(reviewer.url(url)).headers["ETag"] == r.headers["ETag"]
    fid = _area_id(world, "CCN-BTX")
    assert wfs_feature(live_server, "industrial_areas", fid)["properties"]["name"].endswith(
        "(mở rộng)"
    )


def test_ats_update_patch_op(live_server, world, reviewer):
    """/conf/update (RFC 7396): a merge patch changes the named properties, null empties one,
    a geometry member replaces the geometry (and the measured area follows)."""
    area = world["areas"]["KCN-NH"]
    url = f"/collections/industrial_areas/items/{_area_id(world, 'KCN-NH')}"
    etag = reviewer.get(reviewer.url(url)).headers["ETag"]
    patch = {
        "properties": {"leased_land_ha": 120, "developer": None},
        "geometry": {"type": "Polygon", "coordinates": [NEW_BOX]},
    }
    r = call(reviewer, "PATCH", url, patch, content_type=MERGE, **{"If-Match": etag})
    assert r.status_code == 204, r.text
    area.refresh_from_db()
    assert area.leased_land_ha == Decimal("120") and area.developer is None
    assert area.name == "KCN Nhơn Hòa"  # untouched
    assert float(area.boundary_area_ha) == pytest.approx(
        geo.area_ha(area.boundary, area.metric_srid), rel=1e-4
    )


def test_ats_delete_op(live_server, world, reviewer):
    """/conf/create-replace-delete/delete/delete-op, -response: 204; the feature is gone from
    OGC API and WFS, and its history ends with the deletion."""
    fid = _area_id(world, "CCN-PA")
    url = f"/collections/industrial_areas/items/{fid}"
    etag = reviewer.get(reviewer.url(url)).headers["ETag"]
    r = call(reviewer, "DELETE", url, **{"If-Match": etag})
    assert r.status_code == 204, r.text
    assert reviewer.get(reviewer.url(url)).status_code == 404
    assert wfs_feature(live_server, "industrial_areas", fid) is None
    versions = reviewer.get(reviewer.url(url + "/versions")).json()["versions"]
    assert versions[-1]["changeType"] == "deleted" and versions[-1]["user"] == "thamdinh"


# --- /conf/optimistic-locking-etags --------------------------------------------------------------


def test_ats_etag_get_response_and_if_none_match(live_server, world, anonymous):
    """/req/optimistic-locking-etags/etag-get-response: every feature carries a strong ETag;
    If-None-Match with it is a 304; the HTML representation has its own tag."""
    url = anonymous.url(f"/collections/industrial_areas/items/{_area_id(world, 'KCN-NH')}")
    r = anonymous.get(url)
    etag = r.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert anonymous.get(url, headers={"If-None-Match": etag}).status_code == 304
    html = anonymous.get(url + "?f=html")
    assert html.headers["ETag"] != etag


def test_ats_if_match_required_and_stale(live_server, world, reviewer):
    """/req/optimistic-locking-etags/ifmatch-put-op, -patch-op, -eval: PUT, PATCH and DELETE
    without If-Match are 428; with a stale or weak tag 412 (and the current ETag)."""
    url = f"/collections/industrial_areas/items/{_area_id(world, 'CCN-BTX')}"
    body = reviewer.get(reviewer.url(url)).json()
    assert call(reviewer, "PUT", url, body).status_code == 428
    assert call(reviewer, "PATCH", url, {"properties": {}}, content_type=MERGE).status_code == 428
    assert call(reviewer, "DELETE", url).status_code == 428
    r = call(reviewer, "DELETE", url, **{"If-Match": '"stale"'})
    assert r.status_code == 412 and r.headers["ETag"]
    etag = reviewer.get(reviewer.url(url)).headers["ETag"]
    assert call(reviewer, "DELETE", url, **{"If-Match": "W/" + etag}).status_code == 412
    assert m.IndustrialArea.objects.filter(code="CCN-BTX").exists()


def test_two_clients_second_gets_412_and_nothing_is_lost(live_server, world, users):
    """Two editors read the same feature; the first saves; the second's save (an older copy)
    is refused with 412; re-reading and repeating keeps both changes."""
    make_user("thamdinh2", role="industry_reviewer", unit=world["province"])
    a, b = Session(live_server.url, "thamdinh"), Session(live_server.url, "thamdinh2")
    url = f"/collections/industrial_areas/items/{_area_id(world, 'CCN-BTX')}"
    copy_a, copy_b = a.get(a.url(url)), b.get(b.url(url))
    assert copy_a.headers["ETag"] == copy_b.headers["ETag"]
    body_a = copy_a.json()
    body_a["properties"]["leased_land_ha"] = 150
    r = call(a, "PUT", url, body_a, **{"If-Match": copy_a.headers["ETag"]})
    assert r.status_code == 204
    body_b = copy_b.json()
    body_b["properties"]["name"] = "CCN Bùi Thị Xuân B"
    r = call(b, "PUT", url, body_b, **{"If-Match": copy_b.headers["ETag"]})
    assert r.status_code == 412
    assert "changed since you read it" in r.json()["description"]
    area = m.IndustrialArea.objects.get(code="CCN-BTX")
    assert area.leased_land_ha == Decimal("150") and area.name == "CCN Bùi Thị Xuân"
    # B reads again and applies its change to the current state: both changes are kept.
    fresh = b.get(b.url(url))
    body = fresh.json()
    body["properties"]["name"] = "CCN Bùi Thị Xuân B"
    assert call(b, "PUT", url, body, **{"If-Match": fresh.headers["ETag"]}).status_code == 204
    area.refresh_from_db()
    assert area.leased_land_ha == Decimal("150") and area.name == "CCN Bùi Thị Xuân B"
    users_of = [v["user"] for v in a.get(a.url(url + "/versions")).json()["versions"]]
    assert users_of[-2:] == ["thamdinh", "thamdinh2"]


def test_etag_changes_on_writes_through_other_doors(live_server, world, reviewer):
    """A WFS-T Update, a save in the admin or a page (model save), a bulk QuerySet.update():
    each changes the ETag, so a PUT from before them is a 412."""
    area = world["areas"]["KCN-NH"]
    url = f"/collections/industrial_areas/items/{_area_id(world, 'KCN-NH')}"
    tags = [reviewer.get(reviewer.url(url)).headers["ETag"]]
    transaction = f"""<wfs:Transaction service="WFS" version="2.0.0"
        xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"
        xmlns:kcn="http://kcn-planner.vn/kcn">
      <wfs:Update typeName="kcn:industrial_areas">
        <wfs:Property><wfs:ValueReference>leased_land_ha</wfs:ValueReference>
          <wfs:Value>101</wfs:Value></wfs:Property>
        <fes:Filter><fes:ResourceId rid="industrial_areas.{area.pk}"/></fes:Filter>
      </wfs:Update></wfs:Transaction>"""
    r = requests.post(
        f"{live_server.url}/ows/wfs",
        data=transaction.encode(),
        headers={"Content-Type": "text/xml"},
        auth=(b"thamdinh", PASSWORD.encode()),
        timeout=60,
    )
    assert r.status_code == 200 and b"totalUpdated>1<" in r.content, r.text
    tags.append(reviewer.get(reviewer.url(url)).headers["ETag"])
    area.refresh_from_db()
    area.name = "KCN Nhơn Hòa 2"
    area.save()
    tags.append(reviewer.get(reviewer.url(url)).headers["ETag"])
    m.IndustrialArea.objects.filter(pk=area.pk).update(leased_land_ha=Decimal("99"))
    tags.append(reviewer.get(reviewer.url(url)).headers["ETag"])
    assert len(set(tags)) == 4
    r = call(
        reviewer,
        "PATCH",
        url,
        {"properties": {"name": "x"}},
        content_type=MERGE,
        **{"If-Match": tags[0]},
    )
    assert r.status_code == 412


# --- OPTIONS and rights --------------------------------------------------------------------------


def _allow(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {m.strip() for m in response.headers["Allow"].split(",")}


def test_ats_options_per_user(live_server, world, users, anonymous, reviewer):
    """/req/create-replace-delete/options-response: Allow lists the methods *this* user may use
    on *this* resource (QGIS 3.32 enables editing from it)."""
    items = "/collections/industrial_areas/items"
    one = f"{items}/{_area_id(world, 'KCN-NH')}"
    read = {"GET", "HEAD", "OPTIONS"}
    assert _allow(anonymous.options(anonymous.url(items))) == read
    assert _allow(anonymous.options(anonymous.url(one))) == read
    nobody = Session(live_server.url, "khach")
    assert _allow(nobody.options(nobody.url(one))) == read
    assert _allow(reviewer.options(reviewer.url(items))) == read | {"POST"}
    assert _allow(reviewer.options(reviewer.url(one))) == read | {"PUT", "PATCH", "DELETE"}
    # QGIS asks the first feature it read, or "unknown_id" in an empty collection, and applies
    # the answer to the whole layer: an item answers the collection's methods for this user.
    unknown = f"{items}/unknown_id"
    assert _allow(reviewer.options(reviewer.url(unknown))) == read | {"PUT", "PATCH", "DELETE"}
    assert _allow(anonymous.options(anonymous.url(unknown))) == read
    staff = Session(live_server.url, "canbo_a")
    proposals = "/collections/proposals/items"
    assert _allow(staff.options(staff.url(proposals))) == read | {"POST"}
    # Staff without the right to edit areas: read only there.
    assert _allow(staff.options(staff.url(one))) == read
    # A refusal particular to one feature comes with the write (see the workflow tests).
    submit(users["staff_a"], world["proposals"]["a"])
    draft = f"{proposals}/proposals.{world['proposals']['a'].pk}"
    assert _allow(staff.options(staff.url(draft))) == read | {"PUT", "PATCH", "DELETE"}


def test_qgis_requests_carry_no_if_match(live_server, world, reviewer, settings):
    """QGIS 3.32+ sends PATCH (application/merge-patch+json, only the changed attributes), PUT and
    DELETE without If-Match. By default that is a 428 (no write without the version read);
    OGCAPI_FEATURES_IF_MATCH_REQUIRED = False lets such clients write (last writer wins for them),
    while a request with If-Match is still checked."""
    url = f"/collections/industrial_areas/items/{_area_id(world, 'CCN-BTX')}"
    patch = {"properties": {"leased_land_ha": 140}}
    r = call(reviewer, "PATCH", url, patch, content_type=MERGE)
    assert r.status_code == 428 and "If-Match" in r.json()["description"]
    settings.OGCAPI_FEATURES_IF_MATCH_REQUIRED = False
    r = call(reviewer, "PATCH", url, patch, content_type=MERGE)
    assert r.status_code == 204, r.text
    assert m.IndustrialArea.objects.get(code="CCN-BTX").leased_land_ha == Decimal("140")
    r = call(reviewer, "PATCH", url, patch, content_type=MERGE, **{"If-Match": '"stale"'})
    assert r.status_code == 412


def test_ats_replace_put_rid_exception(live_server, world, reviewer):
    """/conf/create-replace-delete/update/put/rid-exception: PUT never creates; with If-Match on
    a feature that does not exist, 412. /req/create-replace-delete/put-rid: an id in the body is
    ignored (the URL names the feature)."""
    items = "/collections/industrial_areas/items"
    url = f"{items}/{_area_id(world, 'CCN-BTX')}"
    got = reviewer.get(reviewer.url(url))
    body = got.json()
    r = call(reviewer, "PUT", f"{items}/industrial_areas.999999", body, **{"If-Match": "*"})
    assert r.status_code == 412
    body["id"] = _area_id(world, "KCN-NH")
    body["properties"]["name"] = "CCN BTX"
    assert call(reviewer, "PUT", url, body, **{"If-Match": got.headers["ETag"]}).status_code == 204
    assert m.IndustrialArea.objects.get(code="CCN-BTX").name == "CCN BTX"
    assert m.IndustrialArea.objects.get(code="KCN-NH").name == "KCN Nhơn Hòa"


def test_no_rights_403_anonymous_401(live_server, world, users, anonymous):
    url = f"/collections/industrial_areas/items/{_area_id(world, 'KCN-NH')}"
    etag = anonymous.get(anonymous.url(url)).headers["ETag"]
    r = call(
        anonymous,
        "PATCH",
        url,
        {"properties": {"name": "x"}},
        content_type=MERGE,
        **{"If-Match": etag},
    )
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    nobody = Session(live_server.url, "khach")
    r = call(
        nobody,
        "PATCH",
        url,
        {"properties": {"name": "x"}},
        content_type=MERGE,
        **{"If-Match": etag},
    )
    assert r.status_code == 403
    r = call(nobody, "POST", "/collections/industrial_areas/items", feature("X", "CCN-X"))
    assert r.status_code == 403
    # Commune B's staff on commune A's submitted proposal: readable, not theirs to edit.
    proposal = world["proposals"]["a"]
    submit(users["staff_a"], proposal)
    other = Session(live_server.url, "canbo_b")
    purl = f"/collections/proposals/items/proposals.{proposal.pk}"
    tag = other.get(other.url(purl)).headers["ETag"]
    r = call(other, "DELETE", purl, **{"If-Match": tag})
    assert r.status_code == 403
    assert m.IndustrialArea.objects.get(code="KCN-NH").name == "KCN Nhơn Hòa"


def test_session_write_needs_csrf(live_server, world, users):
    """A browser session writes only with a CSRF token, as WFS-T (Basic and token callers carry
    their own credentials)."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["reviewer"])
    r = client.post(
        "/ogc/collections/industrial_areas/items",
        json.dumps(feature("CCN phiên", "CCN-S")),
        content_type=GEOJSON,
    )
    assert r.status_code == 403 and "CSRF" in r.json()["description"]
    assert not m.IndustrialArea.objects.filter(code="CCN-S").exists()


# --- the proposal workflow, through Part 4 -------------------------------------------------------


def _proposal(name: str, **props) -> dict:
    ring = [[108.97, 14.08], [108.98, 14.08], [108.98, 14.09], [108.97, 14.09], [108.97, 14.08]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": name, "kind": "CCN", **props},
    }


def test_new_proposal_is_a_draft_of_the_user(live_server, world, users):
    """POST into proposals: a draft, proposed by the caller, with a generated code and a
    timeline entry — the WFS-T insert's rules; a status other than draft is refused."""
    staff = Session(live_server.url, "canbo_a")
    r = call(staff, "POST", "/collections/proposals/items", _proposal("Cụm mới", status="draft"))
    assert r.status_code == 201, r.text
    pk = int(r.headers["Location"].rsplit(".", 1)[1])
    p = m.Proposal.objects.get(pk=pk)
    assert p.status == "draft" and p.proposed_by == users["staff_a"] and p.code
    assert p.admin_unit == world["commune_a"]
    assert p.events.filter(action="created").exists()
    r = call(staff, "POST", "/collections/proposals/items", _proposal("Cụm", status="approved"))
    assert r.status_code == 400 and "review workflow" in r.json()["description"]


def test_status_only_through_the_workflow(live_server, world, users):
    """PATCH status is refused (409, the workflow's way named); a submitted proposal cannot be
    edited (409 with the workflow's message); nothing changes."""
    staff = Session(live_server.url, "canbo_a")
    proposal = world["proposals"]["a"]
    url = f"/collections/proposals/items/proposals.{proposal.pk}"
    etag = staff.get(staff.url(url)).headers["ETag"]
    r = call(
        staff,
        "PATCH",
        url,
        {"properties": {"status": "submitted"}},
        content_type=MERGE,
        **{"If-Match": etag},
    )
    assert r.status_code == 409 and "review workflow" in r.json()["description"]
    # PUT of the feature as read (status unchanged) is fine: QGIS sends every attribute back.
    body = staff.get(staff.url(url)).json()
    body["properties"]["rationale"] = "Gần quốc lộ 19"
    r = call(staff, "PUT", url, body, **{"If-Match": etag})
    assert r.status_code == 204, r.text
    # The new ETag is the one the next read gives (no later write, e.g. of the checks, moves it).
    assert staff.get(staff.url(url)).headers["ETag"] == r.headers["ETag"]
    submit(users["staff_a"], proposal)
    fresh = staff.get(staff.url(url))
    r = call(
        staff,
        "PATCH",
        url,
        {"properties": {"name": "Đổi tên"}},
        content_type=MERGE,
        **{"If-Match": fresh.headers["ETag"]},
    )
    assert r.status_code == 409 and "draft" in r.json()["description"]
    r = call(staff, "DELETE", url, **{"If-Match": fresh.headers["ETag"]})
    assert r.status_code == 409
    p = m.Proposal.objects.get(pk=proposal.pk)
    assert p.status == "submitted" and p.name == "Cụm công nghiệp Cát Hanh"


# --- the API's description and conformance -------------------------------------------------------


def test_ats_conformance_and_openapi(live_server, world, users, anonymous, reviewer):
    conforms = anonymous.get(anonymous.url("/conformance")).json()["conformsTo"]
    for c in ("create-replace-delete", "update", "optimistic-locking-etags", "features"):
        assert CONF + c in conforms
    item = "/collections/industrial_areas/items/{featureId}"
    public = anonymous.get(anonymous.url("/api")).json()["paths"]
    assert (
        set(public[item]) == {"get", "options"}
        and "post" not in public["/collections/industrial_areas/items"]
    )
    mine = reviewer.get(reviewer.url("/api")).json()
    assert {"get", "put", "patch", "delete"} <= set(mine["paths"][item])
    assert "post" in mine["paths"]["/collections/industrial_areas/items"]
    assert "post" not in mine["paths"]["/collections/road_corridors/items"]  # admins only
    assert list(Draft4Validator(OPENAPI_30).iter_errors(mine)) == []


# --- QGIS 3.22 reads what Part 4 wrote -----------------------------------------------------------


@pytest.mark.skipif(
    not os.path.exists("/usr/lib/python3/dist-packages/qgis/core/__init__.py"),
    reason="QGIS (Debian python3-qgis) is not installed",
)
def test_qgis_oapif_sees_the_edits(live_server, world, reviewer, tmp_path):
    """QGIS 3.22's OAPIF provider (no Part 4 of its own) reads the features after a POST, a
    PATCH and a DELETE: the new cluster is listed by ``kind = 'CCN'``, the deleted one is not."""
    items = "/collections/industrial_areas/items"
    assert call(reviewer, "POST", items, feature("CCN Mới", "CCN-M")).status_code == 201
    url = f"{items}/{_area_id(world, 'CCN-PA')}"
    etag = reviewer.get(reviewer.url(url)).headers["ETag"]
    assert call(reviewer, "DELETE", url, **{"If-Match": etag}).status_code == 204
    url = f"{items}/{_area_id(world, 'CCN-BTX')}"
    etag = reviewer.get(reviewer.url(url)).headers["ETag"]
    r = call(
        reviewer,
        "PATCH",
        url,
        {"properties": {"code": "CCN-BTX2"}},
        content_type=MERGE,
        **{"If-Match": etag},
    )
    assert r.status_code == 204
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
    assert seen["valid"] and seen["count"] == 3
    assert seen["ccn"] == ["CCN-BTX2", "CCN-M"]


def test_refusals_in_the_request_language(live_server, world, reviewer):
    """The 428 and 412 explain themselves in the caller's language (Vietnamese here)."""
    url = f"/collections/industrial_areas/items/{_area_id(world, 'CCN-BTX')}"
    reviewer.headers["Accept-Language"] = "vi"
    r = call(reviewer, "DELETE", url)
    assert r.status_code == 428 and "If-Match" in r.json()["description"]
    assert "hãy GET đối tượng trước" in r.json()["description"]
    r = call(reviewer, "DELETE", url, **{"If-Match": '"cu"'})
    assert r.status_code == 412 and "đã thay đổi kể từ khi bạn đọc" in r.json()["description"]


def test_qgis_332_editing_session(live_server, world, reviewer, settings):
    """The requests QGIS 3.32+ sends (its OAPIF provider's source): OPTIONS on items, OPTIONS on
    the first feature read, POST of a feature with every field (null where unset), PATCH of the
    changed attributes only, PATCH of the geometry only, DELETE — none with If-Match, so with
    OGCAPI_FEATURES_IF_MATCH_REQUIRED = False."""
    settings.OGCAPI_FEATURES_IF_MATCH_REQUIRED = False
    items = "/collections/industrial_areas/items"
    first = reviewer.get(reviewer.url(items)).json()["features"][0]
    assert "POST" in _allow(reviewer.options(reviewer.url(items)))
    allow = _allow(reviewer.options(reviewer.url(f"{items}/{first['id']}")))
    assert {"PUT", "PATCH", "DELETE"} <= allow
    props = dict.fromkeys(first["properties"])  # every field, null: QGIS's new feature
    props.update(code="CCN-Q", name="CCN QGIS", kind="CCN", status="planned")
    props.update(planned_area_ha=100.0, industrial_land_ha=70.0)
    body = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [NEW_BOX]},
        "properties": props,
    }
    r = call(reviewer, "POST", items, body)
    assert r.status_code == 201, r.text
    url = r.headers["Location"]
    r = call(reviewer, "PATCH", url, {"properties": {"name": "CCN QGIS 2"}}, content_type=MERGE)
    assert r.status_code == 204, r.text
    moved = [[x + 0.001, y] for x, y in NEW_BOX]
    r = call(
        reviewer,
        "PATCH",
        url,
        {"geometry": {"type": "Polygon", "coordinates": [moved]}},
        content_type=MERGE,
    )
    assert r.status_code == 204, r.text
    area = m.IndustrialArea.objects.get(code="CCN-Q")
    assert area.name == "CCN QGIS 2" and area.boundary.extent[0] == pytest.approx(109.081)
    assert call(reviewer, "DELETE", url).status_code == 204
    assert not m.IndustrialArea.objects.filter(code="CCN-Q").exists()
    changes = [v["changeType"] for v in reviewer.get(url + "/versions").json()["versions"]]
    assert changes == ["created", "updated", "updated", "deleted"]


def test_simultaneous_writes_with_the_same_etag(live_server, world, users):
    """Two editors send their change at the same moment with the same ETag: the row is locked
    between the check and the write (FOR UPDATE on PostGIS, IMMEDIATE transactions on SQLite),
    so exactly one wins and the other gets 412 — never two 204s with one change lost."""
    make_user("thamdinh2", role="industry_reviewer", unit=world["province"])
    url = f"/collections/industrial_areas/items/{_area_id(world, 'KCN-NH')}"
    sessions = [Session(live_server.url, "thamdinh"), Session(live_server.url, "thamdinh2")]
    etag = sessions[0].get(sessions[0].url(url)).headers["ETag"]
    for round_ in range(3):
        current = sessions[0].get(sessions[0].url(url)).headers["ETag"] if round_ else etag

        def send(i, tag=current, n=round_):
            patch = {"properties": {"name": f"KCN {n}-{i}"}}
            return call(sessions[i], "PATCH", url, patch, content_type=MERGE, **{"If-Match": tag})

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(r.status_code for r in pool.map(send, (0, 1)))
        assert statuses == [204, 412], statuses
        assert m.IndustrialArea.objects.get(code="KCN-NH").name.startswith(f"KCN {round_}-")
