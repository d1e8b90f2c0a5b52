import sys
from pathlib import Path

from django.core.management.base import CommandError

from planning.analysis._text import fmt_vi
from planning.management.commands._analysis import AnalysisCommand, pct, table
from planning.services.analysis_exports import efficiency_export
from planning.texts import translate


class Command(AnalysisCommand):
    help = (
        "Hiệu quả sử dụng đất KCN/CCN theo khu, xã, huyện (cũ), tỉnh; lưu lần chạy và xuất "
        "JSON/CSV/XLSX. "
        "Land-use efficiency per area and per unit."
    )
    analysis = "efficiency"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--unit",
            choices=["commune", "district", "province"],
            help="cấp tổng hợp cho điều kiện Nghị định 32/2024 (mặc định: district — huyện cũ)",
        )
        parser.add_argument(
            "--year", type=int, help="tình hình cuối năm Y (dựng lại từ báo cáo năm)"
        )
        parser.add_argument(
            "--format", choices=["json", "csv", "xlsx"], help="xuất tệp / export format"
        )
        parser.add_argument(
            "--table",
            default="areas",
            choices=["areas", "units", "years"],
            help="bảng xuất ra CSV (mặc định areas)",
        )
        parser.add_argument(
            "--output", help="đường dẫn tệp xuất (mặc định: in ra màn hình với json/csv)"
        )

    def handle(self, *args, **options):
        run = self.run(
            self.analysis,
            options,
            province=options["province"],
            unit=options["unit"],
            year=options["year"],
        )
        fmt = options["format"]
        if fmt:
            content, _ctype, filename = efficiency_export(run.results, fmt, table=options["table"])
            if options["output"]:
                path = Path(options["output"])
                if path.is_dir():
                    path = path / filename
                path.write_bytes(content)
                self.stderr.write(f"đã ghi / wrote {path} ({fmt_vi(len(content))} bytes)")
            elif fmt == "xlsx":
                raise CommandError(
                    "--format xlsx cần --output ĐƯỜNG_DẪN / --format xlsx needs --output PATH"
                )
            else:
                sys.stdout.flush()
                self.stdout.write(content.decode("utf-8-sig"))
                return
        if options["json"]:
            self.emit_json(run)
            return
        r = translate(run.results)
        title = f"Hiệu quả sử dụng đất / Land-use efficiency — {r['scope']}"
        if r["year"]:
            title += f", cuối năm / end of {r['year']}"
        self.stdout.write(self.style.MIGRATE_HEADING(title))
        self.stdout.write(
            table(
                [
                    "Loại/Kind",
                    "Số khu/Areas",
                    "Quy hoạch/Planned (ha)",
                    "Cho thuê/Leasable (ha)",
                    "Đã thuê/Leased (ha)",
                    "Lấp đầy/Occupancy",
                ],
                [
                    [
                        t["kind"],
                        t["n_counted"],
                        t["planned_ha"],
                        t["leasable_ha"],
                        t["leased_ha"],
                        pct(t["occupancy"]),
                    ]
                    for t in r["totals"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Theo đơn vị / By unit ({r['unit']})"))
        self.stdout.write(
            table(
                [
                    "Đơn vị/Unit",
                    "Loại/Kind",
                    "Số khu/Areas",
                    "Lấp đầy/Occupancy",
                    "Chưa thuê/Unleased (ha)",
                    "Lập CCN mới/New CCN",
                ],
                [
                    [
                        u["unit_name"],
                        u["kind"],
                        u["n_counted"],
                        pct(u["occupancy"]),
                        u["unleased_ha"],
                        u["new_area_rule"]["passed"],
                    ]
                    for u in r["units"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Theo khu, cụm / By area"))
        self.stdout.write(
            table(
                [
                    "Mã/Code",
                    "Tên/Name",
                    "Loại",
                    "Lấp đầy/Occ.",
                    "GPMB/Cleared",
                    "Vốn ĐK/ha",
                    "LĐ/ha (jobs)",
                    "Mở rộng/Expand",
                ],
                [
                    [
                        a["code"],
                        a["name"],
                        a["kind"],
                        pct(a["occupancy"]),
                        pct(a["clearance_progress"]),
                        a["registered_capital_per_ha"],
                        a["jobs_per_ha"],
                        a["expansion"]["passed"],
                    ]
                    for a in r["areas"]
                ],
                max_width=32,
            )
        )
        for note in r.get("notes", []):
            self.stdout.write(f"* {note}")
        self.footer(run)
