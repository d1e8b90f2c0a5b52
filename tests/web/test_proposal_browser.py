"""The proposal workflow in a real headless Chromium against a live server with the demo data.

A commune staff member draws a cluster on the map (mouse clicks on the canvas), sees the rule
checks appear while drawing, saves and submits; the Department of Industry and Trade finds it in
its queue and approves it with a comment; the new planned cluster is then on the map page. Staff
of another unit, users without a role and anonymous visitors are refused. Screenshots go to
``$KCN_VAR_DIR/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from pyproj import Transformer

from planning import models as m
from tests.web.conftest import backend_label
from tests.web.test_map_browser import demo_site, transactional_db, wait_for_map, zoom_to_area  # noqa: F401

pytestmark = pytest.mark.slow

# About 25 ha beside a road in Phường Hoài Nhơn (demo unit 50705013, Gia Lai since 1/7/2025):
# room for a new cluster (no park or cluster there, size and unit rules met).
UNIT = "50705013"
SITE = [(109.02718, 14.37478), (109.03266, 14.37476), (109.03267, 14.37922), (109.02719, 14.37924)]
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)


def shot(page, name: str):
    folder = settings.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"proposal-{name}-{backend_label()}.png"))


@pytest.fixture
def accounts(transactional_db):
    User = get_user_model()
    unit = m.AdminUnit.objects.filter(code=UNIT).order_by("-valid_from").first()
    province = m.AdminUnit.objects.filter(code="24").order_by("-valid_from").first()
    other = (
        m.AdminUnit.objects.filter(level="commune", valid_to__isnull=True)
        .exclude(pk=unit.pk)
        .first()
    )
    made = {}
    for name, role, scope in (
        ("canbo_xa", "commune_staff", unit),
        ("canbo_khac", "commune_staff", other),
        ("so_cong_thuong", "industry_reviewer", province),
        ("khong_vai_tro", None, None),
    ):
        User.objects.filter(username=name).delete()
        user = User.objects.create_user(
            name, password=f"pw-{name}-2026", first_name=name.replace("_", " ").title()
        )
        if role:
            m.Membership.objects.create(user=user, role=role, admin_unit=scope)
        made[name] = user
    yield made
    m.Proposal.objects.filter(admin_unit=unit).delete()
    m.IndustrialArea.objects.filter(code__startswith=f"CCN-{UNIT}-").delete()
    User.objects.filter(username__in=list(made)).delete()


def login(page, base: str, username: str, next_url: str):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-2026")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def draw_site(page):
    """Fit the map to the site, then click its corners on the canvas and close the ring."""
    xs, ys = zip(*(TO_3857.transform(x, y) for x, y in SITE), strict=True)
    page.wait_for_function("() => window.kcnProposal && kcnProposal.map")
    page.evaluate(
        "(e) => kcnProposal.map.getView().fit(e, {padding: [120, 120, 120, 120]})",
        [min(xs) - 300, min(ys) - 300, max(xs) + 300, max(ys) + 300],
    )
    page.evaluate(
        "() => new Promise((r) => { kcnProposal.map.once('rendercomplete', r); "
        "kcnProposal.map.render(); })"
    )
    box = page.locator("#kcn-prop-map").bounding_box()
    points = []
    for x, y in zip(xs, ys, strict=True):
        px, py = page.evaluate("(c) => kcnProposal.map.getPixelFromCoordinate(c)", [x, y])
        points.append((box["x"] + px, box["y"] + py))
    for px, py in points + [points[0]]:
        page.mouse.click(px, py)
        page.wait_for_timeout(350)


def test_staff_draws_and_submits_reviewer_approves_and_the_area_is_mapped(
    live_server, open_page, accounts
):
    base = live_server.url
    # Anonymous: to the login page.
    page = open_page(f"{base}/proposals/")
    assert "/accounts/login/" in page.url and "next=/proposals/" in page.url

    # Commune staff: draw, watch the checks, save and submit.
    page = open_page("")
    login(page, base, "canbo_xa", "/proposals/new/")
    assert page.url.endswith("/proposals/new/")
    draw_site(page)
    page.wait_for_selector("#kcn-prop-form[data-checks]")
    page.wait_for_selector("#kcn-prop-check-list li.kcn-rule-pass[data-rule=area_limits]")
    assert page.locator("#kcn-prop-check-list li.kcn-rule-pass[data-rule=inside_unit]").count() == 1
    assert page.locator("#kcn-prop-check-list .kcn-rule-cite").count() >= 3  # legal citations shown
    assert "ha" in page.inner_text("#kcn-prop-check-status")
    page.fill("#kcn-prop-name", "Cụm công nghiệp Hoài Nhơn 3")
    page.fill(
        "#kcn-prop-rationale", "Đất trống cạnh quốc lộ, không có khu, cụm công nghiệp trong phường."
    )
    shot(page, "1-drawn-with-checks")
    page.click("#kcn-prop-submit")
    page.wait_for_url(re.compile(r".*/proposals/\d+/$"))
    assert page.get_attribute("#kcn-prop-status", "data-status") == "submitted"
    timeline = page.inner_text("#kcn-prop-timeline")
    assert "Tạo" in timeline and "Gửi thẩm định" in timeline
    assert page.locator("#kcn-prop-validation li").count() >= 5
    shot(page, "2-submitted")
    detail_url = page.url
    proposal = m.Proposal.objects.get(admin_unit__code=UNIT, name="Cụm công nghiệp Hoài Nhơn 3")
    assert (
        proposal.status == "submitted"
        and 20 < proposal.area_ha < 30
        and proposal.proposed_by.username == "canbo_xa"
    )

    # Staff of another commune: the proposal does not exist for them; no role: a clear 403 page.
    other = open_page("")
    login(other, base, "canbo_khac", "/proposals/")
    response = other.goto(detail_url)
    assert response.status == 404
    norole = open_page("")
    login(norole, base, "khong_vai_tro", "/proposals/")
    response = norole.goto(f"{base}/proposals/")
    assert response.status == 403
    assert "vai trò" in norole.inner_text("#kcn-prop-forbidden ~ p.kcn-prop-refusal")
    shot(norole, "3-no-role-refused")

    # The Department of Industry and Trade: queue, approve with a comment.
    reviewer = open_page("")
    login(reviewer, base, "so_cong_thuong", "/proposals/")
    row = reviewer.locator(f"#kcn-prop-queue tr[data-code='{proposal.code}']")
    assert row.count() == 1
    shot(reviewer, "4-reviewer-queue")
    row.locator("a").click()
    reviewer.wait_for_url(detail_url)
    reviewer.fill("#kcn-prop-comment", "Đồng ý đưa vào quy hoạch cụm công nghiệp.")
    reviewer.click("button[data-action=approve]")
    reviewer.wait_for_load_state("networkidle")
    assert reviewer.get_attribute("#kcn-prop-status", "data-status") == "approved"
    area_code = reviewer.inner_text("#kcn-prop-result a")
    assert "Đồng ý đưa vào quy hoạch" in reviewer.inner_text("#kcn-prop-timeline")
    shot(reviewer, "5-approved")
    area = m.IndustrialArea.objects.get(code=area_code)
    assert area.status == "planned" and area.kind == "CCN"

    # The map page: the planned cluster is among the parks and clusters (WFS) and drawn.
    reviewer.goto(f"{base}/")
    wait_for_map(reviewer)
    codes = reviewer.evaluate("() => kcn.areas.features().map((f) => f.get('code'))")
    assert area_code in codes
    zoom_to_area(reviewer, area_code)
    shot(reviewer, "6-planned-area-on-map")


def test_staff_states_the_figures_the_rules_read(live_server, open_page, accounts):
    """Issue 13 rules: the form's craft-village flag, land-use breakdown and phase areas go to
    the live check and are saved with the draft; the stored checks say the same."""
    base = live_server.url
    page = open_page("")
    login(page, base, "canbo_xa", "/proposals/new/")
    draw_site(page)
    page.wait_for_selector("#kcn-prop-check-list li[data-rule=isolation_strip]")
    page.check("#kcn-prop-craft")
    page.fill("input[name=isolation_strip_m]", "8")  # < 10 m
    page.fill("input[name=services_land_ha]", "3")  # 3 of about 25 ha: about 12 % > 10 %
    page.locator("input[name=phase_area]").first.fill("25")
    page.locator("input[name=services_land_ha]").dispatch_event("change")
    page.wait_for_selector("#kcn-prop-check-list li.kcn-rule-fail[data-rule=isolation_strip]")
    page.wait_for_selector("#kcn-prop-check-list li.kcn-rule-fail[data-rule=services_share]")
    assert page.locator("#kcn-prop-check-list li[data-rule=rice_phasing]").count() == 1
    shot(page, "7-figures-for-the-rules")
    page.fill("#kcn-prop-name", "Cụm công nghiệp làng nghề Hoài Nhơn")
    page.click("#kcn-prop-save")
    page.wait_for_url(re.compile(r".*/proposals/\d+/$"))
    p = m.Proposal.objects.get(admin_unit__code=UNIT, name="Cụm công nghiệp làng nghề Hoài Nhơn")
    assert p.is_craft_village and p.isolation_strip_m == 8 and p.services_land_ha == 3
    assert [(ph.number, ph.area_ha) for ph in p.phases.all()] == [(1, 25.0)]
    assert "Cụm công nghiệp làng nghề" in page.inner_text(".kcn-prop-facts")
