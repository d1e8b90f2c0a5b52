"""Every analysis's parameters are checked once, by the service, whichever door they come through.

Generated from the registry (``AnalysisSpec.parameters`` and ``.required``): for each analysis,
each parameter with a value of the wrong type, each coded parameter with an unknown code, each
required parameter left out and an unknown extra parameter — through the service, ``manage.py
run_analysis`` (a CommandError, no traceback) and the REST API (400). Each refusal names the
parameter, Vietnamese first (``Tham số 'x': …``), then English, and nothing is stored.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from rest_framework.test import APIClient

from planning import models as m
from planning.analysis.records import KINDS
from planning.errors import PlanningError
from planning.services.analyses import ANALYSES
from planning.services.analysis_runs import analysis_compute, analysis_run
from planning.services.proposal_validation import proposal_check
from tests.factories import IndustrialAreaFactory, square

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[109.05, 14.05], [109.055, 14.05], [109.055, 14.055], [109.05, 14.055], [109.05, 14.05]]
    ],
}
#: A value of the wrong type for each parameter type (all JSON, as the command and the API get
#: them).
WRONG_TYPE = {
    "province": ["52"],
    "choice": 7,
    "choices": 7,
    "integer": "many",
    "number": "far",
    "numbers": {"a": 1},
    "boolean": "maybe",
    "date": "30/06/2026",
    "year": "last",
    "object": [1, 2],
    "weights": 3,
    "geometry": 42,
    "crs": [4326],
    "admin_unit": {"code": "21907"},
    "area": ["CCN-CH"],
    "proposal": 1.5,
    "plan_entry": ["QHST-CCN-NGANAM"],  # issue 13 plan
}
#: Codes and names that do not exist, for the parameter types that name something.
UNKNOWN = {
    "province": "Hà Nội",
    "choice": "XYZ",
    "choices": "XYZ",
    "admin_unit": "XYZ-404",
    "area": "XYZ-404",
    "proposal": "DX-404",
    "plan_entry": "QH-404",  # issue 13 plan
}
#: Valid values, to fill in what a case does not test.
VALID = {"province": "52", "geometry": SQUARE, "admin_unit": "21907"}

SPECS = dict(ANALYSES)


def _base(spec, tested: str | None = None) -> dict:
    """The valid values the analysis requires (its first alternative), minus those that exclude
    the tested parameter or that it excludes."""
    if not spec.required:
        return {}
    params = {p.name: p for p in spec.parameters}
    out = {}
    for name in spec.required[0]:
        if tested and (
            name == tested or tested in params[name].excludes or name in params[tested].excludes
        ):
            continue
        out[name] = VALID[name]
    return out


def _cases():
    for spec in SPECS.values():
        for p in spec.parameters:
            yield pytest.param(
                spec.name,
                {**_base(spec, p.name), p.name: WRONG_TYPE[p.type]},
                p.name,
                "wrong type",
                id=f"{spec.name}-{p.name}-wrong-type",
            )
            if p.type in UNKNOWN:
                yield pytest.param(
                    spec.name,
                    {**_base(spec, p.name), p.name: UNKNOWN[p.type]},
                    p.name,
                    "unknown",
                    id=f"{spec.name}-{p.name}-unknown-code",
                )
        for i, alternative in enumerate(spec.required):
            for name in alternative:
                given = {n: VALID[n] for n in alternative if n != name}
                if given or i == 0:  # nothing given: the first alternative is asked for
                    yield pytest.param(
                        spec.name, given, name, "missing", id=f"{spec.name}-{name}-missing"
                    )
        yield pytest.param(
            spec.name,
            {**_base(spec), "provinse": "52"},
            "provinse",
            "extra",
            id=f"{spec.name}-unknown-parameter",
        )


CASES = list(_cases())


def test_the_cases_cover_every_analysis_and_kind_of_mistake():
    ids = [c.id for c in CASES]
    for name in SPECS:
        assert any(i.startswith(f"{name}-") and i.endswith("-wrong-type") for i in ids), name
        assert f"{name}-unknown-parameter" in ids
        assert any(i.startswith(f"{name}-") and i.endswith("-unknown-code") for i in ids), name
    assert {
        "site-suggestion-province-missing",
        "proposal-check-geometry-missing",
        "proposal-check-admin_unit-missing",
    } <= set(ids)


def test_each_analysis_declares_what_its_prepare_takes():
    import inspect

    for spec in SPECS.values():
        assert {p.name for p in spec.parameters} == set(
            inspect.signature(spec.prepare).parameters
        ), spec.name
        assert all(set(alt) <= {p.name for p in spec.parameters} for alt in spec.required)


@pytest.fixture
def world(binh_dinh):
    _, commune = binh_dinh
    IndustrialAreaFactory(
        code="CCN-CH", name="CCN Cát Hanh", admin_unit=commune, boundary=square(109.0, 14.0)
    )
    user = get_user_model().objects.create_user("canbo", password="pw-canbo-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
    return user


def _check_refusal(
    message: str, parameter: str, kind: str, value=None, english: str | None = None
) -> None:
    """``message`` in Vietnamese (the service's language); ``english``, the same refusal asked for
    in English. Each is in one language."""
    assert message.startswith(f"Tham số '{parameter}': "), message
    assert "Parameter '" not in message, message
    if kind == "unknown":
        assert repr(str(value)) in message or repr(value) in message, message
    if kind == "missing":
        assert "bắt buộc" in message, message
    if english is None:
        return
    assert english.startswith(f"Parameter '{parameter}': ") and "Tham số" not in english, english
    if kind == "missing":
        assert "is required" in english, english
    if kind == "extra":
        assert english.split("accepted: ")[1], english


@pytest.mark.parametrize("name, kwargs, parameter, kind", CASES)
def test_the_service_refuses_naming_the_parameter(world, name, kwargs, parameter, kind):
    with pytest.raises(PlanningError) as refused:  # InvalidParameter, or UnknownProvince
        analysis_run(name, kwargs)
    with translation.override("en"), pytest.raises(PlanningError) as in_english:
        analysis_run(name, kwargs)
    _check_refusal(
        refused.value.message, parameter, kind, kwargs.get(parameter), in_english.value.message
    )
    assert refused.value.details["parameter"] == parameter
    if kind == "extra":
        assert refused.value.details["accepted"] == [p.name for p in SPECS[name].parameters]
    with pytest.raises(PlanningError, match=f"^Tham số '{parameter}': "):
        analysis_compute(name, kwargs)
    assert not m.AnalysisRun.objects.exists()


@pytest.mark.parametrize("name, kwargs, parameter, kind", CASES)
def test_the_command_exits_with_a_message_naming_the_parameter(
    world, name, kwargs, parameter, kind
):
    with pytest.raises(CommandError) as refused:
        call_command(
            "run_analysis",
            name,
            "--params",
            json.dumps(kwargs),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    with translation.override("en"), pytest.raises(CommandError) as in_english:
        call_command(
            "run_analysis",
            name,
            "--params",
            json.dumps(kwargs),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    _check_refusal(
        str(refused.value), parameter, kind, kwargs.get(parameter), str(in_english.value)
    )
    assert not m.AnalysisRun.objects.exists()


@pytest.mark.parametrize("name, kwargs, parameter, kind", CASES)
def test_the_api_answers_400_naming_the_parameter(world, name, kwargs, parameter, kind):
    api = APIClient()
    api.force_authenticate(world)
    url = "/api/v1/proposals/check/" if name == "proposal-check" else f"/api/v1/analyses/{name}/"
    r = api.post(url, kwargs, format="json")
    assert r.status_code == 400, r.content
    err = r.json()["error"]
    assert err["status"] == 400 and err["code"] in (
        "invalid_parameter",
        "unknown_province",
        "invalid_geometry",
    )
    assert err["details"]["parameter"] == parameter
    if not (
        name == "proposal-check" and parameter == "proposal"
    ):  # the API checks stored ones elsewhere
        english = api.post(url, kwargs, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["error"][
            "message"
        ]
        _check_refusal(err["message"], parameter, kind, kwargs.get(parameter), english)
    assert not m.AnalysisRun.objects.exists()


# ---- what must work ---------------------------------------------------------------------------
def _inside(result) -> dict:
    return next(r for r in result["rules"] if r["rule"] == "inside_unit")


@pytest.mark.parametrize(
    "geometry",
    [
        SQUARE,
        {"type": "Feature", "properties": {}, "geometry": SQUARE},
        json.dumps(SQUARE),
        "POLYGON((109.05 14.05, 109.055 14.05, 109.055 14.055, 109.05 14.055, 109.05 14.05))",
        "SRID=4326;MULTIPOLYGON(((109.05 14.05, 109.055 14.05, 109.055 14.055, 109.05 14.055, "
        "109.05 14.05)))",
    ],
    ids=["geojson", "feature", "geojson-text", "wkt", "ewkt"],
)
def test_a_geometry_is_read_from_geojson_or_wkt_by_every_door(world, geometry):
    params = {"geometry": geometry, "admin_unit": "21907", "kind": "CCN"}
    result = proposal_check(params, store=False)
    assert 25 < result["area_ha"] < 35 and _inside(result)["passed"] is True
    out = io.StringIO()
    call_command(
        "run_analysis", "proposal-check", "--params", json.dumps(params), "--json", stdout=out
    )
    run = json.loads(out.getvalue())
    assert run["status"] == "done" and run["results"]["area_ha"] == pytest.approx(result["area_ha"])
    api = APIClient()
    api.force_authenticate(world)
    r = api.post("/api/v1/proposals/check/", {**params, "store": False}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["area_ha"] == pytest.approx(result["area_ha"])


def test_vn2000_coordinates_with_their_crs(world):
    from shapely.geometry import mapping, shape

    from planning import geo

    tm3 = mapping(geo.transform(shape(SQUARE), 4326, 9217))
    direct = proposal_check(geometry=SQUARE, admin_unit="21907", store=False)
    for params in (
        {"geometry": tm3, "crs": "EPSG:9217"},
        {"geometry": tm3, "crs": 9217},
        {"geometry": {**tm3, "crs": {"type": "name", "properties": {"name": "EPSG:9217"}}}},
    ):
        result = proposal_check({**params, "admin_unit": "21907"}, store=False)
        assert result["area_ha"] == pytest.approx(direct["area_ha"], rel=1e-4)


def test_a_stored_proposal_is_checked_by_id_or_code(world, binh_dinh):
    _, commune = binh_dinh
    proposal = m.Proposal.objects.create(
        code="DX-1",
        name="CCN đề xuất",
        kind="CCN",
        admin_unit=commune,
        geom=square(109.05, 14.05),
        proposed_by=world,
    )
    for ref in (proposal.pk, str(proposal.pk), "DX-1"):
        out = io.StringIO()
        call_command(
            "run_analysis",
            "proposal-check",
            "--params",
            json.dumps({"proposal": ref}),
            "--json",
            stdout=out,
        )
        run = json.loads(out.getvalue())
        assert run["status"] == "done" and run["params"]["proposal"] == {
            "id": proposal.pk,
            "code": "DX-1",
        }
        assert run["results"]["admin_unit"] == "Xã Cát Hanh"
    with pytest.raises(CommandError, match="^Tham số 'geometry': không dùng cùng 'proposal'"):
        call_command(
            "run_analysis",
            "proposal-check",
            "--params",
            json.dumps({"proposal": "DX-1", "geometry": SQUARE}),
            stdout=io.StringIO(),
        )


def test_parameters_from_a_query_string_are_converted_and_checked(world):
    api = APIClient()
    api.force_authenticate(world)
    r = api.get("/api/v1/efficiency/?province=52&year=2024&unit=commune")
    assert r.status_code == 200, r.content
    assert r.json()["params"]["year"] == 2024 and r.json()["params"]["unit"] == "commune"
    r = api.get("/api/v1/eco-readiness/?include_planned=true")
    assert r.status_code == 200 and r.json()["params"]["include_planned"] is True
    for url, parameter in (
        ("/api/v1/efficiency/?year=last", "year"),
        ("/api/v1/efficiency/?colour=red", "colour"),
        ("/api/v1/watch-list/?as_of=30/06/2026", "as_of"),
        ("/api/v1/eco-readiness/?include_planned=maybe", "include_planned"),
        ("/api/v1/labour-catchment/?distances_m=far", "distances_m"),
        ("/api/v1/plan-vs-actual/?province=Mars", "province"),
    ):
        r = api.get(url)
        assert r.status_code == 400, (url, r.content)
        assert r.json()["error"]["details"]["parameter"] == parameter, url
        assert r.json()["error"]["message"].startswith(f"Tham số '{parameter}': "), url


def test_the_analyses_index_lists_each_analysis_parameters(world):
    api = APIClient()
    api.force_authenticate(world)
    analyses = {a["name"]: a for a in api.get("/api/v1/analyses/").json()}
    site = {p["name"]: p for p in analyses["site-suggestion"]["parameters"]}
    assert site["province"]["required"] is True and site["kind"]["choices"] == list(KINDS)
    assert [p["name"] for p in analyses["labour-catchment"]["parameters"]] == [
        p.name for p in ANALYSES["labour-catchment"].parameters
    ]


def test_a_body_that_is_not_an_object_is_refused(world):
    api = APIClient()
    api.force_authenticate(world)
    for url in ("/api/v1/analyses/efficiency/", "/api/v1/proposals/check/"):
        r = api.post(url, [1, 2], format="json")
        assert r.status_code == 400 and "JSON" in r.json()["error"]["message"], r.content
    with pytest.raises(CommandError, match="--params phải là một đối tượng JSON"):
        call_command("run_analysis", "efficiency", "--params", "[1, 2]", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không có phân tích 'nope'"):
        call_command("run_analysis", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="unknown analysis 'nope'"):
        call_command("run_analysis", "nope", "--lang", "en", stdout=io.StringIO())


def test_the_reported_run_analysis_crashes_are_clear_errors_or_work(world):
    """Issue 11, item 6: each of these ended in a traceback (or "unknown administrative unit code
    None")."""

    def refused(params) -> str:
        with pytest.raises(CommandError) as exc:
            call_command(
                "run_analysis",
                "proposal-check",
                "--params",
                json.dumps(params),
                stdout=io.StringIO(),
            )
        return str(exc.value)

    assert refused({"proposal": 999999}).startswith(
        "Tham số 'proposal': không có đề xuất số hiệu hoặc mã '999999'"
    )
    message = refused({"province": "52"})
    assert message.startswith("Tham số 'province': phân tích proposal-check không có tham số này")
    assert (
        "các tham số: proposal, crs, geometry, kind, admin_unit, is_craft_village, expands, unit, "
        "criteria" in message
    )
    message = refused({"geometry": SQUARE, "admin_unit": "XYZ"})
    assert message.startswith("Tham số 'admin_unit': không có đơn vị hành chính mã 'XYZ'")
    assert "None" not in message
    out = io.StringIO()
    call_command(
        "run_analysis",
        "proposal-check",
        "--params",
        json.dumps({"geometry": SQUARE, "admin_unit": "21907"}),
        stdout=out,
    )
    assert json.loads(out.getvalue())["status"] == "done"
