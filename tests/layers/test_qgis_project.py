"""/ows/project.qgz: the caller's QGIS project (issue 14, item 8).

The download (type, file name, zipped .qgs), the rights (anonymous: public layers and no
credentials; staff: their layers and their token), then real QGIS 3.22 (Debian's python3-qgis,
offscreen, ``tests/clients/qgis_project_client.py``) opening the file from the live service with
the demo data: read with no error and no bad layer, every layer valid and styled with the WMS
style's colours, labels on, feature counts as the service answers them, the province's VN-2000
zone as project CRS.
"""

import datetime as dt
import io
import json
import os
import subprocess
import urllib.request
import zipfile
from base64 import b64encode
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from lxml import etree
from PIL import Image
from pyproj import Transformer
from rest_framework.authtoken.models import Token

from layers.catalogue import CATALOGUE
from layers.qgis import symbols
from layers.wms.styles import STYLES
from planning import access, labels
from planning import models as m
from planning.services.demo import demo_load
from tests.conftest import box4326

URL = "/ows/project.qgz"
SCRIPT = Path(__file__).resolve().parents[1] / "clients" / "qgis_project_client.py"
HAS_QGIS = Path("/usr/lib/python3/dist-packages/qgis/core/__init__.py").exists()
needs_qgis = pytest.mark.skipif(
    not HAS_QGIS, reason="QGIS (Debian python3-qgis) is not installed; make test installs it"
)
STAFF_LAYERS = {name for name, spec in CATALOGUE.items() if "anonymous" not in spec.read_roles}
PUBLIC_LAYERS = {
    name for name, spec in CATALOGUE.items() if "anonymous" in spec.read_roles and name in STYLES
}


def _qgs(body: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert len(names) == 1 and names[0].endswith(".qgs"), names
        return etree.fromstring(archive.read(names[0]))


def _layers(root) -> dict[str, etree._Element]:
    return {el.findtext("id").removeprefix("kcn_"): el for el in root.iter("maplayer")}


@pytest.fixture
def provinces(db):
    """Two current provinces in different zones, one park in the second."""
    gia_lai = m.AdminUnit.objects.create(
        code="24",
        name="Gia Lai",
        level="province",
        boundary=box4326(107.9, 12.9, 109.4, 14.7),
        valid_from=dt.date(2025, 7, 1),
        zone_srid=9218,
    )
    can_tho = m.AdminUnit.objects.create(
        code="33",
        name="Cần Thơ",
        level="province",
        boundary=box4326(105.2, 9.2, 106.3, 10.3),
        valid_from=dt.date(2025, 7, 1),
        zone_srid=5897,
    )
    return gia_lai, can_tho


@pytest.mark.django_db
def test_anonymous_download_has_public_layers_and_no_credentials(client, provinces):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-qgis-project-container"
    # No park anywhere: the first current province by code, Gia Lai (24), zone 9218.
    assert response["Content-Disposition"] == 'attachment; filename="kcn_planner_gia-lai.qgz"'
    assert "no-store" not in response["Cache-Control"]
    root = _qgs(response.content)
    layers = _layers(root)
    assert set(layers) == PUBLIC_LAYERS | {"background"}
    assert not STAFF_LAYERS & set(layers)
    sources = [el.findtext("datasource") for el in layers.values()]
    assert not [s for s in sources if "password" in s or "username" in s]
    assert root.find("projectCrs/spatialrefsys/authid").text == "EPSG:9218"
    # Vietnamese first: group and layer names in the request's language.
    groups = [g.get("name") for g in root.find("layer-tree-group").iter("layer-tree-group")]
    assert "Khu, cụm công nghiệp" in groups
    assert layers["industrial_areas"].findtext("layername") == str(
        CATALOGUE["industrial_areas"].title_vi
    )
    assert root.findtext("projectMetadata/language") == "vi"


@pytest.mark.django_db
def test_english_and_province_choice(client, provinces):
    response = client.get(URL, {"province": "33"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kcn_planner_can-tho.qgz"'
    root = _qgs(response.content)
    srs = root.find("projectCrs/spatialrefsys")
    assert srs.findtext("authid") == "EPSG:5897"
    # The VN-2000 → WGS 84 shift (EPSG:6960, DOMAIN.md §4.2) travels with the CRS.
    assert "+towgs84=-191.90441429,-39.30318279,-111.45032835" in srs.findtext("proj4")
    view = root.find("ProjectViewSettings/DefaultViewExtent")
    xmin, ymin, xmax, ymax = (float(view.get(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
    # Cần Thơ's box 105.2–106.3 E, 9.2–10.3 N in TM-3 105°00' (false easting 500 km): west edge
    # at 10.3° N 0.2° × 111.32 km × cos 10.3° ≈ 21.9 km east of the meridian → ~521.9 km; east
    # edge at 9.2° N 1.3° × 111.32 × cos 9.2° ≈ 142.9 km → ~642.9 km; northings 9.2° N ≈ 1017 km,
    # 10.3° N ≈ 1139 km. The box of the transformed outline, not of its corners alone.
    assert 518_000 < xmin < 526_000 and 638_000 < xmax < 647_000
    assert 1_010_000 < ymin < 1_025_000 and 1_130_000 < ymax < 1_145_000
    assert root.findtext("projectMetadata/language") == "en"
    groups = [g.get("name") for g in root.find("layer-tree-group").iter("layer-tree-group")]
    assert "Industrial parks and clusters" in groups and "Base map" in groups


@pytest.mark.django_db
def test_a_layer_of_no_group_lands_above_the_base(client, provinces, monkeypatch):
    """A layer the catalogue gains later (here: interchanges taken out of their group) is still
    in the project, in "Other layers" just above the base map."""
    from layers.qgis import views

    groups = tuple(
        (title, tuple(n for n in names if n != "road_interchanges"))
        for title, names in views.GROUPS
    )
    monkeypatch.setattr(views, "GROUPS", groups)
    root = _qgs(client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content)
    tree = [
        (g.get("name"), [layer.get("id") for layer in g.iter("layer-tree-layer")])
        for g in root.find("layer-tree-group").iter("layer-tree-group")
    ]
    assert tree[-2] == ("Other layers", ["kcn_road_interchanges"])
    assert tree[-1][0] == "Base map"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [None, "commune_staff", "industry_reviewer", "ezone_reviewer", "admin", "superuser"]
)
def test_same_layers_as_the_wfs_capabilities(client, provinces, role):
    """For every role: the project's vector layers are the feature types the WFS lists to the
    same caller (those the WMS draws), and editable exactly where it may edit."""
    if role is not None:
        if role == "superuser":
            user = get_user_model().objects.create_superuser("qgz_root", password="Qgis-2025!")
        else:
            user = get_user_model().objects.create_user(f"qgz_{role}", password="Qgis-2025!")
            m.Membership.objects.create(user=user, role=role, admin_unit=provinces[0])
        client.force_login(user)
    caps = client.get(
        "/ows/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetCapabilities"}
    )
    listed = {
        el.text.split(":")[-1]
        for el in etree.fromstring(caps.content).iter("{http://www.opengis.net/wfs/2.0}Name")
    }
    layers = _layers(_qgs(client.get(URL).content))
    assert set(layers) - {"background"} == listed & set(STYLES)
    if role is None:
        assert not STAFF_LAYERS & set(layers)
    elif role in ("admin", "superuser"):
        assert set(layers) - {"background"} == set(CATALOGUE) & set(STYLES)
    for name, el in layers.items():
        if name != "background":
            editable = role is not None and access.can_edit_layer(user, CATALOGUE[name])
            assert el.get("readOnly") == ("0" if editable else "1"), (role, name)


@pytest.mark.django_db
def test_wrong_credentials_are_401(client, provinces):
    basic = "Basic " + b64encode(b"nobody:wrong").decode()
    response = client.get(URL, HTTP_AUTHORIZATION=basic)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert client.head(URL).status_code == 200


@pytest.mark.django_db
def test_unknown_province_is_400(client, provinces):
    response = client.get(URL, {"province": "99"})
    assert response.status_code == 400
    assert b"province" in response.content


@pytest.mark.django_db
def test_staff_get_staff_layers_and_their_token(client, provinces):
    user = get_user_model().objects.create_user("qgz_staff", password="Qgis-2025!")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=provinces[0])
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    layers = _layers(_qgs(response.content))
    assert STAFF_LAYERS & set(STYLES) <= set(layers)
    token = Token.objects.get(user=user)
    source = layers["clearance_parcels"].findtext("datasource")
    assert f"username='token' password='{token.key}'" in source
    # The raster background is public tiles: no credentials there.
    assert "password" not in layers["background"].findtext("datasource")
    # No ?province=: the caller's unit's province (Cần Thơ), not the first by code (Gia Lai).
    user2 = get_user_model().objects.create_user("qgz_can_tho", password="Qgis-2025!")
    m.Membership.objects.create(user=user2, role="commune_staff", admin_unit=provinces[1])
    client.force_login(user2)
    assert client.get(URL)["Content-Disposition"].endswith('kcn_planner_can-tho.qgz"')
    client.force_login(user)
    # A second download reuses the token.
    again = _layers(_qgs(client.get(URL).content))
    assert token.key in again["proposals"].findtext("datasource")
    assert Token.objects.filter(user=user).count() == 1


def test_style_expressions_are_qgis_expressions():
    """MapServer's class expressions → QGIS; numeric classes exclude the earlier ones
    (MapServer's first match)."""
    assert symbols.qgis_expression('("[status]" = "planned")') == "(\"status\" = 'planned')"
    filters = symbols._exclusive(STYLES["suggested_sites"].classes)
    assert filters[0] == '("score" >= 0.9)'
    assert filters[1] == '(("score" >= 0.8)) AND NOT coalesce(("score" >= 0.9), false)'
    assert filters[-1] == "ELSE"
    # Approved proposals carry no label (the park they became does).
    text, is_expression = symbols.label_expression(STYLES["proposals"])
    assert is_expression and text == 'CASE WHEN ("status" = \'approved\') THEN NULL ELSE "name" END'


# --- real QGIS ------------------------------------------------------------------------------------


def _download(url: str, headers: dict) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (the live server)
        assert answer.headers["Content-Type"] == "application/x-qgis-project-container"
        return answer.read()


def _open_in_qgis(body: bytes, tmp_path, render: dict | None = None) -> dict:
    path = tmp_path / "project.qgz"
    path.write_bytes(body)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        ["/usr/bin/python3", str(SCRIPT), str(path), *([json.dumps(render)] if render else [])],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(lines[-1])


def _service_count(client, name: str, headers: dict) -> int:
    """What the service itself answers this caller: WFS GetFeature resultType=hits."""
    response = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": name,
            "RESULTTYPE": "hits",
        },
        **headers,
    )
    assert response.status_code == 200, response.content[:500]
    return int(etree.fromstring(response.content).get("numberMatched"))


def _expected_symbols(style, cls) -> list[dict]:
    """The colours each class's symbol layers must carry (the mapfile's, see symbols.symbol)."""
    out = []
    for sym in cls.symbolizers:
        if style.geometry_type == "POINT":
            out.append({"fill": symbols.rgba(sym.fill), "line": symbols.rgba(sym.outline)})
            continue
        if style.geometry_type == "POLYGON" and sym.fill:
            out.append({"fill": symbols.rgba(sym.fill, 100 if sym.hatch else sym.opacity)})
        if sym.outline:
            dash = ";".join(str(p) for p in sym.pattern) or None
            out.append({"line": symbols.rgba(sym.outline), "dash": dash})
    return out


def _check_project(seen: dict, *, expected_layers: set, zone: int, counts: dict) -> None:
    assert seen["read"] and seen["error"] == "", seen["error"]
    assert seen["bad_layers"] == []
    assert seen["crs"] == f"EPSG:{zone}" and seen["crs_valid"]
    assert seen["view_crs"] == f"EPSG:{zone}"
    layers = {key.removeprefix("kcn_"): value for key, value in seen["layers"].items()}
    assert set(layers) == expected_layers | {"background"}
    for name, layer in layers.items():
        assert layer["valid"], name
        if name == "background":
            assert layer["provider"] == "wms" and layer["raster"]
            continue
        assert layer["provider"] == "WFS", name
        assert layer["count"] == counts[name], (name, layer["count"], counts[name])
        assert layer["layer_crs"] == f"EPSG:{zone}", name
        if layer["count"]:
            # In metres of the zone (false easting 500 km; Vietnam lies 950–2600 km north).
            xmin, ymin, xmax, ymax = layer["extent"]
            assert 0 < xmin <= xmax < 1_000_000, (name, layer["extent"])
            assert 900_000 < ymin <= ymax < 2_700_000, (name, layer["extent"])
        # Styled: the WMS style's classes, in order, with its colours (no default symbol).
        style = STYLES[name]
        assert layer["renderer"] == "RuleRenderer", name
        rules = [r for r in layer["rules"] if "symbols" in r]
        assert len(rules) == len(style.classes), name
        for rule, cls in zip(rules, style.classes, strict=True):
            got = [
                {k: v for k, v in s.items() if k in want}
                for s, want in zip(rule["symbols"], _expected_symbols(style, cls), strict=True)
            ]
            assert got == _expected_symbols(style, cls), (name, rule["label"])
        if style.label_item:
            assert layer["labels"], name
            assert layer["label_min_scale"] == style.label_max_scale, name
            assert layer["label_color"] == style.label_color, name


@needs_qgis
@pytest.mark.django_db(transaction=True)
def test_anonymous_project_opens_in_qgis(live_server, client, tmp_path):
    demo_load()
    body = _download(live_server.url + URL, {"Accept-Language": "vi"})
    # Around Quy Nhơn's parks and clusters (Bình Định, now Gia Lai), in web Mercator.
    to_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
    bbox = [*to_3857.transform(108.95, 13.80), *to_3857.transform(109.15, 14.0)]
    render = {"layer": "kcn_industrial_areas", "bbox": bbox, "size": 512}
    render["png"] = str(tmp_path / "qgis.png")
    seen = _open_in_qgis(body, tmp_path, render)
    counts = {name: _service_count(client, name, {}) for name in PUBLIC_LAYERS}
    # The demo's current provinces: Gia Lai (24, with Bình Định's parks since 1 July 2025) holds
    # the most parks and clusters; its zone is TM-3 108°30' (EPSG:9218, DOMAIN.md §4.1).
    _check_project(seen, expected_layers=PUBLIC_LAYERS, zone=9218, counts=counts)
    assert seen["title"] == "KCN Planner — Gia Lai"
    layers = {key.removeprefix("kcn_"): value for key, value in seen["layers"].items()}
    assert layers["industrial_areas"]["count"] == m.IndustrialArea.objects.count() > 0
    assert layers["industrial_areas"]["label_field"] == "name"
    # The attribute table in the user's language: column names and coded values as the map's
    # popups show them (planning.labels); nothing editable for an anonymous caller.
    areas = layers["industrial_areas"]
    assert areas["aliases"]["name"] == "Tên" and areas["aliases"]["kind"] == "Loại"
    assert {"Khu công nghiệp (KCN)": "KCN"} in areas["value_maps"]["kind"]
    with translation.override("vi"):
        for name, layer in layers.items():
            if name == "background":
                continue
            published = labels.layer_fields(CATALOGUE[name])
            assert layer["aliases"] == {f["name"]: f["label"] for f in published}, name
            assert layer["read_only"], name
    # QGIS measures planar areas in the zone, as the service does: a park's area in QGIS is its
    # boundary_area_ha, for the parks of this province. Bình Định's are measured in their unit's
    # zone 108°15' (9217) and drawn in Gia Lai's 108°30' (9218); a TM area scales by about
    # k² (1 + Δx²/R²): at 109.2° E, Δx ≈ 103 km from 108°15' (2.6e-4) and ≈ 75 km from 108°30'
    # (1.4e-4), so the two differ by ~1e-4 (parks of the Mekong provinces, 3° away, by ~0.2 %).
    assert layers["industrial_areas"]["ellipsoid"] == "NONE"
    here = set(
        m.IndustrialArea.objects.filter(metric_srid__in=(9217, 9218)).values_list("code", flat=True)
    )
    assert here
    for code, (qgis_ha, service_ha) in layers["industrial_areas"]["areas_ha"].items():
        if code not in here:
            continue
        assert qgis_ha == pytest.approx(service_ha, rel=1e-3), code
    # Planned parks are dashed outlines, without fill (the web map's legend).
    planned = [r for r in layers["industrial_areas"]["rules"] if "planned" in r["filter"]]
    assert planned and all(r["symbols"][0]["dash"] == "6;4" for r in planned)
    assert {s["dash"] for r in layers["plan_entries"]["rules"] for s in r["symbols"]} == {"10;6"}
    # The initial view is the province, in metres of its zone.
    xmin, ymin, xmax, ymax = seen["view"]
    assert 300_000 < xmin < xmax < 700_000 and 1_300_000 < ymin < ymax < 1_700_000
    # Groups, Vietnamese: the base at the bottom, the raster background drawn, the vector
    # units listed but off (they repeat the background).
    groups = [entry["group"] for entry in seen["tree"]]
    assert groups[-1] == "Nền" and "Khu, cụm công nghiệp" in groups and "Hạ tầng" in groups
    # Drawn like the map: QGIS's picture of the parks and the WMS's GetMap of the same box both
    # hold the operating KCN and CCN fills (60 % violet #7b3fa0 over white: 0.6 × 123 + 0.4 ×
    # 255 ≈ 176, 140, 198; orange #e67e22: 240, 178, 122) and the violet outline.
    assert seen["rendered"]
    wms = urllib.request.urlopen(  # noqa: S310 (the live server)
        live_server.url
        + "/ows/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=industrial_areas&STYLES="
        + "&CRS=EPSG:3857&BBOX="
        + ",".join(f"{v:.2f}" for v in bbox)
        + "&WIDTH=512&HEIGHT=512&FORMAT=image/png&TRANSPARENT=FALSE",
        timeout=120,
    ).read()
    for picture in (render["png"], io.BytesIO(wms)):
        pixels = np.asarray(Image.open(picture).convert("RGB")).astype(int)
        for colour in ((176, 140, 198), (240, 178, 122), (123, 63, 160)):
            near = (np.abs(pixels - np.array(colour)).max(axis=2) <= 16).sum()
            assert near > 50, (picture, colour, near)
    base = seen["tree"][-1]["layers"]
    assert base == [
        {"layer": "kcn_admin_units", "checked": False},
        {"layer": "kcn_background", "checked": True},
    ]


@needs_qgis
@pytest.mark.django_db(transaction=True)
def test_staff_project_opens_in_qgis_with_their_token(live_server, client, tmp_path):
    demo_load()
    user = get_user_model().objects.create_user("qgz_planner", password="Qgis-2025!")
    province = m.AdminUnit.objects.get(name="Bình Định", level="province")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=province)
    basic = "Basic " + b64encode(b"qgz_planner:Qgis-2025!").decode()
    body = _download(
        live_server.url + URL + "?province=24", {"Authorization": basic, "Accept-Language": "en"}
    )
    seen = _open_in_qgis(body, tmp_path)
    expected = PUBLIC_LAYERS | (STAFF_LAYERS & set(STYLES))
    counts = {
        name: _service_count(client, name, {"HTTP_AUTHORIZATION": basic}) for name in expected
    }
    assert counts["clearance_parcels"] == m.ClearanceParcel.objects.count() > 0
    _check_project(seen, expected_layers=expected, zone=9218, counts=counts)
    # Editable in QGIS exactly where the caller may edit (WFS-T): a commune's staff drafts
    # proposals, nothing else.
    layers = {key.removeprefix("kcn_"): value for key, value in seen["layers"].items()}
    for name in expected:
        assert layers[name]["read_only"] is not access.can_edit_layer(user, CATALOGUE[name]), name
    assert not layers["proposals"]["read_only"]
    groups = [entry["group"] for entry in seen["tree"]]
    assert groups[:4] == [
        "Infrastructure",
        "Proposals",
        "Industrial parks and clusters",
        "Analyses",
    ]
    assert groups[-1] == "Base map"


@pytest.mark.django_db
def test_map_page_links_the_project(client, provinces):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert f'href="{URL}"' in page and "Mở trong QGIS (tải dự án .qgz)" in page
    assert "mã truy cập" not in page  # anonymous: no token in the file, no warning
    user = get_user_model().objects.create_user("qgz_reader", password="Qgis-2025!")
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert f'href="{URL}"' in page and "Tệp chứa mã truy cập (token) của bạn" in page
