"""Shared fixtures. The suite runs twice, on SpatiaLite and on PostGIS (scripts/test.sh)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from hypothesis import settings as hsettings

hsettings.register_profile("ci", max_examples=60, deadline=None)
hsettings.load_profile("ci")


def pytest_report_header(config):
    from django.conf import settings

    return f"database backend: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(scope="session", autouse=True)
def _expected_backend():
    """A run that was meant for one backend must not silently use another."""
    from django.db import connection

    expected = os.environ.get("KCN_EXPECT_BACKEND")
    if expected:
        actual = "postgis" if connection.vendor == "postgresql" else "spatialite"
        if actual != expected:
            pytest.exit(f"expected the {expected} backend, got {actual}", returncode=3)


# The real clients the tests skip without (GDAL's ogrinfo, Debian's QGIS, MapServer with its
# FastCGI front for the bench harness). `make test` installs them; under CI a missing one would
# turn those tests into silent skips, so the run stops instead.
CI_CLIENTS = {
    "ogrinfo (gdal-bin)": lambda: shutil.which("ogrinfo"),
    "QGIS (python3-qgis)": lambda: Path(
        "/usr/lib/python3/dist-packages/qgis/core/__init__.py"
    ).exists(),
    "mapserv": lambda: shutil.which("mapserv"),
    "spawn-fcgi": lambda: shutil.which("spawn-fcgi"),
    "nginx": lambda: shutil.which("nginx") or Path("/usr/sbin/nginx").exists(),
    "openssl": lambda: shutil.which("openssl"),
}


@pytest.fixture(scope="session", autouse=True)
def _clients_installed_in_ci():
    if os.environ.get("CI", "").lower() != "true":
        return
    missing = [name for name, found in CI_CLIENTS.items() if not found()]
    if missing:
        pytest.exit(f"CI: {', '.join(missing)} missing; make test installs them", returncode=3)


@pytest.fixture(autouse=True)
def _service_language():
    """Each test starts in the service's language: a request activates its own language in the
    thread and leaves it there, which would leak into the next test's plain function calls."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def box4326(lon0: float, lat0: float, lon1: float, lat1: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon0, lat0, lon1, lat1)), srid=4326)


@pytest.fixture
def binh_dinh(db):
    """A small Bình Định province + commune (synthetic test units, not the demo data)."""
    from planning.models import AdminUnit

    province = AdminUnit.objects.create(
        code="52",
        name="Bình Định",
        level="province",
        boundary=box4326(108.6, 13.5, 109.4, 14.7),
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
    )
    commune = AdminUnit.objects.create(
        code="21907",
        name="Xã Cát Hanh",
        level="commune",
        parent=province,
        boundary=box4326(108.95, 13.95, 109.1, 14.1),
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
        is_synthetic=True,
    )
    return province, commune


@pytest.fixture
def soc_trang(db):
    from planning.models import AdminUnit

    province = AdminUnit.objects.create(
        code="94",
        name="Sóc Trăng",
        level="province",
        boundary=box4326(105.55, 9.2, 106.35, 9.95),
        valid_from=dt.date(1992, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9209,
    )
    commune = AdminUnit.objects.create(
        code="31510",
        name="Xã An Hiệp",
        level="commune",
        parent=province,
        boundary=box4326(105.88, 9.6, 105.98, 9.7),
        valid_from=dt.date(1992, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9209,
        is_synthetic=True,
    )
    return province, commune


# Scripts run by other interpreters (Debian's python3 with QGIS), not by pytest.
collect_ignore_glob = ["clients/*"]
