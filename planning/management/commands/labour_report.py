from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import table
from planning.management.commands._department import DepartmentReportCommand
from planning.services.department_reports import (
    labour_report,
    labour_report_pdf,
    labour_report_xlsx,
)


class Command(DepartmentReportCommand):
    help = gettext_lazy(
        "Labour resources for the Department of Home Affairs: working-age residents within "
        "reach of each park or cluster, planned jobs and the gap (XLSX and PDF)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--xlsx", help=_("write the workbook here"))
        parser.add_argument("--pdf", help=_("write the PDF here"))
        parser.add_argument("--working-age-share", type=float, help=_("share of residents, 0–1"))
        parser.add_argument("--jobs-per-ha", type=float, help=_("jobs per hectare not yet leased"))
        parser.add_argument("--distances", help=_("radii (km), e.g. 5,10,20"))

    def handle(self, *args, **options):
        criteria = {
            k: options[k] for k in ("working_age_share", "jobs_per_ha") if options[k] is not None
        }
        distances = None
        if options["distances"]:
            distances = [float(d) * 1000 for d in options["distances"].split(",") if d.strip()]
        report = self.report(
            labour_report, province=options["province"], criteria=criteria, distances_m=distances
        )
        if options["xlsx"]:
            self.write_file(options["xlsx"], labour_report_xlsx(report)[0])
        if options["pdf"]:
            self.write_file(options["pdf"], labour_report_pdf(report))
        if options["json"]:
            self.emit_json(report)
            return
        for p in report["provinces"]:
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    _("Labour resources — %(province)s: %(jobs)s planned jobs")
                    % {"province": p["province"], "jobs": p["planned_jobs"]}
                )
            )
            self.stdout.write(
                table(
                    [_("Distance (km)"), _("Working-age residents"), _("Gap")],
                    [
                        [r["distance_m"] / 1000, r["working_age"], r["gap"]]
                        for r in p["union_rings"]
                    ],
                )
            )
