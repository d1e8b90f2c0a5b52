from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import table
from planning.management.commands._department import DepartmentReportCommand
from planning.services.department_reports import fence_cost_report, fence_cost_xlsx
from planning.texts import translate


class Command(DepartmentReportCommand):
    help = gettext_lazy(
        "Infrastructure to the fence for the Department of Finance: estimated cost of each "
        "connector (length × unit cost per km, ASSUMPTIONS) and missing wastewater capacity."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--xlsx", help=_("write the Department of Finance workbook here"))
        parser.add_argument(
            "--cost",
            action="append",
            default=[],
            help=_("override a unit cost, e.g. road_bn_vnd_per_km=30 (repeatable)"),
        )

    def handle(self, *args, **options):
        costs = {}
        for item in options["cost"]:
            name, sep, value = item.partition("=")
            try:
                costs[name.strip()] = float(value)
            except ValueError:
                sep = ""
            if not sep:
                raise CommandError(
                    _("--cost must be name=number, e.g. road_bn_vnd_per_km=30 (got %(value)r)")
                    % {"value": item}
                )
        report = self.report(fence_cost_report, province=options["province"], costs=costs)
        if options["xlsx"]:
            self.write_file(options["xlsx"], fence_cost_xlsx(report)[0])
        if options["json"]:
            self.emit_json(translate(report))
            return
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Infrastructure to the fence — %(scope)s: %(cost)s bn VND estimated")
                % {"scope": report["scope"], "cost": report["totals"]["cost_bn_vnd"]}
            )
        )
        rows = []
        for a in report["areas"]:
            by_net = {x["network"]: x for x in a["connectors"]}
            rows.append(
                [
                    a["area_name"],
                    *[(by_net.get(n) or {}).get("cost_bn_vnd") for n in ("road", "power", "water")],
                    a["total_cost_bn_vnd"],
                    a["wastewater"]["missing_m3_day"],
                ]
            )
        self.stdout.write(
            table(
                [
                    _("Park or cluster"),
                    _("Road (bn VND)"),
                    _("Power (bn VND)"),
                    _("Water (bn VND)"),
                    _("Total (bn VND)"),
                    _("Missing wastewater capacity (m³/day)"),
                ],
                rows,
            )
        )
        self.stdout.write(_("Unit costs: %(source)s") % {"source": report["unit_cost_source"]})
