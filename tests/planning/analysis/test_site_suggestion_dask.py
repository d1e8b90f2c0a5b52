"""Site suggestion's stripes run anywhere (issue 15, item 3): the golden province of
``scenes.py`` with stripes smaller than a site, in any order, and on a Dask ``LocalCluster`` of
worker processes reading the rasters from GeoTIFFs by path, gives the sites of one window."""

from __future__ import annotations

import os
import pickle

import rasterio
from distributed import Client, LocalCluster

from planning.analysis.rasters import PathReader
from planning.analysis.site_suggestion import suggest_sites, suggest_sites_windowed
from tests.planning.analysis.scenes import GOLDEN_CRITERIA, golden_province

GOLDEN = golden_province()
STRIPE_ROWS = 4  # cells: far fewer than any site's height


def _one_window():
    return [s.to_dict() for s in suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA)]


def _write_tiffs(tmp_path) -> dict[str, str]:
    g = GOLDEN.grid
    paths = {}
    for name in ("dem", "landcover", "flood", "population"):
        arr = getattr(GOLDEN, name)
        paths[name] = str(tmp_path / f"{name}.tif")
        with rasterio.open(
            paths[name], "w", driver="GTiff", height=g.rows, width=g.cols, count=1,
            dtype=arr.dtype, crs="EPSG:9217", transform=g.transform,
            nodata=-9999 if arr.dtype.kind == "f" else None,
        ) as dst:  # fmt: skip
            dst.write(arr, 1)
    return paths


def _vectors():
    kw = GOLDEN.kwargs()
    for name in ("dem", "landcover", "flood", "population"):
        kw.pop(name)
    return kw


def test_stripes_smaller_than_a_site_in_any_order_give_the_sites_of_one_window():
    sites = _one_window()
    reversed_map = lambda fn, stripes: [fn(*s) for s in reversed(list(stripes))]  # noqa: E731
    striped = suggest_sites(**GOLDEN.kwargs(), criteria=GOLDEN_CRITERIA, block_rows=STRIPE_ROWS)
    assert [s.to_dict() for s in striped] == sites
    kw = GOLDEN.kwargs()
    from planning.analysis.rasters import array_reader

    arrays = {n: kw.pop(n) for n in ("dem", "landcover", "flood", "population")}
    backwards = suggest_sites_windowed(
        read_window=array_reader(**arrays),
        criteria=GOLDEN_CRITERIA,
        block_rows=STRIPE_ROWS,
        map_stripes=reversed_map,
        **kw,
    )
    assert [s.to_dict() for s in backwards] == sites
    # The test means something: some site spans several stripes.
    cell = GOLDEN.grid.cell_size
    heights = [(s.geometry.bounds[3] - s.geometry.bounds[1]) / cell for s in striped]
    assert max(heights) > 3 * STRIPE_ROWS, heights


def test_a_path_reader_travels_to_another_process(tmp_path):
    reader = PathReader(**_write_tiffs(tmp_path))
    from rasterio.windows import Window

    first = reader(Window(0, 0, 5, 3))["dem"]
    copy = pickle.loads(pickle.dumps(reader))  # no open dataset inside
    assert (copy(Window(0, 0, 5, 3))["dem"] == first).all()


def test_a_local_cluster_of_worker_processes_gives_the_same_sites(tmp_path):
    paths = _write_tiffs(tmp_path)
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    seen_workers = set()
    try:

        def on_cluster(fn, stripes):
            ctx = client.scatter(fn.__self__, broadcast=True, hash=False)
            futures = client.map(
                lambda c, s: (c.stripe(*s), os.getpid()),
                [ctx] * len(stripes),
                list(stripes),
                pure=False,
            )
            for result, pid in client.gather(futures):
                seen_workers.add(pid)
                yield result

        sites = suggest_sites_windowed(
            read_window=PathReader(**paths),
            criteria=GOLDEN_CRITERIA,
            block_rows=STRIPE_ROWS,
            map_stripes=on_cluster,
            **_vectors(),
        )
    finally:
        client.close()
        cluster.close()
    assert [s.to_dict() for s in sites] == _one_window()
    assert len(seen_workers) == 2  # both worker processes took stripes
    assert os.getpid() not in seen_workers
