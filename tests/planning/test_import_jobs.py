"""Import jobs (layers.io.jobs): progress, all-or-nothing, rights and scope.

The files are small GeoJSON documents written by hand; the parks sit in the synthetic communes
of the ``binh_dinh`` (Xã Cát Hanh, 108.95–109.1 E, 13.95–14.1 N) and ``soc_trang`` (Xã An Hiệp,
105.88–105.98 E, 9.6–9.7 N) fixtures.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from layers.io import jobs as svc
from planning import models as m
from planning.services import jobs
from tests.jobs_support import TASKS_AT_ONCE, TASKS_QUEUED, dead_pid, tasks_run_ready

CAT_HANH = (109.0, 14.0)
AN_HIEP = (105.9, 9.65)


def park(code: str, at=CAT_HANH, k: int = 0, **props) -> dict:
    x0, y0 = at[0] + k * 0.012, at[1]
    ring = [[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]
    properties = {
        "code": code,
        "name": f"KCN {code}",
        "kind": "KCN",
        "planned_area_ha": 120.5,
        "industrial_land_ha": 80.25,
        **props,
    }
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def geojson(*features, name="parks.geojson") -> SimpleUploadedFile:
    body = json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


@pytest.fixture(autouse=True)
def _media_and_runner(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = TASKS_AT_ONCE  # a job runs when it is submitted
    # The default language (Vietnamese), not one a request of an earlier test left active in this
    # thread: a job takes the language active when it is submitted.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def reviewer(binh_dinh):
    """Sở Công Thương Bình Định: may edit parks and clusters in the province."""
    province, _commune = binh_dinh
    user = get_user_model().objects.create_user("sct_binhdinh", password="pw-sct-1")
    m.Membership.objects.create(user=user, role="industry_reviewer", admin_unit=province)
    return user


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("quantri", password="pw-admin-1")


def test_import_job_runs_records_progress_and_counts(reviewer, soc_trang, monkeypatch):
    seen = []
    original = svc._write_side
    monkeypatch.setattr(
        svc, "_write_side", lambda pk, pct, msg: (seen.append((pct, msg)), original(pk, pct, msg))
    )
    features = [park(f"KCN-{i}", k=i) for i in range(6)]
    job = svc.import_submit(user=reviewer, layer="industrial_areas", upload=geojson(*features))
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert (job.features, job.created_count, job.updated_count, job.deleted_count) == (6, 6, 0, 0)
    assert job.progress == 100 and job.progress_message == "hoàn thành: 6 đối tượng"
    assert job.started_by == reviewer and job.original_name == "parks.geojson"
    assert job.file.name.startswith("imports/") and job.file.size == job.size_bytes
    assert job.started_at <= job.finished_at and job.duration_s >= 0
    assert job.source_crs.startswith("EPSG:4326")
    # Progress went up row by row while the rows were written, then was committed at 100.
    pcts = [p for p, _msg in seen]
    assert pcts == sorted(pcts) and pcts[0] <= 10
    assert any(10 < p < 95 for p in pcts), seen
    assert any("/6 đối tượng" in msg for _p, msg in seen)
    assert not svc._progress_path(job.pk).exists()  # the side file is gone once the job ends
    assert sorted(m.IndustrialArea.objects.values_list("code", flat=True)) == [
        f"KCN-{i}" for i in range(6)
    ]
    assert m.IndustrialArea.objects.get(code="KCN-0").admin_unit.name == "Xã Cát Hanh"


def test_a_failing_row_leaves_nothing_and_names_the_row(reviewer):
    loads = m.DatasetLoad.objects.count()
    with translation.override("en"):  # started from an English request: its messages are English
        job = svc.import_submit(
            user=reviewer,
            layer="industrial_areas",
            upload=geojson(park("KCN-1"), park("KCN-2", k=1, kind="XYZ"), park("KCN-3", k=2)),
        )
    job.refresh_from_db()
    assert job.status == "failed"
    assert m.IndustrialArea.objects.count() == 0
    assert m.DatasetLoad.objects.count() == loads
    assert len(job.errors) == 1 and job.errors[0]["row"] == 2
    assert "kind" in job.errors[0]["reason"] and "XYZ" in job.errors[0]["reason"]
    assert "row 2 (code 'KCN-2')" in job.error and "nothing was imported" in job.error
    assert job.created_count == 0 and job.finished_at is not None


def test_a_file_gdal_cannot_read_fails_with_the_reason(reviewer):
    job = svc.import_submit(
        user=reviewer,
        layer="industrial_areas",
        upload=SimpleUploadedFile("parks.geojson", b"{not json at all"),
    )
    job.refresh_from_db()
    assert job.status == "failed" and job.errors[0]["row"] is None
    assert "parks.geojson" in job.error
    assert m.IndustrialArea.objects.count() == 0


def test_features_outside_the_users_units_are_refused_and_listed(reviewer, soc_trang):
    with translation.override("en"):
        job = svc.import_submit(
            user=reviewer,
            layer="industrial_areas",
            upload=geojson(
                park("KCN-BD", k=0),
                park("KCN-ST1", at=AN_HIEP),
                park("KCN-BD2", k=1),
                park("KCN-ST2", at=AN_HIEP, k=2),
            ),
        )
    job.refresh_from_db()
    assert job.status == "failed"
    assert [e["row"] for e in job.errors] == [2, 4]
    assert all(
        "Xã An Hiệp (31510) is outside your administrative units" in e["reason"] for e in job.errors
    )
    assert "2 rows refused" in job.error
    assert m.IndustrialArea.objects.count() == 0  # the rows in scope were not kept either


def test_an_administrator_may_import_anywhere_and_upsert(admin_user, binh_dinh, soc_trang):
    first = svc.import_submit(
        user=admin_user,
        layer="industrial_areas",
        upload=geojson(park("KCN-BD"), park("KCN-ST", at=AN_HIEP)),
    )
    first.refresh_from_db()
    assert first.status == "done" and first.created_count == 2
    again = svc.import_submit(
        user=admin_user,
        layer="industrial_areas",
        mode="upsert",
        upload=geojson(park("KCN-BD", name="KCN Cát Hanh mới")),
    )
    again.refresh_from_db()
    assert again.status == "done" and (again.created_count, again.updated_count) == (0, 1)
    assert m.IndustrialArea.objects.get(code="KCN-BD").name == "KCN Cát Hanh mới"


def test_upsert_cannot_take_over_a_row_outside_the_users_units(reviewer, admin_user, soc_trang):
    svc.import_submit(
        user=admin_user, layer="industrial_areas", upload=geojson(park("KCN-ST", at=AN_HIEP))
    )
    with translation.override("en"):
        job = svc.import_submit(
            user=reviewer,
            layer="industrial_areas",
            mode="upsert",
            upload=geojson(park("KCN-ST", name="đổi tên")),
        )
    job.refresh_from_db()
    assert job.status == "failed" and job.errors[0]["row"] == 1
    assert "the stored row" in job.errors[0]["reason"]
    assert m.IndustrialArea.objects.get(code="KCN-ST").name == "KCN KCN-ST"


@pytest.mark.parametrize(
    "role, layer, mode, message",
    [
        (
            "commune_staff",
            "industrial_areas",
            "append",
            "you may not edit layer 'industrial_areas'",
        ),
        (
            "industry_reviewer",
            "clearance_parcels",
            "append",
            "you may not edit layer 'clearance_parcels'",
        ),
        ("industry_reviewer", "industrial_areas", "replace", "only administrators may"),
    ],
    ids=["no-edit-right", "admin-only-layer", "replace"],
)
def test_submitting_without_the_right_is_refused_before_anything_is_stored(
    binh_dinh, role, layer, mode, message
):
    province, _ = binh_dinh
    user = get_user_model().objects.create_user("u", password="pw-u-1")
    m.Membership.objects.create(user=user, role=role, admin_unit=province)
    with pytest.raises(svc.ImportRefused, match=message) as caught, translation.override("en"):
        svc.import_submit(user=user, layer=layer, mode=mode, upload=geojson(park("KCN-1")))
    assert caught.value.http_status == 403
    assert m.ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    "lang, too_large, bad_mode",
    [
        ("en", "largest import accepted is 100 bytes", "unknown mode 'merge'"),
        ("vi", "tệp nhập lớn nhất được nhận là 100 byte", "không có cách nhập 'merge'"),
    ],
)
def test_oversized_and_bad_options_are_refused(reviewer, settings, lang, too_large, bad_mode):
    settings.PLANNING_MAX_UPLOAD_BYTES = 100
    with translation.override(lang):
        with pytest.raises(svc.UploadTooLarge, match=too_large):
            svc.import_submit(
                user=reviewer, layer="industrial_areas", upload=geojson(park("KCN-1"))
            )
        settings.PLANNING_MAX_UPLOAD_BYTES = 10_000
        with pytest.raises(svc.InvalidUpload, match=bad_mode):
            svc.import_submit(
                user=reviewer, layer="industrial_areas", mode="merge", upload=geojson(park("KCN-1"))
            )
        with pytest.raises(svc.InvalidUpload, match="no_such_layer"):
            svc.import_submit(user=reviewer, layer="no_such_layer", upload=geojson(park("KCN-1")))
    assert m.ImportJob.objects.count() == 0


def test_a_job_left_running_by_a_dead_worker_is_marked_failed(reviewer, settings):
    """Its task was claimed by a worker of this host whose process is gone (killed)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = TASKS_QUEUED
    with translation.override("en"):  # the job keeps its language for the message stored later
        job = svc.import_submit(
            user=reviewer, layer="industrial_areas", upload=geojson(park("KCN-1"))
        )
    assert job.status == "queued" and job.language == "en" and job.task_id
    gone = dead_pid()
    DBTaskResult.objects.filter(pk=job.task_id).update(
        status="RUNNING", worker_ids=[f"{jobs.this_host()}:{gone}:abc"], started_at=timezone.now()
    )
    m.ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    job = svc.import_refresh_stale(m.ImportJob.objects.get(pk=job.pk))
    assert job.status == "failed" and "worker running this job stopped" in job.error
    assert job.errors == [{"row": None, "reason": job.error}]
    assert DBTaskResult.objects.get(pk=job.task_id).status == "FAILED"


def test_queued_jobs_run_from_the_queue(reviewer, settings):
    settings.TASKS = TASKS_QUEUED
    job = svc.import_submit(user=reviewer, layer="industrial_areas", upload=geojson(park("KCN-1")))
    assert job.status == "queued" and m.IndustrialArea.objects.count() == 0
    assert tasks_run_ready() == 1
    job.refresh_from_db()
    assert job.status == "done" and m.IndustrialArea.objects.count() == 1
