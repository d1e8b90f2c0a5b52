"""Labour catchment (``labour-catchment``): the population within given distances of each area,
from the population rasters."""

from __future__ import annotations

import contextlib

import rasterio
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from planning import models as m
from planning.analysis.labour import labour_catchment
from planning.analysis.rasters import Grid, PathReader, dataset_reader
from planning.errors import MissingInputs
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in
from planning.selectors.analysis_inputs.targets import project_records
from planning.selectors.input_versions import input_versions
from planning.selectors.rasters import (
    raster_layers_available,
    raster_layers_for,
    raster_path,
    raster_stand_in,
)
from planning.services.analyses.common import (
    P_PROVINCE,
    province_optional,
    unit_from_ref,
    unit_ref,
)
from planning.services.analyses.distributed import scheduler_address, task_mapper
from planning.services.analyses.registry import (
    AnalysisSpec,
    Outcome,
    Progress,
    Timer,
    register_analysis,
)
from planning.services.analysis_params import Param

NAME = "labour-catchment"
DEFAULT_DISTANCES_M = (5000.0, 10000.0, 20000.0)


def _prepare(*, province=None, distances_m=None, resolution_m: float | None = None, dask=None):
    province = province_optional(province)
    if distances_m in (None, "", []):
        distances = list(DEFAULT_DISTANCES_M)
    else:
        distances = sorted({float(d) for d in distances_m})
    notes = []
    if province:
        stand_in, note = raster_stand_in(province)
        provinces, notes = [stand_in], [note] if note else []
    else:
        provinces = [
            p
            for p in m.AdminUnit.objects.filter(level="province").order_by("code")
            if raster_layers_available(p)
        ]
    if not provinces:
        raise MissingInputs(
            _(
                "No population raster is registered; an administrator runs "
                "`manage.py build_rasters` first."
            )
        )
    for p in provinces:
        raster_layers_for(p, resolution_m, kinds=("population",))
    return {
        "province": unit_ref(province),
        "provinces": [unit_ref(p) for p in provinces],
        "distances_m": distances,
        "resolution_m": resolution_m,
        "notes": notes,
        **({"dask": address} if (address := scheduler_address(dask)) else {}),
    }, province


def _body(params: dict, progress: Progress) -> Outcome:
    timer = Timer()
    layers_used = []
    cache_mb = int(getattr(settings, "PLANNING_GDAL_CACHEMAX_MB", 256))
    provinces = [unit_from_ref(p) for p in params["provinces"]]
    with contextlib.ExitStack() as stack:
        map_tasks = None
        if params.get("dask"):
            # Each ring, union ring and stripe of the total is a task; workers read the raster
            # from its path (a path every worker sees).
            map_tasks = stack.enter_context(task_mapper(params["dask"]))
        out = _provinces(provinces, params, progress, timer, layers_used, cache_mb, map_tasks)
    results = {
        "distances_m": params["distances_m"],
        "provinces": out,
        "notes": list(params.get("notes", [])),
    }
    if map_tasks is not None:
        results["dask"] = {"scheduler": params["dask"], "workers": map_tasks.workers}
    versions = input_versions([m.IndustrialArea, m.SecondaryProject], rasters=layers_used)
    return Outcome(results, versions, timer.steps)


def _provinces(provinces, params, progress, timer, layers_used, cache_mb, map_tasks) -> list:
    out = []
    for i, province in enumerate(provinces):
        layer = raster_layers_for(province, params["resolution_m"], kinds=("population",))[
            "population"
        ]
        layers_used.append(layer)
        with timer("inputs"):
            areas = list(areas_in(province, include_revoked=False))
            rows = area_rows(
                areas,
                locator=UnitLocator.load(
                    m.AdminUnit.objects.filter(boundary__intersects=province.boundary)
                ),
                metric_srid=layer.srid,
                with_geometry=True,
            )
            projects = project_records(areas)
        with (
            timer("analysis"),
            rasterio.Env(GDAL_CACHEMAX=cache_mb),
            rasterio.open(raster_path(layer)) as ds,
        ):
            grid = Grid(ds.transform, (ds.height, ds.width), crs_epsg=layer.srid)
            if map_tasks is None:
                population = dataset_reader(population=ds)
            else:
                population = PathReader(gdal_cache_mb=cache_mb, population=raster_path(layer))
            summary = labour_catchment(
                [r.record for r in rows],
                grid=grid,
                population=population,
                projects=projects,
                distances_m=params["distances_m"],
                map_tasks=map_tasks,
            )
        d = summary.to_dict()
        d.update(province=province.name, raster=layer.name)
        out.append(d)
        progress(
            10 + int(85 * (i + 1) / len(provinces)),
            _("%(province)s done") % {"province": province.name},
        )
    return out


SPEC = register_analysis(
    AnalysisSpec(
        NAME,
        pgettext_lazy("analysis title", "Labour catchment"),
        _prepare,
        _body,
        slow=True,
        input_layers=("industrial_areas", "secondary_projects"),
        parameters=(
            P_PROVINCE,
            Param(
                "distances_m",
                "numbers",
                pgettext_lazy("parameter help", "radii in metres, e.g. [5000, 10000, 20000]"),
                above=0,
                maximum=100_000,
            ),
            Param(
                "resolution_m",
                "number",
                pgettext_lazy(
                    "parameter help", "population raster resolution (m); default: the finest built"
                ),
                above=0,
            ),
            Param(
                "dask",
                "boolean",
                pgettext_lazy(
                    "parameter help",
                    "count the rings on the service's Dask cluster (KCN_DASK_SCHEDULER; local: "
                    "worker processes on this machine); the same figures as without",
                ),
            ),
        ),
    )
)
