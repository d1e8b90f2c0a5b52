"""The admin pages and their offline map widgets."""

import json

import pytest

from planning import models as m
from tests.factories import IndustrialAreaFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(binh_dinh):
    _, commune = binh_dinh
    return IndustrialAreaFactory(
        admin_unit=commune, boundary=square(109.0, 14.0), name="CCN Cát Hanh thử"
    )


@pytest.mark.parametrize(
    "model",
    [
        "industrialarea",
        "clearanceparcel",
        "roadcorridor",
        "secondaryproject",
        "proposal",
        "adminunit",
        "infrastructureline",
        "infrastructurepoint",
        "developer",
        "obstacle",
        "annualreport",
        "developmenttarget",
        "rasterlayer",
    ],
)
def test_changelists_render(admin_client, area, model):
    response = admin_client.get(f"/admin/planning/{model}/")
    assert response.status_code == 200


def test_change_page_has_offline_map_widget(admin_client, area):
    response = admin_client.get(f"/admin/planning/industrialarea/{area.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/ol/ol.js" in html
    assert "cdn.jsdelivr.net" not in html
    assert "/context.geojson" in html
    assert "CCN Cát Hanh thử" in html


def _conversion_plan(area):
    """A CCN is revoked only with the conversion plan of its land (issue 13, Decree 66/2020)."""
    import datetime as dt

    m.ConversionPlan.objects.create(
        area=area, land_becomes="agriculture", decision="QĐ 1/QĐ-UBND", decided_on=dt.date.today()
    )


def test_history_page_shows_changes(admin_client, area):
    _conversion_plan(area)
    area.status = m.IndustrialArea.Status.REVOKED
    area.save()
    response = admin_client.get(f"/admin/planning/industrialarea/{area.pk}/history/")
    assert response.status_code == 200
    assert "Đã thu hồi" in response.content.decode() or "revoked" in response.content.decode()


def test_invalid_geometry_in_the_admin_form_is_refused_with_reason(admin_client, area):
    data = {
        "code": area.code,
        "name": area.name,
        "kind": "CCN",
        "boundary": json.dumps(
            {
                "type": "MultiPolygon",
                "coordinates": [
                    [
                        [
                            [12140000, 1580000],
                            [12141000, 1581000],
                            [12141000, 1580000],
                            [12140000, 1581000],
                            [12140000, 1580000],
                        ]
                    ]
                ],
            }
        ),
        "planned_area_ha": "50",
        "industrial_land_ha": "35",
        "leased_land_ha": "20",
        "green_land_ha": "0",
        "shared_infra_land_ha": "0",
        "status": "operating",
        "roads_done_pct": 0,
        "power_done_pct": 0,
        "water_done_pct": 0,
        "wastewater_done_pct": 0,
        "eco_status": "none",
        "eco_criteria_met": "{}",
        "admin_unit": area.admin_unit_id,
        **{
            f"{p}-TOTAL_FORMS": 0
            for p in (
                "obstacles",
                "targets",
                "reports",
                "developer_transfers",
                "conversion_roadmaps",
            )
        },
        **{
            f"{p}-INITIAL_FORMS": 0
            for p in (
                "obstacles",
                "targets",
                "reports",
                "developer_transfers",
                "conversion_roadmaps",
            )
        },
    }
    response = admin_client.post(f"/admin/planning/industrialarea/{area.pk}/change/", data)
    assert response.status_code == 200  # the form is shown again with the error
    assert "Tự cắt nhau" in response.content.decode()  # GEOS's reason, in the page's language
    area.refresh_from_db()
    assert area.boundary.equals(square(109.0, 14.0))


def test_context_geojson_lists_units_and_areas(client, area):
    response = client.get("/context.geojson")
    data = response.json()
    layers = {f["properties"]["layer"] for f in data["features"]}
    assert {"unit", "area"} <= layers
    assert all("holder_name" not in f["properties"] for f in data["features"])


def test_history_records_who_changed_through_the_admin(admin_client, admin_user, area):
    _conversion_plan(area)
    change = admin_client.get(f"/admin/planning/industrialarea/{area.pk}/change/")
    form = change.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "boundary": area.boundary.transform(3857, clone=True).geojson,
            "status": "revoked",
            "developer": area.developer_id,
            "admin_unit": area.admin_unit_id,
            "eco_criteria_met": "{}",
            **{
                f"{p}-TOTAL_FORMS": 0
                for p in (
                    "obstacles",
                    "targets",
                    "reports",
                    "developer_transfers",
                    "conversion_roadmaps",
                )
            },
            **{
                f"{p}-INITIAL_FORMS": 0
                for p in (
                    "obstacles",
                    "targets",
                    "reports",
                    "developer_transfers",
                    "conversion_roadmaps",
                )
            },
        }
    )
    data.pop("id", None)
    response = admin_client.post(f"/admin/planning/industrialarea/{area.pk}/change/", data)
    errors = response.context["adminform"].form.errors if response.status_code == 200 else None
    assert response.status_code == 302, errors
    newest = area.history.first()
    assert newest.history_user == admin_user
    assert newest.status == "revoked"


def test_vietnamese_is_the_default_whatever_the_browser_says(admin_client):
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Quản lý khu, cụm công nghiệp" in page.content.decode()
    assert page["Content-Language"] == "vi"
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get("/admin/")
    assert page["Content-Language"] == "en"
    assert "Log out" in page.content.decode()
