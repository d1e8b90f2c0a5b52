"""Analyses over the API: background runs with progress, reports, downloads, proposal checks,
errors."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from rest_framework.test import APIClient

from planning import models as m
from planning.texts import translate
from tests.jobs_support import task_worker  # a job worker beside the server

pytestmark = pytest.mark.django_db


def _poll(client, url, *, timeout=120):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(url)
        assert r.status_code == 200, r.content
        run = r.json()
        seen.append(run["progress"])
        if run["status"] in ("done", "failed"):
            return run, seen
        time.sleep(0.2)
    raise AssertionError(f"run {url} did not finish in {timeout} s (progress {seen[-5:]})")


@pytest.mark.django_db(transaction=True)
def test_site_suggestion_runs_in_the_background_and_can_be_polled(small_province, task_worker):
    user = get_user_model().objects.create_user("quyhoach", password="pw-qh-1")
    m.Membership.objects.create(user=user, role="industry_reviewer", admin_unit=small_province)
    client = APIClient()
    client.force_authenticate(user)
    r = client.post(
        "/api/v1/analyses/site-suggestion/",
        {
            "province": "Bình Định",
            "kind": "CCN",
            "max_count": 3,
            "weights": {"road": 0.4},
            "road_classes": "national",  # the world's only road is a QL (issue 13)
        },
        format="json",
    )
    assert r.status_code == 202, r.content
    body = r.json()
    assert (
        body["status"] in ("queued", "running", "done")
        and body["results"] is None
        or body["status"] == "done"
    )
    assert r["Location"] == body["url"] and body["url"].endswith(
        f"/api/v1/analyses/runs/{body['id']}/"
    )
    run, progress = _poll(client, body["url"])
    assert run["status"] == "done", run["error"]
    assert progress == sorted(progress) and run["progress"] == 100
    assert run["started_by"] == "quyhoach" and run["admin_unit"]["code"] == "52"
    assert run["params"]["criteria"]["weights"]["road"] == 0.4
    assert 1 <= run["results"]["count"] <= 3
    assert run["timings"]["analysis"] > 0 and run["duration_s"] > 0
    # a page reload (another client, the same user) finds the stored run and its sites
    again = APIClient()
    again.force_authenticate(user)
    assert again.get(body["url"]).json()["results"] == run["results"]
    sites = again.get(run["links"]["sites"]).json()
    assert (
        sites["type"] == "FeatureCollection" and len(sites["features"]) == run["results"]["count"]
    )
    first = sites["features"][0]["properties"]
    assert first["rank"] == 1 and first["is_current"] is True and first["run"] == run["id"]
    assert 10 <= first["area_ha"] <= 75 and first["reasons"]
    layer = again.get(f"/api/v1/layers/suggested_sites/?run={run['id']}").json()
    assert layer["count"] == run["results"]["count"]
    assert APIClient().get(run["links"]["sites"]).status_code == 401  # a planners' layer


def test_quick_analyses_answer_201_with_the_finished_run(staff_api, area):
    r = staff_api.post("/api/v1/analyses/plan-vs-actual/", {"province": "52"}, format="json")
    assert r.status_code == 201
    run = r.json()
    assert run["status"] == "done" and run["analysis"] == "plan-vs-actual"
    assert run["results"]["rows"][0]["province"] == "Bình Định"
    listed = staff_api.get("/api/v1/analyses/runs/?kind=plan-vs-actual").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == run["id"]
    analyses = {a["name"]: a for a in staff_api.get("/api/v1/analyses/").json()}
    assert (
        analyses["site-suggestion"]["asynchronous"] and not analyses["efficiency"]["asynchronous"]
    )


def test_starting_a_run_needs_a_planning_role(api, nobody, binh_dinh):
    r = api.post("/api/v1/analyses/efficiency/", {}, format="json")
    assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Basic")
    api.force_authenticate(nobody)
    r = api.post("/api/v1/analyses/efficiency/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 403 and "planning role" in r.json()["error"]["message"]
    assert not m.AnalysisRun.objects.exists()


def test_session_writes_need_the_csrf_token(staff, binh_dinh):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    r = client.post("/api/v1/analyses/plan-vs-actual/", {}, format="json")
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "name, body, status, code, message, parameter",
    [
        (
            "site-suggestion",
            {"province": "Hà Nội"},
            400,
            "unknown_province",
            "unknown province 'Hà Nội'",
            "province",
        ),
        (
            "site-suggestion",
            {"province": "52", "weights": "road=0.3,speed=2"},
            400,
            "invalid_parameter",
            "unknown weight 'speed'",
            "weights",
        ),
        (
            "site-suggestion",
            {"province": "52", "criteria": {"corridor_m": -1}},
            400,
            "invalid_criteria",
            "corridor_m must be > 0",
            None,
        ),
        (
            "site-suggestion",
            {"province": "52", "kind": "XYZ"},
            400,
            "invalid_parameter",
            "unknown value 'XYZ'",
            "kind",
        ),
        ("site-suggestion", {"province": "52"}, 409, "missing_inputs", "build_rasters", None),
        (
            "site-suggestion",
            {"province": "52", "colour": "red"},
            400,
            "invalid_parameter",
            "unknown parameter",
            "colour",
        ),
        (
            "efficiency",
            {"unit": "ward"},
            400,
            "invalid_parameter",
            "accepted: commune, district, province",
            "unit",
        ),
        ("efficiency", {"year": "last"}, 400, "invalid_parameter", "must be a year", "year"),
        ("nope", {}, 404, "unknown_analysis", "không có phân tích 'nope'", None),
    ],
    ids=[
        "province",
        "weights",
        "criteria",
        "kind",
        "no-rasters",
        "unknown-key",
        "unit",
        "year",
        "analysis",
    ],
)
def test_bad_input_is_a_json_error_with_the_reason(
    staff_api, binh_dinh, name, body, status, code, message, parameter
):
    r = staff_api.post(f"/api/v1/analyses/{name}/", body, format="json")
    assert r.status_code == status, r.content
    err = r.json()["error"]
    if parameter:
        assert (
            err["message"].startswith(f"Tham số '{parameter}': ")
            and err["details"]["parameter"] == parameter
        )
    # The reason as an English-speaking caller reads it.
    english = staff_api.post(
        f"/api/v1/analyses/{name}/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert err["status"] == status and err["code"] == code
    assert message in err["message"] or message in english.json()["error"]["message"], (
        err,
        english.json(),
    )
    assert not m.AnalysisRun.objects.exists()


def test_unexpected_errors_are_logged_and_answered_as_json(staff_api, monkeypatch, caplog):
    from planning.services.analyses import ANALYSES, registry

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    spec = ANALYSES["plan-vs-actual"]
    # ANALYSES is a read-only view of the registry's SPECS
    monkeypatch.setitem(
        registry.SPECS, "plan-vs-actual", spec.__class__(**{**spec.__dict__, "prepare": boom})
    )
    r = staff_api.post("/api/v1/analyses/plan-vs-actual/", {}, format="json")
    assert r.status_code == 500
    assert r.json()["error"] == {
        "status": 500,
        "code": "server_error",
        "message": "lỗi nội bộ; lỗi đã được ghi lại",
    }
    assert "disk on fire" in caplog.text


def test_efficiency_report_and_downloads(staff_api, area, api):
    r = staff_api.get("/api/v1/efficiency/?province=52&unit=commune")
    assert r.status_code == 200
    data = r.json()
    assert data["areas"][0]["code"] == "CCN-CH" and data["areas"][0]["occupancy"] == pytest.approx(
        20 / 35
    )
    assert data["params"]["unit"] == "commune" and "tables" in data["input_versions"]
    assert not m.AnalysisRun.objects.exists()  # a live report is not stored

    r = staff_api.get("/api/v1/efficiency/?province=52&format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r["Content-Disposition"].startswith('attachment; filename="hieu_qua_su_dung_dat_')
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0]["code"] == "CCN-CH" and float(rows[0]["occupancy"]) == pytest.approx(
        20 / 35, abs=5e-5
    )
    units = list(
        csv.DictReader(
            io.StringIO(
                staff_api.get(
                    "/api/v1/efficiency/?format=csv&table=units&unit=commune"
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert units[0]["unit_name"] == "Xã Cát Hanh"

    r = staff_api.get("/api/v1/efficiency/?province=52&format=xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["Khu_cum"]["A3"].value == "CCN-CH"

    bad = staff_api.get("/api/v1/efficiency/?province=Mars&format=csv")
    assert bad.status_code == 400 and json.loads(bad.content)["error"]["code"] == "unknown_province"
    assert api.get("/api/v1/efficiency/").status_code == 401  # reads clearance parcels: staff only


def test_stored_efficiency_run_exports(staff_api, area):
    run = staff_api.post("/api/v1/analyses/efficiency/", {"province": "52"}, format="json").json()
    r = staff_api.get(run["links"]["csv"])
    assert r.status_code == 200
    assert list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))[0]["code"] == "CCN-CH"
    assert (
        load_workbook(io.BytesIO(staff_api.get(run["links"]["xlsx"]).content)).sheetnames[0]
        == "Khu_cum"
    )


def test_reports_follow_the_catalogue(api, staff_api, area):
    for url in ("/api/v1/eco-readiness/", "/api/v1/plan-vs-actual/?province=52"):
        r = api.get(url)
        assert r.status_code == 200, (url, r.content)
    assert api.get("/api/v1/eco-readiness/").json()["areas"][0]["area_name"] == "CCN Cát Hanh"
    assert api.get("/api/v1/watch-list/").status_code == 401
    assert (
        api.get("/api/v1/infrastructure-gaps/").status_code == 401
    )  # its connectors are a planners' layer
    assert staff_api.get("/api/v1/infrastructure-gaps/").json()["n_areas"] == 1
    watch = staff_api.get("/api/v1/watch-list/?as_of_year=2024").json()
    assert watch["as_of_year"] == 2024 and "watch_list" in watch
    assert staff_api.get("/api/v1/labour-catchment/").status_code == 409  # no population raster


# --- proposal checks ---------------------------------------------------------------------------
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[109.05, 14.05], [109.055, 14.05], [109.055, 14.055], [109.05, 14.055], [109.05, 14.05]]
    ],
}


def test_proposal_check_returns_rules_with_citations(staff_api, area):
    r = staff_api.post(
        "/api/v1/proposals/check/",
        {"geometry": SQUARE, "kind": "CCN", "admin_unit": "21907"},
        format="json",
    )
    assert r.status_code == 200, r.content
    result = r.json()
    rules = {x["rule"]: x for x in result["rules"]}
    assert rules["area_limits"]["passed"] is True and 25 < result["area_ha"] < 35
    assert rules["inside_unit"]["passed"] is True
    assert rules["road_access"]["passed"] is False  # no road in this small case
    assert all(x["citation"] for x in result["rules"])
    assert (
        result["passed"] is False
        and m.AnalysisRun.objects.get(pk=result["run_id"]).kind == "proposal-check"
    )


def test_proposal_check_accepts_vn2000_coordinates_with_their_crs(staff_api, area):
    from shapely.geometry import mapping, shape

    from planning import geo

    tm3 = geo.transform(shape(SQUARE), 4326, 9217)
    r = staff_api.post(
        "/api/v1/proposals/check/",
        {
            "geometry": mapping(tm3),
            "crs": "EPSG:9217",
            "kind": "CCN",
            "admin_unit": "21907",
            "store": False,
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    assert "run_id" not in r.json()
    direct = staff_api.post(
        "/api/v1/proposals/check/",
        {"geometry": SQUARE, "kind": "CCN", "admin_unit": "21907", "store": False},
        format="json",
    ).json()
    assert r.json()["area_ha"] == pytest.approx(direct["area_ha"], rel=1e-4)


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[109.0, 14.0], [109.01, 14.01], [109.01, 14.0], [109.0, 14.01], [109.0, 14.0]]
    ],
}


@pytest.mark.parametrize(
    "body, message",
    [
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[602000, 1548000], [603000, 1548000], [603000, 1549000], [602000, 1548000]]
                    ],
                }
            },
            "outside",
        ),
        ({"geometry": SQUARE, "crs": "EPSG:999999"}, "unknown CRS"),
        ({"geometry": SQUARE, "crs": "EPSG:12345"}, "cannot reproject"),
        ({"geometry": BOWTIE}, "Self-intersection"),
        ({"geometry": {"type": "Point", "coordinates": [109, 14]}}, "expected a Multipolygon"),
        ({"geometry": "not json"}, "not JSON"),
        ({"geometry": SQUARE, "kind": "KKK"}, "kind"),
        ({"geometry": SQUARE, "admin_unit": "00000"}, "unknown administrative unit"),
    ],
    ids=["metres-as-degrees", "bad-crs", "unknown-epsg", "bowtie", "point", "text", "kind", "unit"],
)
def test_proposal_check_rejects_bad_input_with_the_reason(staff_api, area, body, message):
    payload = {"kind": "CCN", "admin_unit": "21907", **body}
    r = staff_api.post(
        "/api/v1/proposals/check/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 400, r.content
    assert message.lower() in r.json()["error"]["message"].lower()


def test_proposal_check_needs_a_role_and_works_with_a_token(api, token, area):
    body = {"geometry": SQUARE, "kind": "CCN", "admin_unit": "21907", "store": False}
    assert api.post("/api/v1/proposals/check/", body, format="json").status_code == 401
    r = api.post(
        "/api/v1/proposals/check/", body, format="json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert r.status_code == 200


def test_validate_a_stored_proposal(staff_api, staff, area, binh_dinh):
    from tests.factories import square

    _, commune = binh_dinh
    proposal = m.Proposal.objects.create(
        code="DX-1",
        name="CCN đề xuất",
        kind="CCN",
        geom=square(109.0, 14.0),
        admin_unit=commune,
        proposed_by=staff,
    )
    r = staff_api.post(f"/api/v1/proposals/{proposal.pk}/validate/")
    assert r.status_code == 200
    proposal.refresh_from_db()
    assert translate(proposal.validation)["rules"] == r.json()["rules"]
    assert not next(x for x in proposal.validation["rules"] if x["rule"] == "no_overlap_existing")[
        "passed"
    ]
    assert staff_api.post("/api/v1/proposals/999999/validate/").status_code == 404


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Parameter 'province': unknown province 'Mars'; known provinces: "),
        ("vi", "Tham số 'province': không có tỉnh 'Mars'; các tỉnh: "),
    ],
)
def test_parameter_refusals_follow_accept_language(staff_api, area, language, expected):
    r = staff_api.post(
        "/api/v1/analyses/plan-vs-actual/",
        {"province": "Mars"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith(expected)
    assert r.json()["error"]["details"]["parameter"] == "province"


def test_api_errors_follow_accept_language(staff_api):
    english = staff_api.get("/api/v1/analyses/runs/999999/", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = staff_api.get("/api/v1/analyses/runs/999999/", HTTP_ACCEPT_LANGUAGE="vi")
    assert english.status_code == vietnamese.status_code == 404
    assert english.json()["error"]["message"] == "no analysis run 999999"
    assert vietnamese.json()["error"]["message"] == "không có lần chạy phân tích 999999"
