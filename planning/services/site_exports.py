"""Sites of a site-suggestion run as files: CSV (UTF-8 with BOM), XLSX and GeoPackage (EPSG:4326).

Numbers are rounded to what the field means (:mod:`planning.analysis.numformat`, half-up):
hectares to 0.01, metres to 1, people to whole persons, coordinates to 10⁻⁶ degree (≈ 0.1 m).
CSV and XLSX headers are in the language of the request (the XLSX second row, and the
GeoPackage, use the field names); the tables are written by :mod:`planning.tables`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import geo, tables
from planning import models as m
from planning.errors import InvalidParameter
from planning.tables import TEXT, Column

SITE_COLUMNS = (
    Column("rank", gettext_lazy("Rank"), 0),
    Column("kind", gettext_lazy("Kind"), TEXT),
    Column("area_ha", gettext_lazy("Area (ha)"), 2),
    Column("score", gettext_lazy("Suitability score (0–1)"), 3),
    Column("province_name", gettext_lazy("Province"), TEXT),
    Column("admin_unit", gettext_lazy("Administrative unit code"), TEXT),
    Column("nearest_road_name", gettext_lazy("Nearest road"), TEXT),
    Column("nearest_road_status", gettext_lazy("Road status"), TEXT),
    Column("nearest_road_distance_m", gettext_lazy("Distance to the road (m)"), 0),
    Column("road_frontage_m", gettext_lazy("Road frontage (m)"), 0),
    Column("rice_land_ha", gettext_lazy("2-crop rice land (ha)"), 2),
    Column("rice_phasing_required", gettext_lazy("Rice-land conversion must be phased"), TEXT),
    Column("mean_slope_pct", gettext_lazy("Mean slope (%)"), 1),
    Column("max_flood_depth_m", gettext_lazy("Maximum flood depth (m)"), 2),
    Column("population_in_reach", gettext_lazy("Population within reach"), 0),
    Column("lon", gettext_lazy("Centre longitude"), 6),
    Column("lat", gettext_lazy("Centre latitude"), 6),
    Column("reasons", gettext_lazy("Reasons"), TEXT),
)
FORMATS = ("csv", "xlsx", "gpkg")
# Sheet names are the same in every language (programs open them by name).
SITES_SHEET, PARAMETER_SHEET = "Vi_tri", "Tham_so"


def _rows(sites) -> list[list]:
    records = []
    for s in sites:
        c = s.geom.point_on_surface
        values = {col.key: getattr(s, col.key) for col in SITE_COLUMNS if hasattr(s, col.key)}
        values.update(admin_unit=s.admin_unit.code if s.admin_unit_id else "", lon=c.x, lat=c.y)
        records.append(values)
    return tables.record_rows(records, SITE_COLUMNS)


def sites_export(run: m.AnalysisRun, fmt: str) -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of the run's suggested sites."""
    if fmt not in FORMATS:
        raise InvalidParameter(f"format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    sites = list(run.sites.select_related("admin_unit").order_by("rank"))
    rows = _rows(sites)
    stem = f"de_xuat_vi_tri_{run.pk}"
    if fmt == "csv":
        return tables.write_csv(tables.labels(SITE_COLUMNS), rows), tables.CSV_TYPE, f"{stem}.csv"
    if fmt == "xlsx":
        parameters = [
            (_("Run"), run.pk),
            (_("Scope"), run.admin_unit.name if run.admin_unit_id else ""),
            *((k, str(v)) for k, v in sorted((run.params.get("criteria") or {}).items())),
        ]
        sheets = [
            tables.Sheet(SITES_SHEET, rows, SITE_COLUMNS, header=("label", "key")),
            tables.Sheet(PARAMETER_SHEET, parameters, bold_first_row=False),
        ]
        return tables.write_xlsx(sheets), tables.XLSX_TYPE, f"{stem}.xlsx"
    return _geopackage(sites, rows, stem)


def _geopackage(sites, rows, stem) -> tuple[bytes, str, str]:
    import pyogrio.raw  # GDAL is loaded only for this format
    import shapely

    geoms = geo.to_shapely([s.geom for s in sites]) if sites else np.array([], dtype=object)
    fields = tables.keys(SITE_COLUMNS)
    arrays, masks = [], []
    for j, col in enumerate(SITE_COLUMNS):
        values = [row[j] for row in rows]
        missing = np.array([v is None for v in values], dtype=bool)
        if col.key == "rice_phasing_required":
            arrays.append(np.array(values, dtype=bool))
        elif col.digits == 0:
            # whole numbers (people, metres, the rank) are integer fields, NULL if unknown
            arrays.append(np.array([0 if v is None else v for v in values], dtype=np.int64))
        elif col.digits is not None:
            arrays.append(
                np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
            )
        else:
            arrays.append(np.array(["" if v is None else str(v) for v in values], dtype=object))
        masks.append(missing if col.digits is not None else None)
    with tempfile.TemporaryDirectory(prefix="kcn-sites-") as tmp:
        path = Path(tmp) / f"{stem}.gpkg"
        pyogrio.raw.write(
            str(path),
            np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
            arrays,
            fields,
            field_mask=masks,
            driver="GPKG",
            crs="EPSG:4326",
            geometry_type="MultiPolygon",
            layer="suggested_sites",
        )
        return path.read_bytes(), "application/geopackage+sqlite3", f"{stem}.gpkg"
