"""Labour catchment of industrial areas: residents within reach against the workers needed.

Residents within given distances, against the workers the areas' projects plan to employ.

Pure NumPy/shapely/rasterio. The population raster (residents per cell) and the area polygons are
on / in one projected metric CRS. The Bình Định notice (11 April 2025) asks for a report on the
province's labour resources for new projects; this gives the spatial side of it.

Method: for each area and each distance *d* (default 5, 10, 20 km) the area polygon is buffered by
*d* and the population of every cell whose **centre** lies in the buffer is summed
(``rasterio.features.geometry_mask`` on the buffer's window only). ``coverage`` is the share of
the buffer that lies on the grid (below 1 near the province edge: the count is then a lower
bound). Workers needed = planned jobs of the area's non-revoked projects (or given per area).
The provincial summary counts each cell once (union of the buffers of all areas).

Examples
--------
>>> import numpy as np
>>> from shapely import box
>>> from planning.analysis.rasters import Grid
>>> grid = Grid.from_origin(0, 10_000, cell_size=100, rows=100, cols=100)
>>> pop = np.full(grid.shape, 5.0, np.float32)                 # 500 residents per km²
>>> s = labour_catchment([("A", box(4000, 4000, 6000, 6000))], grid=grid, population=pop,
...                      workers_needed={"A": 1200}, distances_m=(1000,))
>>> ring = s.areas[0].rings[0]  # (4 + 4·2·1 + π) km² × 500 /km² ≈ 7,571; centres: 1,516 cells
>>> ring.population, round(ring.workers_share, 4), ring.coverage
(7580, 0.1583, 1.0)
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import rasterio.features
import shapely

from planning.analysis import numformat
from planning.analysis.base import Serializable
from planning.analysis.errors import GridError, RecordError
from planning.analysis.rasters import Grid, geometry_window, iter_blocks
from planning.analysis.records import ProjectRecord, as_named_geometries

__all__ = ["labour_catchment", "LabourRing", "LabourCatchment", "LabourSummary"]


@dataclass(frozen=True, kw_only=True)
class LabourRing(Serializable):
    """Residents within ``distance_m`` of an area (or of all areas) and the workers' share."""

    distance_m: float
    population: int  # residents, whole people
    coverage: float  # share of the buffer's area that lies on the population grid
    workers_share: float | None  # workers needed ÷ population


@dataclass(frozen=True, kw_only=True)
class LabourCatchment(Serializable):
    """One area: the workers its projects need and the residents of each ring."""

    area_id: Hashable
    area_name: str
    workers_needed: int
    rings: tuple[LabourRing, ...]


@dataclass(frozen=True, kw_only=True)
class LabourSummary(Serializable):
    """The province: residents within reach of any area (counted once) and every area."""

    total_population: int  # residents, whole people
    workers_needed: int
    workers_share: float | None
    union_rings: tuple[LabourRing, ...]  # population within d of any area, counted once
    areas: tuple[LabourCatchment, ...]


def _reader(population, grid: Grid) -> Callable:
    if callable(population):

        def read(window):
            data = population(window)
            return np.asarray(data["population"] if isinstance(data, Mapping) else data)

        return read
    arr = population
    if np.shape(arr) != grid.shape:
        raise GridError(f"population has shape {np.shape(arr)}, the grid is {grid.shape}")

    def read(window):
        r0, c0 = int(window.row_off), int(window.col_off)
        return np.asarray(arr[r0 : r0 + int(window.height), c0 : c0 + int(window.width)])

    return read


def _people(count: float) -> int:
    """A count of residents as whole people (the raster holds fractions of people per cell)."""
    return int(numformat.rounded(count, 0) or 0)


def _sum_within(geom, grid: Grid, read) -> tuple[float, float]:
    """(population of cells whose centre is in ``geom``, share of ``geom`` on the grid)."""
    bbox = shapely.box(*grid.bounds)
    coverage = (
        float(shapely.area(shapely.intersection(geom, bbox)) / geom.area) if geom.area > 0 else 0.0
    )
    window = geometry_window(geom, grid)
    if window is None:
        return 0.0, coverage
    inside = rasterio.features.geometry_mask(
        [geom],
        out_shape=(int(window.height), int(window.width)),
        transform=grid.window_transform(window),
        invert=True,
    )
    values = read(window)
    return float(np.nansum(values[inside], dtype=np.float64)), round(coverage, 6)


@dataclass(frozen=True)
class _Measure:
    """One task of :func:`labour_catchment`: the residents in a buffer, or in a stripe."""

    key: tuple
    geometry: object = None  # a buffer (shapely), or None for the whole ``window``
    window: object = None


def measure(grid: Grid, population, task: _Measure) -> tuple[tuple, float, float]:
    """``(task.key, residents, coverage)`` of one task; pure, picklable arguments.

    ``population`` is what :func:`labour_catchment` takes (an array or a ``read_window``, such
    as :class:`~planning.analysis.rasters.PathReader` for a Dask worker).
    """
    read = _reader(population, grid)
    if task.geometry is None:
        return task.key, float(np.nansum(read(task.window), dtype=np.float64)), 1.0
    pop, cov = _sum_within(task.geometry, grid, read)
    return task.key, pop, cov


def serial_map(fn: Callable, items: Sequence) -> Iterator:
    """``map_tasks`` in this process, one task after the other."""
    for item in items:
        yield fn(item)


def labour_catchment(
    areas: Iterable,
    *,
    grid: Grid,
    population: np.ndarray | Callable,
    projects: Iterable[ProjectRecord] = (),
    workers_needed: Mapping[Hashable, int] | None = None,
    distances_m: Sequence[float] = (5000.0, 10000.0, 20000.0),
    map_tasks: Callable | None = None,
) -> LabourSummary:
    """Residents within each distance of each area, the workers needed and their ratio.

    Parameters
    ----------
    areas : iterable of AreaRecord (with geometry) or (id, geometry[, name]) tuples
        Area polygons in the grid's CRS (metres).
    grid : Grid
        Grid of the population raster.
    population : 2-D array or callable
        Residents per cell (NaN = 0); or ``read_window(window) -> array | {"population": array}``
        to read from a dataset window by window.
    projects : iterable of ProjectRecord
        Planned jobs of non-revoked projects are summed per area …
    workers_needed : mapping area id → workers, optional
        … unless given here.
    distances_m : sequence of float
        Catchment radii, metres.
    map_tasks : callable, optional
        ``map_tasks(fn, tasks)`` yields ``fn(task)`` for every task in any order: each ring of
        each area, each union ring and each stripe of the total is one task that reads its own
        window (default: here, one after the other; a Dask cluster:
        ``planning.services.analyses.distributed``, with a picklable ``population`` reader).
        The result does not depend on where or in which order the tasks ran.

    Returns
    -------
    LabourSummary
        Per area rings (population, coverage, workers ÷ population), provincial totals and the
        union rings (each resident counted once).
    """
    items = as_named_geometries(areas)
    if any(d <= 0 for d in distances_m):
        raise RecordError("distances_m must be > 0")
    _reader(population, grid)  # the array's shape is checked here, before any task
    jobs: dict[Hashable, int] = defaultdict(int)
    if workers_needed is not None:
        jobs.update({k: int(v) for k, v in workers_needed.items()})
    else:
        for p in projects:
            if p.status != "revoked":
                jobs[p.area_id] += int(p.planned_jobs)
    dists = sorted(float(d) for d in distances_m)
    tasks = [
        _Measure(("ring", i, j), shapely.buffer(geom, d))
        for i, (_area_id, geom, _name) in enumerate(items)
        for j, d in enumerate(dists)
    ]
    stripes = list(iter_blocks(grid.shape, block_rows=max(1, 4_000_000 // grid.cols)))
    tasks += [_Measure(("total", k), None, inner) for k, (_, inner, _) in enumerate(stripes)]
    if items:
        geoms = np.array([g for _, g, _ in items], dtype=object)
        tasks += [
            _Measure(("union", j), shapely.union_all(shapely.buffer(geoms, d)))
            for j, d in enumerate(dists)
        ]
    done = {
        key: (pop, cov)
        for key, pop, cov in (map_tasks or serial_map)(
            functools.partial(measure, grid, population), tasks
        )
    }
    catchments = []
    for i, (area_id, _geom, name) in enumerate(items):
        need = jobs.get(area_id, 0)
        rings = []
        for j, d in enumerate(dists):
            pop_f, cov = done[("ring", i, j)]
            pop = _people(pop_f)
            rings.append(
                LabourRing(
                    distance_m=d,
                    population=pop,
                    coverage=cov,
                    workers_share=need / pop if pop > 0 else None,
                )
            )
        catchments.append(
            LabourCatchment(
                area_id=area_id, area_name=name, workers_needed=need, rings=tuple(rings)
            )
        )
    total_need = sum(c.workers_needed for c in catchments)
    total_pop = 0.0
    for k in range(len(stripes)):  # added in stripe order, wherever they were computed
        total_pop += done[("total", k)][0]
    union_rings = []
    if items:
        for j, d in enumerate(dists):
            pop_f, cov = done[("union", j)]
            pop = _people(pop_f)
            union_rings.append(
                LabourRing(
                    distance_m=d,
                    population=pop,
                    coverage=cov,
                    workers_share=total_need / pop if pop > 0 else None,
                )
            )
    total_pop = _people(total_pop)
    return LabourSummary(
        total_population=total_pop,
        workers_needed=total_need,
        workers_share=total_need / total_pop if total_pop > 0 else None,
        union_rings=tuple(union_rings),
        areas=tuple(catchments),
    )
