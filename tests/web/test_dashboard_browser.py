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


# --- issue 13 plan: plan versus actual read from the provincial plan ----------------------------
# (placed before the staff test below: after it the module's demo data were gone on PostGIS)
PLAN_COLUMNS = ("kind", "in_plan", "planned_ha", "established", "established_ha")


def _plan_table(page) -> dict[str, tuple]:
    """The plan-versus-actual table as the reader sees it: kind label → the first five cells."""
    rows = page.eval_on_selector_all(
        "table[data-table=plan_vs_actual] tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
    )
    return {r[0]: tuple(r[1:5]) for r in rows}


@pytest.mark.parametrize(
    "code, kcn, ccn",
    [
        # Sóc Trăng, the article of 12 Feb 2025 (../shared/sources/003_…): 10 KCN, 4,334 ha
        # (An Nghiệp 243 + Trần Đề 160 = 403 ha established); 18 CCN, 983.6 ha, 5 established
        # on 202.5 ha.
        ("94", ("10", "4.334,0", "2", "403,0"), ("18", "983,6", "5", "202,5")),
        # Bình Định, DOMAIN.md §6.1: 15 KCN ≈ 6,714 ha, 68 CCN ≈ 3,470 ha; established are the
        # demo's records of an established status (10 KCN on 4,675.5 ha; 15 CCN on 428.4 ha).
        ("52", ("15", "6.714,0", "10", "4.675,5"), ("68", "3.470,0", "15", "428,4")),
    ],
)
def test_dashboard_shows_plan_versus_actual_from_the_provincial_plan(
    live_server, open_page, code, kcn, ccn
):
    from planning.models import AdminUnit

    province = AdminUnit.objects.get(code=code, level="province")
    page = open_page(f"{live_server.url}/dashboards/{province.pk}/")
    page.wait_for_selector("body[data-charts-ready]")
    table = _plan_table(page)
    assert table == {"Khu công nghiệp (KCN)": kcn, "Cụm công nghiệp (CCN)": ccn}
    counted_from = page.eval_on_selector_all(
        "table[data-table=plan_vs_actual] tbody tr td:last-child",
        "cs => cs.map(c => c.textContent)",
    )
    assert counted_from == ["quy hoạch tỉnh", "quy hoạch tỉnh"]
    # the headline figures say the same, and the chart draws the plan's hectares
    assert page.get_attribute("#fig-plan-KCN", "data-basis") == "plan"
    assert page.inner_text("#fig-plan-KCN .kcn-figure-value") == f"{kcn[0]} KCN · {kcn[1]} ha"
    assert page.inner_text("#fig-plan-CCN .kcn-figure-value") == f"{ccn[0]} CCN · {ccn[1]} ha"
    planned = page.evaluate("() => kcnDashboard.charts.plan.data.datasets[0].data")
    as_number = [float(x.replace(".", "").replace(",", ".")) for x in (kcn[1], ccn[1])]
    assert planned == as_number
    note = page.inner_text("#table-plan_vs_actual .kcn-dash-note")
    assert ("995/QĐ-TTg" if code == "94" else "1619/QĐ-TTg") in note


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
