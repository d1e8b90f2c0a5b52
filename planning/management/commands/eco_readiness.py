from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, table, wrap
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Eco-industrial park readiness of industrial parks and clusters: criteria met and missing."
    )
    analysis = "eco-readiness"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--include-planned", action="store_true", help=_("include planned parks and clusters")
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
                _("Eco-industrial readiness — %(scope)s: %(ready)s/%(total)s ready")
                % {"scope": r["scope"], "ready": r["n_ready"], "total": r["n_areas"]}
            )
        )
        self.stdout.write(
            table(
                [_("Park or cluster"), _("Kind"), _("Met"), _("No data"), _("Ready")],
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
