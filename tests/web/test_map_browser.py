"""The map page in a real headless Chromium against a live server with the demo province loaded.

The demo data (planning.services.demo.demo_load) are loaded once for this module: the
``transactional_db`` fixture that pytest-django's ``live_server`` asks for is overridden here to
keep them between tests, and the module flushes the database (and the tile caches the pages
filled) when it is done, as a transactional test would.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.management import call_command

from tests.web.conftest import LAPTOP, TABLET, image, save_screenshot

pytestmark = pytest.mark.slow

BACKGROUND = (0xCF, 0xE0, 0xEA)  # the map's background, the sea (frontend/src/map/map.css)


def _drop_tile_caches():
    from layers.catalogue import CATALOGUE
    from layers.signals import refresh_layer

    for name in CATALOGUE:
        refresh_layer(name)
    refresh_layer("basemap")  # issue 14 map: the base map's vector tiles


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    from django.db import connections

    from planning.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        _drop_tile_caches()  # tiles cached by earlier runs on the same test database
        yield
        call_command("flush", interactive=False, verbosity=0)
        _drop_tile_caches()
        # Playwright's sync API runs the tests beside its own event loop, where Django opens a
        # connection of its own (asgiref's context-local storage): close it, or PostgreSQL
        # cannot drop the test database at the end of the session.
        connections.close_all()


@pytest.fixture
def transactional_db(demo_site, django_db_blocker):
    """What live_server asks for: database access, with the module's demo data kept."""
    with django_db_blocker.unblock():
        yield


# --- helpers --------------------------------------------------------------------------------------


def wait_for_map(page):
    """Parks and clusters loaded, and everything in view drawn (every tile in)."""
    page.wait_for_selector("#kcn-map[data-areas]")
    settle(page)


def settle(page):
    page.wait_for_function("() => window.kcn && !kcn.map.getView().getAnimating()")
    # Resolve with nothing: resolving with the event would make Playwright serialise the event,
    # the map and every feature in it back to Python (10 s and 50 MB with the national dataset).
    page.evaluate(
        "() => new Promise((resolve) => { kcn.map.once('rendercomplete', () => resolve(null)); "
        "kcn.map.render(); })"
    )


def zoom_to_area(page, code: str):
    page.evaluate(
        """(code) => {
            const f = kcn.areas.features().find((f) => f.get('code') === code);
            kcn.map.getView().fit(
                f.getGeometry().getExtent(), {padding: [80, 80, 80, 80], maxZoom: 15});
        }""",
        code,
    )
    settle(page)


def area_pixel(page, code: str) -> tuple[float, float]:
    """Page coordinates of a point inside the area (where its label sits)."""
    x, y = page.evaluate(
        """(code) => {
            const f = kcn.areas.features().find((f) => f.get('code') === code);
            return kcn.map.getPixelFromCoordinate(kcn.areas.labelPoint(f).getCoordinates());
        }""",
        code,
    )
    box = page.locator("#kcn-map").bounding_box()
    return box["x"] + x, box["y"] + y


def map_picture(page, name: str):
    box = page.locator("#kcn-map").bounding_box()
    return image(save_screenshot(page, name, clip=box))


def pixels(img) -> np.ndarray:
    return np.asarray(img, dtype=np.int16).reshape(-1, 3)


def painted_share(img) -> float:
    """Share of pixels that are not the plain background."""
    return float(np.mean(np.abs(pixels(img) - BACKGROUND).sum(axis=1) > 24))


def colours(img, *, min_pixels: int = 30) -> int:
    """Distinct colours (in 32-level buckets) covering at least ``min_pixels`` pixels each."""
    _values, counts = np.unique(pixels(img) >> 3, axis=0, return_counts=True)
    return int(np.sum(counts >= min_pixels))


def changed_share(a, b) -> float:
    return float(np.mean(np.abs(pixels(a) - pixels(b)).sum(axis=1) > 30))


def purple_share(img) -> float:
    """Pixels in the violet of the parks (KCN) and their plots."""
    p = pixels(img)
    r, g, b = p[:, 0], p[:, 1], p[:, 2]
    return float(np.mean((b > g + 30) & (r > g + 15)))


def switcher_text(page) -> str:
    return page.locator("#kcn-tab-panel-layers").inner_text()


# --- tests ----------------------------------------------------------------------------------------


def test_map_draws_tiles_and_features(live_server, open_page):
    tiles = []
    page = open_page("", viewport=LAPTOP)
    page.on("response", lambda r: "/ows/tiles/" in r.url and tiles.append(r.status))
    page.goto(live_server.url + "/")
    wait_for_map(page)
    assert page.locator("#kcn-map").get_attribute("data-areas") == "36"
    overview = map_picture(page, "map-overview")
    assert tiles and set(tiles) == {200}, tiles
    # The whole demo (Bình Định and Sóc Trăng, 600 km apart): unit outlines, roads, park dots.
    assert painted_share(overview) > 0.02
    assert colours(overview) >= 8

    zoom_to_area(page, "KCN-NHONHOA")
    detail = map_picture(page, "map-kcn-nhon-hoa")
    # Close up the park fills much of the view, with its plots, roads and unit lines around it.
    assert painted_share(detail) > 0.25
    assert colours(detail) >= 12
    assert purple_share(detail) > 0.05


def test_layer_switcher_toggles_a_layer(live_server, open_page):
    page = open_page(live_server.url + "/")
    wait_for_map(page)
    zoom_to_area(page, "KCN-NHONHOA")
    before = map_picture(page, "switcher-before")
    toggle = page.locator('[data-layer-toggle="industrial_areas"]')
    assert toggle.is_checked()
    toggle.uncheck()
    settle(page)
    assert page.evaluate("() => kcn.layers.industrial_areas.getVisible()") is False
    after = map_picture(page, "switcher-areas-off")
    assert changed_share(before, after) > 0.05  # the park's fill is gone
    toggle.check()
    settle(page)
    assert changed_share(before, map_picture(page, "switcher-areas-on")) < 0.02

    roads = page.locator('[data-layer-toggle="road_corridors"]')
    roads.uncheck()
    assert page.evaluate("() => kcn.layers.road_corridors.getVisible()") is False


def test_clicking_an_area_opens_its_popup_in_vietnamese(live_server, open_page):
    page = open_page(live_server.url + "/")
    wait_for_map(page)
    zoom_to_area(page, "KCN-NHONHOA")
    x, y = area_pixel(page, "KCN-NHONHOA")
    page.mouse.click(x, y)
    popup = page.locator("#kcn-popup")
    popup.locator(".kcn-feature-title").wait_for()
    page.wait_for_selector("#kcn-popup .kcn-popup-loading", state="detached")
    assert popup.locator(".kcn-feature-area .kcn-feature-title").inner_text() == "KCN Nhơn Hòa"
    text = popup.inner_text()
    # Vietnamese labels and values, codes turned into words.
    assert "Khu công nghiệp (KCN) · Đang hoạt động" in text
    assert "Diện tích quy hoạch (ha)" in text
    assert "Tỷ lệ lấp đầy" in text
    assert "Phường Nhơn Hòa" in text  # the unit it was reported under, by name
    assert "operating" not in text
    save_screenshot(page, "popup-kcn-nhon-hoa")
    page.locator(".kcn-popup-close").click()
    assert popup.is_hidden()


def test_clicking_a_road_opens_its_attributes_from_the_wfs(live_server, open_page):
    page = open_page(live_server.url + "/")
    wait_for_map(page)
    # The middle vertex of Quốc lộ 19, as the public WFS gives it, in Web Mercator.
    x, y = page.evaluate("""async () => {
        const params = new URLSearchParams({SERVICE: 'WFS', VERSION: '2.0.0', REQUEST: 'GetFeature',
            TYPENAMES: 'road_corridors', OUTPUTFORMAT: 'application/json', COUNT: '1',
            CQL_FILTER: "code = 'BD-QL19'"});
        const data = await (await fetch('/ows/wfs?' + params)).json();
        const line = data.features[0].geometry.coordinates[0];
        const [lon, lat] = line[Math.floor(line.length / 2)];
        const R = 6378137;
        const coord = [
            lon * Math.PI / 180 * R, Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) * R];
        kcn.map.getView().setCenter(coord);
        kcn.map.getView().setZoom(14);
        kcn.map.renderSync();
        return kcn.map.getPixelFromCoordinate(coord);
    }""")
    settle(page)
    box = page.locator("#kcn-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector('#kcn-popup .kcn-feature[data-layer="road_corridors"]')
    text = page.locator("#kcn-popup").inner_text()
    assert "Quốc lộ 19" in text
    assert "Tình trạng đầu tư" in text and "Đã đầu tư, hoàn thành" in text


def test_search_without_diacritics_zooms_to_the_park(live_server, open_page):
    page = open_page(live_server.url + "/")
    wait_for_map(page)
    page.fill("#kcn-search-input", "nhon hoa")
    first = page.locator(".kcn-search-result").first
    first.wait_for()
    assert first.locator(".kcn-search-name").inner_text() == "KCN Nhơn Hòa"
    page.press("#kcn-search-input", "Enter")
    page.wait_for_selector("#kcn-popup:not([hidden]) .kcn-feature-area")
    settle(page)
    inside, zoom = page.evaluate("""() => {
        const f = kcn.areas.features().find((f) => f.get('code') === 'KCN-NHONHOA');
        const [x0, y0, x1, y1] = f.getGeometry().getExtent();
        const [cx, cy] = kcn.map.getView().getCenter();
        const w = x1 - x0, h = y1 - y0;
        const near = cx > x0 - w && cx < x1 + w && cy > y0 - 2 * h && cy < y1 + 2 * h;
        return [near, kcn.map.getView().getZoom()];
    }""")
    assert inside
    assert zoom >= 13
    assert page.locator("#kcn-popup .kcn-feature-title").inner_text() == "KCN Nhơn Hòa"
    save_screenshot(page, "search-nhon-hoa")


def test_filters_by_kind_status_unit_and_year(live_server, open_page):
    from planning.models import AdminUnit, IndustrialArea

    page = open_page(live_server.url + "/")
    wait_for_map(page)
    page.click("#kcn-tab-filters")
    count = page.locator("#kcn-area-count")
    assert count.get_attribute("data-shown") == "36"
    assert count.inner_text() == "Đang hiển thị 36/36 khu, cụm công nghiệp"

    page.locator("input[name=kind][value=CCN]").uncheck()
    assert count.get_attribute("data-shown") == str(
        IndustrialArea.objects.filter(kind="KCN").count()
    )
    page.locator("input[name=status][value=planned]").uncheck()
    expected = IndustrialArea.objects.filter(kind="KCN").exclude(status="planned").count()
    assert count.get_attribute("data-shown") == str(expected)
    page.click("button[type=reset]")
    page.wait_for_function("document.getElementById('kcn-area-count').dataset.shown === '36'")

    # Established by the end of 2010 (areas without a date are not established yet).
    page.locator("#kcn-filter-year").fill("2010")
    expected = IndustrialArea.objects.filter(established_on__lte=dt.date(2010, 12, 31)).count()
    assert count.get_attribute("data-shown") == str(expected)
    assert "2010" in page.locator(".kcn-year-value").inner_text()
    page.click("button[type=reset]")

    # Sóc Trăng (before the reform): its parks and clusters only, and the map goes there.
    soc_trang = AdminUnit.objects.get(code="94", level="province")
    page.select_option("#kcn-filter-province", str(soc_trang.pk))
    expected = IndustrialArea.objects.filter(province_name_reported="Sóc Trăng").count()
    page.wait_for_function(
        f"document.getElementById('kcn-area-count').dataset.shown === '{expected}'"
    )
    names = page.locator("#kcn-area-list .kcn-area-link").all_inner_texts()
    assert "KCN An Nghiệp" in names and "KCN Nhơn Hòa" not in names
    settle(page)
    save_screenshot(page, "filter-soc-trang")
    # A commune of that province narrows it further.
    commune = AdminUnit.objects.get(name="Thị trấn An Lạc Thôn")
    page.select_option("#kcn-filter-unit", str(commune.pk))
    names = page.locator("#kcn-area-list .kcn-area-link").all_inner_texts()
    assert sorted(names) == ["CCN An Lạc Thôn 1", "CCN An Lạc Thôn 2"]


def test_english_switch_changes_the_interface(live_server, open_page):
    page = open_page(live_server.url + "/")
    wait_for_map(page)
    assert "Quy hoạch khu, cụm công nghiệp" in page.locator(".kcn-brand").inner_text()
    page.click("#kcn-lang-switch")
    page.wait_for_selector("html[lang=en]")
    wait_for_map(page)
    assert "Planning of industrial parks and clusters" in page.locator(".kcn-brand").inner_text()
    assert page.locator("#kcn-tab-layers").inner_text() == "Map layers"
    assert "Industrial parks and clusters" in switcher_text(page)
    assert page.get_attribute("#kcn-search-input", "placeholder").startswith("Search parks")
    # Strings inside the script come from the JavaScript catalogue.
    page.click("#kcn-tab-filters")
    assert page.locator("#kcn-area-count").inner_text() == "Showing 36 of 36 parks and clusters"
    zoom_to_area(page, "KCN-NHONHOA")
    page.click("#kcn-tab-layers")
    x, y = area_pixel(page, "KCN-NHONHOA")
    page.mouse.click(x, y)
    page.wait_for_selector("#kcn-popup .kcn-feature-area")
    text = page.locator("#kcn-popup").inner_text()
    assert "Industrial park (KCN) · Operating" in text and "Planned area (ha)" in text
    save_screenshot(page, "english-popup")
    # And back.
    page.click("#kcn-lang-switch")
    page.wait_for_selector("html[lang=vi]")
    assert page.locator("#kcn-tab-layers").inner_text() == "Lớp bản đồ"


def test_anonymous_users_do_not_see_staff_layers(live_server, open_page):
    from django.contrib.auth import get_user_model

    from planning.models import AdminUnit, Membership

    page = open_page(live_server.url + "/")
    wait_for_map(page)
    assert "Thửa đất giải phóng mặt bằng" not in switcher_text(page)
    assert "Khu, cụm công nghiệp" in switcher_text(page)
    assert page.locator("#kcn-sign-in").is_visible()

    user = get_user_model().objects.create_user("can_bo_gpmb", password="mat-khau-thu")
    Membership.objects.create(
        user=user,
        role="district_staff",
        admin_unit=AdminUnit.objects.get(code="52", level="province"),
    )
    page.click("#kcn-sign-in")
    page.fill("#id_username", "can_bo_gpmb")
    page.fill("#id_password", "mat-khau-thu")
    page.click("main button[type=submit]")
    page.wait_for_selector("#kcn-sign-out")
    wait_for_map(page)
    assert "Thửa đất giải phóng mặt bằng" in switcher_text(page)
    assert page.locator("#kcn-admin-link").count() == 0  # a role holder, not Django staff
    page.locator('[data-layer-toggle="clearance_parcels"]').check()
    zoom_to_area(page, "KCN-HOAHOI")
    save_screenshot(page, "staff-clearance-parcels")
    page.click("#kcn-sign-out")
    page.wait_for_selector("#kcn-sign-in")
    assert "Thửa đất giải phóng mặt bằng" not in switcher_text(page)


def test_tablet_layout_slides_the_panel_over_the_map(live_server, open_page):
    page = open_page(live_server.url + "/", viewport=TABLET, has_touch=True)
    wait_for_map(page)
    panel = page.locator("#kcn-panel")
    map_box = page.locator("#kcn-map").bounding_box()
    assert map_box["width"] == TABLET["width"]  # the map takes the whole width
    assert not panel.is_visible()
    assert "Quy hoạch khu, cụm công nghiệp" in page.locator(".kcn-brand").inner_text()
    save_screenshot(page, "tablet-map")
    page.click("#kcn-panel-toggle")
    panel.locator("#kcn-tab-layers").wait_for(state="visible")
    page.wait_for_timeout(300)  # the slide-in transition
    assert panel.bounding_box()["x"] == 0
    save_screenshot(page, "tablet-panel")
    page.click("#kcn-tab-filters")
    page.locator("#kcn-area-list .kcn-area-link", has_text="KCN Phú Tài").click()
    page.wait_for_selector("#kcn-popup .kcn-feature-area")
    panel.wait_for(state="hidden")  # chosen from the list: the panel makes way for the map
