from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, pct, table, wrap
from planning.numbers import number
from planning.services.analyses.plan_vs_actual import basis_label, plan_vs_actual_xlsx
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Plan vs actual: number and area of parks and clusters planned, established and operating, "
        "from the provincial plan where one is recorded (else from the area records)."
    )
    analysis = "plan-vs-actual"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--xlsx", metavar="PATH", help=_("also write the tables to this XLSX file")
        )

    def handle(self, *args, **options):
        run = self.run(self.analysis, options, province=options["province"])
        if options["xlsx"]:
            path = Path(options["xlsx"])
            if path.is_dir():
                raise CommandError(_("--xlsx needs a file path, not a folder"))
            content = plan_vs_actual_xlsx(run.results)
            path.write_bytes(content)
            self.stderr.write(
                _("wrote %(path)s (%(size)s bytes)") % {"path": path, "size": number(len(content))}
            )
        if options["json"]:
            self.emit_json(run)
            return
        rows = translate(run.results["rows"])
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Plan vs actual — %(scope)s") % {"scope": run.results["scope"]}
            )
        )
        self.stdout.write(
            table(
                [
                    _("Province"),
                    _("Kind"),
                    _("Planned"),
                    "(ha)",
                    _("Established"),
                    "(ha)",
                    _("Operating"),
                    "(ha)",
                    _("Share of ha"),
                    _("Occupancy"),
                    _("Counted from"),
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
                        pct(r.get("occupancy")),
                        basis_label(r.get("basis", "records")),
                    ]
                    for r in rows
                ],
            )
        )
        for r in rows:
            self.stdout.write(wrap(r["summary"]))
        steps = run.results.get("steps", [])
        if steps:
            self.stdout.write(self.style.MIGRATE_HEADING(_("By plan amendment")))
            self.stdout.write(
                table(
                    [
                        _("Province"),
                        _("Kind"),
                        _("Amendment"),
                        _("Decision"),
                        _("Planned"),
                        "(ha)",
                        _("Change"),
                        "(ha)",
                    ],
                    [
                        [
                            s["province"],
                            s["kind"],
                            s["step"],
                            s["decision"],
                            s["planned_count"],
                            s["planned_ha"],
                            s["change_count"],
                            s["change_ha"],
                        ]
                        for s in steps
                    ],
                    max_width=60,
                )
            )
        self.footer(run)
