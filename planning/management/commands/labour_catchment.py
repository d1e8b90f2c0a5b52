from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, pct, table
from planning.numbers import number
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Labour catchment: population within 5/10/20 km of each park or cluster against the "
        "workers it needs."
    )
    analysis = "labour-catchment"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--distances", help=_("radii (km), e.g. 5,10,20"))
        parser.add_argument(
            "--dask",
            metavar="local|tcp://HOST:8786",
            help=_(
                "count the rings on Dask: local (a LocalCluster of worker processes on this "
                "machine) or the address of a running dask scheduler (the rasters on a path its "
                "workers see)"
            ),
        )

    def handle(self, *args, **options):
        distances = None
        if options["distances"]:
            try:
                distances = [float(d) * 1000 for d in options["distances"].split(",") if d.strip()]
            except ValueError:
                raise CommandError(
                    _("--distances must be kilometres such as 5,10,20 (got %(value)r)")
                    % {"value": options["distances"]}
                ) from None
        dask = self.dask_cluster(options["dask"])
        run = self.run(
            self.analysis,
            options,
            province=options["province"],
            distances_m=distances,
            dask=dask,
        )
        if options["json"]:
            self.emit_json(run)
            return
        for note in translate(run.results.get("notes", [])):
            self.stdout.write(_("Note: %(note)s") % {"note": note})
        for p in run.results["provinces"]:
            km = [f"{number(d / 1000)} km" for d in run.results["distances_m"]]
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    _(
                        "Labour catchment — %(province)s: population %(population)s, "
                        "workers needed %(workers)s"
                    )
                    % {
                        "province": p["province"],
                        "population": number(p["total_population"]),
                        "workers": number(p["workers_needed"]),
                    }
                )
            )
            self.stdout.write(
                table(
                    [
                        _("Park or cluster"),
                        _("Workers needed"),
                        *[_("Pop. %(radius)s") % {"radius": k} for k in km],
                        _("Share %(radius)s") % {"radius": km[0]},
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
