from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import models as m
from planning.management.commands._analysis import AnalysisCommand, pct, table, wrap
from planning.numbers import number
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Parks and clusters that missed their targets two years running; developers' "
        "financial capacity; state-developed clusters to transfer; lagging secondary projects."
    )
    analysis = "targets"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--as-of-year",
            type=int,
            help=_("last year whose targets are checked (default: last year)"),
        )
        parser.add_argument(
            "--as-of",
            help=_("date the project progress is checked on, YYYY-MM-DD (default: today)"),
        )

    def handle(self, *args, **options):
        run = self.run(
            self.analysis,
            options,
            province=options["province"],
            as_of_year=options["as_of_year"],
            as_of=options["as_of"],
        )
        if options["json"]:
            self.emit_json(run)
            return
        r = translate(run.results)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Missed targets two years running — %(scope)s (up to %(year)s)")
                % {"scope": r["scope"], "year": r["as_of_year"]}
            )
        )
        self.stdout.write(
            table(
                [_("Park or cluster"), _("Years"), _("Targets missed"), _("Latest action")],
                [
                    [
                        w["area_name"],
                        ", ".join(map(str, w["years"])),
                        len(w["misses"]),
                        _latest(w.get("latest_action")),
                    ]
                    for w in r["watch_list"]
                ],
                max_width=60,
            )
        )
        for w in r["watch_list"]:
            self.stdout.write(wrap(w["message"]))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Developer capacity")))
        self.stdout.write(
            table(
                [
                    _("Developer"),
                    _("Own capital (bn VND)"),
                    _("Required (bn VND)"),
                    _("Passed"),
                ],
                [
                    [
                        c["developer_name"],
                        c["own_capital_bn_vnd"],
                        c["required_bn_vnd"],
                        c["passed"],
                    ]
                    for c in r["developer_capacity"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("State-developed clusters to transfer")))
        self.stdout.write(
            table(
                [
                    _("Cluster"),
                    _("Status"),
                    _("Occupancy"),
                    _("Unleased (ha)"),
                    _("Stage"),
                ],
                [
                    [
                        t["area_name"],
                        t["status"],
                        pct(t["occupancy"]),
                        t["unleased_ha"],
                        str(dict(m.TransferCase.Stage.choices).get(t.get("stage"), "")),
                    ]
                    for t in r["transfer_candidates"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Lagging projects: %(count)s, %(ha)s ha")
                % {
                    "count": len(r["lagging_projects"]),
                    "ha": number(r["counts"]["land_to_recover_ha"], 1),
                }
            )
        )
        self.stdout.write(
            table(
                [_("Project"), _("Park"), _("Reason"), _("Months late"), _("Land (ha)")],
                [
                    [
                        p["name"],
                        p["area_id"],
                        p["reason"],
                        p["months_late"],
                        p["land_to_recover_ha"],
                    ]
                    for p in r["lagging_projects"]
                ],
                max_width=40,
            )
        )
        self.footer(run)


def _latest(action) -> str:
    """The province's latest action on a watched area (issue 13), or a flag when there is none."""
    if not action:
        return "⚠ " + _("no action recorded yet")
    kind = dict(m.EnforcementAction.Kind.choices).get(action["kind"], action["kind"])
    outcome = dict(m.EnforcementAction.Outcome.choices).get(action["outcome"], action["outcome"])
    return f"{kind} {action['document_no']} ({action['issued_on']}): {outcome}"
