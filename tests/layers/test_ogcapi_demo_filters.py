"""OGC API – Features Part 3 filters on the demo data, counted by hand from
``fixtures/demo_source/areas.yaml``, and the same CQL through the WFS's ``CQL_FILTER`` (one
evaluator: the same counts).

areas.yaml: 36 areas; KCN 11 in Bình Định + 5 in Sóc Trăng = 16, of which three plan 500 ha or
more (1000.0, 840.5 and 630.0 ha, all Bình Định); CCN under 20 ha: 18.0, 15.0, 16.0, 12.0,
17.5, 8.0, 8.0 = 7; Sóc Trăng's 5 KCN + 5 CCN lie in 105–107 E, 9–10.5 N, Bình Định's at
108.6–109.3 E, 13.5–14.7 N.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from lxml import etree

pytestmark = pytest.mark.django_db

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.db import connections

    from planning.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        yield
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()


def matched(client, **params) -> int:
    r = client.get("/ogc/collections/industrial_areas/items", {"limit": 1, **params})
    assert r.status_code == 200, r.content[:500]
    return json.loads(r.content)["numberMatched"]


def wfs_hits(client, cql: str) -> int:
    r = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "kcn:industrial_areas",
            "RESULTTYPE": "hits",
            "CQL_FILTER": cql,
        },
    )
    assert r.status_code == 200, r.content[:500]
    return int(etree.fromstring(r.content).get("numberMatched"))


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("kind = 'KCN'", 16),
        ("kind = 'KCN' AND planned_area_ha >= 500", 3),
        ("kind = 'CCN' AND planned_area_ha < 20", 7),
        ("S_INTERSECTS(boundary, BBOX(105, 9, 107, 10.5))", 10),
        ("kind = 'KCN' AND S_INTERSECTS(boundary, BBOX(105, 9, 107, 10.5))", 5),
    ],
)
def test_demo_filter_counts_match_hand_count_and_wfs(client, demo, cql, expected):
    assert matched(client, filter=cql) == expected
    assert wfs_hits(client, cql) == expected


def test_demo_filter_crs_and_bbox_crs(client, demo):
    """Sóc Trăng's box latitude first (EPSG:4326 by URI) as filter-crs, and as bbox-crs."""
    lat_lon = {"filter-crs": f"{EPSG}4326"}
    assert (
        matched(client, filter="S_INTERSECTS(boundary, BBOX(9, 105, 10.5, 107))", **lat_lon) == 10
    )
    assert matched(client, bbox="9,105,10.5,107", **{"bbox-crs": f"{EPSG}4326"}) == 10
    assert matched(client, bbox="9,105,10.5,107", filter="kind = 'CCN'", **{
        "bbox-crs": f"{EPSG}4326"}) == 5  # fmt: skip
