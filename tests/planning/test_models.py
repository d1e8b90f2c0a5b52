"""Models on the real database: constraints, geometry on write, measures, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from planning import models as m
from tests.factories import IndustrialAreaFactory, square

pytestmark = pytest.mark.django_db


def _area(commune, **kw):
    return IndustrialAreaFactory(admin_unit=commune, boundary=square(109.0, 14.0), **kw)


def test_leased_cannot_exceed_leasable_in_the_database(binh_dinh):
    _, commune = binh_dinh
    area = _area(commune)
    area.leased_land_ha = Decimal("36")
    with pytest.raises(IntegrityError), transaction.atomic():
        area.save()


def test_leased_cannot_exceed_leasable_in_full_clean(binh_dinh):
    _, commune = binh_dinh
    area = _area(commune)
    area.leased_land_ha = Decimal("36")
    with pytest.raises(ValidationError, match="đã cho thuê không được lớn hơn"):
        area.full_clean()


@pytest.mark.parametrize("field", ["planned_area_ha", "green_land_ha", "shared_infra_land_ha"])
def test_negative_areas_are_refused(binh_dinh, field):
    _, commune = binh_dinh
    area = _area(commune)
    setattr(area, field, Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        area.save()


def test_parcel_dates_must_be_in_order(binh_dinh):
    _, commune = binh_dinh
    parcel = m.ClearanceParcel(
        map_sheet="12",
        parcel_no="345",
        boundary=square(109.0, 14.0, 0.001),
        land_use="LUC",
        admin_unit=commune,
        status="compensated",
        inventoried_on=dt.date(2024, 5, 1),
        plan_approved_on=dt.date(2024, 4, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        parcel.save()


def test_parcel_amounts_must_be_non_negative(binh_dinh):
    _, commune = binh_dinh
    parcel = m.ClearanceParcel(
        map_sheet="12",
        parcel_no="346",
        boundary=square(109.0, 14.0, 0.001),
        land_use="LUC",
        admin_unit=commune,
        compensation_paid_mn_vnd=Decimal("-5"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        parcel.save()


def test_project_schedule_must_follow_registration(binh_dinh):
    _, commune = binh_dinh
    area = _area(commune)
    project = m.SecondaryProject(
        area=area,
        code="GCN-1",
        name="Nhà máy A",
        investor="Công ty A",
        sector="may mặc",
        leased_area_ha=Decimal("2"),
        registered_capital_bn_vnd=Decimal("100"),
        registered_on=dt.date(2023, 1, 1),
        construction_start_planned=dt.date(2022, 6, 1),
    )
    with pytest.raises(ValidationError, match="khởi công phải sau"):
        project.full_clean()


def test_obstacle_resolved_needs_a_date(binh_dinh):
    _, commune = binh_dinh
    area = _area(commune)
    obstacle = m.Obstacle(
        area=area,
        category="clearance",
        description="x",
        responsible_agency="UBND huyện",
        raised_on=dt.date(2024, 1, 1),
        status="resolved",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        obstacle.save()


def test_admin_unit_valid_dates_in_order(db):
    unit = m.AdminUnit(
        code="X",
        name="X",
        level="province",
        boundary=square(109, 14),
        valid_from=dt.date(2025, 7, 1),
        valid_to=dt.date(2025, 1, 1),
        zone_srid=9217,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()


def test_transfer_needs_two_developers(binh_dinh):
    _, commune = binh_dinh
    area = _area(commune)
    dev = area.developer
    with pytest.raises(IntegrityError), transaction.atomic():
        m.DeveloperTransfer.objects.create(
            area=area, from_developer=dev, to_developer=dev, decided_on=dt.date(2025, 1, 1)
        )


# --- geometry on write ----------------------------------------------------------------------


def test_polygon_is_promoted_to_multipolygon(binh_dinh):
    _, commune = binh_dinh
    area = _area(commune)
    # GeoDjango refuses a Polygon object for a MultiPolygon field; text (WKT, GeoJSON, as sent by
    # WFS-T and uploads) passes and is promoted on write.
    area.boundary = "SRID=4326;POLYGON((109 14, 109.01 14, 109.01 14.01, 109 14.01, 109 14))"
    area.save()
    area.refresh_from_db()
    assert area.boundary.geom_type == "MultiPolygon"


def test_bowtie_is_rejected_and_nothing_is_written(binh_dinh):
    _, commune = binh_dinh
    before = m.IndustrialArea.objects.count()
    bowtie = MultiPolygon(
        Polygon(((109.0, 14.0), (109.01, 14.01), (109.01, 14.0), (109.0, 14.01), (109.0, 14.0))),
        srid=4326,
    )
    with pytest.raises(ValidationError) as err:
        IndustrialAreaFactory(admin_unit=commune, boundary=bowtie)
    # In the service's language (Vietnamese), whatever door wrote it; English when asked.
    assert "hình học không hợp lệ: Tự cắt nhau tại (109.005, 14.005)" in str(err.value)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        IndustrialAreaFactory(admin_unit=commune, boundary=bowtie)
    assert "invalid geometry: Self-intersection at (109.005, 14.005)" in str(err.value)
    assert m.IndustrialArea.objects.count() == before


def test_small_defect_is_repaired_on_write(binh_dinh):
    _, commune = binh_dinh
    # A zero-area spike on one edge: invalid, and repair keeps the area exactly.
    ring = (
        (109.0, 14.0),
        (109.01, 14.0),
        (109.01, 14.005),
        (109.015, 14.005),
        (109.01, 14.005),
        (109.01, 14.01),
        (109.0, 14.01),
        (109.0, 14.0),
    )
    spiky = MultiPolygon(Polygon(ring), srid=4326)
    assert not spiky.valid
    area = IndustrialAreaFactory(admin_unit=commune, boundary=spiky)
    area.refresh_from_db()
    assert area.boundary.valid
    assert area.boundary.area == pytest.approx(0.0001, rel=1e-9)


def test_projected_coordinates_without_srid_are_rejected(binh_dinh):
    _, commune = binh_dinh
    metres = MultiPolygon(Polygon.from_bbox((602000, 1523000, 603000, 1524000)), srid=4326)
    with pytest.raises(ValidationError, match="mét của hệ chiếu"):
        IndustrialAreaFactory(admin_unit=commune, boundary=metres)
    with translation.override("en"), pytest.raises(ValidationError, match="projected metres"):
        IndustrialAreaFactory(admin_unit=commune, boundary=metres)


def test_vn2000_geometry_is_reprojected_on_write(binh_dinh):
    _, commune = binh_dinh
    # 1 km square in VN-2000 / TM-3 108-15 around the DOMAIN.md §4.2 test vector.
    metres = MultiPolygon(
        Polygon.from_bbox((602532.57, 1523062.89, 603532.57, 1524062.89)), srid=9217
    )
    area = IndustrialAreaFactory(admin_unit=commune, boundary=metres)
    area.refresh_from_db()
    assert area.boundary.srid == 4326
    x, y = area.boundary[0].exterior_ring[0]
    assert x == pytest.approx(109.20, abs=1e-7) and y == pytest.approx(13.77, abs=1e-7)
    assert area.boundary_area_ha == pytest.approx(100.0, rel=1e-4)


# --- history -------------------------------------------------------------------------------


def test_history_records_before_and_after(binh_dinh, django_user_model):
    _, commune = binh_dinh
    area = _area(commune)
    # A CCN is revoked only with the conversion plan of its land (issue 13, Decree 66/2020).
    m.ConversionPlan.objects.create(
        area=area, land_becomes="agriculture", decision="QĐ 1/QĐ-UBND", decided_on=dt.date.today()
    )
    area.status = m.IndustrialArea.Status.REVOKED
    area.save()
    newest, previous = area.history.all()[:2]
    delta = newest.diff_against(previous)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes["status"] == ("operating", "revoked")
    assert newest.history_type == "~"


@pytest.mark.parametrize(
    "model", [m.IndustrialArea, m.ClearanceParcel, m.SecondaryProject, m.Proposal]
)
def test_history_is_kept_for(model):
    assert hasattr(model, "history")
