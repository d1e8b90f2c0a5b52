"""Fixtures of the API tests: callers with and without roles, a small province with rasters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from planning import models as m
from tests.conftest import box4326
from tests.factories import IndustrialAreaFactory, square


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def nobody(db):
    """Signed in, but holding no planning role."""
    return get_user_model().objects.create_user("nobody", password="pw-nobody-1")


@pytest.fixture
def staff(binh_dinh):
    """Commune staff of Cát Hanh (a planning role)."""
    _, commune = binh_dinh
    user = get_user_model().objects.create_user("canbo", password="pw-canbo-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
    return user


@pytest.fixture
def staff_api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def token(staff):
    return Token.objects.create(user=staff).key


@pytest.fixture
def area(binh_dinh):
    _, commune = binh_dinh
    return IndustrialAreaFactory(
        code="CCN-CH", name="CCN Cát Hanh", admin_unit=commune, boundary=square(109.0, 14.0)
    )


@pytest.fixture
def parcel(area, binh_dinh):
    _, commune = binh_dinh
    return m.ClearanceParcel.objects.create(
        area=area,
        map_sheet="12",
        parcel_no="345",
        boundary=square(109.001, 14.001, 0.002),
        land_use="LUC",
        admin_unit=commune,
        holder_name="Nguyễn Văn Bí Mật",
        holder_id_number="052000000001",
        households=3,
    )


@pytest.fixture
def small_province(transactional_db, settings, tmp_path):
    """A 22 × 22 km "Bình Định" with one invested road, one cluster and 100 m rasters."""
    from planning.services.rasters import rasters_build

    settings.KCN_RASTER_DIR = tmp_path
    province = m.AdminUnit.objects.create(
        code="52",
        name="Bình Định",
        level="province",
        boundary=box4326(109.0, 13.8, 109.2, 14.0),
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
    )
    commune = m.AdminUnit.objects.create(
        code="21907",
        name="Xã Nhơn Thử",
        level="commune",
        parent=province,
        boundary=box4326(109.0, 13.8, 109.2, 14.0),
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
    )
    m.RoadCorridor.objects.create(
        code="QL19",
        name="Quốc lộ 19",
        route_ref="QL19",
        road_class="national",
        status="invested",
        right_of_way_m=30,
        centerline=MultiLineString(LineString((109.0, 13.9), (109.2, 13.88)), srid=4326),
        admin_unit=province,
    )
    IndustrialAreaFactory(
        code="CCN-NT",
        name="CCN Nhơn Thử",
        admin_unit=commune,
        boundary=square(109.15, 13.93),
        planned_area_ha=Decimal("60"),
        industrial_land_ha=Decimal("40"),
        leased_land_ha=Decimal("30"),
    )
    rasters_build(resolution_m=100.0, provinces=("Bình Định",))
    return province
