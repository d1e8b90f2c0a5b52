"""The imports API (POST/GET /api/v1/imports/) and the caller's jobs list (/api/v1/jobs/)."""

from __future__ import annotations

import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from planning import models as m
from tests.jobs_support import TASKS_AT_ONCE, TASKS_QUEUED, worker_thread
from tests.planning.test_import_jobs import AN_HIEP, park


def upload(*features, name="parks.geojson"):
    body = json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = TASKS_AT_ONCE


@pytest.fixture
def reviewer(binh_dinh):
    province, _ = binh_dinh
    user = get_user_model().objects.create_user("sct", password="pw-sct-1")
    m.Membership.objects.create(user=user, role="industry_reviewer", admin_unit=province)
    return user


@pytest.fixture
def client_of():
    def make(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return make


def test_post_answers_202_with_the_job_and_it_can_be_polled(reviewer, client_of):
    api = client_of(reviewer)
    r = api.post(
        "/api/v1/imports/",
        {
            "layer": "industrial_areas",
            "file": upload(park("KCN-1"), park("KCN-2", k=1)),
            "mode": "append",
            "srs": "",
        },
        format="multipart",
    )
    assert r.status_code == 202, r.content
    body = r.json()
    assert r["Location"] == body["url"] and body["url"].endswith(f"/api/v1/imports/{body['id']}/")
    assert (
        body["type"] == "import"
        and body["layer"] == "industrial_areas"
        and body["file_name"] == "parks.geojson"
    )
    job = api.get(body["url"]).json()
    assert job["status"] == "done" and job["progress"] == 100
    assert (job["features"], job["created"], job["updated"]) == (2, 2, 0)
    assert job["started_by"] == "sct" and job["errors"] == []
    listed = api.get("/api/v1/imports/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    mine = api.get("/api/v1/jobs/").json()
    assert mine["active"] == 0 and [j["type"] for j in mine["jobs"]] == ["import"]


def test_failing_row_is_reported_on_the_job(reviewer, client_of, soc_trang):
    api = client_of(reviewer)
    r = api.post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(park("KCN-1"), park("KCN-ST", at=AN_HIEP))},
        format="multipart",
    )
    assert r.status_code == 202
    job = api.get(r.json()["url"]).json()
    assert job["status"] == "failed"
    # In the language of the request that started it: Vietnamese by default.
    assert job["errors"] == [{"row": 2, "reason": "Xã An Hiệp (31510) nằm ngoài địa bàn của bạn"}]
    assert m.IndustrialArea.objects.count() == 0


def test_importing_needs_the_edit_right(binh_dinh, client_of):
    province, commune = binh_dinh
    user = get_user_model().objects.create_user("xa", password="pw-xa-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
    r = client_of(user).post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(park("KCN-1"))},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        "you may not edit layer 'industrial_areas', so you may not import into it"
    )
    r = client_of(user).post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(park("KCN-1"))},
        format="multipart",
    )
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        "bạn không có quyền sửa lớp 'industrial_areas' nên không thể nhập vào lớp này"
    )
    assert m.ImportJob.objects.count() == 0
    assert APIClient().post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(park("K"))},
        format="multipart",
    ).status_code in (401, 403)
    assert APIClient().get("/api/v1/jobs/").status_code in (401, 403)


@pytest.mark.parametrize(
    "accept, message",
    [
        ("en", "largest import accepted is 200 bytes"),
        (None, "tệp nhập lớn nhất được nhận là 200 byte"),
    ],
)
def test_oversized_file_is_413_with_the_limit(reviewer, client_of, settings, accept, message):
    settings.PLANNING_MAX_UPLOAD_BYTES = 200
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    r = client_of(reviewer).post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(park("KCN-1"), park("KCN-2", k=1))},
        format="multipart",
        **headers,
    )
    assert r.status_code == 413
    err = r.json()["error"]
    assert err["code"] == "too_large" and message in err["message"]
    assert m.ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"layer": "industrial_areas"}, 400, "file: Không có tập tin nào được gửi."),
        ({"layer": "no_such_layer", "file": "FILE"}, 400, "no_such_layer"),
        ({"layer": "industrial_areas", "mode": "merge", "file": "FILE"}, 400, "mode"),
        ({"layer": "suggested_sites", "file": "FILE"}, 400, "chứa kết quả các lần chạy phân tích"),
        (
            {"layer": "industrial_areas", "mode": "replace", "file": "FILE"},
            403,
            "chỉ quản trị viên được làm",
        ),
    ],
    ids=["no-file", "unknown-layer", "bad-mode", "result-layer", "replace"],
)
def test_bad_requests_are_refused_with_the_reason(reviewer, client_of, data, status, message):
    data = {k: (upload(park("KCN-1")) if v == "FILE" else v) for k, v in data.items()}
    r = client_of(reviewer).post("/api/v1/imports/", data, format="multipart")
    assert r.status_code == status, r.content
    assert message in r.json()["error"]["message"]


def test_users_see_only_their_own_jobs(reviewer, client_of, binh_dinh):
    province, _ = binh_dinh
    other = get_user_model().objects.create_user("sct2", password="pw-sct-2")
    m.Membership.objects.create(user=other, role="industry_reviewer", admin_unit=province)
    r = client_of(reviewer).post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(park("KCN-1"))},
        format="multipart",
    )
    url = r.json()["url"]
    assert client_of(other).get(url).status_code == 404
    assert client_of(other).get("/api/v1/imports/").json()["count"] == 0
    admin = get_user_model().objects.create_superuser("root", password="pw-root-1")
    assert client_of(admin).get(url).status_code == 200


def test_jobs_list_merges_runs_and_imports_newest_first(reviewer, client_of, binh_dinh):
    api = client_of(reviewer)
    api.post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(park("KCN-1"))},
        format="multipart",
    )
    time.sleep(0.01)
    r = api.post("/api/v1/analyses/efficiency/", {"province": "52"}, format="json")
    assert r.status_code == 201, r.content
    jobs = api.get("/api/v1/jobs/").json()["jobs"]
    assert [j["type"] for j in jobs] == ["analysis", "import"]
    assert jobs[0]["analysis"] == "efficiency" and jobs[0]["status"] == "done"
    assert set(jobs[0]["links"]) >= {"csv", "xlsx"}
    assert api.get("/api/v1/jobs/?limit=0").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_background_import_is_seen_running_then_done(binh_dinh, settings):
    """A worker beside the server: the 202 comes back at once and polling sees the job finish."""
    settings.TASKS = TASKS_QUEUED
    province, _ = binh_dinh
    user = get_user_model().objects.create_user("sct3", password="pw-sct-3")
    m.Membership.objects.create(user=user, role="industry_reviewer", admin_unit=province)
    api = APIClient()
    api.force_authenticate(user)
    r = api.post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", "file": upload(*[park(f"K{i}", k=i) for i in range(5)])},
        format="multipart",
    )
    assert r.status_code == 202 and r.json()["status"] == "queued"
    assert api.get("/api/v1/jobs/").json()["active"] == 1
    with worker_thread():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = api.get(r.json()["url"]).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
    assert job["status"] == "done", job
    assert job["created"] == 5 and m.IndustrialArea.objects.count() == 5


def test_jobs_form_says_whose_rasters_a_merged_province_reads(reviewer, binh_dinh, client):
    """Gia Lai (from 1/7/2025) has no rasters; the form says it reads Bình Định's
    (raster_stand_in)."""
    import datetime as dt

    from tests.conftest import box4326

    province, _ = binh_dinh
    gia_lai = m.AdminUnit.objects.create(
        code="64",
        name="Gia Lai",
        level="province",
        zone_srid=9217,
        boundary=box4326(107.5, 12.5, 109.5, 14.8),
        valid_from=dt.date(2025, 7, 1),
    )
    m.AdminUnit.objects.create(  # Kon Tum
        code="62",
        name="Kon Tum",
        level="province",
        zone_srid=9217,
        boundary=box4326(107.3, 14.0, 108.5, 15.4),
        valid_from=dt.date(1991, 8, 12),
    )
    m.AdminUnitSuccession.objects.create(predecessor=province, successor=gia_lai, area_share=1)
    for kind in ("dem", "landcover", "flood", "population"):
        m.RasterLayer.objects.create(
            name=f"{kind}:52:30m",
            kind=kind,
            path=f"52/{kind}.tif",
            srid=9217,
            resolution_m=30,
            checksum="0" * 64,
        )
    client.force_login(reviewer)
    html = client.get("/").content.decode()
    assert "Gia Lai (từ 2025) — dùng raster của Bình Định</option>" in html
    assert "Kon Tum (từ 1991) — chưa có raster</option>" in html
    assert "Bình Định (1976–2025)</option>" in html
