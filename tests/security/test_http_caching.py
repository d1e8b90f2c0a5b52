"""HTTP caching follows the caller (issue 16, item 5): a planner who opened the service
anonymously and then signed in sees the signed-in documents, through a caching HTTP client.

QGIS keeps an HTTP disk cache. Before, the WFS capabilities (which list the staff layers only
for staff), DescribeFeatureType and GetFeature carried no ``Cache-Control`` and varied only on
``Cookie``: a cache could hand the anonymous document to the signed-in planner. Two clients
replay the case:

* CacheControl (pip's HTTP cache for requests), which honours ``Vary`` and ``ETag``;
* a cache keyed by the URL alone, as a client that ignores ``Vary`` would be, revalidating with
  ``If-None-Match`` as ``no-cache`` requires: the signed-in document has another ETag, so the
  server answers it in full instead of 304.
"""

from __future__ import annotations

import pytest
import requests
from cachecontrol import CacheControl
from django.contrib.auth import get_user_model

CAPS = "/ows/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities"
PLANNER = ("planner-cache", "pw-planner-cache-1")


@pytest.fixture
def planner(transactional_db, binh_dinh):
    return get_user_model().objects.create_superuser(PLANNER[0], "", PLANNER[1])


def test_a_caching_client_shows_the_signed_in_documents_after_sign_in(live_server, planner):
    session = CacheControl(requests.Session())
    url = live_server.url + CAPS
    anonymous = session.get(url, timeout=60)
    assert anonymous.status_code == 200
    assert "clearance_parcels" not in anonymous.text  # a staff layer
    again = session.get(url, timeout=60)
    assert again.from_cache  # kept, and revalidated (304) before reuse
    assert again.text == anonymous.text
    signed_in = session.get(url, auth=PLANNER, timeout=60)
    assert "clearance_parcels" in signed_in.text
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    assert session.get(url, timeout=60).text == anonymous.text  # and back


def test_a_cache_blind_to_vary_still_gets_the_callers_document(live_server, planner):
    url = live_server.url + CAPS
    first = requests.get(url, timeout=60)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    # Revalidating the kept anonymous copy, now with the planner's credentials.
    r = requests.get(url, auth=PLANNER, headers={"If-None-Match": etag}, timeout=60)
    assert r.status_code == 200 and r.headers["ETag"] != etag
    assert "clearance_parcels" in r.text
    # The anonymous copy revalidated anonymously: 304, nothing resent.
    r = requests.get(url, headers={"If-None-Match": etag}, timeout=60)
    assert r.status_code == 304 and r.content == b""


@pytest.mark.parametrize(
    "path",
    [
        CAPS,
        "/ows/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=industrial_areas",
        "/ows/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=industrial_areas&COUNT=5",
        "/ows/wms?SERVICE=WMS&REQUEST=GetCapabilities",
        "/ogc/collections",
        "/ogc/collections/industrial_areas/items?limit=5",
    ],
)
def test_headers_by_caller(client, planner, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 200, anonymous.content[:300]
    assert anonymous["Cache-Control"] == "public, no-cache"
    vary = {v.strip() for v in anonymous["Vary"].split(",")}
    assert {"Authorization", "Cookie"} <= vary
    assert client.get(path, HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 304
    client.force_login(planner)
    signed_in = client.get(path)
    assert signed_in["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in signed_in["Vary"].split(",")}


def test_the_rest_api_keeps_nothing_of_a_signed_in_caller(client, planner):
    client.force_login(planner)
    r = client.get("/api/v1/proposals/")
    assert r.status_code == 200
    assert r["Cache-Control"] == "private, no-store"
    assert "ETag" not in r
    anonymous = client.get("/api/v1/layers/", HTTP_COOKIE="")
    assert anonymous.status_code == 200


def test_views_that_decide_are_left_alone(client, binh_dinh):
    # A public vector tile: the tile view's own public caching and ETag, no Vary on the caller.
    r = client.get("/ogc/collections/admin_units/tiles/WebMercatorQuad/0/0/0")
    assert r.status_code in (200, 204)
    assert r["Cache-Control"] == "public, no-cache"
    assert "Authorization" not in r.get("Vary", "")


def test_pages_by_caller(client, planner):
    anonymous = client.get("/")
    assert anonymous.status_code == 200
    # The map page sets the CSRF cookie: private even for an anonymous visitor.
    expected = "private, no-cache" if anonymous.cookies else "public, no-cache"
    assert anonymous["Cache-Control"] == expected
    client.force_login(planner)
    page = client.get("/")
    assert page["Cache-Control"] == "private, no-cache"
    assert "Cookie" in page["Vary"]
