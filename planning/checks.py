"""System checks: the CRS definitions the service relies on must be in the spatial database."""

import warnings

from django.core import checks
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import DatabaseError
from pyproj import CRS

# VN-2000 systems (DOMAIN.md §4.1) plus the web CRSs the OGC services offer.
REQUIRED_SRIDS = (4326, 3857, 4756, 3405, 3406, 5896, 5897, 5898, 5899, *range(9205, 9219))


def missing_srids(conn=connection) -> list[int]:
    SpatialRefSys = conn.ops.spatial_ref_sys()
    present = set(
        SpatialRefSys.objects.using(conn.alias)
        .filter(srid__in=REQUIRED_SRIDS)
        .values_list("srid", flat=True)
    )
    return [s for s in REQUIRED_SRIDS if s not in present]


TOWGS84 = (
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,"
    "0.00928836,-0.01975479,0.00427372,0.252906278"
)


def add_missing_srids(conn=connection) -> list[int]:
    """Insert the REQUIRED_SRIDS the database lacks, from PROJ (pyproj); return what was added.

    VN-2000 rows get a ``+towgs84`` in the Position Vector convention of EPSG:6960, so the
    database's own Transform() agrees with pyproj.
    """
    SpatialRefSys = conn.ops.spatial_ref_sys()
    added = []
    for srid in missing_srids(conn):
        crs = CRS.from_epsg(srid)
        with warnings.catch_warnings():
            # PROJ strings lose the datum name; the +towgs84 below carries the datum shift.
            warnings.simplefilter("ignore", UserWarning)
            proj4 = crs.to_proj4().replace(" +type=crs", "")
        if crs.datum and "Vietnam 2000" in crs.datum.name and "towgs84" not in proj4:
            proj4 += " " + TOWGS84
        values = {
            "srid": srid,
            "auth_name": "EPSG",
            "auth_srid": srid,
            "proj4text": proj4,
            "srtext": crs.to_wkt("WKT1_GDAL"),
        }
        if conn.vendor == "sqlite":
            values["ref_sys_name"] = crs.name
        SpatialRefSys.objects.using(conn.alias).create(**values)
        added.append(srid)
    return added


def _srid_migration_applied(conn=connection) -> bool:
    applied = MigrationRecorder(conn).applied_migrations()
    return any(app == "planning" and name.startswith("0002_") for app, name in applied)


@checks.register(checks.Tags.database)
def check_vn2000_srids(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    try:
        if not _srid_migration_applied():
            return []  # not migrated yet: migration 0002 will add what is missing (and
            # `manage.py migrate` runs this check first, so an error here would block it)
        missing = missing_srids()
    except DatabaseError:
        return []  # not migrated yet: migration 0002 will add what is missing
    if missing:
        return [
            checks.Error(
                f"spatial_ref_sys lacks EPSG {', '.join(map(str, missing))}",
                hint="run `manage.py migrate planning` (migration 0002 adds them from PROJ)",
                id="planning.E001",
            )
        ]
    return []
