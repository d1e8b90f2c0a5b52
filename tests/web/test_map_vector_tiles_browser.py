"""The map page on vector tiles (issue 14 map), in headless Chromium against a live server with
the demo province and the national base map loaded (both databases).

* the page asks the service's own Mapbox Vector Tiles (``…/tiles/WebMercatorQuad/{z}/{y}/{x}``)
  of the base map and of the catalogue's layers;
* the base map draws: pixels of the land colour (``LAND`` in ``frontend/src/map/mvt.js``) on the
  sea colour of the map's background;
* a click on a park and on a road (both drawn from vector tiles) opens a popup with the name,
  read from the tile's attributes: no GetFeatureInfo request, and no WFS request for the road;
* a member of staff gets the proposals' tiles (session cookie); an anonymous visitor neither has
  the layer nor may fetch its tiles.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.web.conftest import LAPTOP
from tests.web.test_map_browser import (  # noqa: F401  (the module's demo fixtures)
    area_pixel,
    demo_site,
    map_picture,
    pixels,
    settle,
    transactional_db,
    wait_for_map,
    zoom_to_area,
)

pytestmark = pytest.mark.slow

LAND = (0xF3, 0xF0, 0xE8)
SEA = (0xCF, 0xE0, 0xEA)


def share_of(img, colour, tolerance=10) -> float:
    return float(np.mean(np.abs(pixels(img) - colour).sum(axis=1) <= tolerance))


def test_map_requests_vector_tiles_and_draws_the_base_map(live_server, open_page):
    tiles = []
    page = open_page("", viewport=LAPTOP)
    page.on(
        "response",
        lambda r: "/tiles/WebMercatorQuad/" in r.url and tiles.append((r.url, r.status)),
    )
    page.goto(live_server.url + "/")
    wait_for_map(page)
    # The whole country: zoom out to Viet Nam.
    page.evaluate(
        "() => { kcn.map.getView().setCenter([11800000, 1800000]); "
        "kcn.map.getView().setZoom(5.5); }"
    )
    settle(page)
    img = map_picture(page, "map-national-basemap")
    basemap = [u for u, s in tiles if "/ogc/basemap/tiles/WebMercatorQuad/" in u]
    layers = [u for u, s in tiles if "/ogc/collections/" in u]
    assert basemap, tiles
    assert any("/ogc/collections/road_corridors/tiles/WebMercatorQuad/" in u for u in layers)
    assert any("/ogc/collections/industrial_areas/tiles/WebMercatorQuad/" in u for u in layers)
    assert {s for _u, s in tiles} <= {200, 204, 304}, tiles
    assert share_of(img, LAND) > 0.01  # the provinces' land (a thin country at z=5.5)
    assert share_of(img, SEA) > 0.05  # the South China Sea (Biển Đông) around them
    attribution = page.locator(".ol-attribution").inner_text()
    assert "Open Development Mekong" in attribution and "CC BY-SA 4.0" in attribution


def _watch_queries(page):
    seen = []
    page.on(
        "request",
        lambda r: (
            (
                "GetFeatureInfo" in r.url
                or "/ows/wfs" in r.url
                or "/ogc/collections/" in r.url
                and "/items" in r.url
            )
            and seen.append(r.url)
        ),
    )
    return seen


def test_road_popup_from_tile_attributes_without_feature_info(live_server, open_page):
    page = open_page(live_server.url + "/")
    wait_for_map(page)
    zoom_to_area(page, "KCN-NHONHOA")
    seen = _watch_queries(page)
    # The park under a click: its name, from the features in the browser.
    ax, ay = area_pixel(page, "KCN-NHONHOA")
    page.mouse.click(ax, ay)
    page.wait_for_selector("#kcn-popup .kcn-feature-area .kcn-feature-title")
    assert page.locator("#kcn-popup .kcn-feature-area .kcn-feature-title").inner_text() == (
        "KCN Nhơn Hòa"
    )
    page.wait_for_selector("#kcn-popup .kcn-popup-loading", state="detached")
    # ... which is the park's feature in the vector tile layer under the click.
    box = page.locator("#kcn-map").bounding_box()
    from_tiles = page.evaluate(
        """([x, y]) => kcn.map.getFeaturesAtPixel([x, y], {
            layerFilter: (l) => l === kcn.layers.industrial_areas && l.get('kind') === 'mvt',
        }).map((f) => f.get('name'))""",
        [ax - box["x"], ay - box["y"]],
    )
    assert "KCN Nhơn Hòa" in from_tiles, from_tiles
    page.locator(".kcn-popup-close").click()
    page.evaluate("() => kcn.map.getView().setZoom(13)")
    settle(page)
    # A pixel on a road drawn from the vector tiles, found in the rendered tiles.
    found = page.evaluate("""() => {
        const layer = kcn.layers.road_corridors;
        const size = kcn.map.getSize();
        for (let y = 20; y < size[1] - 20; y += 4) {
            for (let x = 20; x < size[0] - 20; x += 4) {
                const f = kcn.map.getFeaturesAtPixel([x, y], {layerFilter: (l) => l === layer,
                    hitTolerance: 0});
                if (f.length && f[0].get('name')) { return [x, y, f[0].get('name')]; }
            }
        }
        return null;
    }""")
    assert found, "no road drawn from the vector tiles in view"
    x, y, name = found
    box = page.locator("#kcn-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector('#kcn-popup .kcn-feature[data-layer="road_corridors"]')
    assert name in page.locator("#kcn-popup").inner_text()
    page.wait_for_selector("#kcn-popup .kcn-popup-loading", state="detached")
    assert not [u for u in seen if "GetFeatureInfo" in u], seen
    assert not [u for u in seen if "road_corridors" in u], seen


def test_staff_get_proposal_tiles_anonymous_do_not(live_server, open_page):
    from django.contrib.auth import get_user_model

    from planning.models import AdminUnit, Membership

    page = open_page("")
    requested = []
    page.on(
        "response",
        lambda r: (
            "/ogc/collections/proposals/tiles/" in r.url and requested.append((r.url, r.status))
        ),
    )
    page.goto(live_server.url + "/")
    wait_for_map(page)
    assert page.locator('[data-layer-toggle="proposals"]').count() == 0
    assert page.evaluate("() => !kcn.layers.proposals")
    assert not requested  # the map asked no proposals tile
    status = page.evaluate(
        "async () => (await fetch('/ogc/collections/proposals/tiles/WebMercatorQuad/8/117/204'))"
        ".status"
    )
    assert status == 404  # nor may the visitor fetch one
    requested.clear()

    user = get_user_model().objects.create_user("can_bo_mvt", password="mat-khau-mvt")
    Membership.objects.create(
        user=user,
        role="district_staff",
        admin_unit=AdminUnit.objects.get(code="52", level="province"),
    )
    page.click("#kcn-sign-in")
    page.fill("#id_username", "can_bo_mvt")
    page.fill("#id_password", "mat-khau-mvt")
    page.click("main button[type=submit]")
    page.wait_for_selector("#kcn-sign-out")
    wait_for_map(page)
    page.locator('[data-layer-toggle="proposals"]').check()
    zoom_to_area(page, "KCN-NHONHOA")
    assert requested and {s for _u, s in requested} <= {200, 204, 304}, requested
    assert page.evaluate("() => kcn.layers.proposals.getVisible()")
