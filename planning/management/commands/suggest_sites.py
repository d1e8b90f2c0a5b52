import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.management.commands._analysis import AnalysisCommand, table, wrap
from planning.models import AdminUnit
from planning.numbers import number
from planning.selectors.rasters import raster_layers_available
from planning.texts import translate


class Command(AnalysisCommand):
    help = gettext_lazy(
        "Suggest sites for new clusters or parks along roads built or being built, and store "
        "them (layer suggested_sites)."
    )
    analysis = "site-suggestion"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--kind", default="CCN", choices=["CCN", "KCN", "ccn", "kcn"])
        parser.add_argument(
            "--corridor-m", type=float, help=_("corridor along the roads (m), default 2000")
        )
        parser.add_argument("--max-count", type=int, help=_("most sites to suggest, default 10"))
        parser.add_argument(
            "--road-classes",
            help=_(
                "road classes to follow, comma-separated: expressway (at its interchanges), "
                "national, provincial, district, local; default provincial,district (the local "
                "roads of the Bình Định notice)"
            ),
        )
        parser.add_argument(
            "--weights",
            help=_(
                "weights, e.g. road=0.3,slope=0.2 (road, infrastructure, slope, conversion, "
                "population, flood)"
            ),
        )
        parser.add_argument(
            "--resolution", type=float, help=_("raster resolution (m); default: the finest built")
        )
        parser.add_argument(
            "--criteria", help=_('other parameters as JSON, e.g. {"exclude_rice": true}')
        )
        parser.add_argument(
            "--dask",
            metavar="local|tcp://HOST:8786",
            help=_(
                "run the raster stripes on Dask: local (a LocalCluster of worker processes on "
                "this machine) or the address of a running dask scheduler (the rasters on a "
                "path its workers see)"
            ),
        )

    def handle(self, *args, **options):
        criteria = None
        if options["criteria"]:
            try:
                criteria = json.loads(options["criteria"])
            except json.JSONDecodeError as exc:
                raise CommandError(
                    _("--criteria is not valid JSON: %(error)s") % {"error": exc}
                ) from None
        dask = self.dask_cluster(options["dask"])
        if options["province"]:
            provinces = [options["province"]]  # checked by the service, which names the parameter
        else:
            provinces = [
                p
                for p in AdminUnit.objects.filter(level="province").order_by("code")
                if raster_layers_available(p)
            ]
            if not provinces:
                raise CommandError(
                    _("No province has rasters; run `manage.py build_rasters` first.")
                )
        for province in provinces:
            run = self.run(
                self.analysis,
                options,
                province=province,
                kind=options["kind"],
                criteria=criteria,
                weights=options["weights"],
                resolution_m=options["resolution"],
                corridor_m=options["corridor_m"],
                max_count=options["max_count"],
                road_classes=options["road_classes"],
                dask=dask,
            )
            if options["json"]:
                self.emit_json(run)
                continue
            self.report(run)

    def report(self, run) -> None:
        r = translate(run.results)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _(
                    "%(province)s — %(kind)s: %(count)s suggested sites, %(ha)s ha (raster "
                    "%(resolution)s m, %(rows)s×%(cols)s cells, %(crs)s)"
                )
                % {
                    "province": r["province"],
                    "kind": r["kind"],
                    "count": r["count"],
                    "ha": number(r["total_ha"], 1),
                    "resolution": number(r["resolution_m"]),
                    "rows": number(r["grid"]["rows"]),
                    "cols": number(r["grid"]["cols"]),
                    "crs": r["grid"]["crs"],
                }
            )
        )
        if r.get("roads_followed"):
            self.stdout.write(wrap(r["roads_followed"]))
        for note in r.get("notes", []):
            self.stdout.write(wrap(_("Note: %(note)s") % {"note": note}))
        rows = [
            [
                s["rank"],
                s["area_ha"],
                s["score"],
                s["nearest_road_name"] or None,
                s["nearest_road_distance_m"],
                s["rice_land_ha"],
                s["admin_unit"],
            ]
            for s in r["sites"]
        ]
        self.stdout.write(
            table(
                [
                    _("Rank"),
                    _("Area (ha)"),
                    _("Score"),
                    _("Nearest road"),
                    _("Distance (m)"),
                    _("Rice land (ha)"),
                    _("Commune"),
                ],
                rows,
            )
        )
        if r["sites"]:
            self.stdout.write(_("Reasons:"))
            for s in r["sites"]:
                self.stdout.write(wrap(f"{s['rank']}. {s['reasons']}"))
        for d in r.get("dropped", []):
            self.stdout.write(
                "  "
                + _("dropped: %(ha)s ha — %(reason)s")
                % {"ha": number(d["area_ha"], 1), "reason": d["reason"]}
            )
        self.footer(run)
