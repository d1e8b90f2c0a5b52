from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import pct, table
from planning.management.commands._department import DepartmentReportCommand
from planning.services.department_reports import (
    lease_price_export,
    lease_price_report,
    lease_price_rows,
)


class Command(DepartmentReportCommand):
    help = gettext_lazy(
        "Lease prices of parks and clusters against the province's and the region's medians."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--csv", help=_("write the CSV here"))
        parser.add_argument("--xlsx", help=_("write the workbook here"))

    def handle(self, *args, **options):
        report = self.report(lease_price_report, province=options["province"])
        for fmt in ("csv", "xlsx"):
            if options[fmt]:
                self.write_file(options[fmt], lease_price_export(report, fmt)[0])
        if options["json"]:
            self.emit_json(report)
            return
        self.stdout.write(self.style.MIGRATE_HEADING(_("Lease prices — %(province)s") % report))
        self.stdout.write(
            table(
                [
                    _("Park or cluster"),
                    _("Type"),
                    _("USD/m²"),
                    _("Rank"),
                    _("vs province median"),
                    _("vs region median"),
                    _("Synthetic"),
                ],
                [
                    [
                        r["area_name"],
                        r["kind"],
                        r["price"],
                        r["rank"],
                        pct(r["vs_province_median"]),
                        pct(r["vs_region_median"]),
                        r["synthetic"],
                    ]
                    for r in lease_price_rows(report)
                ],
            )
        )
        for note in report["notes"]:
            self.stdout.write(note)
