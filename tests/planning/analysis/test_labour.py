"""Labour catchment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from planning.analysis.labour import labour_catchment
from planning.analysis.rasters import Grid, array_reader
from planning.analysis.records import ProjectRecord

GRID = Grid.from_origin(0, 40_000, cell_size=100, rows=400, cols=400)  # 40 km × 40 km


def test_rings_workers_and_summary():
    pop = np.zeros(GRID.shape, np.float32)
    pop[200, 200] = 10_000  # a town at (20 050, 19 950)
    pop[200, 300] = 5_000  # another at (30 050, 19 950), 10 km east
    area = ("A", box(19_000, 19_000, 21_000, 21_000), "KCN A")
    projects = [
        ProjectRecord(id=1, area_id="A", leased_ha=10, planned_jobs=1500),
        ProjectRecord(id=2, area_id="A", leased_ha=5, planned_jobs=500, status="revoked"),
    ]
    s = labour_catchment(
        [area], grid=GRID, population=pop, projects=projects, distances_m=(5000, 10_000)
    )
    (c,) = s.areas
    assert c.workers_needed == 1500
    # the second town is 9 km from the area's east edge (21 000 → 30 050): in the 10 km ring only
    assert [(r.distance_m, r.population) for r in c.rings] == [(5000, 10_000), (10_000, 15_000)]
    assert c.rings[0].workers_share == pytest.approx(0.15)
    assert (
        s.total_population == 15_000
        and s.workers_needed == 1500
        and s.workers_share == pytest.approx(0.1)
    )


def test_union_counts_residents_once_and_coverage_at_the_edge():
    pop = np.ones(GRID.shape, np.float32)
    a = (1, box(1000, 1000, 2000, 2000))
    b = (2, box(1500, 1000, 2500, 2000))
    s = labour_catchment(
        [a, b], grid=GRID, population=pop, workers_needed={1: 10, 2: 20}, distances_m=(3000,)
    )
    ring_a, ring_b = (c.rings[0] for c in s.areas)
    (union,) = s.union_rings
    assert (
        max(ring_a.population, ring_b.population)
        < union.population
        < ring_a.population + ring_b.population
    )
    assert ring_a.coverage < 1  # the buffer reaches past the grid's south-west corner
    assert s.workers_needed == 30


def test_reader_callable_gives_the_same_answer():
    pop = np.random.default_rng(3).gamma(1.0, 2.0, GRID.shape).astype(np.float32)
    area = (1, box(10_000, 10_000, 12_000, 11_000))
    direct = labour_catchment([area], grid=GRID, population=pop, distances_m=(2000,))
    read = labour_catchment(
        [area], grid=GRID, population=array_reader(population=pop), distances_m=(2000,)
    )
    assert direct.to_dict() == read.to_dict()


def test_tasks_in_any_order_give_the_same_answer():
    """Each ring, union ring and stripe of the total is a task (what a Dask cluster maps); the
    answer does not depend on the order the tasks come back in."""
    pop = np.random.default_rng(5).gamma(1.0, 2.0, GRID.shape).astype(np.float32)
    areas = [(1, box(10_000, 10_000, 12_000, 11_000)), (2, box(25_000, 5_000, 27_000, 9_000))]
    seen = []

    def backwards(fn, tasks):
        seen.extend(tasks)
        return [fn(t) for t in reversed(list(tasks))]

    direct = labour_catchment(areas, grid=GRID, population=pop, distances_m=(2000, 8000))
    mapped = labour_catchment(
        areas, grid=GRID, population=pop, distances_m=(2000, 8000), map_tasks=backwards
    )
    assert mapped.to_dict() == direct.to_dict()
    kinds = [t.key[0] for t in seen]
    assert kinds.count("ring") == 4 and kinds.count("union") == 2 and kinds.count("total") >= 1


@settings(max_examples=20, deadline=None)
@given(d1=st.floats(100, 15_000), d2=st.floats(100, 15_000))
def test_population_grows_with_distance(d1, d2):
    pop = np.random.default_rng(7).integers(0, 5, GRID.shape).astype(np.float32)
    area = (1, box(15_000, 15_000, 17_000, 18_000))
    s = labour_catchment([area], grid=GRID, population=pop, distances_m=sorted({d1, d2}))
    pops = [r.population for r in s.areas[0].rings]
    assert pops == sorted(pops)
