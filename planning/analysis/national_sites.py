"""Site suggestion for the whole country (issue 15, items 3 and 7).

One task per province over its window of the national rasters, the tasks mapped on a Dask
cluster (or run here one by one).

A cluster is planned, approved and managed by one province (Decree 32/2024), so a national
suggestion is every province's, each grown inside its own outline: a site never straddles a
province line. Each task is :func:`province_sites`: the province's window of the national grid
(EPSG:3405), read stripe by stripe from the national COGs by path
(:class:`~planning.analysis.rasters.PathReader` with the window's offset), the roads and parks
near it, cells outside the outline excluded. A task's memory is its province's window (the
suitability's 5 bytes per cell plus one stripe), never the country's; the client holds the
sites only. The result does not depend on where or in which order the tasks ran.

Pure (no Django): the service's and the benchmark's adapters build the province tasks.
"""

from __future__ import annotations

import functools
import resource
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from planning.analysis.rasters import Grid, PathReader
from planning.analysis.records import RoadRecord
from planning.analysis.site_suggestion import (
    SiteCandidate,
    SiteCriteria,
    considered_roads,
    suggest_sites_windowed,
)


@dataclass
class ProvinceTask:
    """What a worker needs for one province: everything in the national grid's CRS."""

    name: str
    outline: BaseGeometry
    grid: Grid  # the national grid
    paths: dict[str, str]  # kind -> national COG on a path every worker sees
    roads: list[RoadRecord]
    existing_areas: list[BaseGeometry] = field(default_factory=list)
    criteria: SiteCriteria = field(default_factory=SiteCriteria)
    gdal_cache_mb: int = 128

    @functools.cached_property
    def window(self):
        """The window of the national grid holding every cell that may become a site.

        The part of the province within ``corridor_m`` of a considered road, padded by the
        farthest any criterion looks (roads, parks, residents, built-up land, spacing); None
        when no considered road comes near (its far islands then cost nothing).
        """
        considered = [r.geometry for r in considered_roads(self.roads, self.criteria)]
        if not considered:
            return None
        tree = shapely.STRtree(considered)
        near = tree.query(self.outline, predicate="dwithin", distance=self.criteria.corridor_m)
        if len(near) == 0:
            return None
        reach = shapely.buffer(shapely.union_all([considered[i] for i in near]),
                               self.criteria.corridor_m)  # fmt: skip
        part = shapely.intersection(self.outline, reach)
        if part.is_empty:
            return None
        c = self.criteria
        # what the factors of a cell see: roads, parks, residents, built-up land, other sites
        halo = max(c.road_zero_m, c.infra_zero_m, c.population_reach_m, c.builtup_buffer_m,
                   c.min_spacing_m)  # fmt: skip
        pad = int(halo // self.grid.cell_size) + 2
        return self.grid.window_for_bounds(part.bounds, pad_cells=pad)

    @property
    def cells(self) -> int:
        """Cells in :attr:`window`."""
        w = self.window
        return 0 if w is None else int(w.width) * int(w.height)


@dataclass
class ProvinceResult:
    """The sites of one province and what computing them cost."""

    name: str
    sites: list[SiteCandidate]
    cells: int
    seconds: float
    peak_rss_mb: float  # the process's peak so far (a worker's, when on Dask)


def province_sites(task: ProvinceTask) -> ProvinceResult:
    """The sites of one province, grown inside its outline; see the module."""
    start = time.perf_counter()
    win = task.window
    if win is None:
        return ProvinceResult(task.name, [], 0, 0.0, _peak_mb())
    grid = task.grid.subgrid(win)
    frame = shapely.box(*grid.bounds)
    outside = shapely.difference(frame, task.outline)
    shapely.prepare(frame)
    roads = [r for r in task.roads if frame.intersects(r.geometry)]
    parks = [a for a in task.existing_areas if frame.intersects(a)]
    reader = PathReader(
        gdal_cache_mb=task.gdal_cache_mb,
        offset=(int(win.row_off), int(win.col_off)),
        **task.paths,
    )
    sites = suggest_sites_windowed(
        grid=grid,
        read_window=reader,
        roads=roads,
        existing_areas=parks,
        exclusion_zones=[] if outside.is_empty else [outside],
        criteria=task.criteria,
    )
    return ProvinceResult(
        task.name, sites, grid.rows * grid.cols, time.perf_counter() - start, _peak_mb()
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serial_tasks(fn: Callable, tasks: Sequence) -> Iterator:
    """``map_tasks`` in this process, one task after the other."""
    for task in tasks:
        yield fn(task)


def national_sites(
    tasks: Iterable[ProvinceTask], map_tasks: Callable | None = None
) -> list[ProvinceResult]:
    """Every province's sites, by province name.

    ``map_tasks(fn, tasks)`` yields ``fn(task)`` in any order (default here, one by one). The
    largest windows go first, so the workers finish together.
    """
    ordered = sorted(tasks, key=lambda t: -t.cells)
    done = {r.name: r for r in (map_tasks or serial_tasks)(province_sites, ordered)}
    return [done[t.name] for t in sorted(ordered, key=lambda t: t.name)]
