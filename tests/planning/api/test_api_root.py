"""``/api/v1/`` lists the API's endpoints, each answering; the schema has a page that needs no CDN
(issue 11, item 8)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString, Point
from django.contrib.staticfiles import finders
from django.urls import resolve
from rest_framework.test import APIClient

from planning import models as m
from planning.api.urls import v1
from tests.jobs_support import task_worker  # a job worker beside the server

ROOT = "/api/v1/"
SITE = "http://testserver"


def _client(user, lang=None) -> APIClient:
    client = APIClient(**({"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}))
    client.force_authenticate(user)
    return client


def _finished(client, url, *, timeout=120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(url).json()
        if run["status"] in ("done", "failed"):
            assert run["status"] == "done", run["error"]
            return run
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish")


@pytest.mark.django_db
def test_root_lists_every_endpoint_in_the_request_language(api):
    r = api.get(ROOT)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["schema"] == f"{SITE}/api/schema/" and doc["schema_page"] == f"{SITE}/api/schema/ui/"
    listed = {e["name"]: e for e in doc["endpoints"]}
    assert set(listed) == {p.name for p in v1}  # every URL of the API, once
    assert len(doc["endpoints"]) == len(v1)
    for e in doc["endpoints"]:
        assert e["url"].startswith(f"{SITE}{ROOT}") and e["methods"] and e["description"], e
    assert listed["proposals"]["methods"] == ["GET", "POST"]
    assert listed["proposal-detail"]["url"] == f"{SITE}{ROOT}proposals/{{pk}}/"
    assert listed["proposal-detail"]["methods"] == ["GET", "PATCH", "DELETE"]
    assert listed["analysis-start"]["url"] == f"{SITE}{ROOT}analyses/{{name}}/"
    # Vietnamese by default, English when asked: each line in one language.
    vi = listed["layer-industrial_areas"]["description"]
    en = {e["name"]: e for e in api.get(ROOT, HTTP_ACCEPT_LANGUAGE="en").json()["endpoints"]}
    assert (
        "Khu, cụm công nghiệp" in vi
        and "Industrial parks and clusters" in en["layer-industrial_areas"]["description"]
    )
    assert listed["proposals"]["description"] != en["proposals"]["description"]
    assert all(listed[n]["description"] != en[n]["description"] for n in listed), (
        "a line has no translation"
    )


@pytest.mark.django_db(transaction=True)
def test_every_listed_endpoint_answers_an_administrator(small_province, task_worker):
    admin = get_user_model().objects.create_superuser("quan_tri", password="pw-admin-1")
    client = _client(admin, "en")
    # Something behind each parameterised URL: a proposal, finished runs, an import job.
    geometry = json.loads(shapely.to_geojson(shapely.box(109.05, 13.85, 109.055, 13.855)))
    r = client.post(
        "/api/v1/proposals/",
        {"name": "CCN thử", "kind": "CCN", "admin_unit": "21907", "geometry": geometry},
        format="json",
    )
    assert r.status_code == 201, r.content
    proposal = r.json()["id"]
    r = client.post(
        "/api/v1/analyses/site-suggestion/",
        {"province": "52", "max_count": 2, "road_classes": ["national"]},  # its only road: a QL
        format="json",
    )
    sites_run = _finished(client, r.json()["url"])["id"]
    r = client.post("/api/v1/analyses/efficiency/", {"province": "52"}, format="json")
    assert r.status_code == 201, r.content
    efficiency_run = r.json()["id"]
    r = client.post("/api/v1/analyses/infrastructure-gaps/", {"province": "52"}, format="json")
    assert r.status_code == 201, r.content
    infrastructure_run = r.json()["id"]
    job = m.ImportJob.objects.create(
        layer="industrial_areas",
        file="imports/x.geojson",
        started_by=admin,
        status=m.ImportJob.Status.DONE,
    )
    # issue 13 plan: a provincial plan with a planned entry (plans API, plan_entries layer)
    plan = m.ProvincialPlan.objects.create(
        code="QHT-T",
        name="Quy hoạch thử",
        province=m.AdminUnit.objects.filter(level="province").order_by("pk").first(),
        period_start=2021,
        period_end=2030,
    )
    m.PlanEntry.objects.create(
        plan=plan,
        code="QH-T-1",
        name="CCN quy hoạch",
        kind="CCN",
        planned_area_ha=40,
        geometry="SRID=4326;POLYGON((109.2 14.0, 109.206 14.0, 109.206 14.006, 109.2 14.0))",
    )
    values = {
        "plan-detail": {"code": plan.code},
        "proposal-detail": {"pk": proposal},
        "proposal-validate": {"pk": proposal},
        "proposal-action": {"pk": proposal, "action": "comment"},
        "run-detail": {"pk": sites_run},
        "run-sites": {"pk": sites_run},
        "run-sites-export": {"pk": sites_run},
        "run-connectors": {"pk": infrastructure_run},
        "run-export": {"pk": efficiency_run},
        "analysis-start": {"name": "plan-vs-actual"},
        "import-detail": {"pk": job.pk},
        **_enforcement_values(),  # issue 13
    }
    # issue 13 roads: an interchange, so that its layer's detail URL is asked too
    expressway = m.RoadCorridor.objects.create(
        code="CT-THU",
        name="Cao tốc thử",
        road_class="expressway",
        status="planned",
        centerline=MultiLineString(LineString((109.0, 13.95), (109.2, 13.95)), srid=4326),
    )
    m.RoadInterchange.objects.create(
        code="NG-THU",
        name="Nút giao thử",
        expressway=expressway,
        status="planned",
        geom=Point(109.1, 13.95, srid=4326),
    )
    for name, spec in ((n, s) for n, s in _layer_specs()):
        first = spec.model._default_manager.order_by("pk").first()
        if first is not None:
            values[f"layer-{name}-detail"] = {"pk": first.pk}

    endpoints = client.get(ROOT).json()["endpoints"]
    asked = 0
    for e in endpoints:
        template = e["url"].removeprefix(SITE)
        params = set(re.findall(r"{(\w+)}", template))
        if params and e["name"] not in values:
            # No feature in that layer here: the template still leads to the listed view.
            match = resolve(re.sub(r"{\w+}", "1", template))
            assert match.url_name == e["name"], (template, match.url_name)
            continue
        url = template.format(**values.get(e["name"], {}))
        assert resolve(url).url_name == e["name"], url
        if "GET" in e["methods"]:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.content[:300])
        else:
            r = client.post(url, {}, format="json")  # refused for its body, never "no such URL"
            assert r.status_code not in (404, 405) and r.status_code < 500, (
                url,
                r.status_code,
                r.content[:300],
            )
        asked += 1
    assert asked >= len(endpoints) - 4


def _layer_specs():
    from layers.catalogue import CATALOGUE

    return CATALOGUE.items()


@pytest.mark.django_db
def test_schema_page_uses_local_static_files_only(api):
    r = api.get("/api/schema/ui/")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    refs = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert len(refs) >= 3, refs  # stylesheet, two scripts, icon
    for ref in refs:
        assert ref.startswith(settings.STATIC_URL), f"not a local static file: {ref}"
        found = finders.find(ref.removeprefix(settings.STATIC_URL))
        assert found and Path(found).stat().st_size > 0, ref
    assert not re.search(r"https?://(?!www\.w3\.org)", html), "the page asks an outside host"
    assert '"validatorUrl": null' in html  # no badge from validator.swagger.io
    assert "/api/schema/" in html  # the schema it shows
    # The schema it shows is this API's.
    assert api.get("/api/schema/?format=json").json()["paths"].keys() >= {
        "/api/v1/",
        "/api/v1/proposals/",
    }


def test_readme_points_to_the_root_and_the_schema_page():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert "/api/v1/" in readme and "/api/schema/ui/" in readme


def _enforcement_values() -> dict:
    """Issue 13: an action and a transfer case, so their detail URLs are asked too."""
    import datetime as dt

    area = m.IndustrialArea.objects.filter(kind="CCN").order_by("pk").first()
    if area is None:
        return {}
    action = m.EnforcementAction.objects.create(
        area=area, kind="reminder", document_no="1/SCT", issued_on=dt.date(2026, 5, 1), agency="SCT"
    )
    state = m.Developer.objects.create(name="Ban QLDA (test)", kind="state")
    case = m.TransferCase.objects.create(area=area, from_developer=state)
    return {
        "enforcement-action-detail": {"pk": action.pk},
        "transfer-case-advance": {"pk": case.pk},
    }
