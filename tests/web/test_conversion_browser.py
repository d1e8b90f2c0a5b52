"""The conversion roadmaps as a browser reads them (headless Chromium, live server, demo data):
the Bình Định dashboard counts the overdue roadmap and marks Phú Tài's row, Phú Tài's page flags
its eco roadmap overdue (deadline 30 June 2026 passed, not certified) and lists the evidence.

The demo deadlines are fixed dates; the pages judge them against today, so the expectations
hold from 1 July 2026 until Phú Tài's smart deadline (31 December 2028).
"""

from __future__ import annotations

import datetime as dt

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


def test_dashboards_show_the_overdue_roadmap(live_server, open_page):
    from planning.models import AdminUnit, IndustrialArea

    if not dt.date(2026, 7, 1) <= dt.date.today() <= dt.date(2028, 12, 31):
        pytest.skip("the demo deadlines are judged against today")
    province = AdminUnit.objects.get(code="52", level="province")
    page = open_page(f"{live_server.url}/dashboards/{province.pk}/")
    assert page.inner_text("#fig-conversion-overdue .kcn-figure-value").strip() == "1"
    overdue_rows = page.locator("#table-conversion tr.kcn-overdue").all_inner_texts()
    assert len(overdue_rows) == 1 and "KCN Phú Tài" in overdue_rows[0]
    assert "3/13" in overdue_rows[0] and "30/06/2026" in overdue_rows[0]
    names = page.locator("#table-conversion tbody tr td:first-child").all_inner_texts()
    assert {"KCN Phú Tài", "KCN Hòa Hội", "KCN Becamex VSIP Bình Định", "KCN Phú Mỹ"} <= {
        n.strip() for n in names
    }

    area = IndustrialArea.objects.get(code="KCN-PHUTAI")
    page = open_page(f"{live_server.url}/dashboards/areas/{area.pk}/")
    eco = page.locator("#kcn-dash-roadmap-eco")
    assert eco.get_attribute("data-overdue") == "true"
    assert "3/13" in eco.inner_text() or "3 of 13" in eco.inner_text()
    assert page.locator("#kcn-dash-roadmap-smart").get_attribute("data-overdue") == "false"
    evidence = page.locator("#table-conversion_eco").inner_text()
    assert "điện mặt trời mái nhà 2,1 MWp" in evidence
    save_screenshot(page, "dashboard-area-conversion", full_page=True)
