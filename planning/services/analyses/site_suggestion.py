"""Site suggestion (``site-suggestion``): candidate sites for new clusters along invested roads,
stored as a run and published as the ``suggested_sites`` layer."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

import rasterio
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from planning import geo
from planning import models as m
from planning.analysis import citations
from planning.analysis.messages import N_, Message, join, number
from planning.analysis.rasters import Grid, PathReader, dataset_reader
from planning.analysis.records import ROAD_CLASS_NAMES, ROAD_CLASSES, ROAD_STATUS_NAMES
from planning.analysis.site_inputs import below_lowland_minimum, road_reserves, stripe_plan
from planning.analysis.site_suggestion import (
    SiteCriteria,
    considered_roads,
    suggest_sites_windowed,
)
from planning.analysis.summaries import site_totals
from planning.errors import MissingInputs
from planning.models.base import normalise_geometry
from planning.selectors.admin_units import (
    UnitLocator,
    expanded_envelope,
    has_mountainous_units,
    province_region,
    province_resolve,
)
from planning.selectors.analysis_inputs.areas import metric_shapes
from planning.selectors.analysis_inputs.networks import (
    active_proposals,
    power_geometries,
    road_records,
    roads_near,
)
from planning.selectors.input_versions import input_versions
from planning.selectors.rasters import raster_layers_for, raster_path, raster_stand_in
from planning.services.analyses.common import P_KIND, criteria_param, unit_from_ref, unit_ref
from planning.services.analyses.distributed import scheduler_address, stripe_mapper
from planning.services.analyses.registry import (
    AnalysisSpec,
    Outcome,
    Progress,
    Timer,
    register_analysis,
)
from planning.services.analysis_params import Param, criteria_build, parse_weights
from planning.signals import analysis_results_written
from planning.texts import stored_text

NAME = "site-suggestion"


def _prepare(
    *,
    province,
    kind: str = "CCN",
    criteria: Mapping | None = None,
    weights=None,
    resolution_m: float | None = None,
    corridor_m: float | None = None,
    max_count: int | None = None,
    road_classes=None,
    dask=None,
) -> tuple[dict, m.AdminUnit]:
    requested = province_resolve(province)
    province, coverage_note = raster_stand_in(requested)
    kind = str(kind or "CCN").upper()
    overrides = dict(criteria or {})
    if corridor_m is not None:
        overrides["corridor_m"] = corridor_m
    if max_count is not None:
        overrides["max_count"] = max_count
    if road_classes:
        overrides["road_classes"] = list(road_classes)
    w = parse_weights(weights)
    if w:
        overrides["weights"] = {**dict(overrides.get("weights") or {}), **w}
    base = {"kind": kind, "region": province_region(province)}
    mountainous = (
        kind == "CCN" and "is_mountainous" not in overrides and has_mountainous_units(province)
    )
    if mountainous:
        # The 5 ha minimum applies only in mountainous units (checked per site after the run);
        # regions still grow towards the middle of the ordinary range.
        base["is_mountainous"] = True
        if "target_area_ha" not in overrides:
            limits = criteria_build(
                SiteCriteria, {k: v for k, v in overrides.items() if k == "area_limits"}, kind=kind
            ).area_range_ha()
            base["target_area_ha"] = sum(limits) / 2
    crit = criteria_build(SiteCriteria, overrides, **base)
    layers = raster_layers_for(province, resolution_m)
    return {
        "province": unit_ref(province),
        "kind": kind,
        "resolution_m": layers["dem"].resolution_m,
        "overrides": overrides,
        "mountainous_units": mountainous,
        "criteria": crit.to_dict(),
        **({"dask": address} if (address := scheduler_address(dask)) else {}),
        **(
            {"requested_province": unit_ref(requested), "notes": [coverage_note]}
            if coverage_note
            else {}
        ),
    }, province


class _CountingReader:
    """Wraps a ``read_window`` callable to report progress from the number of windows read."""

    def __init__(self, read, expected: int, progress: Progress, start: int = 5, end: int = 90):
        self.read, self.expected, self.progress = read, max(1, expected), progress
        self.start, self.end, self.calls = start, end, 0

    def __call__(self, window):
        self.calls += 1
        share = min(1.0, self.calls / self.expected)
        self.progress(
            self.start + int((self.end - self.start) * share),
            _("reading the rasters by windows (%(done)d/%(total)d)")
            % {"done": self.calls, "total": self.expected},
        )
        return self.read(window)


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    province = unit_from_ref(params["province"])
    crit = criteria_build(SiteCriteria, params["criteria"])
    layers = raster_layers_for(province, params["resolution_m"])
    srid = layers["dem"].srid
    with timer("vectors"):
        env = expanded_envelope(province.boundary, 0.05)
        road_rows = list(roads_near(env))
        roads = road_records(road_rows, srid)
        # The road reserve (half the right of way, at least PLANNING_ROAD_RESERVE_MIN_M) is not
        # buildable: sites may front a road but never straddle it, planned alignments included.
        reserve_min = float(getattr(settings, "PLANNING_ROAD_RESERVE_MIN_M", 15.0))
        reserves = road_reserves(
            [r.geometry for r in roads],
            [row.right_of_way_m for row in road_rows],
            minimum_m=reserve_min,
        )
        existing = metric_shapes(
            [
                a.boundary
                for a in m.IndustrialArea.objects.filter(boundary__intersects=env)
                .exclude(status=m.IndustrialArea.Status.REVOKED)
                .order_by("code")
            ],
            srid,
        )
        power = power_geometries(env, srid)
        proposals = metric_shapes([p.geom for p in active_proposals(env)], srid)
    progress(5, _("vector data read"))
    cache_mb = int(getattr(settings, "PLANNING_GDAL_CACHEMAX_MB", 256))
    with timer("analysis"), rasterio.Env(GDAL_CACHEMAX=cache_mb), contextlib.ExitStack() as stack:
        datasets = {
            k: stack.enter_context(rasterio.open(raster_path(layer))) for k, layer in layers.items()
        }
        ds = datasets["dem"]
        if ds.crs is None or ds.crs.to_epsg() != srid:
            raise MissingInputs(
                _("%(layer)s is not in EPSG:%(srid)s as registered")
                % {"layer": layers["dem"].name, "srid": srid}
            )
        grid = Grid(ds.transform, (ds.height, ds.width), crs_epsg=srid)
        block_rows, stripes = stripe_plan(
            rows=grid.rows,
            cols=grid.cols,
            cell_size=grid.cell_size,
            factor_cell_m=crit.factor_cell_m,
        )
        inputs = dict(
            grid=grid,
            roads=roads,
            existing_areas=existing,
            power_lines=power,
            proposals=proposals,
            exclusion_zones=reserves,
            criteria=crit,
            block_rows=block_rows,
        )
        dask_info = None
        if params.get("dask"):
            # The stripes on a Dask cluster, each read by its worker from the rasters' path.
            def stripe_done(done, total):
                progress(
                    5 + int(80 * done / total),
                    _("Dask: %(done)d/%(total)d stripes") % {"done": done, "total": total},
                )

            paths = {k: str(raster_path(layer)) for k, layer in layers.items()}
            with stripe_mapper(params["dask"], stripe_done) as run_stripes:
                candidates = suggest_sites_windowed(
                    read_window=PathReader(gdal_cache_mb=cache_mb, **paths),
                    map_stripes=run_stripes,
                    **inputs,
                )
                dask_info = {"scheduler": params["dask"], "workers": run_stripes.workers}
        else:
            reader = _CountingReader(
                dataset_reader(**datasets), 2 * stripes + 2 * crit.max_count, progress
            )
            candidates = suggest_sites_windowed(read_window=reader, **inputs)
    progress(92, _("finding the administrative units of the sites"))
    with timer("report"):
        locator = UnitLocator.load(m.AdminUnit.objects.filter(boundary__intersects=env))
        kept, dropped = [], []
        for c in candidates:
            shp = shapely.make_valid(geo.transform(c.geometry, srid, geo.STORAGE_SRID))
            point = shapely.point_on_surface(shp)
            units = locator.locate(point)
            if below_lowland_minimum(
                c.area_ha,
                kind=crit.kind,
                minimum_ha=crit.area_limits.ccn_min_ha,
                mountainous_units=bool(params.get("mountainous_units")),
                craft_village=crit.is_craft_village,
                in_mountainous_unit=locator.is_mountainous(point),
            ):
                dropped.append(
                    {
                        "area_ha": c.area_ha,
                        "reason": Message(
                            N_("< %(minimum)s ha outside the mountainous units"),
                            {"minimum": f"{crit.area_limits.ccn_min_ha:g}"},
                        ).to_dict(),
                    }
                )
                continue
            kept.append((c, shp, units))
    sites = []
    for rank, (c, shp, units) in enumerate(kept, start=1):
        unit = units["commune"] or units["district"] or units["province"]
        sites.append(
            dict(
                rank=rank,
                kind=c.kind,
                geom=normalise_geometry(shp, "MULTIPOLYGON", srid=geo.STORAGE_SRID),
                area_ha=c.area_ha,
                score=c.score,
                breakdown=[b.to_dict() for b in c.breakdown],
                rice_land_ha=c.rice_land_ha,
                rice_phasing_required=c.rice_phasing_required,
                road_frontage_m=c.road_frontage_m,
                nearest_road_name=c.nearest_road_name or "",
                nearest_road_status=c.nearest_road_status or "",
                nearest_road_distance_m=c.nearest_road_distance_m,
                mean_slope_pct=c.mean_slope_pct,
                max_flood_depth_m=c.max_flood_depth_m,
                population_in_reach=c.population_in_reach,
                reasons=stored_text(c.reasons),
                admin_unit_id=unit.id if unit else None,
                province_name=units["province"].name if units["province"] else province.name,
            )
        )

    def write(run: m.AnalysisRun) -> None:
        m.SuggestedSite.objects.filter(
            is_current=True, kind=crit.kind, run__admin_unit=province
        ).exclude(run=run).update(is_current=False)
        objs = []
        for values in sites:
            obj = m.SuggestedSite(run=run, is_current=True, **values)
            obj.normalise_geometries()
            objs.append(obj)
        m.SuggestedSite.objects.bulk_create(objs)
        # bulk writes send no model signals: say which layer changed (its tiles are dropped)
        analysis_results_written.send(sender=NAME, run=run, layers=("suggested_sites",))

    results = {
        "province": province.name,
        "kind": crit.kind,
        "region": crit.region,
        "resolution_m": params["resolution_m"],
        "grid": {"rows": grid.rows, "cols": grid.cols, "crs": f"EPSG:{srid}"},
        **site_totals(sites),
        "legal_range_ha": list(crit.area_range_ha()),
        "dropped": dropped,
        "sites": [
            {
                k: s[k]
                for k in (
                    "rank",
                    "area_ha",
                    "score",
                    "nearest_road_name",
                    "nearest_road_distance_m",
                    "rice_land_ha",
                    "rice_phasing_required",
                    "reasons",
                )
            }
            | {"admin_unit": locator.by_id[s["admin_unit_id"]].name if s["admin_unit_id"] else None}
            for s in sites
        ],
        "inputs": {
            "roads": len(roads),
            "existing_areas": len(existing),
            "power": len(power),
            "proposals": len(proposals),
            "road_reserve_min_m": reserve_min,
        },
        "notes": list(params.get("notes", [])),
        **roads_followed(crit, roads),
        **({"dask": dask_info} if dask_info else {}),
    }
    if params.get("requested_province"):
        results["requested_province"] = unit_from_ref(params["requested_province"]).name
    versions = input_versions(
        [
            m.RoadCorridor,
            m.RoadInterchange,
            m.IndustrialArea,
            m.InfrastructureLine,
            m.InfrastructurePoint,
            m.Proposal,
            m.AdminUnit,
        ],
        rasters=layers.values(),
    )
    return Outcome(results, versions, timer.steps, write)


def roads_followed(crit: SiteCriteria, roads) -> dict:
    """Which road classes the run followed, as data and as a sentence with its basis."""
    classes = [
        Message(N_("expressways (at their interchanges)"))
        if c in crit.road_access_controlled
        else Message(ROAD_CLASS_NAMES[c])
        for c in crit.road_classes
    ]
    statuses = [Message(ROAD_STATUS_NAMES[s]) for s in crit.road_statuses]
    considered = considered_roads(roads, crit)
    return {
        "road_classes": list(crit.road_classes),
        "roads_followed": Message(
            N_("Roads followed: %(classes)s; %(statuses)s (%(count)s lines or interchanges)."),
            {
                "classes": join(classes, ", "),
                "statuses": join(statuses, ", "),
                "count": number(len(considered)),
            },
        ).to_dict(),
        "road_classes_basis": citations.LOCAL_ROADS.to_dict(),
    }


ROAD_CLASS_CHOICES = ROAD_CLASSES


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Suggested sites for new clusters along invested roads"),
        _prepare,
        _body,
        slow=True,
        input_layers=("suggested_sites",),
        parameters=(
            Param(
                "province",
                "province",
                pgettext_lazy("parameter help", "province name or code, e.g. 'Bình Định' or '52'"),
            ),
            P_KIND,
            Param(
                "weights",
                "weights",
                pgettext_lazy(
                    "parameter help", 'weights, e.g. {"road": 0.3} or "road=0.3,slope=0.2"'
                ),
            ),
            Param(
                "corridor_m",
                "number",
                pgettext_lazy("parameter help", "road corridor width (m)"),
                above=0,
            ),
            Param(
                "road_classes",
                "choices",
                pgettext_lazy(
                    "parameter help",
                    "road classes to follow (default provincial, district and urban roads, the "
                    "local roads of the Bình Định notice; national, expressway (at its "
                    "interchanges), local as options)",
                ),
                choices=ROAD_CLASS_CHOICES,
                default=["provincial", "district"],
            ),
            Param(
                "max_count",
                "integer",
                pgettext_lazy("parameter help", "maximum number of sites"),
                minimum=1,
                maximum=100,
            ),
            Param(
                "resolution_m",
                "number",
                pgettext_lazy("parameter help", "raster resolution (m); default: the finest built"),
                above=0,
            ),
            Param(
                "dask",
                "boolean",
                pgettext_lazy(
                    "parameter help",
                    "run the raster stripes on the service's Dask cluster (KCN_DASK_SCHEDULER; "
                    "local: worker processes on this machine); the same sites as without",
                ),
            ),
            criteria_param("SiteCriteria"),
        ),
        required=(("province",),),
    )
)
