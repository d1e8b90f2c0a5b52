from planning.management.commands._analysis import AnalysisCommand, pct, table, wrap
from planning.texts import translate


class Command(AnalysisCommand):
    help = (
        "Quy hoạch so với thực hiện: số khu, cụm và diện tích trong quy hoạch, đã thành lập, "
        "đang hoạt động."
    )
    analysis = "plan-vs-actual"

    def handle(self, *args, **options):
        run = self.run(self.analysis, options, province=options["province"])
        if options["json"]:
            self.emit_json(run)
            return
        rows = translate(run.results["rows"])
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Quy hoạch so với thực hiện / Plan vs actual — {run.results['scope']}"
            )
        )
        self.stdout.write(
            table(
                [
                    "Tỉnh/Province",
                    "Loại",
                    "Quy hoạch/Planned",
                    "(ha)",
                    "Đã thành lập/Established",
                    "(ha)",
                    "Hoạt động/Operating",
                    "(ha)",
                    "Tỷ lệ ha/Share",
                ],
                [
                    [
                        r["province"],
                        r["kind"],
                        r["planned_count"],
                        r["planned_ha"],
                        r["established_count"],
                        r["established_ha"],
                        r["operating_count"],
                        r["operating_ha"],
                        pct(r["established_share_ha"]),
                    ]
                    for r in rows
                ],
            )
        )
        for r in rows:
            self.stdout.write(wrap(r["summary_vi"]))
        self.footer(run)
