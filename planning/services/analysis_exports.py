"""Efficiency results as files: flat tables, CSV (UTF-8 with BOM) and XLSX (openpyxl).

Numbers are rounded to what the field means (:mod:`planning.analysis.numformat`, half-up):
hectares and money to 0.01, ratios (0–1) to 0.0001, jobs per hectare to 0.1, counts and people
to whole numbers — no binary tails such as ``16.00999999999999`` in a spreadsheet.
"""

from __future__ import annotations

import csv
import io

from planning.analysis import numformat
from planning.services.errors import InvalidParameter

HA, RATIO, MONEY, PER_HA, COUNT = 2, 4, 2, 1, 0  # decimals kept in the files (RATIO only is 4)
TEXT = None

# (key, Vietnamese label, decimals or None for text)
AREA_COLUMNS = (
    ("code", "Mã", TEXT),
    ("name", "Tên", TEXT),
    ("kind", "Loại", TEXT),
    ("status", "Tình trạng", TEXT),
    ("province", "Tỉnh", TEXT),
    ("district", "Huyện (cũ)", TEXT),
    ("commune", "Xã/phường", TEXT),
    ("planned_ha", "Diện tích quy hoạch (ha)", HA),
    ("leasable_ha", "Đất CN cho thuê (ha)", HA),
    ("leased_ha", "Đã cho thuê (ha)", HA),
    ("unleased_ha", "Chưa cho thuê (ha)", HA),
    ("occupancy", "Tỷ lệ lấp đầy", RATIO),
    ("leasable_share", "Tỷ lệ đất CN", RATIO),
    ("clearance_parcel_ha", "Đất GPMB (ha)", HA),
    ("clearance_handed_over_ha", "Đã bàn giao (ha)", HA),
    ("clearance_progress", "Tiến độ GPMB", RATIO),
    ("idle_cleared_ha", "Đất sạch chưa sử dụng (ha)", HA),
    ("n_projects", "Số dự án", COUNT),
    ("n_operating", "Dự án hoạt động", COUNT),
    ("build_out", "Tỷ lệ dự án hoạt động", RATIO),
    ("registered_capital_per_ha", "Vốn đăng ký/ha (tỷ đồng)", MONEY),
    ("disbursed_capital_per_ha", "Vốn thực hiện/ha (tỷ đồng)", MONEY),
    ("disbursement_ratio", "Tỷ lệ giải ngân", RATIO),
    ("jobs_per_ha", "Lao động/ha", PER_HA),
    ("planned_jobs_per_ha", "Lao động dự kiến/ha", PER_HA),
    ("tax_per_ha", "Nộp ngân sách/ha", MONEY),
    ("expansion_passed", "Đủ điều kiện mở rộng", TEXT),
    ("expansion_message", "Ghi chú mở rộng", TEXT),
)
UNIT_COLUMNS = (
    ("level", "Cấp", TEXT),
    ("unit", "Mã đơn vị", TEXT),
    ("unit_name", "Đơn vị", TEXT),
    ("kind", "Loại", TEXT),
    ("n_counted", "Số khu/cụm", COUNT),
    ("planned_ha", "Diện tích quy hoạch (ha)", HA),
    ("leasable_ha", "Đất CN cho thuê (ha)", HA),
    ("leased_ha", "Đã cho thuê (ha)", HA),
    ("unleased_ha", "Chưa cho thuê (ha)", HA),
    ("occupancy", "Tỷ lệ lấp đầy (bình quân gia quyền)", RATIO),
    ("mean_occupancy", "Tỷ lệ lấp đầy (bình quân đơn giản)", RATIO),
    ("new_area_passed", "Đủ điều kiện lập CCN mới", TEXT),
    ("new_area_message", "Ghi chú", TEXT),
)
YEAR_COLUMNS = (
    ("year", "Năm", TEXT),
    ("n_reports", "Số báo cáo", COUNT),
    ("clearance_ha", "GPMB bàn giao (ha)", HA),
    ("leased_ha", "Cho thuê mới (ha)", HA),
    ("new_projects", "Dự án mới", COUNT),
    ("disbursed_bn_vnd", "Vốn hạ tầng giải ngân (tỷ đồng)", MONEY),
    ("workers", "Lao động", COUNT),
    ("revenue_bn_vnd", "Doanh thu (tỷ đồng)", MONEY),
    ("tax_bn_vnd", "Nộp ngân sách (tỷ đồng)", MONEY),
    ("export_musd", "Xuất khẩu (triệu USD)", MONEY),
)


def _row(flat: dict, columns) -> list:
    return [
        numformat.for_file(flat.get(k), digits) if digits is not None else flat.get(k)
        for k, _label, digits in columns
    ]


def efficiency_tables(results: dict) -> dict[str, tuple[tuple, list[list]]]:
    """The efficiency results as flat tables: ``{"areas"|"units"|"years": (headers, rows)}``."""

    def area_row(a):
        flat = dict(
            a,
            expansion_passed=a["expansion"]["passed"],
            expansion_message=a["expansion"]["message_vi"],
        )
        return _row(flat, AREA_COLUMNS)

    def unit_row(u):
        flat = dict(
            u,
            new_area_passed=u["new_area_rule"]["passed"],
            new_area_message=u["new_area_rule"]["message_vi"],
        )
        return _row(flat, UNIT_COLUMNS)

    return {
        "areas": (tuple(k for k, *_ in AREA_COLUMNS), [area_row(a) for a in results["areas"]]),
        "units": (tuple(k for k, *_ in UNIT_COLUMNS), [unit_row(u) for u in results["units"]]),
        "years": (
            tuple(k for k, *_ in YEAR_COLUMNS),
            [_row(y, YEAR_COLUMNS) for y in results["by_year"]],
        ),
    }


def efficiency_export(results: dict, fmt: str, *, table: str = "areas") -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of the efficiency results as JSON, CSV or XLSX.

    CSV holds one table (``areas``, ``units`` or ``years``), UTF-8 with a byte-order mark so that
    Excel reads the Vietnamese text; XLSX holds all three plus the parameters. JSON is the
    results as computed (full precision), for programs.
    """
    import json

    stamp = f"{results.get('unit', '')}{'_' + str(results['year']) if results.get('year') else ''}"
    if fmt == "json":
        return (
            json.dumps(results, ensure_ascii=False, indent=1).encode("utf-8"),
            "application/json",
            f"hieu_qua_su_dung_dat_{stamp}.json",
        )
    tables = efficiency_tables(results)
    if fmt == "csv":
        if table not in tables:
            raise InvalidParameter(f"table must be one of {', '.join(tables)} (got {table!r})")
        headers, rows = tables[table]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return (
            ("\ufeff" + buf.getvalue()).encode("utf-8"),
            "text/csv; charset=utf-8",
            f"hieu_qua_su_dung_dat_{table}_{stamp}.csv",
        )
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
            ws.append([label for _, label, _digits in labels[key]])
            ws.append(list(headers))
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for row in rows:
                ws.append(row)
                for j, (_key, _label, digits) in enumerate(labels[key], start=1):
                    if digits is not None:  # ratios read as percentages, the cell keeps 0–1
                        ws.cell(ws.max_row, j).number_format = (
                            numformat.excel_format(digits - 2, percent_of_one=True)
                            if digits == RATIO
                            else numformat.excel_format(digits)
                        )
            ws.freeze_panes = "A3"
        ws = wb.create_sheet("Tham_so")
        for k, v in (
            ("Phạm vi", results.get("scope")),
            ("Cấp tổng hợp", results.get("unit")),
            ("Năm", results.get("year")),
            *(("Ghi chú", n) for n in results.get("notes", ())),
        ):
            ws.append([k, v])
        buf = io.BytesIO()
        wb.save(buf)
        return (
            buf.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"hieu_qua_su_dung_dat_{stamp}.xlsx",
        )
    raise InvalidParameter(f"format must be json, csv or xlsx (got {fmt!r})")
