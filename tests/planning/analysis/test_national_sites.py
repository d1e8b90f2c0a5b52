"""Site suggestion for the country as province tasks on Dask (issue 15, items 3 and 7).

Three Mekong delta provinces of the national synthetic dataset (seed 2025) on national rasters at
60 m written for their bounds: the same sites in this process and on a 2-worker ``LocalCluster``,
each site inside its province, a task's window bounded by the corridors of its roads.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from rasterio.windows import Window

from planning import synthetic_national as sn
from planning import synthetic_national_rasters as nr
from planning.analysis.national_sites import ProvinceTask, national_sites, province_sites
from planning.analysis.rasters import PathReader
from tests.benchmarks.bench_national_sites import SEED, province_tasks, signature

SOURCE = Path(os.environ.get("KCN_VN_DATA", Path(__file__).resolve().parents[4] / "shared/data/vn"))
pytestmark = pytest.mark.skipif(
    not (SOURCE / sn.SOURCE_FILES[0]).exists(), reason="../shared/data/vn not present"
)
NAMES = ["Cần Thơ", "Vĩnh Long", "Đồng Tháp"]


@pytest.fixture(scope="module")
def delta(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    dataset = sn.build(sn.Source.read(SOURCE), seed=SEED, parcels=0)
    scene = nr.scene_from_dataset(dataset, SEED)
    units = next(t for t in dataset.tables if t.table == "planning_adminunit")
    current = np.array([v is None for v in units.columns["valid_to"]])
    pick = current & np.isin(units.columns["name"], NAMES)
    region = shapely.union_all([nr.metric(g) for g in units.geometry[pick]])
    grid = nr.RasterGrid.covering(region.bounds, 60.0, margin=6000)
    files = {k: folder / f"national_{k}_60m.tif" for k in nr.KINDS}
    nr.write_rasters(scene, nr.Fields(scene, SEED), grid, files, window=1024)
    paths = {k: str(p) for k, p in files.items()}
    return province_tasks(paths, only=NAMES)


def test_the_same_sites_here_and_on_two_dask_workers(delta):
    from distributed import Client, LocalCluster, as_completed

    here = national_sites(delta)
    assert [r.name for r in here] == sorted(NAMES)
    assert sum(len(r.sites) for r in here) >= 5
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     memory_limit="2GiB", dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip

        def map_tasks(fn, items):
            for future in as_completed(client.map(fn, list(items), pure=False)):
                yield future.result()

        there = national_sites(delta, map_tasks)
        pids = set(client.run(os.getpid).values())
    assert signature(there) == signature(here)
    assert os.getpid() not in pids and len(pids) == 2
    for task, result in zip(sorted(delta, key=lambda t: t.name), here, strict=True):
        assert result.cells == task.cells > 0
        half_cell = task.grid.cell_size / 2
        for site in result.sites:  # grown inside the province, never across its line
            assert task.outline.buffer(half_cell).contains(site.geometry), (task.name, site.rank)


def test_a_province_without_considered_roads_costs_nothing(delta):
    task = delta[0]
    lonely = ProvinceTask(task.name, task.outline, task.grid, task.paths, roads=[])
    assert lonely.window is None and lonely.cells == 0
    result = province_sites(lonely)
    assert result.sites == [] and result.cells == 0
    # the window is the corridors' part of the province (plus the criteria's reach), not more
    full = task.grid.window_for_bounds(task.outline.bounds)
    assert task.cells <= int(full.width) * int(full.height) * 1.5


def test_an_offset_reader_reads_the_window_of_the_larger_raster(delta):
    paths = delta[0].paths
    whole = PathReader(**paths)
    part = PathReader(offset=(40, 70), **paths)
    a = part(Window(5, 3, 50, 20))
    b = whole(Window(75, 43, 50, 20))
    for kind in nr.KINDS:
        np.testing.assert_array_equal(a[kind], b[kind])
    with rasterio.open(paths["dem"]) as ds:
        assert ds.crs.to_epsg() == nr.NATIONAL_EPSG
