"""Sites of a site-suggestion run as files: CSV (UTF-8 with BOM), XLSX and GeoPackage (EPSG:4326)."""
from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np

from planning import geo
from planning import models as m
from planning.services.errors import InvalidParameter

SITE_COLUMNS = (
    ("rank", "Thứ hạng"), ("kind", "Loại"), ("area_ha", "Diện tích (ha)"), ("score", "Điểm phù hợp (0–1)"),
    ("province_name", "Tỉnh"), ("admin_unit", "Mã đơn vị hành chính"), ("nearest_road_name", "Tuyến đường gần nhất"),
    ("nearest_road_status", "Tình trạng tuyến"), ("nearest_road_distance_m", "Khoảng cách đến đường (m)"),
    ("road_frontage_m", "Chiều dài tiếp giáp đường (m)"), ("rice_land_ha", "Đất lúa 2 vụ (ha)"),
    ("rice_phasing_required", "Phải phân kỳ chuyển đổi đất lúa"), ("mean_slope_pct", "Độ dốc trung bình (%)"),
    ("max_flood_depth_m", "Độ sâu ngập tối đa (m)"), ("population_in_reach", "Dân số trong bán kính"),
    ("lon", "Kinh độ tâm"), ("lat", "Vĩ độ tâm"), ("reasons", "Lý do"),
)
FORMATS = ("csv", "xlsx", "gpkg")


def _rows(sites) -> list[list]:
    rows = []
    for s in sites:
        c = s.geom.point_on_surface
        values = {f: getattr(s, f) for f, _ in SITE_COLUMNS if hasattr(s, f) and f != "admin_unit"}
        values.update(admin_unit=s.admin_unit.code if s.admin_unit_id else "", lon=round(c.x, 6), lat=round(c.y, 6))
        rows.append([values.get(f) for f, _ in SITE_COLUMNS])
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
        writer.writerow([label for _, label in SITE_COLUMNS])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", f"{stem}.csv"
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "Vi_tri"
        ws.append([label for _, label in SITE_COLUMNS])
        ws.append([f for f, _ in SITE_COLUMNS])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A3"
        params = wb.create_sheet("Tham_so")
        params.append(["Lần chạy", run.pk])
        params.append(["Phạm vi", run.admin_unit.name if run.admin_unit_id else ""])
        for k, v in sorted((run.params.get("criteria") or {}).items()):
            params.append([k, str(v)])
        buf = io.BytesIO()
        wb.save(buf)
        return (buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{stem}.xlsx")
    import pyogrio.raw
    import shapely

    geoms = geo.to_shapely([s.geom for s in sites]) if sites else np.array([], dtype=object)
    fields = [f for f, _ in SITE_COLUMNS]
    arrays = []
    for j, name in enumerate(fields):
        col = [row[j] for row in rows]
        if name in ("rank",):
            arrays.append(np.array(col, dtype=np.int32))
        elif name == "rice_phasing_required":
            arrays.append(np.array(col, dtype=bool))
        elif all(isinstance(v, (int, float)) or v is None for v in col) and name not in ("admin_unit",):
            arrays.append(np.array([np.nan if v is None else float(v) for v in col], dtype=np.float64))
        else:
            arrays.append(np.array(["" if v is None else str(v) for v in col], dtype=object))
    with tempfile.TemporaryDirectory(prefix="kcn-sites-") as tmp:
        path = Path(tmp) / f"{stem}.gpkg"
        pyogrio.raw.write(str(path), np.array([shapely.to_wkb(g) for g in geoms], dtype=object), arrays, fields,
                          driver="GPKG", crs="EPSG:4326", geometry_type="MultiPolygon", layer="suggested_sites")
        return path.read_bytes(), "application/geopackage+sqlite3", f"{stem}.gpkg"
