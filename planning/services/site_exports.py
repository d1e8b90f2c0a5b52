"""Sites of a site-suggestion run as files: CSV (UTF-8 with BOM), XLSX and GeoPackage (EPSG:4326).

Numbers are rounded to what the field means (:mod:`planning.analysis.numformat`, half-up):
hectares to 0.01, metres to 1, people to whole persons, coordinates to 10⁻⁶ degree (≈ 0.1 m).
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np

from planning import geo
from planning import models as m
from planning.analysis import numformat
from planning.services.errors import InvalidParameter

TEXT = None
# (field, Vietnamese label, decimals or None for text and flags)
SITE_COLUMNS = (
    ("rank", "Thứ hạng", 0),
    ("kind", "Loại", TEXT),
    ("area_ha", "Diện tích (ha)", 2),
    ("score", "Điểm phù hợp (0–1)", 3),
    ("province_name", "Tỉnh", TEXT),
    ("admin_unit", "Mã đơn vị hành chính", TEXT),
    ("nearest_road_name", "Tuyến đường gần nhất", TEXT),
    ("nearest_road_status", "Tình trạng tuyến", TEXT),
    ("nearest_road_distance_m", "Khoảng cách đến đường (m)", 0),
    ("road_frontage_m", "Chiều dài tiếp giáp đường (m)", 0),
    ("rice_land_ha", "Đất lúa 2 vụ (ha)", 2),
    ("rice_phasing_required", "Phải phân kỳ chuyển đổi đất lúa", TEXT),
    ("mean_slope_pct", "Độ dốc trung bình (%)", 1),
    ("max_flood_depth_m", "Độ sâu ngập tối đa (m)", 2),
    ("population_in_reach", "Dân số trong bán kính", 0),
    ("lon", "Kinh độ tâm", 6),
    ("lat", "Vĩ độ tâm", 6),
    ("reasons", "Lý do", TEXT),
)
FORMATS = ("csv", "xlsx", "gpkg")


def _rows(sites) -> list[list]:
    rows = []
    for s in sites:
        c = s.geom.point_on_surface
        values = {f: getattr(s, f) for f, *_ in SITE_COLUMNS if hasattr(s, f) and f != "admin_unit"}
        values.update(admin_unit=s.admin_unit.code if s.admin_unit_id else "", lon=c.x, lat=c.y)
        rows.append(
            [
                values.get(f) if digits is None else numformat.for_file(values.get(f), digits)
                for f, _label, digits in SITE_COLUMNS
            ]
        )
    return rows


def sites_export(run: m.AnalysisRun, fmt: str) -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of the run's suggested sites."""
    if fmt not in FORMATS:
        raise InvalidParameter(f"format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    sites = list(run.sites.select_related("admin_unit").order_by("rank"))
    rows = _rows(sites)
    stem = f"de_xuat_vi_tri_{run.pk}"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([label for _, label, _digits in SITE_COLUMNS])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", f"{stem}.csv"
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "Vi_tri"
        ws.append([label for _, label, _digits in SITE_COLUMNS])
        ws.append([f for f, *_ in SITE_COLUMNS])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
            for j, (_f, _label, digits) in enumerate(SITE_COLUMNS, start=1):
                if digits is not None:
                    ws.cell(ws.max_row, j).number_format = numformat.excel_format(digits)
        ws.freeze_panes = "A3"
        params = wb.create_sheet("Tham_so")
        params.append(["Lần chạy", run.pk])
        params.append(["Phạm vi", run.admin_unit.name if run.admin_unit_id else ""])
        for k, v in sorted((run.params.get("criteria") or {}).items()):
            params.append([k, str(v)])
        buf = io.BytesIO()
        wb.save(buf)
        return (
            buf.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{stem}.xlsx",
        )
    import pyogrio.raw
    import shapely

    geoms = geo.to_shapely([s.geom for s in sites]) if sites else np.array([], dtype=object)
    fields = [f for f, *_ in SITE_COLUMNS]
    arrays, masks = [], []
    for j, (name, _label, digits) in enumerate(SITE_COLUMNS):
        col = [row[j] for row in rows]
        missing = np.array([v is None for v in col], dtype=bool)
        if name == "rice_phasing_required":
            arrays.append(np.array(col, dtype=bool))
        elif (
            digits == 0
        ):  # whole numbers (people, metres, the rank) are integer fields, NULL if unknown
            arrays.append(np.array([0 if v is None else v for v in col], dtype=np.int64))
        elif digits is not None:
            arrays.append(
                np.array([np.nan if v is None else float(v) for v in col], dtype=np.float64)
            )
        else:
            arrays.append(np.array(["" if v is None else str(v) for v in col], dtype=object))
        masks.append(missing if digits is not None else None)
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
