"""The dashboards in a real headless Chromium against a live server with the demo provinces:
the charts are drawn (pixels on the canvases), the area map renders, no script errors.

Same set-up as test_map_browser.py: the demo data are loaded once for the module (the
``transactional_db`` that ``live_server`` asks for keeps them) and flushed at the end.
"""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command

from tests.web.conftest import save_screenshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    from django.db import connections

    from planning.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        yield
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()


@pytest.fixture
def transactional_db(demo_site, django_db_blocker):
    """What live_server asks for: database access, with the module's demo data kept."""
    with django_db_blocker.unblock():
        yield


def canvas_ink(page, canvas_id: str) -> int:
    """Pixels of a chart canvas that are not blank (read back with toDataURL)."""
    from PIL import Image

    data_url = page.evaluate(f"() => document.getElementById('{canvas_id}').toDataURL('image/png')")
    img = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGBA")
    return sum(1 for r, g, b, a in img.getdata() if a > 0 and (r, g, b) != (255, 255, 255))


def test_province_dashboard_draws_its_charts(live_server, open_page):
    from planning.models import AdminUnit

    province = AdminUnit.objects.get(code="52", level="province")
    page = open_page(f"{live_server.url}/dashboards/{province.pk}/")
    page.wait_for_selector("body[data-charts-ready]")
    assert (
        page.evaluate("() => document.body.dataset.chartsReady") == "2"
    )  # occupancy, plan (anonymous)
    for canvas in ("chart-occupancy", "chart-plan"):
        assert canvas_ink(page, canvas) > 2000, f"{canvas} is blank"
    # Labels come in the page's language: the occupancy axis is Vietnamese.
    assert (
        page.evaluate("() => kcnDashboard.charts.occupancy.options.scales.x.title.text")
        == "Tỷ lệ lấp đầy (%)"
    )
    # The threshold lines are drawn in the chart at 50 % and 60 %.
    assert page.evaluate(
        "() => kcnDashboard.charts.occupancy.options.plugins.kcnThresholds.lines.map(l => l.value)"
    ) == [50, 60]
    save_screenshot(page, "dashboard-province", full_page=True)


def test_area_dashboard_map_and_charts_for_staff(live_server, open_page, django_user_model):
    from planning.models import IndustrialArea, Membership

    area = IndustrialArea.objects.get(code="KCN-TRANDE")
    user = django_user_model.objects.create_user("dash-browser", password="mat-khau-123")
    Membership.objects.create(user=user, role="admin")
    page = open_page(f"{live_server.url}/accounts/login/?next=/dashboards/areas/{area.pk}/")
    page.fill("input[name=username]", "dash-browser")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("main button[type=submit]")  # not the language switch in the header
    page.wait_for_selector("#kcn-sign-out")
    page.wait_for_selector("body[data-charts-ready]")
    assert page.evaluate("() => document.documentElement.lang") == "vi"
    assert canvas_ink(page, "chart-clearance-status") > 1000
    page.wait_for_selector("#kcn-dash-map[data-rendered]")
    href = page.get_attribute("#kcn-dash-map-link", "href")
    assert href.startswith("/#bbox=")
    save_screenshot(page, "dashboard-area", full_page=True)
    # The map page opens on the area from that link.
    page.goto(f"{live_server.url}{href}")
    page.wait_for_function("() => window.kcn && kcn.map.getView().getCenter()")
    center = page.evaluate("() => kcn.map.getView().getCenter()")
    x0, y0, x1, y1 = area.boundary.transform(3857, clone=True).extent
    assert x0 <= center[0] <= x1 and y0 <= center[1] <= y1
