"""The "Jobs" tab in a real headless Chromium: analyses and imports run by a job worker (a thread
beside the live server), the page polls them, and a reload finds them again (they are stored).

Reuses the demo-site fixtures of test_map_browser (demo data loaded once for the module); the
rasters of Bình Định are built at 100 m into a temporary directory so a site suggestion takes a
few seconds.
"""

from __future__ import annotations

import json
import shutil
import tempfile

import pytest
from django.test import override_settings

from tests.jobs_support import TASKS_QUEUED, worker_thread
from tests.web.conftest import LAPTOP, save_screenshot
from tests.web.test_map_browser import demo_site, settle, transactional_db, wait_for_map  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def jobs_site(demo_site, django_db_blocker):  # noqa: F811
    """Demo data + Bình Định rasters, background runners, uploads in a temporary MEDIA_ROOT."""
    from planning.services.rasters import rasters_build

    tmp = tempfile.mkdtemp(prefix="kcn-jobs-browser-")
    override = override_settings(
        KCN_RASTER_DIR=f"{tmp}/rasters",
        MEDIA_ROOT=f"{tmp}/media",
        TASKS=TASKS_QUEUED,
    )
    override.enable()
    try:
        with django_db_blocker.unblock():
            rasters_build(resolution_m=100.0, provinces=("Bình Định",))
        # A job worker beside the live server, as `make run` starts one.
        with django_db_blocker.unblock(), worker_thread():
            yield tmp
    finally:
        override.disable()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def reviewer(jobs_site, django_db_blocker):
    """Sở Công Thương Bình Định: runs analyses and may import parks and clusters of the province."""
    from django.contrib.auth import get_user_model

    from planning.models import AdminUnit, Membership

    with django_db_blocker.unblock():
        user, created = get_user_model().objects.get_or_create(username="sct_binh_dinh")
        if created:
            user.set_password("mat-khau-sct")
            user.save()
            Membership.objects.create(
                user=user,
                role="industry_reviewer",
                admin_unit=AdminUnit.objects.get(code="52", level="province"),
            )
    return user


def sign_in(page, live_server):
    page.goto(live_server.url + "/accounts/login/?next=/")
    page.fill("#id_username", "sct_binh_dinh")
    page.fill("#id_password", "mat-khau-sct")
    page.click("main button[type=submit]")
    page.wait_for_selector("#kcn-sign-out")
    wait_for_map(page)


def open_jobs_tab(page):
    page.click("#kcn-tab-jobs")
    page.wait_for_selector("#kcn-tab-panel-jobs:not([hidden])")
    # The list is loaded from the server on page load.
    page.wait_for_function(
        "() => document.getElementById('kcn-tab-panel-jobs').dataset.jobs !== undefined"
    )


def job_item(page, key):
    return page.locator(f'#kcn-job-list [data-job="{key}"]')


def test_anonymous_users_have_no_jobs_tab(live_server, open_page, jobs_site):
    page = open_page(live_server.url + "/")
    wait_for_map(page)
    assert page.locator("#kcn-tab-jobs").count() == 0
    assert page.locator("#kcn-tab-panel-jobs").count() == 0


def record_progress(page) -> None:
    """Record in ``window.seenProgress`` every (status, progress) the job list shows from now on,
    starting with what it shows now (a fast run may already be done, and then nothing
    re-renders)."""
    page.evaluate("""() => {
        const record = () => {
            for (const li of document.querySelectorAll('#kcn-job-list [data-type=analysis]')) {
                window.seenProgress.push([li.dataset.status, Number(li.dataset.progress)]);
            }
        };
        window.seenProgress = [];
        record();
        new MutationObserver(record).observe(
            document.getElementById('kcn-job-list'), {childList: true, subtree: true});
    }""")


def test_site_suggestion_from_the_jobs_tab_survives_a_reload(
    live_server, open_page, reviewer, jobs_site
):
    page = open_page("", viewport=LAPTOP)
    sign_in(page, live_server)
    open_jobs_tab(page)
    assert page.locator("#kcn-tab-jobs").inner_text().startswith("Công việc")
    assert page.locator("#kcn-jobs-empty").is_visible()

    # Record every progress value the list shows, across re-renders.
    record_progress(page)
    page.select_option("#kcn-analysis-name", "site-suggestion")
    page.select_option("#kcn-analysis-province", "52")
    page.check("#kcn-analysis-form input[name=kind][value=CCN]")
    page.fill("#kcn-analysis-corridor", "3000")
    page.fill("#kcn-analysis-max", "3")
    # Roads to follow (issue 13): local roads by default (ĐT, ĐH), national roads on request.
    road = "#kcn-analysis-form input[name=road_classes][value={}]".format
    assert page.locator("#kcn-analysis-road-classes legend").inner_text() == "Tuyến đường được xét"
    assert page.is_checked(road("provincial")) and page.is_checked(road("district"))
    assert not page.is_checked(road("national")) and not page.is_checked(road("expressway"))
    page.check(road("national"))
    page.click("#kcn-analysis-start")
    page.wait_for_selector("#kcn-analysis-form .kcn-form-status[data-state=ok]")
    assert (
        page.locator("#kcn-analysis-form .kcn-form-status").inner_text() == "Đã bắt đầu phân tích."
    )

    from planning.models import AnalysisRun

    run = AnalysisRun.objects.filter(started_by=reviewer).latest("pk")
    assert run.params["criteria"]["corridor_m"] == 3000 and run.params["criteria"]["max_count"] == 3
    assert run.params["criteria"]["road_classes"] == ["national", "provincial", "district"]
    key = f"analysis-{run.pk}"
    item = job_item(page, key)
    item.wait_for()
    assert "Đề xuất vị trí" in item.inner_text() and "Bình Định" in item.inner_text()
    first_status = item.get_attribute("data-status")
    assert first_status in ("queued", "running", "done")
    save_screenshot(page, "jobs-site-suggestion-started")

    # Reload at once (mid-run when the run is still going): the job is listed again from the server.
    page.reload()
    wait_for_map(page)
    open_jobs_tab(page)
    item = job_item(page, key)
    item.wait_for()
    assert item.get_attribute("data-status") in ("queued", "running", "done")
    record_progress(page)
    page.wait_for_selector(f'#kcn-job-list [data-job="{key}"][data-status=done]', timeout=120_000)
    item = job_item(page, key)
    assert item.get_attribute("data-progress") == "100"
    assert item.locator("progress").evaluate("p => p.value") == 100
    text = item.inner_text()
    assert "Hoàn thành" in text and "100%" in text
    run.refresh_from_db()
    assert run.status == "done"
    count = run.results["count"]
    assert 1 <= count <= 3
    assert f"Đề xuất {count} vị trí" in text
    assert " giây" in item.locator(".kcn-job-duration").inner_text()  # how long it took
    seen = page.evaluate("() => window.seenProgress")
    progress = [p for _s, p in seen]
    assert progress == sorted(progress) and progress[-1] == 100, seen
    assert (
        page.locator("#kcn-tab-panel-jobs").get_attribute("data-polling") == "false"
    )  # stops when all are done

    # Downloads of the sites: CSV (Excel-friendly), XLSX and GeoPackage, each with every site.
    csv_text = (
        page.request.get(item.locator(".kcn-job-export-csv").get_attribute("href"))
        .body()
        .decode("utf-8")
    )
    assert (
        csv_text.startswith("\ufeffThứ hạng,Loại,Diện tích (ha)")
        and len(csv_text.strip().splitlines()) == count + 1
    )
    xlsx = page.request.get(item.locator(".kcn-job-export-xlsx").get_attribute("href"))
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"
    gpkg = page.request.get(item.locator(".kcn-job-export-gpkg").get_attribute("href"))
    assert gpkg.status == 200 and gpkg.body().startswith(b"SQLite format 3")
    import pyogrio

    gpkg_path = f"{jobs_site}/sites-{run.pk}.gpkg"
    with open(gpkg_path, "wb") as f:
        f.write(gpkg.body())
    info = pyogrio.read_info(gpkg_path)
    assert (
        info["features"] == count and info["crs"] == "EPSG:4326" and "score" in list(info["fields"])
    )

    # The results on the map: the layer turns on and the view goes to the run's sites.
    before = page.evaluate("() => kcn.map.getView().getCenter()")
    item.locator(".kcn-job-show").click()
    page.wait_for_function(
        f"() => document.getElementById('kcn-tab-panel-jobs').dataset.shownRun === '{run.pk}'"
    )
    settle(page)
    assert page.evaluate("() => kcn.layers.suggested_sites.getVisible()") is True
    assert page.locator('[data-layer-toggle="suggested_sites"]').is_checked()
    assert page.locator("#kcn-tab-panel-jobs").get_attribute("data-shown-sites") == str(count)
    after = page.evaluate("() => kcn.map.getView().getCenter()")
    assert after != before
    # Every site of the run is inside the view the map went to.
    inside = page.evaluate("""() => {
        const extent = kcn.map.getView().calculateExtent(kcn.map.getSize());
        const layer = kcn.map.getLayers().getArray().find((l) => l.get('name') === 'job_sites');
        return layer.getSource().getFeatures().map((f) => {
            const e = f.getGeometry().getExtent();
            return e[0] >= extent[0] && e[1] >= extent[1] && e[2] <= extent[2] && e[3] <= extent[3];
        });
    }""")
    assert inside == [True] * count
    save_screenshot(page, "jobs-site-suggestion-on-map")


def test_upload_a_geojson_into_a_layer_and_see_the_count(
    live_server, open_page, reviewer, tmp_path
):
    from planning.models import ImportJob, IndustrialArea

    features = []
    for i in range(3):
        x0, y0 = 109.02 + i * 0.012, 13.97
        ring = [[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "code": f"CCN-THU-{i}",
                    "name": f"CCN Thử {i}",
                    "kind": "CCN",
                    "planned_area_ha": 50,
                    "industrial_land_ha": 35,
                },
            }
        )
    path = tmp_path / "cum_moi.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )

    page = open_page("", viewport=LAPTOP)
    sign_in(page, live_server)
    open_jobs_tab(page)
    page.locator("summary", has_text="Nhập tệp vào lớp dữ liệu").click()
    layers = page.locator("#kcn-import-layer option").all_inner_texts()
    assert "Khu, cụm công nghiệp" in layers and "Thửa đất giải phóng mặt bằng" not in layers
    assert (
        page.locator("#kcn-import-mode option[value=replace]").count() == 0
    )  # administrators only
    page.select_option("#kcn-import-layer", "industrial_areas")
    page.set_input_files("#kcn-import-file", str(path))
    page.click("#kcn-import-start")
    page.wait_for_selector("#kcn-import-form .kcn-form-status[data-state=ok]")

    job = ImportJob.objects.filter(started_by=reviewer).latest("pk")
    key = f"import-{job.pk}"
    page.wait_for_selector(f'#kcn-job-list [data-job="{key}"][data-status=done]', timeout=60_000)
    item = job_item(page, key)
    text = item.inner_text()
    assert "cum_moi.geojson" in text and "Khu, cụm công nghiệp" in text
    assert "3 đối tượng: 3 tạo mới, 0 cập nhật, 0 xóa" in text
    assert IndustrialArea.objects.filter(code__startswith="CCN-THU-").count() == 3
    save_screenshot(page, "jobs-import-done")
    # "Show the layer" reloads the parks and clusters: the three new clusters are on the map.
    before = int(page.locator("#kcn-map").get_attribute("data-areas"))
    item.locator(".kcn-job-show-layer").click()
    page.wait_for_selector(f'#kcn-map[data-areas="{before + 3}"]')
    assert (
        page.evaluate(
            "() => kcn.areas.features().filter((f) => f.get('code').startsWith('CCN-THU-')).length"
        )
        == 3
    )

    # The same file again: the codes exist, so the upsert updates them; a bad row fails the job.
    features[1]["properties"]["kind"] = "XYZ"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    page.select_option("#kcn-import-mode", "upsert")
    page.set_input_files("#kcn-import-file", str(path))
    page.click("#kcn-import-start")
    page.wait_for_function(
        "() => document.querySelectorAll('#kcn-job-list [data-type=import]').length === 2"
    )
    failed = ImportJob.objects.filter(started_by=reviewer).latest("pk")
    page.wait_for_selector(
        f'#kcn-job-list [data-job="import-{failed.pk}"][data-status=failed]', timeout=60_000
    )
    text = job_item(page, f"import-{failed.pk}").inner_text()
    assert "Không nhập gì" in text and "Dòng 2:" in text and "XYZ" in text
    assert IndustrialArea.objects.filter(code__startswith="CCN-THU-").count() == 3
    IndustrialArea.objects.filter(code__startswith="CCN-THU-").delete()
