import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, pct, table
from planning.numbers import number
from planning.services.analysis_exports import efficiency_export
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Land-use efficiency of industrial parks and clusters per area, commune, (former) "
        "district and province; stores the run and exports JSON/CSV/XLSX."
    )
    analysis = "efficiency"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--unit",
            choices=["commune", "district", "province"],
            help=_(
                "unit level for the Decree 32/2024 conditions (default: district — former district)"
            ),
        )
        parser.add_argument(
            "--year",
            type=int,
            help=_("the state at the end of year Y (rebuilt from the annual reports)"),
        )
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], help=_("export format"))
        parser.add_argument(
            "--table",
            default="areas",
            choices=["areas", "units", "years"],
            help=_("table exported as CSV (default: areas)"),
        )
        parser.add_argument(
            "--output", help=_("export file path (default: print json/csv on screen)")
        )

    def handle(self, *args, **options):
        run = self.run(
            self.analysis,
            options,
            province=options["province"],
            unit=options["unit"],
            year=options["year"],
        )
        fmt = options["format"]
        if fmt:
            content, _ctype, filename = efficiency_export(run.results, fmt, table=options["table"])
            if options["output"]:
                path = Path(options["output"])
                if path.is_dir():
                    path = path / filename
                path.write_bytes(content)
                self.stderr.write(
                    _("wrote %(path)s (%(size)s bytes)")
                    % {"path": path, "size": number(len(content))}
                )
            elif fmt == "xlsx":
                raise CommandError(_("--format xlsx needs --output PATH"))
            else:
                sys.stdout.flush()
                self.stdout.write(content.decode("utf-8-sig"))
                return
        if options["json"]:
            self.emit_json(run)
            return
        r = translate(run.results)
        if r["year"]:
            title = _("Land-use efficiency — %(scope)s, end of %(year)s") % {
                "scope": r["scope"],
                "year": r["year"],
            }
        else:
            title = _("Land-use efficiency — %(scope)s") % {"scope": r["scope"]}
        self.stdout.write(self.style.MIGRATE_HEADING(title))
        self.stdout.write(
            table(
                [
                    _("Kind"),
                    _("Areas"),
                    _("Planned (ha)"),
                    _("Leasable (ha)"),
                    _("Leased (ha)"),
                    _("Occupancy"),
                ],
                [
                    [
                        t["kind"],
                        t["n_counted"],
                        t["planned_ha"],
                        t["leasable_ha"],
                        t["leased_ha"],
                        pct(t["occupancy"]),
                    ]
                    for t in r["totals"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("By unit (%(unit)s)") % {"unit": r["unit"]}))
        self.stdout.write(
            table(
                [
                    _("Unit"),
                    _("Kind"),
                    _("Areas"),
                    _("Occupancy"),
                    _("Unleased (ha)"),
                    _("New CCN"),
                ],
                [
                    [
                        u["unit_name"],
                        u["kind"],
                        u["n_counted"],
                        pct(u["occupancy"]),
                        u["unleased_ha"],
                        u["new_area_rule"]["passed"],
                    ]
                    for u in r["units"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("By park or cluster")))
        self.stdout.write(
            table(
                [
                    _("Code"),
                    _("Name"),
                    _("Kind"),
                    _("Occ."),
                    _("Cleared"),
                    _("Reg. capital/ha"),
                    _("Jobs/ha"),
                    _("Expand"),
                ],
                [
                    [
                        a["code"],
                        a["name"],
                        a["kind"],
                        pct(a["occupancy"]),
                        pct(a["clearance_progress"]),
                        a["registered_capital_per_ha"],
                        a["jobs_per_ha"],
                        a["expansion"]["passed"],
                    ]
                    for a in r["areas"]
                ],
                max_width=32,
            )
        )
        for note in r.get("notes", []):
            self.stdout.write(f"* {note}")
        self.footer(run)
