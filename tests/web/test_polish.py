"""What a new user trips over first: stale map tiles after an approval, Vietnamese numbers, the
side-panel tabs. Real headless Chromium and real HTTP against a live server with the demo data.

* A browser that already showed a tile must show the planned cluster an approval creates on its
  next look: tiles are sent ``no-cache`` with a validator (a 304 while unchanged), never with
  MapProxy's three-day lifetime, and staff layers are ``private``.
* Vietnamese pages write "5.279 ha" and "1.234,5"; English ones "5,279 ha" (Django's ``vi``
  locale groups no digits by itself).
* The map page's three side-panel tabs each fit on one line, in Vietnamese and in English.
"""

from __future__ import annotations

import base64
import json
import math
import re

import pytest
import requests
from django.contrib.auth import get_user_model

from planning import models as m
from planning.services import proposals as svc
from tests.jobs_support import TASKS_AT_ONCE
from tests.web.conftest import LAPTOP
from tests.web.test_map_browser import demo_site, transactional_db  # noqa: F401
from tests.web.test_proposal_browser import SITE, UNIT, login

pytestmark = pytest.mark.slow

ZOOM = 15


def tile_of(lon: float, lat: float, z: int = ZOOM) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int(
        (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi)
        / 2
        * n
    )
    return z, x, y


def tile_url(base: str, layer: str, tile) -> str:
    return f"{base}/ows/tiles/{layer}/GLOBAL_WEBMERCATOR/{tile[0]}/{tile[1]}/{tile[2]}.png"


@pytest.fixture
def under_review(transactional_db):
    """A cluster proposal of Phường Hoài Nhơn under review by the Department of Industry and
    Trade."""
    User = get_user_model()
    unit = m.AdminUnit.objects.filter(code=UNIT).order_by("-valid_from").first()
    province = m.AdminUnit.objects.filter(code="24").order_by("-valid_from").first()
    users = {}
    for name, role, scope in (
        ("canbo_xa", "commune_staff", unit),
        ("so_cong_thuong", "industry_reviewer", province),
    ):
        User.objects.filter(username=name).delete()
        users[name] = User.objects.create_user(name, password=f"pw-{name}-2026")
        m.Membership.objects.create(user=users[name], role=role, admin_unit=scope)
    ring = [list(p) for p in SITE + [SITE[0]]]
    proposal = svc.proposal_create(
        users["canbo_xa"],
        name="Cụm công nghiệp thử ô bản đồ",
        kind="CCN",
        admin_unit=unit,
        geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
    )
    svc.proposal_act(users["canbo_xa"], proposal, "submit")
    svc.proposal_act(users["so_cong_thuong"], proposal, "review")
    yield proposal
    m.Proposal.objects.filter(admin_unit=unit).delete()
    m.IndustrialArea.objects.filter(code__startswith=f"CCN-{UNIT}-").delete()
    User.objects.filter(username__in=list(users)).delete()


def _site_tile():
    lon = sum(p[0] for p in SITE) / len(SITE)
    lat = sum(p[1] for p in SITE) / len(SITE)
    return tile_of(lon, lat)


FETCH = """async (url) => {
    const r = await fetch(url);
    const bytes = new Uint8Array(await r.arrayBuffer());
    return {
        status: r.status,
        cacheControl: r.headers.get('Cache-Control'),
        b64: btoa(String.fromCharCode(...bytes)),
    };
}"""


def test_the_browser_shows_the_approved_cluster_on_tiles_it_already_had(
    live_server, open_page, under_review
):
    base = live_server.url
    tile = _site_tile()
    page = open_page("", viewport=LAPTOP)
    login(page, base, "so_cong_thuong", f"/proposals/{under_review.pk}/")
    # The detail page's map has drawn the site's tiles: the browser holds them.
    before = {
        layer: page.evaluate(FETCH, tile_url(base, layer, tile))
        for layer in ("industrial_areas", "proposals")
    }
    again = {layer: page.evaluate(FETCH, tile_url(base, layer, tile)) for layer in before}
    for layer, got in before.items():
        assert got["status"] == 200, layer
        assert "no-cache" in got["cacheControl"] and "max-age" not in got["cacheControl"], got[
            "cacheControl"
        ]
        assert (
            again[layer]["b64"] == got["b64"]
        )  # unchanged data: the same tile (a 304 behind the scenes)
    assert before["industrial_areas"]["cacheControl"].startswith("public")
    assert before["proposals"]["cacheControl"].startswith(
        "private"
    )  # staff layer: no shared cache keeps it

    page.fill("#kcn-prop-comment", "Đồng ý.")
    page.click("button[data-action=approve]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("#kcn-prop-status", "data-status") == "approved"

    after = {layer: page.evaluate(FETCH, tile_url(base, layer, tile)) for layer in before}
    # The new planned cluster is drawn on the parks-and-clusters tile, the proposal in its new
    # colour.
    assert after["industrial_areas"]["b64"] != before["industrial_areas"]["b64"]
    assert after["proposals"]["b64"] != before["proposals"]["b64"]
    # ... and they are the tiles a browser that never saw the old ones gets.
    fresh = open_page("", viewport=LAPTOP)
    login(fresh, base, "so_cong_thuong", f"/proposals/{under_review.pk}/")
    for layer in before:
        assert fresh.evaluate(FETCH, tile_url(base, layer, tile))["b64"] == after[layer]["b64"], (
            layer
        )


def test_tiles_revalidate_with_a_304_until_the_data_change(live_server, under_review):
    tile = _site_tile()
    url = tile_url(live_server.url, "industrial_areas", tile)
    first = requests.get(url, timeout=60)  # rendered by MapProxy (or already cached)
    assert first.status_code == 200 and "no-cache" in first.headers["Cache-Control"]
    second = requests.get(url, timeout=60)  # from the tile cache
    etag = second.headers["ETag"]
    assert second.content == first.content and second.headers.get("Last-Modified")
    unchanged = requests.get(url, headers={"If-None-Match": etag}, timeout=60)
    assert unchanged.status_code == 304 and unchanged.content == b""

    reviewer = get_user_model().objects.get(username="so_cong_thuong")
    svc.proposal_act(reviewer, under_review, "approve", "Đồng ý.")
    changed = requests.get(url, headers={"If-None-Match": etag}, timeout=60)
    assert changed.status_code == 200 and changed.content != first.content
    assert changed.headers["ETag"] != etag

    # A staff layer never answers an anonymous conditional request with a 304 (nor a tile).
    staff_url = tile_url(live_server.url, "proposals", tile)
    auth = "Basic " + base64.b64encode(b"so_cong_thuong:pw-so_cong_thuong-2026").decode()
    requests.get(staff_url, headers={"Authorization": auth}, timeout=60)
    staff = requests.get(staff_url, headers={"Authorization": auth}, timeout=60)
    assert staff.status_code == 200 and staff.headers["Cache-Control"].startswith("private")
    anonymous = requests.get(
        staff_url, headers={"If-None-Match": staff.headers["ETag"]}, timeout=60
    )
    assert anonymous.status_code not in (200, 304)


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,grouped,ungrouped",
    [
        ("vi", r"\b\d{1,3}(?:\.\d{3})+ ha\b", r"\b\d{4,}(?:,\d+)? ha\b"),
        ("en", r"\b\d{1,3}(?:,\d{3})+ ha\b", r"\b\d{4,}(?:\.\d+)? ha\b"),
    ],
)
def test_dashboard_numbers_are_grouped_in_the_page_language(
    live_server, open_page, lang, grouped, ungrouped
):
    page = open_page(f"{live_server.url}/dashboards/")
    if lang == "en":
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
    hrefs = page.eval_on_selector_all(
        "a[href^='/dashboards/']", "els => els.map((e) => e.getAttribute('href'))"
    )
    provinces = [h for h in hrefs if re.fullmatch(r"/dashboards/\d+/", h)]
    assert provinces
    texts = []
    for href in provinces:
        page.goto(live_server.url + href)
        page.wait_for_load_state("networkidle")
        texts.append(page.inner_text("main"))
    text = "\n".join(texts)
    assert re.search(grouped, text), f"no grouped hectares in {lang}"
    assert not re.search(ungrouped, text), re.search(ungrouped, text).group(0)


# --- the side panel -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_panel_tabs_fit_on_one_line(live_server, open_page, lang, under_review):
    page = open_page("")
    login(page, live_server.url, "canbo_xa", "/")  # signed in: the Jobs tab shows too
    if lang == "en":
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
        page.goto(live_server.url + "/")
    tabs = page.eval_on_selector_all(
        ".kcn-tabs [role=tab]",
        """els => els.filter((e) => e.offsetParent !== null).map((e) => {
            const style = getComputedStyle(e);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
            const range = document.createRange();
            range.selectNodeContents(e);
            return {text: e.textContent.trim(), lines: range.getClientRects().length,
                    textHeight: range.getBoundingClientRect().height, line,
                    clipped: e.scrollWidth > e.clientWidth + 1};
        })""",
    )
    assert [t["text"] for t in tabs][:2] == (
        ["Lớp bản đồ", "Bộ lọc"] if lang == "vi" else ["Map layers", "Filters"]
    )
    assert len(tabs) == 3 and tabs[2]["text"] in ("Công việc", "Jobs")
    for tab in tabs:
        assert tab["textHeight"] < 1.5 * tab["line"], tab
        assert not tab["clipped"], tab


# --- English pages say English -----------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,texts",
    [
        (
            "en",
            ["Under review", "Industrial cluster (CCN)", "Submitted for review", "Review started"],
        ),
        ("vi", ["Đang thẩm định", "Cụm công nghiệp (CCN)", "Gửi thẩm định", "Bắt đầu thẩm định"]),
    ],
)
def test_proposal_pages_in_the_page_language(client, under_review, lang, texts):
    from django.conf import settings

    client.force_login(get_user_model().objects.get(username="so_cong_thuong"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(f"/proposals/{under_review.pk}/").content.decode()
    status = re.search(r'id="kcn-prop-status"[^>]*>([^<]+)<', html).group(1)
    assert status == texts[0]
    for text in texts[1:4]:
        assert text in html, text
    other = "Đang thẩm định" if lang == "en" else ">Under review<"
    assert other not in html
    # "Checked 22/11/2026 13:52." — a readable local time, not an ISO string cut in two.
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}\. ", html)
    listing = client.get("/proposals/").content.decode()
    assert texts[0] in listing


def test_audit_log_counts_with_thousands_and_local_times(client, under_review):
    admin = get_user_model().objects.create_superuser(
        "polish_admin", password="pw-polish-admin-2026"
    )
    svc.proposal_act(
        get_user_model().objects.get(username="so_cong_thuong"), under_review, "approve", "Đồng ý."
    )
    client.force_login(admin)
    html = client.get("/admin/audit/", {"model": "planning.Proposal"}).content.decode()
    total = client.get("/admin/audit/").content.decode()
    assert re.search(r"\d{1,3}(?:\.\d{3})+ bản ghi", total), (
        "the demo history has thousands of rows"
    )
    assert "Who changed" not in total  # one language on the page
    # decided_at shows as a local time, like the "Thời điểm" column, not "2026-…+00:00".
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+\+00:00", html)
    assert re.search(r"<ins>\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}</ins>", html)
    admin.delete()


# --- analysis results on tiles --------------------------------------------------------------------


def test_a_new_analysis_run_refreshes_its_result_tiles(live_server, under_review, settings):
    """Runs write their results in bulk (no save signals): the tiles of the old results must go."""
    from PIL import Image

    from planning.services.analysis_runs import analysis_run

    settings.TASKS = TASKS_AT_ONCE
    province = (
        m.AdminUnit.objects.filter(code="52", level="province").order_by("valid_from").first()
    )
    first = analysis_run("infrastructure-gaps", province=province)
    assert first.status == "done", first.error if hasattr(first, "error") else first.status
    water = (
        m.InfrastructureConnector.objects.filter(run=first, network="water", is_current=True)
        .exclude(geom__isnull=True)
        .order_by("-distance_m")
        .first()
    )
    assert water is not None, "the demo province has areas away from the water network"
    lon, lat = water.geom.point_on_surface.coords
    tile = tile_of(lon, lat, 14)
    url = tile_url(live_server.url, "infrastructure_connectors", tile)
    auth = {
        "Authorization": "Basic "
        + base64.b64encode(b"so_cong_thuong:pw-so_cong_thuong-2026").decode()
    }

    def painted(content: bytes) -> int:
        img = Image.open(__import__("io").BytesIO(content)).convert("RGBA")
        return sum(1 for a in img.getchannel("A").tobytes() if a > 0)

    before = requests.get(url, headers=auth, timeout=60)
    assert before.status_code == 200 and painted(before.content) > 0
    assert (
        requests.get(url, headers=auth, timeout=60).content == before.content
    )  # now from the tile cache

    second = analysis_run(
        "infrastructure-gaps", province=province, criteria={"networks": ["power"]}
    )  # no water this time
    assert second.status == "done"
    assert not m.InfrastructureConnector.objects.filter(
        network="water", is_current=True, area=water.area
    ).exists()
    after = requests.get(url, headers=auth, timeout=60)
    assert after.status_code == 200 and after.content != before.content
