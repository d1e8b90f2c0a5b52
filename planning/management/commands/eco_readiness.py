import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, table, wrap
from planning.numbers import active_lang
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
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            help=_("date of the roadmap deadline check, YYYY-MM-DD (default: today)"),
        )

    def handle(self, *args, **options):
        run = self.run(
            self.analysis,
            options,
            province=options["province"],
            include_planned=options["include_planned"],
            as_of=options["as_of"],
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
                self.stdout.write(wrap(a["summary"]))
        self._roadmaps(r)
        self.footer(run)

    def _roadmaps(self, r: dict) -> None:
        """Conversion roadmaps: criteria met of total, deadline, overdue (models.eco)."""
        rows = [(a, p, v) for a in r["areas"] for p, v in a["roadmaps"].items()]
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Conversion roadmaps as of %(date)s: %(n)s, %(overdue)s overdue")
                % {"date": r["as_of"], "n": len(rows), "overdue": r["n_overdue"]}
            )
        )
        if not rows:
            return
        programme = {"eco": _("eco"), "smart": _("smart")}
        self.stdout.write(
            table(
                [
                    _("Park or cluster"),
                    _("Programme"),
                    _("Criteria met"),
                    _("Target year"),
                    _("Deadline"),
                    _("Overdue"),
                    _("Responsible developer"),
                ],
                [
                    [
                        a["area_name"],
                        programme[p],
                        f"{v['n_met']}/{v['n_total']}",
                        str(v["target_year"]),
                        v["deadline"],
                        _("yes") if v["overdue"] else _("no"),
                        v["developer"],
                    ]
                    for a, p, v in rows
                ],
            )
        )
        for a, _p, v in rows:
            if v["overdue"]:
                self.stdout.write(wrap(v["summary"]))
            for c in v["criteria"]:
                if c["conflict"]:
                    self.stdout.write(
                        wrap(
                            _(
                                "%(area)s: “%(criterion)s” declared met, but the recorded "
                                "figures say: %(missing)s"
                            )
                            % {
                                "area": a["area_name"],
                                "criterion": c["name_" + active_lang()],
                                "missing": c["measured_missing"],
                            }
                        )
                    )
