"""Efficiency results as files: flat tables, CSV (UTF-8 with BOM) and XLSX (openpyxl)."""
from __future__ import annotations

import csv
import io
import json

from planning.services.errors import InvalidParameter

AREA_COLUMNS = (
    ("code", "Mã"), ("name", "Tên"), ("kind", "Loại"), ("status", "Tình trạng"), ("province", "Tỉnh"),
    ("district", "Huyện (cũ)"), ("commune", "Xã/phường"), ("planned_ha", "Diện tích quy hoạch (ha)"),
    ("leasable_ha", "Đất CN cho thuê (ha)"), ("leased_ha", "Đã cho thuê (ha)"), ("unleased_ha", "Chưa cho thuê (ha)"),
    ("occupancy", "Tỷ lệ lấp đầy"), ("leasable_share", "Tỷ lệ đất CN"), ("clearance_parcel_ha", "Đất GPMB (ha)"),
    ("clearance_handed_over_ha", "Đã bàn giao (ha)"), ("clearance_progress", "Tiến độ GPMB"),
    ("idle_cleared_ha", "Đất sạch chưa sử dụng (ha)"), ("n_projects", "Số dự án"), ("n_operating", "Dự án hoạt động"),
    ("build_out", "Tỷ lệ dự án hoạt động"), ("registered_capital_per_ha", "Vốn đăng ký/ha (tỷ đồng)"),
    ("disbursed_capital_per_ha", "Vốn thực hiện/ha (tỷ đồng)"), ("disbursement_ratio", "Tỷ lệ giải ngân"),
    ("jobs_per_ha", "Lao động/ha"), ("planned_jobs_per_ha", "Lao động dự kiến/ha"), ("tax_per_ha", "Nộp ngân sách/ha"),
    ("expansion_passed", "Đủ điều kiện mở rộng"), ("expansion_message", "Ghi chú mở rộng"),
)
UNIT_COLUMNS = (
    ("level", "Cấp"), ("unit", "Mã đơn vị"), ("unit_name", "Đơn vị"), ("kind", "Loại"), ("n_counted", "Số khu/cụm"),
    ("planned_ha", "Diện tích quy hoạch (ha)"), ("leasable_ha", "Đất CN cho thuê (ha)"),
    ("leased_ha", "Đã cho thuê (ha)"),
    ("unleased_ha", "Chưa cho thuê (ha)"), ("occupancy", "Tỷ lệ lấp đầy (bình quân gia quyền)"),
    ("mean_occupancy", "Tỷ lệ lấp đầy (bình quân đơn giản)"), ("new_area_passed", "Đủ điều kiện lập CCN mới"),
    ("new_area_message", "Ghi chú"),
)
YEAR_COLUMNS = (
    ("year", "Năm"), ("n_reports", "Số báo cáo"), ("clearance_ha", "GPMB bàn giao (ha)"),
    ("leased_ha", "Cho thuê mới (ha)"),
    ("new_projects", "Dự án mới"), ("disbursed_bn_vnd", "Vốn hạ tầng giải ngân (tỷ đồng)"), ("workers", "Lao động"),
    ("revenue_bn_vnd", "Doanh thu (tỷ đồng)"), ("tax_bn_vnd", "Nộp ngân sách (tỷ đồng)"),
    ("export_musd", "Xuất khẩu (triệu USD)"),
)


def efficiency_tables(results: dict) -> dict[str, tuple[tuple, list[list]]]:
    """The efficiency results as flat tables: ``{"areas"|"units"|"years": (headers, rows)}``."""
    def area_row(a):
        flat = dict(a, expansion_passed=a["expansion"]["passed"], expansion_message=a["expansion"]["message_vi"])
        return [flat.get(k) for k, _ in AREA_COLUMNS]

    def unit_row(u):
        flat = dict(u, new_area_passed=u["new_area_rule"]["passed"], new_area_message=u["new_area_rule"]["message_vi"])
        return [flat.get(k) for k, _ in UNIT_COLUMNS]

    return {
        "areas": (tuple(k for k, _ in AREA_COLUMNS), [area_row(a) for a in results["areas"]]),
        "units": (tuple(k for k, _ in UNIT_COLUMNS), [unit_row(u) for u in results["units"]]),
        "years": (tuple(k for k, _ in YEAR_COLUMNS), [[y.get(k) for k, _ in YEAR_COLUMNS] for y in results["by_year"]]),
    }


def efficiency_export(results: dict, fmt: str, *, table: str = "areas") -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of the efficiency results as JSON, CSV or XLSX.

    CSV holds one table (``areas``, ``units`` or ``years``), UTF-8 with a byte-order mark so that
    Excel reads the Vietnamese text; XLSX holds all three plus the parameters.
    """
    import json

    stamp = f"{results.get('unit', '')}{'_' + str(results['year']) if results.get('year') else ''}"
    if fmt == "json":
        return (json.dumps(results, ensure_ascii=False, indent=1).encode("utf-8"), "application/json",
                f"hieu_qua_su_dung_dat_{stamp}.json")
    tables = efficiency_tables(results)
    if fmt == "csv":
        if table not in tables:
            raise InvalidParameter(f"table must be one of {', '.join(tables)} (got {table!r})")
        headers, rows = tables[table]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", \
            f"hieu_qua_su_dung_dat_{table}_{stamp}.csv"
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        labels = {"areas": AREA_COLUMNS, "units": UNIT_COLUMNS, "years": YEAR_COLUMNS}
        titles = {"areas": "Khu_cum", "units": "Don_vi", "years": "Theo_nam"}
        first = True
        for key, (headers, rows) in tables.items():
            ws = wb.active if first else wb.create_sheet()
            first = False
            ws.title = titles[key]
            ws.append([label for _, label in labels[key]])
            ws.append(list(headers))
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for row in rows:
                ws.append(row)
            ws.freeze_panes = "A3"
        ws = wb.create_sheet("Tham_so")
        for k, v in (("Phạm vi", results.get("scope")), ("Cấp tổng hợp", results.get("unit")),
                     ("Năm", results.get("year")), *(("Ghi chú", n) for n in results.get("notes", ()))):
            ws.append([k, v])
        buf = io.BytesIO()
        wb.save(buf)
        return (buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"hieu_qua_su_dung_dat_{stamp}.xlsx")
    raise InvalidParameter(f"format must be json, csv or xlsx (got {fmt!r})")
