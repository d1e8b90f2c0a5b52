from django.core.management.base import CommandError

from planning.analysis._text import fmt_vi
from planning.management.commands._analysis import AnalysisCommand, pct, table
from planning.texts import translate


class Command(AnalysisCommand):
    help = (
        "Dân số trong bán kính 5/10/20 km quanh mỗi khu, cụm so với lao động dự kiến. "
        "Labour catchment."
    )
    analysis = "labour-catchment"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--distances", help="bán kính (km), ví dụ 5,10,20")

    def handle(self, *args, **options):
        distances = None
        if options["distances"]:
            try:
                distances = [float(d) * 1000 for d in options["distances"].split(",") if d.strip()]
            except ValueError:
                raise CommandError(
                    f"--distances phải là số ki-lô-mét như 5,10,20 (nhận được "
                    f"{options['distances']!r}) / --distances must be kilometres such as 5,10,20 "
                    f"(got {options['distances']!r})"
                ) from None
        run = self.run(self.analysis, options, province=options["province"], distances_m=distances)
        if options["json"]:
            self.emit_json(run)
            return
        for note in translate(run.results.get("notes", [])):
            self.stdout.write(f"Lưu ý / Note: {note}")
        for p in run.results["provinces"]:
            km = [f"{fmt_vi(d / 1000)} km" for d in run.results["distances_m"]]
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"Nguồn lao động / Labour catchment — {p['province']}: dân số / population "
                    f"{fmt_vi(p['total_population'])}, lao động cần / workers needed "
                    f"{fmt_vi(p['workers_needed'])}"
                )
            )
            self.stdout.write(
                table(
                    [
                        "Khu, cụm/Area",
                        "Lao động cần/Workers",
                        *[f"Dân/Pop. {k}" for k in km],
                        f"Tỷ lệ/Share {km[0]}",
                    ],
                    [
                        [
                            a["area_name"],
                            a["workers_needed"],
                            *[ring["population"] for ring in a["rings"]],
                            pct(a["rings"][0]["workers_share"]),
                        ]
                        for a in p["areas"]
                    ],
                )
            )
        self.footer(run)
