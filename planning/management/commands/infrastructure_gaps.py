from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, table
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Infrastructure gaps to the fence: distance from each park or cluster to roads, power "
        "and water, and indicative connector lines (layer infrastructure_connectors)."
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
                _("Infrastructure to the fence — %(scope)s: %(gaps)s/%(total)s with gaps")
                % {"scope": r["scope"], "gaps": r["n_with_gaps"], "total": r["n_areas"]}
            )
        )

        def dist(area, network):
            link = next((x for x in area["links"] if x["network"] == network), None)
            return None if link is None else link["distance_m"]

        self.stdout.write(
            table(
                [
                    _("Park or cluster"),
                    _("Road (m)"),
                    _("Power (m)"),
                    _("Water (m)"),
                    _("Gaps"),
                ],
                [
                    [
                        a["area_name"],
                        dist(a, "road"),
                        dist(a, "power"),
                        dist(a, "water"),
                        "; ".join(a["gaps"]) or "—",
                    ]
                    for a in r["areas"]
                ],
                max_width=70,
            )
        )
        self.stdout.write(
            _("%(count)s indicative connector lines stored") % {"count": r["n_connectors"]}
        )
        self.footer(run)
