"""Periodic reports not received by their deadline (Circular 14/2024/TT-BCT, amended by
38/2025): per area and period, and per developer; as a text table, CSV or XLSX."""

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning import models as m
from planning import tables
from planning.analysis.reporting import late_by_developer
from planning.management.commands._analysis import table
from planning.selectors import enforcement as reads
from planning.selectors.analysis_inputs.areas import areas_in


class Command(LanguageCommand):
    help = gettext_lazy(
        "Periodic reports of cluster investors not received by the 20 June and 20 December "
        "deadline (Circular 14/2024/TT-BCT), per area and per developer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", help=_("province name or code (default: all)"))
        parser.add_argument("--on", help=_("day of the check, YYYY-MM-DD (default: today)"))
        parser.add_argument("--output", help=_("write the list to this .csv or .xlsx file"))

    def handle(self, *args, **o):
        try:
            on = dt.date.fromisoformat(o["on"]) if o["on"] else timezone.localdate()
        except ValueError:
            raise CommandError(_("not a date (YYYY-MM-DD): %(v)s") % {"v": o["on"]}) from None
        province = None
        if o["province"]:
            province = (
                m.AdminUnit.objects.filter(level="province").filter(code=o["province"]).first()
                or m.AdminUnit.objects.filter(level="province", name=o["province"]).first()
            )
            if province is None:
                raise CommandError(_("unknown province") + f": {o['province']}")
        areas = list(areas_in(province))
        codes = {a.pk: a.code for a in areas}
        late = reads.late_reporters(areas, on=on)
        headers = [
            _("Park / cluster"),
            _("Developer"),
            _("Report"),
            _("Deadline"),
            _("State"),
            _("Days late"),
        ]
        states = {"missing": _("not received"), "late": _("received late")}
        rows = [
            [
                f"{r.area_name} ({codes[r.area_id]})",
                r.developer_name,
                r.period.key,
                r.period.deadline.isoformat(),
                states[r.state],
                r.days_late,
            ]
            for r in late
        ]
        if o["output"]:
            path = Path(o["output"])
            if path.suffix.lower() == ".csv":
                path.write_bytes(tables.write_csv(headers, rows))
            elif path.suffix.lower() == ".xlsx":
                path.write_bytes(
                    tables.write_xlsx(
                        [tables.Sheet(_("Late reports"), [headers, *rows], bold_first_row=True)]
                    )
                )
            else:
                raise CommandError(_("give a .csv or .xlsx file name"))
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Periodic reports not received by the deadline") + f" — {on.isoformat()}"
            )
        )
        self.stdout.write(table(headers, rows))
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(_("Developers with reports not received by the deadline"))
        )
        self.stdout.write(
            table(
                [
                    _("Developer"),
                    _("Not received"),
                    _("Received late"),
                    _("Latest report concerned"),
                ],
                [
                    [d.developer_name, d.missing, d.late, d.latest_period]
                    for d in late_by_developer(late)
                ],
            )
        )
