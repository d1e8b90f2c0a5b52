from planning.management.commands._analysis import AnalysisCommand, table
from planning.texts import translate


class Command(AnalysisCommand):
    help = (
        "Hạ tầng kỹ thuật đến chân hàng rào: khoảng cách từ mỗi khu, cụm đến đường, điện, nước "
        "và tuyến kết "
        "nối chỉ dẫn (lớp infrastructure_connectors). Infrastructure gaps to the fence."
    )
    analysis = "infrastructure-gaps"

    def handle(self, *args, **options):
        run = self.run(self.analysis, options, province=options["province"])
        if options["json"]:
            self.emit_json(run)
            return
        r = translate(run.results)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Hạ tầng đến chân hàng rào / Infrastructure to the fence — {r['scope']}: "
                f"{r['n_with_gaps']}/{r['n_areas']} khu, cụm còn thiếu / with gaps"
            )
        )

        def dist(area, network):
            link = next((x for x in area["links"] if x["network"] == network), None)
            return None if link is None else link["distance_m"]

        self.stdout.write(
            table(
                [
                    "Khu, cụm/Area",
                    "Đường/Road (m)",
                    "Điện/Power (m)",
                    "Nước/Water (m)",
                    "Còn thiếu/Gaps",
                ],
                [
                    [
                        a["area_name"],
                        dist(a, "road"),
                        dist(a, "power"),
                        dist(a, "water"),
                        "; ".join(a["gaps_vi"]) or "—",
                    ]
                    for a in r["areas"]
                ],
                max_width=70,
            )
        )
        self.stdout.write(
            f"{r['n_connectors']} tuyến kết nối chỉ dẫn đã lưu / connector lines stored"
        )
        self.footer(run)
