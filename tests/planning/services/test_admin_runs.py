"""Analysis runs and their results in the admin: lists, map widgets, the "rerun" action."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString

from planning import models as m
from tests.factories import IndustrialAreaFactory, square
from tests.jobs_support import TASKS_QUEUED

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(binh_dinh):
    province, commune = binh_dinh
    run = m.AnalysisRun.objects.create(
        kind="site-suggestion",
        status="done",
        admin_unit=province,
        params={"province": {"id": province.pk, "code": "52", "name": "Bình Định"}},
        results={"count": 1},
    )
    site = m.SuggestedSite.objects.create(
        run=run,
        rank=1,
        kind="CCN",
        geom=square(109.05, 14.05, 0.02),
        area_ha=42.5,
        score=0.91,
        reasons="Cách tuyến QL19 (đã đầu tư) 300 m.",
        admin_unit=commune,
    )
    area = IndustrialAreaFactory(admin_unit=commune)
    infra = m.AnalysisRun.objects.create(kind="infrastructure-gaps", status="done")
    connector = m.InfrastructureConnector.objects.create(
        run=infra,
        area=area,
        network="water",
        distance_m=800,
        area_name=area.name,
        geom=LineString((109.01, 14.0), (109.02, 14.0), srid=4326),
    )
    return run, site, connector


@pytest.mark.parametrize("model", ["analysisrun", "suggestedsite", "infrastructureconnector"])
def test_changelists_render(admin_client, results, model):
    assert admin_client.get(f"/admin/planning/{model}/").status_code == 200


def test_run_page_lists_its_sites(admin_client, results):
    run, site, _ = results
    html = admin_client.get(f"/admin/planning/analysisrun/{run.pk}/change/").content.decode()
    assert "Cách tuyến QL19" in html and "Đề xuất vị trí CCN/KCN mới" in html


def test_site_and_connector_pages_have_the_offline_map_widget(admin_client, results):
    _, site, connector = results
    for url in (
        f"/admin/planning/suggestedsite/{site.pk}/change/",
        f"/admin/planning/infrastructureconnector/{connector.pk}/change/",
    ):
        html = admin_client.get(url).content.decode()
        assert "/static/vendor/ol/ol.js" in html and "cdn.jsdelivr.net" not in html


def test_rerun_action_queues_a_copy(admin_client, results, settings):
    settings.TASKS = TASKS_QUEUED  # the copy waits for a worker
    run, _, _ = results
    r = admin_client.post(
        "/admin/planning/analysisrun/", {"action": "rerun", "_selected_action": [run.pk]}
    )
    assert r.status_code == 302
    copy = m.AnalysisRun.objects.exclude(pk__in=[run.pk]).filter(kind="site-suggestion").get()
    assert (
        copy.status == "queued" and copy.params == run.params and copy.admin_unit == run.admin_unit
    )
    assert copy.started_by.username == "admin"
