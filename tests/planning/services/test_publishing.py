"""Analysis results are published: suggested sites and connectors through WMS (MapServer) and
WFS."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from PIL import Image

from layers.catalogue import CATALOGUE
from layers.wms.styles import STYLES
from planning import models as m

pytestmark = pytest.mark.django_db(transaction=True)


def mp(x0, y0, x1, y1):
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


@pytest.fixture
def published(transactional_db):
    province = m.AdminUnit.objects.create(
        code="52",
        name="Bình Định",
        level="province",
        boundary=mp(108.6, 13.5, 109.4, 14.7),
        valid_from=dt.date(1976, 1, 1),
        zone_srid=9217,
    )
    old = m.AnalysisRun.objects.create(kind="site-suggestion", status="done", admin_unit=province)
    new = m.AnalysisRun.objects.create(kind="site-suggestion", status="done", admin_unit=province)
    common = dict(
        kind="CCN",
        area_ha=40,
        reasons="Cách tuyến QL19 (đã đầu tư) 300 m.",
        admin_unit=province,
        nearest_road_name="QL19",
        province_name="Bình Định",
    )
    m.SuggestedSite.objects.create(
        run=old,
        rank=1,
        score=0.95,
        geom=mp(109.00, 13.90, 109.02, 13.92),
        is_current=False,
        **common,
    )
    m.SuggestedSite.objects.create(
        run=new, rank=1, score=0.93, geom=mp(109.10, 13.90, 109.12, 13.92), **common
    )
    m.SuggestedSite.objects.create(
        run=new, rank=2, score=0.65, geom=mp(109.10, 13.95, 109.12, 13.97), **common
    )
    infra = m.AnalysisRun.objects.create(kind="infrastructure-gaps", status="done")
    dev = m.Developer.objects.create(name="CĐT", kind="enterprise")
    area = m.IndustrialArea.objects.create(
        code="CCN-X",
        name="CCN X",
        kind="CCN",
        boundary=mp(109.2, 14.0, 109.21, 14.01),
        planned_area_ha=50,
        industrial_land_ha=35,
        admin_unit=province,
        developer=dev,
    )
    m.InfrastructureConnector.objects.create(
        run=infra,
        area=area,
        area_code="CCN-X",
        area_name="CCN X",
        network="power",
        feature_name="TBA 110 kV",
        distance_m=1500,
        geom=LineString((109.21, 14.005), (109.225, 14.005), srid=4326),
    )
    user = get_user_model().objects.create_user("reviewer", password="x")
    m.Membership.objects.create(
        user=user, role="industry_reviewer", admin_unit=province, area_kind="CCN"
    )
    return user


def _painted(content: bytes) -> int:
    img = Image.open(io.BytesIO(content)).convert("RGBA")
    return sum(1 for a in img.getchannel("A").tobytes() if a > 0)


def test_catalogue_entries_have_styles():
    for name in ("suggested_sites", "infrastructure_connectors"):
        assert CATALOGUE[name].default_style == name and name in STYLES
        assert CATALOGUE[name].read_roles == ("staff",)


def _getmap(client, layer, bbox):
    return client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": layer,
            "SRS": "EPSG:4326",
            "BBOX": bbox,
            "WIDTH": 200,
            "HEIGHT": 200,
            "FORMAT": "image/png",
            "STYLES": "",
            "TRANSPARENT": "TRUE",
        },
        HTTP_HOST="127.0.0.1",
    )


def test_wms_draws_only_the_current_sites_for_staff(client, published):
    assert _getmap(client, "suggested_sites", "109.09,13.89,109.13,13.93").status_code in (401, 403)
    client.force_login(published)
    current = _getmap(client, "suggested_sites", "109.09,13.89,109.13,13.93")
    assert current.status_code == 200 and current["Content-Type"] == "image/png"
    assert _painted(current.content) > 5000
    old = _getmap(client, "suggested_sites", "108.99,13.89,109.03,13.93")
    assert _painted(old.content) == 0
    connectors = _getmap(client, "infrastructure_connectors", "109.20,13.99,109.24,14.02")
    assert _painted(connectors.content) > 50
    legend = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetLegendGraphic",
            "LAYER": "suggested_sites",
            "FORMAT": "image/png",
            "SLD_VERSION": "1.1.0",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert legend.status_code == 200 and Image.open(io.BytesIO(legend.content)).size[1] >= 4 * 12


def test_wfs_serves_the_sites_with_their_run_and_filters(client, published):
    client.force_login(published)
    r = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "suggested_sites",
            "OUTPUTFORMAT": "application/json",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert r.status_code == 200, r.content[:500]
    features = json.loads(r.content)["features"]
    assert len(features) == 3
    props = features[0]["properties"]
    assert {"rank", "score", "reasons", "is_current", "run", "admin_unit"} <= set(props)
    current = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "suggested_sites",
            "OUTPUTFORMAT": "application/json",
            "CQL_FILTER": "is_current = true",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert current.status_code == 200, current.content[:500]
    assert {f["properties"]["rank"] for f in json.loads(current.content)["features"]} == {1, 2}
    gml = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "infrastructure_connectors",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert gml.status_code == 200 and b"TBA 110 kV" in gml.content
