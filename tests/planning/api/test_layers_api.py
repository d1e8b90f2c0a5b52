"""GET /api/v1/layers/…: GeoJSON features of the catalogue layers, following the access policy."""

from __future__ import annotations

import base64

import pytest

from layers.catalogue import CATALOGUE

pytestmark = pytest.mark.django_db


def test_index_lists_only_what_the_caller_may_read(api, staff_api):
    public = {x["name"] for x in api.get("/api/v1/layers/").json()}
    assert "industrial_areas" in public
    assert (
        not {"clearance_parcels", "proposals", "suggested_sites", "infrastructure_connectors"}
        & public
    )
    everything = {x["name"] for x in staff_api.get("/api/v1/layers/").json()}
    assert everything == set(CATALOGUE)


def test_features_are_geojson_with_published_properties(api, area):
    r = api.get("/api/v1/layers/industrial_areas/")
    assert r.status_code == 200
    doc = r.json()
    assert doc["type"] == "FeatureCollection" and doc["count"] == 1
    f = doc["features"][0]
    assert f["id"] == area.pk and f["geometry"]["type"] == "MultiPolygon"
    assert f["properties"]["code"] == "CCN-CH"
    assert f["properties"]["planned_area_ha"] == 50.0  # a number, not a string
    assert f["properties"]["admin_unit"] == "21907"  # relations by natural key
    assert set(f["properties"]) == set(CATALOGUE["industrial_areas"].fields)


def test_detail_filters_bbox_and_paging(api, area):
    assert (
        api.get(f"/api/v1/layers/industrial_areas/{area.pk}/").json()["properties"]["name"]
        == "CCN Cát Hanh"
    )
    assert api.get("/api/v1/layers/industrial_areas/999999/").status_code == 404
    assert api.get("/api/v1/layers/industrial_areas/?bbox=108,13,109.5,14.5").json()["count"] == 1
    assert api.get("/api/v1/layers/industrial_areas/?bbox=105,9,106,10").json()["count"] == 0
    assert api.get("/api/v1/layers/industrial_areas/?kind=KCN").json()["count"] == 0
    assert (
        api.get("/api/v1/layers/industrial_areas/?kind=CCN&admin_unit=21907").json()["count"] == 1
    )
    assert api.get("/api/v1/layers/industrial_areas/?wwtp_operating=false").json()["count"] == 1
    page = api.get("/api/v1/layers/industrial_areas/?limit=1&offset=0").json()
    assert page["next"] is None and len(page["features"]) == 1


@pytest.mark.parametrize(
    "query, message",
    [
        ("bbox=1,2,3", "bbox must be minx,miny,maxx,maxy"),
        ("bbox=109,14,108,13", "min < max"),
        ("wwtp_operating=maybe", "not a boolean"),
        ("roads_done_pct=abc", "invalid filter value"),
    ],
    ids=["three-numbers", "inverted", "boolean", "integer"],
)
def test_bad_filters_are_400_with_the_reason(api, area, query, message):
    r = api.get(f"/api/v1/layers/industrial_areas/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert message in r.json()["error"]["message"]


def test_parcels_need_a_role_and_never_show_personal_data(api, nobody, staff_api, parcel):
    r = api.get("/api/v1/layers/clearance_parcels/")
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == 'Basic realm="KCN Planner"'
    assert r.json()["error"]["code"] == "not_authenticated"
    api.force_authenticate(nobody)
    assert api.get("/api/v1/layers/clearance_parcels/").status_code == 403
    r = staff_api.get("/api/v1/layers/clearance_parcels/")
    assert r.status_code == 200
    props = r.json()["features"][0]["properties"]
    assert props["parcel_no"] == "345"
    text = r.content.decode()
    for personal in ("holder_name", "holder_id_number", "households", "Bí Mật", "052000000001"):
        assert personal not in text
    assert (
        staff_api.get("/api/v1/layers/clearance_parcels/?holder_name=x").json()["count"] == 1
    )  # not a filter


def test_basic_and_token_credentials_work_as_for_the_ogc_services(api, staff, token, parcel):
    basic = base64.b64encode(b"canbo:pw-canbo-1").decode()
    assert (
        api.get(
            "/api/v1/layers/clearance_parcels/", HTTP_AUTHORIZATION=f"Basic {basic}"
        ).status_code
        == 200
    )
    assert (
        api.get(
            "/api/v1/layers/clearance_parcels/", HTTP_AUTHORIZATION=f"Token {token}"
        ).status_code
        == 200
    )
    assert (
        api.get(
            "/api/v1/layers/clearance_parcels/", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 200
    )
    wrong = api.get(
        "/api/v1/layers/clearance_parcels/",
        HTTP_AUTHORIZATION="Token nope",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "invalid token"
