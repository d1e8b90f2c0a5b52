"""Import messages a commune official can read (issue 11, item 8).

Every message of the import path — the job's error and per-row reasons, its progress, the
command's summary, warnings and refusals — is in one language: the request's for the API and the
Jobs tab (``Accept-Language``; for the pages' own requests, the page's language), Vietnamese for
``manage.py import_layer`` (settings.LANGUAGE_CODE). A job keeps the language of the request that
started it, though it runs later in a worker. Django's own validation messages ("Trường này không
được để trắng.") sit in a frame of the same language, figures use that language's separators
(``1.000 byte``, ``(580.000; 1.550.000)``), and a hint names the option the way the door does:
``srs`` for the API, ``--srs`` for the command.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from layers.io import jobs as svc
from layers.io.importer import ImportResult
from planning import models as m
from tests.jobs_support import TASKS_QUEUED, run_queued_jobs
from tests.planning.test_import_jobs import park

pytestmark = pytest.mark.django_db

# Words of English sentences: a Vietnamese message holding one has an English frame or fragment.
ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|was|not|may|must|only|in|of|no|this|has|have|holds?|nothing|imported|refused|"
    r"rows?|fields?|layers?|files?|cannot|read|pass|looks?|like|fall|outside|coordinates|created|"
    r"updated|deleted|features?|blank|valid|choice|with|from|into|and|or|expected|got|limit|"
    r"larger|than|bytes|choose|one|upload|several|warning)\b",
    re.I,
)
VIETNAMESE_LETTERS = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý]", re.I
)
# Names that stay as they are in either language (identifiers, file names, CRS names).
NAMES = (
    "industrial_areas",
    "parks.geojson",
    "metres.geojson",
    "metres.csv",
    "two.gpkg",
    "EPSG:4326 (WGS 84)",
    "WGS 84",
    "VN-2000 TM-3",
    "VN-2000",
    "EPSG",
    "PLANNING_MAX_UPLOAD_BYTES",
)


def in_language(message: str, lang: str) -> None:
    text = message
    for name in NAMES:
        text = text.replace(name, "")
    if lang == "vi":
        assert not ENGLISH_WORDS.search(text), f"English inside a Vietnamese message: {message!r}"
        assert VIETNAMESE_LETTERS.search(text), f"not Vietnamese: {message!r}"
    else:
        assert not VIETNAMESE_LETTERS.search(text), f"Vietnamese in an English message: {message!r}"


def geojson_bytes(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def metres_park(code: str = "KCN-M") -> dict:
    """A park whose coordinates are VN-2000 TM-3 metres, in a GeoJSON file (read as lon/lat)."""
    feature = park(code)
    x0, y0 = 580_000, 1_550_000
    feature["geometry"]["coordinates"] = [
        [[x0, y0], [x0 + 1000, y0], [x0 + 1000, y0 + 1000], [x0, y0 + 1000], [x0, y0]]
    ]
    return feature


@pytest.fixture(autouse=True)
def _media_and_queue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Jobs wait in the queue and run later, from the test, as a worker would: in no request.
    settings.TASKS = TASKS_QUEUED
    translation.deactivate()  # (a request of an earlier test leaves its language active)
    yield
    translation.deactivate()


@pytest.fixture
def reviewer(binh_dinh):
    """Sở Công Thương Bình Định: may import parks and clusters in the province."""
    province, _commune = binh_dinh
    user = get_user_model().objects.create_user("sct_messages", password="pw-sct-1")
    m.Membership.objects.create(user=user, role="industry_reviewer", admin_unit=province)
    return user


@contextlib.contextmanager
def as_in_manage_py():
    """As in ``manage.py``: no language activated, so settings.LANGUAGE_CODE ("vi") applies.
    (A request made earlier in this thread left its language active.)"""
    saved = translation.get_language()
    translation.deactivate()
    try:
        yield
    finally:
        translation.activate(saved) if saved else translation.deactivate()


@pytest.fixture
def no_language():
    with as_in_manage_py():
        yield


# The ways a request chooses its language: (client setup, headers, the language expected).
REQUESTS = {
    "accept-vi": ({}, {"HTTP_ACCEPT_LANGUAGE": "vi"}, "vi"),
    "no-header": ({}, {}, "vi"),
    "accept-en": ({}, {"HTTP_ACCEPT_LANGUAGE": "en"}, "en"),
    # The Jobs tab: the page's own request (Sec-Fetch-Mode) follows the page's language, not the
    # browser's Accept-Language.
    "page-en": (
        {"django_language": "en"},
        {"HTTP_SEC_FETCH_MODE": "cors", "HTTP_ACCEPT_LANGUAGE": "vi"},
        "en",
    ),
}


def post_import(user, files: dict, request: str, **data):
    cookies, headers, _lang = REQUESTS[request]
    api = APIClient()
    api.force_authenticate(user)
    for name, value in cookies.items():
        api.cookies[name] = value
    r = api.post(
        "/api/v1/imports/",
        {"layer": "industrial_areas", **files, **data},
        format="multipart",
        **headers,
    )
    assert r.status_code == 202, r.content
    # The worker runs the job later, with no request: here in the other language, on purpose.
    other = "vi" if REQUESTS[request][2] == "en" else "en"
    with translation.override(other):
        [done] = run_queued_jobs()
    assert done.pk == r.json()["id"]
    job = api.get(r.json()["url"], **headers).json()
    assert job["status"] == "failed", job
    return job


@pytest.mark.parametrize("request_kind", list(REQUESTS))
def test_a_failed_job_speaks_the_language_of_the_request_that_started_it(reviewer, request_kind):
    """A blank name: Django's "cannot be blank" in a frame of the same language, whole."""
    lang = REQUESTS[request_kind][2]
    upload = SimpleUploadedFile(
        "parks.geojson", geojson_bytes(park("KCN-1"), park("KCN-2", k=1, name=""))
    )
    job = post_import(reviewer, {"file": upload}, request_kind)
    assert job["errors"] == [{"row": 2, "reason": job["errors"][0]["reason"]}]
    reason = job["errors"][0]["reason"]
    if lang == "vi":
        assert reason == "name: Trường này không được để trắng."
        assert job["error"] == (
            "dòng 2 (code 'KCN-2'): name: Trường này không được để trắng. — chưa nhập dòng nào"
        )
        assert job["progress_message"] == "lỗi, chưa nhập dòng nào"
    else:
        assert reason == "name: This field cannot be blank."
        assert job["error"] == (
            "row 2 (code 'KCN-2'): name: This field cannot be blank. — nothing was imported"
        )
        assert job["progress_message"] == "failed, nothing was imported"
    in_language(job["error"], lang)
    in_language(job["progress_message"], lang)
    assert m.ImportJob.objects.get(pk=job["id"]).language == lang
    assert m.IndustrialArea.objects.count() == 0


@pytest.mark.parametrize("request_kind", ["no-header", "accept-en"])
def test_the_crs_hint_names_the_api_field_srs(reviewer, request_kind):
    lang = REQUESTS[request_kind][2]
    upload = SimpleUploadedFile("metres.geojson", geojson_bytes(metres_park()))
    job = post_import(reviewer, {"file": upload}, request_kind, srs="")
    error = job["error"]
    assert "--srs" not in error and re.search(r"\bsrs\b", error), error
    if lang == "vi":
        assert error == (
            "đọc theo EPSG:4326 (WGS 84), tọa độ (580.000; 1.550.000) – "
            "(581.000; 1.551.000) nằm ngoài Việt Nam (phạm vi EPSG:4326 (100; 6) – "
            "(112; 24,5)); chúng giống tọa độ mét VN-2000 TM-3 — hãy ghi srs bằng mã "
            "EPSG của múi chiếu (ví dụ 9217 cho Bình Định, 9209 cho Sóc Trăng)"
        ), error
    else:
        assert error.startswith(
            "read as EPSG:4326 (WGS 84), the coordinates (580,000, "
            "1,550,000) – (581,000, 1,551,000) fall outside Vietnam"
        ), error
        assert error.endswith(
            "they look like VN-2000 TM-3 metres — pass srs with the zone's "
            "EPSG code (e.g. 9217 for Bình Định, 9209 for Sóc Trăng)"
        ), error
    # (Bình Định and Sóc Trăng are names.)
    in_language(error.replace("Bình Định", "").replace("Sóc Trăng", ""), lang)


def test_a_file_without_a_crs_is_refused_naming_srs_through_the_api(reviewer, tmp_path):
    csv = b"code,name,kind,x,y\nKCN-Z,KCN Z,KCN,5000000,5000000\n"
    job = post_import(reviewer, {"file": SimpleUploadedFile("metres.csv", csv)}, "no-header")
    assert job["error"] == (
        "tệp không ghi hệ tọa độ và tọa độ (5.000.000; 5.000.000) – "
        "(5.000.000; 5.000.000) không phải kinh độ/vĩ độ ở Việt Nam, cũng "
        "không phải mét VN-2000 TM-3; hãy ghi hệ tọa độ vào srs"
    )
    in_language(job["error"], "vi")


def test_several_layers_are_refused_naming_no_command_flag_through_the_api(reviewer, tmp_path):
    path = tmp_path / "two.gpkg"
    for layer, k in (("mot", 0), ("hai", 1)):
        feature = park(f"L-{k}", k=k)
        wkb = np.array([shapely.to_wkb(shapely.geometry.shape(feature["geometry"]))], dtype=object)
        pyogrio.raw.write(
            str(path),
            wkb,
            [np.array([feature["properties"]["code"]], dtype=object)],
            ["code"],
            layer=layer,
            driver="GPKG",
            crs="EPSG:4326",
            geometry_type="Polygon",
            append=k > 0,
        )
    upload = SimpleUploadedFile("two.gpkg", path.read_bytes())
    job = post_import(reviewer, {"file": upload}, "accept-en")
    assert job["error"] == (
        "two.gpkg has several layers (mot, hai); upload a file holding only the layer to import"
    ), job["error"]
    with (
        pytest.raises(
            CommandError,
            match=r"^two.gpkg có nhiều lớp \(mot, hai\); hãy chọn một lớp "
            r"bằng --layer-name$",
        ),
        as_in_manage_py(),
    ):
        call_command("import_layer", str(path), "--layer", "industrial_areas", stdout=io.StringIO())


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_layer", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_speaks_vietnamese_by_default_and_names_its_flags(
    binh_dinh, tmp_path, no_language
):
    good = tmp_path / "parks.geojson"
    good.write_bytes(geojson_bytes(park("KCN-1", note="x"), park("KCN-2", k=1, note="y")))
    out, err = run_command(good, "--layer", "industrial_areas")
    assert out.strip() == (
        "Đã nhập 2 đối tượng từ parks.geojson (EPSG:4326 (WGS 84)) vào "
        "industrial_areas: tạo mới 2, cập nhật 0, xóa 0."
    )
    assert "Cảnh báo: đã bỏ qua các trường không thuộc lớp 'industrial_areas': note" in err
    in_language(out, "vi")
    in_language(err.replace(": note", ""), "vi")

    metres = tmp_path / "metres.geojson"
    metres.write_bytes(geojson_bytes(metres_park()))
    with pytest.raises(CommandError) as caught:
        run_command(metres, "--layer", "industrial_areas")
    message = str(caught.value)
    assert "(580.000; 1.550.000) – (581.000; 1.551.000)" in message
    assert "hãy ghi --srs bằng mã EPSG của múi chiếu" in message, message
    in_language(message, "vi")
    # The same file, the command's --srs: read as VN-2000 TM-3 108°15' and stored.
    out, err = run_command(metres, "--layer", "industrial_areas", "--srs", "9217")
    assert "tạo mới 1" in out
    assert "đọc theo EPSG:9217 (VN-2000 / TM-3 108-15) (--srs)" in err, err


@pytest.mark.parametrize(
    "props, vi, en",
    [
        (
            {"name": ""},
            "name: Trường này không được để trắng.",
            "name: This field cannot be blank.",
        ),
        (
            {"roads_done_pct": 3.5},
            "roads_done_pct: cần một số nguyên, nhận được 3,5",
            "roads_done_pct: expected a whole number, got 3.5",
        ),
        (
            {"developer": "Công ty Không Có"},
            "developer: không có chủ đầu tư nào có name 'Công ty Không Có'",
            "developer: no Developer with name 'Công ty Không Có'",
        ),
    ],
    ids=["django-blank", "whole-number", "relation"],
)
def test_a_row_error_reads_in_one_language(binh_dinh, tmp_path, no_language, props, vi, en):
    path = tmp_path / "parks.geojson"
    path.write_bytes(geojson_bytes(park("KCN-1"), park("KCN-2", k=1), park("KCN-3", k=2, **props)))
    with pytest.raises(CommandError) as caught:
        run_command(path, "--layer", "industrial_areas")
    assert str(caught.value) == f"dòng 3 (code 'KCN-3'): {vi} — chưa nhập dòng nào"
    in_language(str(caught.value).replace("Công ty Không Có", ""), "vi")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        run_command(path, "--layer", "industrial_areas")
    assert str(caught.value) == f"row 3 (code 'KCN-3'): {en} — nothing was imported"
    in_language(str(caught.value).replace("Công ty Không Có", ""), "en")
    assert m.IndustrialArea.objects.count() == 0


def test_figures_in_vietnamese_messages_use_vietnamese_separators(
    binh_dinh, tmp_path, settings, no_language
):
    settings.PLANNING_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "parks.geojson"
    path.write_bytes(geojson_bytes(*[park(f"KCN-{i}", k=i) for i in range(6)]))
    size = path.stat().st_size
    assert 1000 < size < 100_000
    with pytest.raises(CommandError) as caught:
        run_command(path, "--layer", "industrial_areas")
    grouped = f"{size:,}".replace(",", ".")
    assert str(caught.value) == (
        f"parks.geojson nặng {grouped} byte, lớn hơn giới hạn nhập "
        f"1.000 byte (PLANNING_MAX_UPLOAD_BYTES); hãy chia nhỏ tệp hoặc "
        f"nâng giới hạn"
    )
    with (
        translation.override("en"),
        pytest.raises(CommandError, match=r"larger than the import limit of 1,000 bytes"),
    ):
        run_command(path, "--layer", "industrial_areas")
    # Counts in the summary: 8.855 in Vietnamese, 8,855 in English.
    result = ImportResult(
        layer="industrial_areas",
        source="kcn.gpkg",
        source_crs="EPSG:4326 (WGS 84)",
        features=8855,
        created=8000,
        updated=855,
        unchanged=1200,
    )
    assert result.summary() == (
        "Đã nhập 8.855 đối tượng từ kcn.gpkg (EPSG:4326 (WGS 84)) vào "
        "industrial_areas: tạo mới 8.000, cập nhật 855, xóa 0, "
        "giữ nguyên 1.200."
    )
    with translation.override("en"):
        assert result.summary() == (
            "Imported 8,855 features from kcn.gpkg (EPSG:4326 (WGS 84)) "
            "into industrial_areas: 8,000 created, 855 updated, 0 deleted, "
            "1,200 unchanged."
        )


def test_progress_of_a_job_is_in_its_language(reviewer, monkeypatch):
    seen = []
    original = svc._write_side
    monkeypatch.setattr(
        svc, "_write_side", lambda pk, pct, msg: (seen.append(msg), original(pk, pct, msg))
    )
    upload = SimpleUploadedFile(
        "parks.geojson", geojson_bytes(*[park(f"KCN-{i}", k=i) for i in range(3)])
    )
    with translation.override("en"):
        job = svc.import_submit(user=reviewer, layer="industrial_areas", upload=upload)
    assert job.progress_message == "waiting"
    with translation.override("vi"):  # the worker's own language does not matter
        [done] = run_queued_jobs()
    assert done.status == "done", done.error
    assert done.progress_message == "done: 3 features"
    assert "reading the file" in seen and "wrote 3 of 3 features" in seen, seen
    upload = SimpleUploadedFile("parks.geojson", geojson_bytes(park("KCN-9", k=5)))
    with translation.override("vi"):
        job = svc.import_submit(
            user=reviewer, layer="industrial_areas", upload=upload, mode="upsert"
        )
    assert job.progress_message == "đang chờ"
    with translation.override("en"):
        [done] = run_queued_jobs()
    assert done.progress_message == "hoàn thành: 1 đối tượng"
    assert "đã ghi 1/1 đối tượng" in seen, seen
