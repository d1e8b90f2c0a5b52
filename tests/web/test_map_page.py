"""The map page as HTML: language, the layer list each user may see, the data handed to the
script."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from planning import models as m
from tests.factories import IndustrialAreaFactory, square

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"


def map_config(response) -> dict:
    html = response.content.decode()
    found = re.search(
        r'<script id="kcn-map-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "the page carries its map configuration"
    return json.loads(found.group(1))


@pytest.fixture
def nhon_hoa(binh_dinh):
    province, commune = binh_dinh
    return IndustrialAreaFactory(
        code="KCN-NH",
        name="KCN Nhơn Hòa",
        kind="KCN",
        admin_unit=commune,
        boundary=square(109.0, 13.95, 0.03),
        planned_area_ha=Decimal("314"),
        industrial_land_ha=Decimal("216"),
        established_on=dt.date(2009, 5, 20),
    )


@pytest.fixture
def staff_user(binh_dinh):
    user = get_user_model().objects.create_user("can_bo_xa", password="x")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=binh_dinh[1])
    return user


def test_page_is_vietnamese_by_default(client, nhon_hoa):
    r = client.get(
        "/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )  # an English browser still gets Vietnamese
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="vi">' in html
    assert (
        'KCN Planner</strong><span class="kcn-brand-sub"> — Quy hoạch khu, cụm công nghiệp' in html
    )
    for text in (
        "Lớp bản đồ",
        "Bộ lọc",
        "Ranh giới hành chính",
        "Giao thông",
        "Đăng nhập",
        "English",
        "Khu, cụm công nghiệp",
        "Năm thành lập",
        "Đang hoạt động",
    ):
        assert text in html, text
    assert map_config(r)["lang"] == "vi"


def test_page_is_english_with_the_language_cookie(client, nhon_hoa):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get("/")
    html = r.content.decode()
    assert '<html lang="en">' in html
    for text in (
        "Planning of industrial parks and clusters",
        "Map layers",
        "Administrative boundaries",
        "Industrial parks and clusters",
        "Road corridors",
        "Year of establishment",
        "Sign in",
        "Tiếng Việt",
        "Operating",
    ):
        assert text in html, text
    assert "Lớp bản đồ" not in html
    config = map_config(r)
    assert config["lang"] == "en"
    labels = {f["name"]: f["label"] for f in config["fields"]["industrial_areas"]}
    assert labels["planned_area_ha"] == "Planned area (ha)"


def test_language_switch_sets_the_cookie_and_comes_back(client, nhon_hoa):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Map layers" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Lớp bản đồ" in client.get("/").content.decode()


def test_anonymous_users_see_only_public_layers(client, nhon_hoa):
    r = client.get("/")
    html = r.content.decode()
    assert "Thửa đất giải phóng mặt bằng" not in html
    assert "Đề xuất khu, cụm công nghiệp" not in html
    names = {layer["name"] for layer in map_config(r)["layers"]}
    assert {
        "admin_units",
        "industrial_areas",
        "road_corridors",
        "infrastructure_lines",
        "infrastructure_points",
        "secondary_projects",
    } <= names
    from layers.catalogue import CATALOGUE

    staff_only = {name for name, spec in CATALOGUE.items() if "anonymous" not in spec.read_roles}
    assert {"clearance_parcels", "proposals"} <= staff_only
    assert not names & staff_only
    assert not set(map_config(r)["fields"]) & staff_only


def test_signed_in_staff_see_staff_layers(client, nhon_hoa, staff_user):
    client.force_login(staff_user)
    r = client.get("/")
    html = r.content.decode()
    assert "Thửa đất giải phóng mặt bằng" in html
    assert "Đề xuất khu, cụm công nghiệp" in html
    assert "Đăng xuất" in html and "can_bo_xa" in html
    assert 'id="kcn-admin-link"' not in html  # a role holder, not Django staff
    layers = {layer["name"]: layer for layer in map_config(r)["layers"]}
    assert layers["clearance_parcels"]["staff_only"] is True
    assert layers["clearance_parcels"]["visible"] is False


def test_django_staff_get_the_admin_link(client, nhon_hoa):
    admin = get_user_model().objects.create_superuser("quan_tri", password="x")
    client.force_login(admin)
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html and "Quản trị" in html


def test_layers_are_grouped_in_the_switcher(client, nhon_hoa):
    html = client.get("/").content.decode()
    groups = re.findall(r'<div class="kcn-group" data-group="(\w+)">', html)
    assert groups == ["areas", "transport", "utilities", "projects", "boundaries"]
    assert "Khu, cụm công nghiệp" in html and "Ranh giới hành chính" in html


def test_layer_config_points_at_the_services(client, nhon_hoa):
    layers = {layer["name"]: layer for layer in map_config(client.get("/"))["layers"]}
    roads = layers["road_corridors"]
    # issue 14 map: drawn from vector tiles; the raster tiles stay listed (QGIS, printing).
    assert roads["kind"] == "mvt"
    assert roads["mvt_url"] == "/ogc/collections/road_corridors/tiles/WebMercatorQuad/{z}/{y}/{x}"
    assert roads["style"]["geometry"] == "LINE" and roads["style"]["classes"]
    assert roads["tile_url"] == "/ows/tiles/road_corridors/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png"
    assert (
        "REQUEST=GetLegendGraphic" in roads["legend_url"]
        and "LAYER=road_corridors" in roads["legend_url"]
    )
    areas = layers["industrial_areas"]
    assert areas["kind"] == "vector" and areas["visible"] is True
    first = areas["style"]["classes"][0]
    assert first["when"] == {"and": [{"eq": ["kind", "KCN"]}, {"eq": ["status", "operating"]}]}
    assert first["symbolizers"][0]["fill"] == "#7b3fa0"
    # Secondary projects are drawn from 1:200 000 like the WMS (0.28 mm pixels).
    assert layers["secondary_projects"]["max_resolution"] == pytest.approx(56.0)


def test_legend_images_are_served(client, nhon_hoa):
    legend = map_config(client.get("/"))["layers"][0]["legend_url"]
    r = client.get(legend, HTTP_HOST="127.0.0.1")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"


def test_unit_filter_and_years_come_with_the_page(client, nhon_hoa, binh_dinh):
    config = map_config(client.get("/"))
    province, commune = binh_dinh
    units = config["areaFilter"]["units"]
    assert [p["name"] for p in units["provinces"]] == ["Bình Định"]
    assert units["provinces"][0]["areas"] == ["KCN-NH"]
    assert {u["name"] for u in units["units"]} == {"Xã Cát Hanh"}
    assert config["areaFilter"]["years"] == [2009, dt.date.today().year]
    assert config["unitNames"][commune.code] == "Xã Cát Hanh"


def test_page_works_with_an_empty_database(client):
    r = client.get("/")
    assert r.status_code == 200
    config = map_config(r)
    assert config["areaFilter"]["units"] == {"provinces": [], "units": []}
    assert len(config["extent"]) == 4


@pytest.mark.parametrize("lang, cookie, translated", [("vi", "en", True), ("en", "vi", False)])
def test_script_strings_come_from_the_javascript_catalogue(client, lang, cookie, translated):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie  # the URL decides, so caching is safe
    r = client.get("/jsi18n/", {"lang": lang})
    assert r.status_code == 200
    body = r.content.decode()
    assert "function gettext" in body or "django.gettext" in body
    vietnamese = json.dumps("Đang tải…")[1:-1]  # as the catalogue writes it (ASCII escapes)
    assert (vietnamese in body or "Đang tải…" in body) is translated


def test_sign_in_page_signs_in_role_holders(client, staff_user):
    page = client.get("/accounts/login/?next=/")
    assert "Tên đăng nhập" in page.content.decode()
    r = client.post("/accounts/login/", {"username": "can_bo_xa", "password": "x", "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert "Thửa đất giải phóng mặt bằng" in client.get("/").content.decode()
    r = client.post("/accounts/logout/")
    assert r.status_code == 302
    assert "Thửa đất giải phóng mặt bằng" not in client.get("/").content.decode()


def po_entries(text: str) -> list[tuple[str, str, list[str]]]:
    """(msgid, msgstr, flags) of a .po file; the header entry (empty msgid) is left out."""
    entries, current, flags, key = [], {}, [], None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append((current["msgid"], current.get("msgstr", ""), flags))
            current, flags, key = {}, [], None
        elif line.startswith("#,"):
            flags += [f.strip() for f in line[2:].split(",")]
        elif line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            key, _, rest = line.partition(" ")
            key = "msgstr" if key.startswith("msgstr[") and "msgstr" not in current else key
            current[key] = json.loads(rest)
        elif line.startswith('"') and key:
            current[key] += json.loads(line)
    return entries


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_vietnamese_translations_are_complete(domain):
    """Every string has a Vietnamese translation and none is fuzzy (msgfmt would drop it)."""
    text = (LOCALE / f"{domain}.po").read_text(encoding="utf-8")
    entries = po_entries(text)
    assert len(entries) > 10
    assert [msgid for msgid, msgstr, _ in entries if not msgstr] == []
    assert [msgid for msgid, _, flags in entries if "fuzzy" in flags] == []
    assert '#, fuzzy\nmsgid ""' not in text


def test_legends_follow_the_page_language(client, nhon_hoa):
    """The switcher's legend is drawn by the page from the WMS classes, so English mode reads
    English."""
    html = client.get("/").content.decode()
    legend = html.split('data-layer="industrial_areas"', 1)[1].split("</details>", 1)[0]
    assert "KCN — Đang hoạt động" in legend and "<svg" in legend and "#7b3fa0" in legend
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    legend = html.split('data-layer="industrial_areas"', 1)[1].split("</details>", 1)[0]
    assert "KCN — Operating" in legend and "Đang hoạt động" not in legend
    roads = html.split('data-layer="road_corridors"', 1)[1].split("</details>", 1)[0]
    assert "Under construction" in roads and "stroke-dasharray" in roads
