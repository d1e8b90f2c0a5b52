"""Feature history at /ogc/ (not an OGC standard: the open proposal
opengeospatial/ogcapi-features#1057): ``items/{id}/versions``, ``…/versions/{vid}`` and ``asOf``
on ``items`` and ``items/{id}``, from django-simple-history, over plain HTTP against a live server.

Edits are made through every door — Part 4 (PATCH), WFS-T, a model save (the admin, the pages) —
and each appears as a version; rights are those of reading the layer, judged per version.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests
from django.utils import timezone

from planning import models as m
from tests.layers.test_ogcapi_part4 import MERGE, Session, call, submit
from tests.layers.test_wfs_support import PASSWORD, users, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def pause() -> dt.datetime:
    """A moment strictly between two writes (history dates have microseconds)."""
    time.sleep(0.01)
    moment = timezone.now()
    time.sleep(0.01)
    return moment


@pytest.fixture
def edited(live_server, world, users):
    """KCN Nhơn Hòa: created (world), renamed through Part 4, leased land changed through
    WFS-T, renamed again by a model save; the moments between the writes."""
    area = world["areas"]["KCN-NH"]
    fid = f"industrial_areas.{area.pk}"
    url = f"/collections/industrial_areas/items/{fid}"
    reviewer = Session(live_server.url, "thamdinh")
    moments = [pause()]
    etag = reviewer.get(reviewer.url(url)).headers["ETag"]
    r = call(
        reviewer,
        "PATCH",
        url,
        {"properties": {"name": "KCN Nhơn Hòa 2"}},
        content_type=MERGE,
        **{"If-Match": etag},
    )
    assert r.status_code == 204, r.text
    moments.append(pause())
    body = f"""<wfs:Transaction service="WFS" version="2.0.0"
        xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"
        xmlns:kcn="http://kcn-planner.vn/kcn">
      <wfs:Update typeName="kcn:industrial_areas">
        <wfs:Property><wfs:ValueReference>name</wfs:ValueReference>
          <wfs:Value>KCN Nhơn Hòa 3</wfs:Value></wfs:Property>
        <fes:Filter><fes:ResourceId rid="{fid}"/></fes:Filter>
      </wfs:Update></wfs:Transaction>"""
    r = requests.post(
        f"{live_server.url}/ows/wfs",
        data=body.encode(),
        headers={"Content-Type": "text/xml"},
        auth=(b"thamdinh", PASSWORD.encode()),
        timeout=60,
    )
    assert r.status_code == 200 and b"totalUpdated>1<" in r.content, r.text
    moments.append(pause())
    area.refresh_from_db()
    area.name = "KCN Nhơn Hòa 4"
    area._history_user = users["admin"]
    area.save()
    moments.append(pause())
    return {"url": url, "fid": fid, "moments": moments, "area": area, "reviewer": reviewer}


def test_versions_list_who_when_what(live_server, edited):
    """The Time Map: one entry per write, oldest first, with the user (signed-in callers), the
    change type, a link to the version and to the feature as of that moment."""
    reviewer = edited["reviewer"]
    r = reviewer.get(reviewer.url(edited["url"] + "/versions"))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    doc = r.json()
    assert doc["id"] == edited["fid"] and "not an ogc standard" in doc["notice"].lower()
    versions = doc["versions"]
    assert [v["changeType"] for v in versions] == ["created", "updated", "updated", "updated"]
    assert [v["user"] for v in versions] == [None, "thamdinh", "thamdinh", "quantri"]
    link = reviewer.get(reviewer.url(edited["url"])).headers["Link"]
    assert link.endswith('/versions>; rel="version-history"')
    rels = {link["rel"] for link in doc["links"]}
    assert {"self", "version-history", "original", "latest-version"} <= rels
    # Each version's link answers that version's state.
    names = [reviewer.get(v["links"][0]["href"]).json()["properties"]["name"] for v in versions]
    assert names == ["KCN Nhơn Hòa", "KCN Nhơn Hòa 2", "KCN Nhơn Hòa 3", "KCN Nhơn Hòa 4"]
    # Anonymous readers of a public layer see the history without the users' names.
    anonymous = Session(live_server.url)
    assert (
        "user"
        not in anonymous.get(anonymous.url(edited["url"] + "/versions")).json()["versions"][1]
    )


def test_version_links_and_memento(live_server, edited):
    reviewer = edited["reviewer"]
    versions = reviewer.get(reviewer.url(edited["url"] + "/versions")).json()["versions"]
    second = reviewer.get(versions[1]["links"][0]["href"])
    assert second.headers["Content-Type"] == "application/geo+json"
    assert second.headers["Memento-Datetime"].endswith("GMT")
    feature = second.json()
    assert feature["id"] == edited["fid"] and feature["version"]["changeType"] == "updated"
    rels = {link["rel"]: link["href"] for link in feature["links"]}
    assert rels["predecessor-version"].endswith(f"/versions/{versions[0]['versionId']}")
    assert rels["successor-version"].endswith(f"/versions/{versions[2]['versionId']}")
    assert rels["latest-version"].endswith(f"/versions/{versions[3]['versionId']}")
    missing = reviewer.get(reviewer.url(edited["url"] + "/versions/999999"))
    assert missing.status_code == 404


def test_item_as_of(live_server, edited):
    """``items/{id}?asOf=``: the state at each moment; 410 Gone before the feature existed."""
    reviewer = edited["reviewer"]
    names = []
    for moment in edited["moments"]:
        r = reviewer.get(reviewer.url(edited["url"]), params={"asOf": stamp(moment)})
        assert r.status_code == 200, r.text
        names.append(r.json()["properties"]["name"])
    assert names == ["KCN Nhơn Hòa", "KCN Nhơn Hòa 2", "KCN Nhơn Hòa 3", "KCN Nhơn Hòa 4"]
    r = reviewer.get(reviewer.url(edited["url"]), params={"asOf": "2000-01-01T00:00:00Z"})
    assert r.status_code == 410 and r.json()["code"] == "Gone"
    r = reviewer.get(reviewer.url(edited["url"]), params={"asOf": "yesterday"})
    assert r.status_code == 400 and "RFC 3339" in r.json()["description"]


def test_items_as_of_and_deletion(live_server, edited, world):
    """``items?asOf=``: the collection as it was; a feature deleted since is in the past state,
    its own URL answers 410 after the deletion and its history ends with it."""
    reviewer = edited["reviewer"]
    gone = world["areas"]["CCN-PA"]
    url = f"/collections/industrial_areas/items/industrial_areas.{gone.pk}"
    before = pause()
    etag = reviewer.get(reviewer.url(url)).headers["ETag"]
    assert call(reviewer, "DELETE", url, **{"If-Match": etag}).status_code == 204
    items = reviewer.url("/collections/industrial_areas/items")
    then = reviewer.get(items, params={"asOf": stamp(before)}).json()
    now = reviewer.get(items, params={"asOf": stamp(timezone.now())}).json()
    assert then["numberMatched"] == 3 and now["numberMatched"] == 2
    first = reviewer.get(items, params={"asOf": stamp(edited["moments"][0])}).json()
    names = {f["properties"]["name"] for f in first["features"]}
    assert names == {"KCN Nhơn Hòa", "CCN Bùi Thị Xuân", "CCN Phước An"}
    assert (
        reviewer.get(reviewer.url(url), params={"asOf": stamp(timezone.now())}).status_code == 410
    )
    assert reviewer.get(reviewer.url(url), params={"asOf": stamp(before)}).status_code == 200
    versions = reviewer.get(reviewer.url(url + "/versions")).json()["versions"]
    assert versions[-1]["changeType"] == "deleted"
    # bbox selects among the states at that moment (CCN Phước An, deleted since, lies at
    # 109.15–109.17 E); any other parameter is a 400.
    r = reviewer.get(items, params={"asOf": stamp(before), "bbox": "109.14,13.9,109.2,14.0"})
    assert [f["properties"]["code"] for f in r.json()["features"]] == ["CCN-PA"]
    r = reviewer.get(items, params={"asOf": stamp(before), "kind": "CCN"})
    assert r.status_code == 400 and "kind" in r.json()["description"]


def test_layers_without_history(live_server, world):
    """Road corridors keep no history: versions 404, asOf 400, each saying which layers do."""
    anonymous = Session(live_server.url)
    url = f"/collections/road_corridors/items/road_corridors.{world['road'].pk}"
    r = anonymous.get(anonymous.url(url + "/versions"))
    assert r.status_code == 404 and "industrial_areas" in r.json()["description"]
    r = anonymous.get(anonymous.url(url), params={"asOf": "2025-01-01T00:00:00Z"})
    assert r.status_code == 400 and "no edit history" in r.json()["description"]


def test_draft_versions_stay_private(live_server, world, users):
    """A proposal's versions are read with today's rights, per version: commune B's staff, who
    may not read commune A's drafts, see none of its draft versions — only those from its
    submission on; anonymous callers do not see the layer at all."""
    proposal = world["proposals"]["a"]
    url = f"/collections/proposals/items/proposals.{proposal.pk}"
    other = Session(live_server.url, "canbo_b")
    own = Session(live_server.url, "canbo_a")
    assert other.get(other.url(url + "/versions")).status_code == 404
    draft_time = pause()
    submit(users["staff_a"], proposal)
    mine = own.get(own.url(url + "/versions")).json()["versions"]
    theirs = other.get(other.url(url + "/versions")).json()["versions"]
    assert len(theirs) == 1 and len(mine) > len(theirs)
    assert theirs[0]["versionId"] == mine[-1]["versionId"]
    r = other.get(other.url(url), params={"asOf": stamp(draft_time)})
    assert r.status_code == 410  # for them it did not exist before its submission
    assert own.get(own.url(url), params={"asOf": stamp(draft_time)}).status_code == 200
    hidden = other.get(other.url(f"{url}/versions/{mine[0]['versionId']}"))
    assert hidden.status_code == 404
    anonymous = Session(live_server.url)
    assert anonymous.get(anonymous.url(url + "/versions")).status_code == 404
    assert m.Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_openapi_says_history_is_not_a_standard(live_server, world):
    anonymous = Session(live_server.url)
    api = anonymous.get(anonymous.url("/api")).json()
    assert "NOT an OGC standard" in api["info"]["description"]
    assert "/collections/industrial_areas/items/{featureId}/versions" in api["paths"]
    assert "/collections/road_corridors/items/{featureId}/versions" not in api["paths"]
    params = api["paths"]["/collections/industrial_areas/items"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/asOf"} in params
