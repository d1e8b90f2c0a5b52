"""WMS, WMTS and XYZ tiles through MapProxy and MapServer, with real clients on a live server."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Polygon
from django.core import checks
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService
from PIL import Image

from planning import models as m

pytestmark = pytest.mark.django_db(transaction=True)

BBOX_4326 = (108.95, 13.85, 109.25, 14.05)  # lon/lat: An Nhơn – Quy Nhơn


def mp(x0, y0, x1, y1):
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


@pytest.fixture
def province(transactional_db):
    unit = m.AdminUnit.objects.create(
        code="52",
        name="Bình Định",
        level="province",
        boundary=mp(108.6, 13.5, 109.4, 14.7),
        valid_from=dt.date(1976, 1, 1),
        zone_srid=9217,
    )
    dev = m.Developer.objects.create(name="Công ty Hạ tầng Nhơn Hòa", kind="enterprise")
    kcn = m.IndustrialArea.objects.create(
        code="KCN-NH",
        name="KCN Nhơn Hòa",
        kind="KCN",
        boundary=mp(109.00, 13.90, 109.04, 13.93),
        planned_area_ha=Decimal("1400"),
        industrial_land_ha=Decimal("1000"),
        leased_land_ha=Decimal("800"),
        status="operating",
        admin_unit=unit,
        developer=dev,
    )
    ccn = m.IndustrialArea.objects.create(
        code="CCN-BTX",
        name="CCN Bùi Thị Xuân",
        kind="CCN",
        boundary=mp(109.10, 13.90, 109.12, 13.92),
        planned_area_ha=Decimal("500"),
        industrial_land_ha=Decimal("300"),
        status="planned",
        admin_unit=unit,
    )
    for i in range(4):
        m.ClearanceParcel.objects.create(
            area=ccn,
            map_sheet="5",
            parcel_no=str(i),
            boundary=mp(109.10 + i * 0.004, 13.90, 109.103 + i * 0.004, 13.905),
            land_use="LUC",
            admin_unit=unit,
            holder_name="Nguyễn Văn Bí Mật",
            households=2,
        )
    m.RoadCorridor.objects.create(
        code="QL19",
        name="Quốc lộ 19",
        route_ref="QL19",
        road_class="national",
        status="invested",
        centerline=MultiLineString(LineString((108.9, 13.95), (109.2, 13.88)), srid=4326),
        admin_unit=unit,
    )
    return unit, kcn, ccn


def _png(content: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(content))
    img.load()
    return img.convert("RGBA")


def _painted(img: Image.Image) -> int:
    return sum(1 for alpha in img.getchannel("A").tobytes() if alpha > 0)


@pytest.mark.parametrize("version", ["1.1.1", "1.3.0"])
def test_owslib_reads_capabilities_and_renders(live_server, province, version):
    wms = WebMapService(f"{live_server.url}/ows/wms", version=version)
    names = set(wms.contents)
    assert {"industrial_areas", "road_corridors", "admin_units"} <= names
    assert "clearance_parcels" not in names  # not for anonymous users
    assert wms["industrial_areas"].title == "Khu, cụm công nghiệp"
    assert "EPSG:9217" in wms["industrial_areas"].crsOptions
    img = wms.getmap(
        layers=["industrial_areas", "road_corridors"],
        styles=["", ""],
        srs="EPSG:4326",
        bbox=BBOX_4326,
        size=(512, 384),
        format="image/png",
        transparent=True,
    )
    picture = _png(img.read())
    assert picture.size == (512, 384)
    assert _painted(picture) > 2000


def test_getmap_in_vn2000_zone(live_server, province):
    wms = WebMapService(f"{live_server.url}/ows/wms", version="1.3.0")
    # Around KCN Nhơn Hòa in VN-2000 / TM-3 108-15 metres.
    img = wms.getmap(
        layers=["industrial_areas"],
        styles=[""],
        srs="EPSG:9217",
        bbox=(575000, 1535000, 590000, 1545000),
        size=(600, 400),
        format="image/png",
        transparent=True,
    )
    assert _painted(_png(img.read())) > 1000


def test_feature_info_html_text_and_gml(live_server, province, client):
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.1.1",
        "REQUEST": "GetFeatureInfo",
        "LAYERS": "industrial_areas",
        "QUERY_LAYERS": "industrial_areas",
        "SRS": "EPSG:4326",
        "BBOX": "109.0,13.9,109.04,13.93",
        "WIDTH": 400,
        "HEIGHT": 300,
        "X": 200,
        "Y": 150,
        "STYLES": "",
        "FORMAT": "image/png",
    }
    html = client.get("/ows/wms", {**params, "INFO_FORMAT": "text/html"}, HTTP_HOST="127.0.0.1")
    assert html.status_code == 200
    assert "KCN Nhơn Hòa" in html.content.decode()
    text = client.get("/ows/wms", {**params, "INFO_FORMAT": "text/plain"}, HTTP_HOST="127.0.0.1")
    assert "KCN-NH" in text.content.decode()
    gml = client.get(
        "/ows/wms", {**params, "INFO_FORMAT": "application/vnd.ogc.gml"}, HTTP_HOST="127.0.0.1"
    )
    assert b"KCN Nh" in gml.content and b"<" in gml.content


def test_legend_graphic(client, province):
    r = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetLegendGraphic",
            "LAYER": "road_corridors",
            "FORMAT": "image/png",
            "SLD_VERSION": "1.1.0",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    legend = _png(r.content)
    assert legend.size[1] >= 4 * 12  # one row per road class


def test_parcels_only_for_signed_in_staff(client, province):
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetMap",
        "LAYERS": "clearance_parcels",
        "CRS": "EPSG:4326",
        "BBOX": "13.89,109.09,13.91,109.13",
        "WIDTH": 256,
        "HEIGHT": 256,
        "FORMAT": "image/png",
        "STYLES": "",
    }
    anonymous = client.get("/ows/wms", params, HTTP_HOST="127.0.0.1")
    assert anonymous.status_code in (401, 403)
    user = get_user_model().objects.create_user("reviewer", password="x")
    m.Membership.objects.create(
        user=user, role="industry_reviewer", admin_unit=province[0], area_kind="CCN"
    )
    client.force_login(user)
    allowed = client.get("/ows/wms", params, HTTP_HOST="127.0.0.1")
    assert allowed.status_code == 200
    assert _painted(_png(allowed.content)) > 500
    fi = client.get(
        "/ows/wms",
        {
            **params,
            "REQUEST": "GetFeatureInfo",
            "QUERY_LAYERS": "clearance_parcels",
            "I": 40,
            "J": 200,
            "INFO_FORMAT": "text/html",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert "Bí Mật" not in fi.content.decode()  # personal data never leaves


def test_wmts_and_xyz_tiles(live_server, province):
    wmts = WebMapTileService(f"{live_server.url}/ows/wmts/1.0.0/WMTSCapabilities.xml")
    assert "industrial_areas" in wmts.contents
    assert "GLOBAL_WEBMERCATOR" in wmts.tilematrixsets
    # Zoom 12 tile over KCN Nhơn Hòa (109.02 E, 13.915 N).
    tile = wmts.gettile(
        layer="industrial_areas",
        tilematrixset="GLOBAL_WEBMERCATOR",
        tilematrix="12",
        row=1888,
        column=3288,
        format="image/png",
    )
    img = _png(tile.read())
    assert img.size == (256, 256) and _painted(img) > 100
    import requests

    xyz = requests.get(
        f"{live_server.url}/ows/tiles/industrial_areas/GLOBAL_WEBMERCATOR/12/3288/1888.png",
        timeout=30,
    )
    assert xyz.status_code == 200
    assert _png(xyz.content).tobytes() == img.tobytes()  # XYZ and WMTS agree (no zoom offset)


def test_gdal_wms_driver_renders_a_map(live_server, province, tmp_path):
    out = tmp_path / "map.png"
    url = (
        f"WMS:{live_server.url}/ows/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=industrial_areas"
        f"&SRS=EPSG:4326&BBOX={','.join(map(str, BBOX_4326))}&FORMAT=image/png"
    )
    subprocess.run(
        ["gdal_translate", "-q", "-of", "PNG", "-outsize", "512", "341", url, str(out)],
        check=True,
        timeout=120,
    )
    img = _png(out.read_bytes())
    assert img.size == (512, 341)
    assert _painted(img) > 500


def test_changed_area_refreshes_its_tiles(live_server, province):
    import requests

    url = f"{live_server.url}/ows/tiles/industrial_areas/GLOBAL_WEBMERCATOR/12/3288/1888.png"
    before = requests.get(url, timeout=30).content
    kcn = province[1]
    kcn.status = "revoked"  # drawn grey instead of violet
    kcn.save()
    after = requests.get(url, timeout=30).content
    assert before != after


@pytest.mark.parametrize(
    "params,fragment",
    [
        (
            {
                "SERVICE": "WMS",
                "REQUEST": "GetMap",
                "VERSION": "1.3.0",
                "LAYERS": "nope",
                "CRS": "EPSG:4326",
                "BBOX": "13,108,14,109",
                "WIDTH": 10,
                "HEIGHT": 10,
                "FORMAT": "image/png",
                "STYLES": "",
            },
            "nope",
        ),
        (
            {
                "SERVICE": "WMS",
                "REQUEST": "GetMap",
                "VERSION": "1.3.0",
                "LAYERS": "industrial_areas",
                "CRS": "EPSG:4326",
                "BBOX": "a,b,c",
                "WIDTH": 10,
                "HEIGHT": 10,
                "FORMAT": "image/png",
                "STYLES": "",
            },
            "bbox",
        ),
        ({"SERVICE": "WMS", "REQUEST": "Dance", "VERSION": "1.3.0"}, "Dance"),
    ],
    ids=["unknown-layer", "bad-bbox", "unknown-request"],
)
def test_malformed_requests_get_a_service_exception(client, province, params, fragment):
    r = client.get("/ows/wms", params, HTTP_HOST="127.0.0.1")
    body = r.content.decode()
    assert "ServiceException" in body
    assert fragment.lower() in body.lower()


def test_check_reports_mapproxy_messages(monkeypatch):
    from layers import checks as layer_checks
    from layers.wms import mapproxy_config

    real = mapproxy_config.build_mapproxy_config

    def broken(*args, **kwargs):
        conf = real(*args, **kwargs)
        conf["layers"][0]["sources"] = ["no_such_source"]
        conf["caches"]["industrial_areas_cache"]["grids"] = ["NO_GRID"]
        return conf

    monkeypatch.setattr(mapproxy_config, "build_mapproxy_config", broken)
    messages = layer_checks.check_map_services()
    texts = " ".join(msg.msg for msg in messages)
    assert all(isinstance(msg, checks.Error) for msg in messages)
    assert "no_such_source" in texts and "NO_GRID" in texts


def test_cached_tiles_keep_their_rights(client, province):
    user = get_user_model().objects.create_user("staff1", password="x")
    m.Membership.objects.create(
        user=user, role="industry_reviewer", admin_unit=province[0], area_kind="CCN"
    )
    client.force_login(user)
    url = "/ows/tiles/clearance_parcels/GLOBAL_WEBMERCATOR/14/13158/7553.png"
    first = client.get(url, HTTP_HOST="127.0.0.1")
    assert first.status_code == 200
    again = client.get(url, HTTP_HOST="127.0.0.1")  # now served from the cache
    assert again.status_code == 200 and again.content == first.content
    client.logout()
    assert client.get(url, HTTP_HOST="127.0.0.1").status_code in (401, 403)


def test_basic_and_token_credentials_open_staff_layers(client, province):
    import base64

    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_user("gdal", password="Pass-word-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=province[0])
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetMap",
        "LAYERS": "clearance_parcels",
        "CRS": "EPSG:4326",
        "BBOX": "13.89,109.09,13.91,109.13",
        "WIDTH": 64,
        "HEIGHT": 64,
        "FORMAT": "image/png",
        "STYLES": "",
    }
    basic = "Basic " + base64.b64encode(b"gdal:Pass-word-1").decode()
    assert (
        client.get("/ows/wms", params, HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=basic).status_code
        == 200
    )
    token = Token.objects.create(user=user)
    assert (
        client.get(
            "/ows/wms", params, HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}"
        ).status_code
        == 200
    )
    wrong = "Basic " + base64.b64encode(b"gdal:nope").decode()
    denied = client.get("/ows/wms", params, HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=wrong)
    assert denied.status_code == 401 and denied["WWW-Authenticate"].startswith("Basic")


def test_token_as_basic_password_for_clients_that_only_speak_basic(client, province):
    import base64

    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_user("qgis322", password="unused-Pass-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=province[0])
    token = Token.objects.create(user=user)
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetMap",
        "LAYERS": "clearance_parcels",
        "CRS": "EPSG:4326",
        "BBOX": "13.89,109.09,13.91,109.13",
        "WIDTH": 64,
        "HEIGHT": 64,
        "FORMAT": "image/png",
        "STYLES": "",
    }
    header = "Basic " + base64.b64encode(f"token:{token.key}".encode()).decode()
    assert (
        client.get("/ows/wms", params, HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=header).status_code
        == 200
    )
    token.delete()
    assert (
        client.get("/ows/wms", params, HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=header).status_code
        == 401
    )


def test_draft_proposals_are_never_drawn(client, province):
    """Tiles and maps are shared between users; a draft is private to its unit
    (access.readable_rows)."""
    unit = province[0]
    draft = m.Proposal.objects.create(
        code="DX-D",
        name="Bản nháp",
        kind="CCN",
        geom=mp(109.05, 14.20, 109.06, 14.21),
        admin_unit=unit,
    )
    with m.workflow_write("fixture"):  # a recorded state, not a workflow step under test
        submitted = m.Proposal.objects.create(
            code="DX-S",
            name="Đã gửi",
            kind="CCN",
            status="submitted",
            geom=mp(109.07, 14.20, 109.08, 14.21),
            admin_unit=unit,
        )
    admin = get_user_model().objects.create_superuser("quan_tri_wms", password="x")
    client.force_login(admin)

    def painted(p):
        x0, y0, x1, y1 = p.geom.extent
        r = client.get(
            "/ows/wms",
            {
                "SERVICE": "WMS",
                "VERSION": "1.1.1",
                "REQUEST": "GetMap",
                "LAYERS": "proposals",
                "STYLES": "",
                "SRS": "EPSG:4326",
                "BBOX": f"{x0},{y0},{x1},{y1}",
                "WIDTH": 64,
                "HEIGHT": 64,
                "FORMAT": "image/png",
                "TRANSPARENT": "TRUE",
            },
            HTTP_HOST="127.0.0.1",
        )
        assert r.status_code == 200
        return _painted(_png(r.content))

    assert painted(submitted) > 100
    assert painted(draft) == 0


def test_area_label_stays_put_when_the_view_moves(client, province):
    """A polygon's label is anchored on the whole polygon, not on its part inside the image: tiles
    are rendered as separate metatiles, and a label per visible part doubled the name of an area
    lying across a metatile edge (seen on the proposal page after approval)."""

    def render(x0):  # 600 × 400 px at 0.0001° per pixel; x0 moves the view east
        r = client.get(
            "/ows/wms",
            {
                "SERVICE": "WMS",
                "VERSION": "1.1.1",
                "REQUEST": "GetMap",
                "LAYERS": "industrial_areas",
                "STYLES": "",
                "SRS": "EPSG:4326",
                "BBOX": f"{x0},13.895,{x0 + 0.06:.4f},13.935",
                "WIDTH": 600,
                "HEIGHT": 400,
                "FORMAT": "image/png",
                "TRANSPARENT": "TRUE",
            },
            HTTP_HOST="127.0.0.1",
        )
        assert r.status_code == 200 and r["Content-Type"] == "image/png", r.content[:300]
        return _png(r.content)

    def text_pixels(img):  # the label's dark grey (#222222) ink
        return sum(1 for r, g, b, a in img.getdata() if a > 200 and max(r, g, b) < 80)

    whole = render(108.99)  # KCN Nhơn Hòa (109.00–109.04) entirely in view
    moved = render(109.015)  # its western 15 % out of view
    assert text_pixels(whole) > 100  # the name is drawn
    # Where both views overlap (109.015–109.05), they are the same picture: the label did not move.
    a = whole.crop((250, 0, 600, 400)).tobytes()
    b = moved.crop((0, 0, 350, 400)).tobytes()
    differing = sum(1 for i in range(0, len(a), 4) if a[i : i + 4] != b[i : i + 4])
    assert differing < 0.005 * 350 * 400, differing


# --- issue 13 plan: the provincial plan's parks and clusters not yet established ---------------
def _plan_world(province):
    unit, kcn, ccn = province
    plan = m.ProvincialPlan.objects.create(
        code="QHT-T",
        name="Quy hoạch thử",
        province=unit,
        period_start=2021,
        period_end=2030,
        decision_number="1/QĐ-TTg",
        decision_date=dt.date(2023, 12, 14),
        decision_agency="Thủ tướng Chính phủ",
    )
    planned = m.PlanEntry.objects.create(
        plan=plan,
        code="QH-NEW",
        name="CCN mới",
        kind="CCN",
        planned_area_ha=Decimal("50"),
        geometry=mp(109.15, 14.00, 109.16, 14.01),
    )
    # linked to an operating park: established, so not drawn as a planned entry
    est = m.PlanEntry.objects.create(
        plan=plan,
        code="QH-NH",
        name="KCN Nhơn Hòa",
        kind="KCN",
        planned_area_ha=Decimal("1400"),
        area=kcn,
        geometry=mp(109.17, 14.00, 109.18, 14.01),
    )
    return planned, est


def _paint(client, geom, layer="plan_entries"):
    x0, y0, x1, y1 = geom.extent
    r = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": layer,
            "STYLES": "",
            "SRS": "EPSG:4326",
            "BBOX": f"{x0 - 0.001},{y0 - 0.001},{x1 + 0.001},{y1 + 0.001}",
            "WIDTH": 64,
            "HEIGHT": 64,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert r.status_code == 200, r.content[:300]
    return _png(r.content)


def test_planned_entries_are_drawn_dashed_and_established_ones_not(client, province):
    planned, est = _plan_world(province)
    img = _paint(client, planned.geometry)
    # an outline only (no fill): the inside is mostly empty (the name is written there), the
    # edge painted in broken dashes
    inside = [img.getpixel((x, y))[3] > 0 for x in range(12, 52) for y in (12, 20, 44, 52)]
    assert sum(inside) < len(inside) / 4
    edge = [img.getpixel((x, y))[3] > 0 for x in range(64) for y in (3, 4, 5, 58, 59, 60)]
    assert any(edge) and not all(edge)
    assert _painted(_paint(client, est.geometry)) == 0
    # WFS publishes the same rows, with kind, planned ha and the plan's decision
    r = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "plan_entries",
            "OUTPUTFORMAT": "application/json",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert r.status_code == 200, r.content[:300]
    features = r.json()["features"]
    assert [f["properties"]["code"] for f in features] == ["QH-NEW"]
    props = features[0]["properties"]
    assert (props["kind"], float(props["planned_area_ha"]), props["plan"]) == ("CCN", 50.0, "QHT-T")
    assert props["plan_decision"] == "1/QĐ-TTg, 2023-12-14, Thủ tướng Chính phủ"
    # GetFeatureInfo answers with the same attributes
    x0, y0, x1, y1 = planned.geometry.extent
    r = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": "plan_entries",
            "QUERY_LAYERS": "plan_entries",
            "STYLES": "",
            "SRS": "EPSG:4326",
            "BBOX": f"{x0},{y0},{x1},{y1}",
            "WIDTH": 64,
            "HEIGHT": 64,
            "X": 2,
            "Y": 32,
            "INFO_FORMAT": "text/plain",
            "FORMAT": "image/png",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert r.status_code == 200
    assert "QH-NEW" in r.content.decode() and "1/QĐ-TTg" in r.content.decode()


def test_the_tile_pool_hands_a_raster_miss_to_nginx_and_serves_hits(client, province, settings):
    # README "Production": the tile pool has KCN_RENDER_REDIRECT; a tile it has not cached goes
    # back to nginx (X-Accel-Redirect) for the main pool to render.
    url = "/ows/tiles/industrial_areas/GLOBAL_WEBMERCATOR/12/3288/1888.png"
    settings.KCN_RENDER_REDIRECT = "/_kcn_render"
    miss = client.get(url + "?v=1", HTTP_HOST="127.0.0.1")
    assert miss.status_code == 200 and miss.content == b""
    assert miss["X-Accel-Redirect"] == "/_kcn_render" + url + "?v=1"
    assert miss["Cache-Control"] == "no-store"
    settings.KCN_RENDER_REDIRECT = ""  # the main pool renders and caches it
    rendered = client.get(url, HTTP_HOST="127.0.0.1")
    assert rendered.status_code == 200 and _painted(_png(rendered.content)) > 100
    settings.KCN_RENDER_REDIRECT = "/_kcn_render"
    hit = client.get(url, HTTP_HOST="127.0.0.1")  # cached now: the tile pool serves it
    assert "X-Accel-Redirect" not in hit and hit.content == rendered.content
    # Not a tile (capabilities, GetMap): never handed back.
    caps = client.get("/ows/wmts/1.0.0/WMTSCapabilities.xml", HTTP_HOST="127.0.0.1")
    assert "X-Accel-Redirect" not in caps


def test_mapproxy_asks_a_long_lived_mapserver_when_given_its_address():
    """KCN_MAPSERVER_URL (README "Production"): every layer's source is MapServer's WMS at that
    address, with the same mapfile and requests as the CGI source, and MapProxy's own validator
    accepts the configuration (the deploy test draws maps through it)."""
    from types import SimpleNamespace

    from layers.wms import mapproxy_config
    from layers.wms.app import validate

    layers = [SimpleNamespace(name=n, title=n, abstract="") for n in ("admin_units", "roads")]
    common = {"mapfile": "/srv/m/kcn.map", "mapserv": "/usr/bin/mapserv", "working_dir": "/srv/m"}
    cgi = mapproxy_config.build_mapproxy_config(layers, cache_dir="/srv/m/tiles", **common)
    fcgi = mapproxy_config.build_mapproxy_config(
        layers, cache_dir="/srv/m/tiles", mapserver_url="http://127.0.0.1:8003/mapserv", **common
    )
    for name in ("admin_units_src", "roads_src"):
        assert cgi["sources"][name]["type"] == "mapserver"
        source = fcgi["sources"][name]
        assert source["type"] == "wms" and "mapserver" not in source
        url = "http://127.0.0.1:8003/mapserv"
        assert source["req"] == {"url": url, **cgi["sources"][name]["req"]}
        assert source["wms_opts"] == cgi["sources"][name]["wms_opts"]  # GetFeatureInfo, legends
    assert validate(fcgi) == []


def test_map_files_are_never_seen_half_written(tmp_path):
    """Every worker writes the map service's files at its first map while MapServer reads them;
    a reader sees the old content or the new, never an empty or partial file (before: the
    mapfile was truncated and rewritten in place, and MapServer failed on it now and then under
    load)."""
    import threading

    from layers.wms.app import write_file

    path = tmp_path / "kcn.map"
    versions = ["MAP\n" + "  LAYER END\n" * 20000 + f"END # {v}\n" for v in range(2)]
    write_file(path, versions[0])
    stop, seen = threading.Event(), []

    def read():
        while not stop.is_set():
            seen.append(path.read_text())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(200):
            write_file(path, versions[i % 2])
    finally:
        stop.set()
        reader.join()
    assert seen and all(text in versions for text in seen), {len(t) for t in seen}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kcn.map"]  # no temporary file left
    mtime = path.stat().st_mtime_ns
    write_file(path, path.read_text())  # unchanged: not written at all
    assert path.stat().st_mtime_ns == mtime
