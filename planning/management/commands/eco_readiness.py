from planning.management.commands._analysis import AnalysisCommand, table, wrap
from planning.texts import translate


class Command(AnalysisCommand):
    help = (
        "Mức sẵn sàng chuyển đổi KCN/CCN sinh thái: tiêu chí đạt và còn thiếu. "
        "Eco-industrial park readiness."
    )
    analysis = "eco-readiness"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--include-planned", action="store_true", help="tính cả khu, cụm mới trong quy hoạch"
        )

    def handle(self, *args, **options):
        run = self.run(
            self.analysis,
            options,
            province=options["province"],
            include_planned=options["include_planned"],
        )
        if options["json"]:
            self.emit_json(run)
            return
        r = translate(run.results)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"KCN/CCN sinh thái / Eco-industrial readiness — {r['scope']}: "
                f"{r['n_ready']}/{r['n_areas']} sẵn sàng / ready"
            )
        )
        self.stdout.write(
            table(
                ["Khu, cụm/Area", "Loại", "Đạt/Met", "Thiếu dữ liệu/Unknown", "Sẵn sàng/Ready"],
                [
                    [
                        a["area_name"],
                        a["kind"],
                        f"{a['n_met']}/{a['n_total']}",
                        a["n_unknown"],
                        a["ready"],
                    ]
                    for a in r["areas"]
                ],
            )
        )
        for a in r["areas"]:
            if not a["ready"]:
                self.stdout.write(wrap(a["summary_vi"]))
        self.footer(run)
