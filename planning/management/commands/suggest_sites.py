import json

from django.core.management.base import CommandError

from planning.analysis._text import fmt_vi
from planning.management.commands._analysis import AnalysisCommand, table, wrap
from planning.models import AdminUnit
from planning.selectors.rasters import raster_layers_available
from planning.texts import translate


class Command(AnalysisCommand):
    help = (
        "Đề xuất vị trí CCN/KCN mới dọc các tuyến đường đã/đang đầu tư và lưu kết quả (lớp "
        "suggested_sites). Suggest sites for new clusters/parks along invested roads."
    )
    analysis = "site-suggestion"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--kind", default="CCN", choices=["CCN", "KCN", "ccn", "kcn"])
        parser.add_argument(
            "--corridor-m", type=float, help="hành lang dọc tuyến (m), mặc định 2000"
        )
        parser.add_argument("--max-count", type=int, help="số vị trí tối đa, mặc định 10")
        parser.add_argument(
            "--weights",
            help="trọng số, ví dụ road=0.3,slope=0.2 (road, infrastructure, slope, "
            "conversion, population, flood)",
        )
        parser.add_argument(
            "--resolution", type=float, help="độ phân giải raster (m); mặc định: mịn nhất đã dựng"
        )
        parser.add_argument(
            "--criteria", help='các tham số khác dạng JSON, ví dụ {"exclude_rice": true}'
        )

    def handle(self, *args, **options):
        criteria = None
        if options["criteria"]:
            try:
                criteria = json.loads(options["criteria"])
            except json.JSONDecodeError as exc:
                raise CommandError(
                    f"--criteria không phải JSON hợp lệ: {exc} / --criteria is not valid JSON: "
                    f"{exc}"
                ) from None
        if options["province"]:
            provinces = [options["province"]]  # checked by the service, which names the parameter
        else:
            provinces = [
                p
                for p in AdminUnit.objects.filter(level="province").order_by("code")
                if raster_layers_available(p)
            ]
            if not provinces:
                raise CommandError(
                    "Chưa tỉnh nào có raster: chạy `manage.py build_rasters` trước. / "
                    "No province has rasters; run `manage.py build_rasters` first."
                )
        for province in provinces:
            run = self.run(
                self.analysis,
                options,
                province=province,
                kind=options["kind"],
                criteria=criteria,
                weights=options["weights"],
                resolution_m=options["resolution"],
                corridor_m=options["corridor_m"],
                max_count=options["max_count"],
            )
            if options["json"]:
                self.emit_json(run)
                continue
            self.report(run)

    def report(self, run) -> None:
        r = translate(run.results)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"{r['province']} — {r['kind']}: {r['count']} vị trí đề xuất / suggested sites, "
                f"{fmt_vi(r['total_ha'], 1)} ha (raster {fmt_vi(r['resolution_m'])} m, "
                f"{fmt_vi(r['grid']['rows'])}×{fmt_vi(r['grid']['cols'])} ô, {r['grid']['crs']})"
            )
        )
        for note in r.get("notes", []):
            self.stdout.write(wrap(f"Lưu ý / Note: {note}"))
        rows = [
            [
                s["rank"],
                s["area_ha"],
                s["score"],
                s["nearest_road_name"] or None,
                s["nearest_road_distance_m"],
                s["rice_land_ha"],
                s["admin_unit"],
            ]
            for s in r["sites"]
        ]
        self.stdout.write(
            table(
                [
                    "Hạng/Rank",
                    "Diện tích/Area (ha)",
                    "Điểm/Score",
                    "Đường gần nhất/Road",
                    "Cách/Distance (m)",
                    "Đất lúa/Rice (ha)",
                    "Xã, phường/Commune",
                ],
                rows,
            )
        )
        if r["sites"]:
            self.stdout.write("Lý do / Reasons:")
            for s in r["sites"]:
                self.stdout.write(wrap(f"{s['rank']}. {s['reasons']}"))
        for d in r.get("dropped", []):
            self.stdout.write(f"  bỏ / dropped: {fmt_vi(d['area_ha'], 1)} ha — {d['reason']}")
        self.footer(run)
