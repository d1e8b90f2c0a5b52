from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, pct, table, wrap
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Plan vs actual: number and area of parks and clusters planned, established and operating."
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
