"""Site suggestion for the whole country at 30 m on Dask (issue 15, item 7; part ``sites`` of
``scripts/bench.sh scale``).

* **Rasters**: ``manage.py build_national_rasters --cell 30`` writes the national COGs once under
  ``$KCN_VAR_DIR/bench/rasters-2025/`` (seed 2025; ≈ 366 M land cells, ≈ 2.5 min, not timed
  here, its time printed when it runs).
* **Work**: :func:`planning.analysis.national_sites.national_sites`, one task per 2025 province
  over its window of the national grid (default criteria: a CCN along invested or building
  provincial and district roads), each read stripe by stripe from the COGs by path.
* **Sides**, one warm-up pass of the floor first (the page cache), then ``SITES_ROUNDS`` (1)
  interleaved rounds of: the **floor** — in this process, the same tasks' same stripes (the
  analysis' own stripe plan and halo) read from the same COGs and one NumPy pass over them
  (a weighted sum of land cover, flood and DEM): what touching the inputs costs; **Dask, 1
  worker** and **Dask, 2 workers** — a ``LocalCluster`` of worker processes (one thread each,
  memory limit 2 GiB, as ``KCN_DASK_*`` configures the service's) mapping the province tasks.
* **Checks**: both Dask runs give the same sites (province, area, score) — and, for the three
  smallest provinces, the same as in this process without Dask.
* **Statistic**, chosen before the run: wall time of the whole national map (median of the
  rounds); the workers' peak RSS (``ru_maxrss`` reported by each task). Goals: 1 worker ≤ 10×
  the floor; 2 workers ≥ 1.7× faster than 1; peak per worker < 2 GB.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_service.settings.local")

SEED = 2025
CELL = float(os.environ.get("SITES_CELL", "30"))
ROUNDS = int(os.environ.get("SITES_ROUNDS", "1"))
WORKER_MEMORY = "2GiB"


def raster_paths(var: Path, cell: float = CELL) -> dict[str, str]:
    import subprocess

    from planning import synthetic_national_rasters as nr

    folder = var / "bench" / f"rasters-{SEED}"
    files = {k: folder / f"national_{k}_{cell:g}m.tif" for k in nr.KINDS}
    if not all(p.exists() for p in files.values()):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "build_national_rasters", "--seed", str(SEED),
             "--cell", f"{cell:g}", "--out", str(folder), "--lang", "en"],
            cwd=REPO, check=True,
            env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},  # needs no database
        )  # fmt: skip
        print(f"   national rasters written in {time.perf_counter() - t:.0f} s", flush=True)
    return {k: str(p) for k, p in files.items()}


def province_tasks(paths: dict[str, str], only: list[str] | None = None):
    """One :class:`ProvinceTask` per 2025 province, from the seed's national dataset."""
    import rasterio
    import shapely
    from django.conf import settings

    from planning import synthetic_national as sn
    from planning import synthetic_national_rasters as nr
    from planning.analysis.national_sites import ProvinceTask
    from planning.analysis.rasters import Grid
    from planning.analysis.records import RoadRecord
    from planning.management.commands.build_national import default_source

    data = sn.build(
        sn.Source.read(default_source()), seed=SEED, parcels=0,
        extent=tuple(settings.PLANNING_EXTENT),
    )  # fmt: skip
    tables = {t.table: t for t in data.tables}
    units, roads, areas = (
        tables["planning_adminunit"], tables["planning_roadcorridor"],
        tables["planning_industrialarea"],
    )  # fmt: skip
    with rasterio.open(paths["dem"]) as ds:
        grid = Grid(ds.transform, (ds.height, ds.width), crs_epsg=nr.NATIONAL_EPSG)
    records = [
        RoadRecord(nr.metric(g), status=str(s), name=str(n), road_class=str(c))
        for g, s, n, c in zip(
            roads.geometry,
            roads.columns["status"],
            roads.columns["name"],
            roads.columns["road_class"],
            strict=True,
        )  # fmt: skip
    ]
    on_ground = [
        nr.metric(g)
        for g, s in zip(areas.geometry, areas.columns["status"], strict=True)
        if s != "planned"
    ]
    current = (units.columns["level"] == "province") & np.array(
        [v is None for v in units.columns["valid_to"]]
    )
    tasks = []
    for name, geom in zip(units.columns["name"][current], units.geometry[current], strict=True):
        if only and name not in only:
            continue
        outline = shapely.make_valid(nr.metric(geom))
        tasks.append(ProvinceTask(str(name), outline, grid, paths, records, on_ground))
    return tasks


def floor_pass(tasks) -> tuple[float, int]:
    """The floor: every task's stripes (the analysis' own plan) read and one NumPy pass."""
    from planning.analysis.rasters import PathReader
    from planning.analysis.site_suggestion import stripe_windows

    start, cells = time.perf_counter(), 0
    for task in tasks:
        win = task.window
        if win is None:
            continue
        grid = task.grid.subgrid(win)
        read = PathReader(task.gdal_cache_mb, (int(win.row_off), int(win.col_off)), **task.paths)
        total = 0.0
        for outer, _inner, rows in stripe_windows(grid, task.criteria):
            d = read(outer)
            lc, flood, dem = d["landcover"][rows], d["flood"][rows], d["dem"][rows]
            pop = d["population"][rows]
            s = (
                np.float32(0.4) * (lc == 2)
                + np.float32(0.3) * (np.nan_to_num(flood) < 0.5)
                + np.float32(0.3) * np.clip(1 - np.nan_to_num(dem) / 500, 0, 1)
                + np.float32(1e-6) * np.nan_to_num(pop)
            )
            total += float(s.sum(dtype=np.float64))
            cells += lc.size
    return time.perf_counter() - start, cells


def dask_run(tasks, workers: int):
    """The national map on a LocalCluster of ``workers`` processes; (seconds, results)."""
    import logging

    from distributed import Client, LocalCluster, as_completed

    from planning.analysis.national_sites import national_sites

    logging.getLogger("distributed").setLevel(logging.WARNING)
    with (
        LocalCluster(
            n_workers=workers, silence_logs=logging.WARNING, threads_per_worker=1, processes=True,
            memory_limit=WORKER_MEMORY, dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip

        def map_tasks(fn, items):
            futures = client.map(fn, list(items), pure=False)
            for future in as_completed(futures):
                yield future.result()

        client.run(lambda: None)  # workers up before the clock starts
        start = time.perf_counter()
        results = national_sites(tasks, map_tasks)
        return time.perf_counter() - start, results


def signature(results) -> list[tuple]:
    return [(r.name, round(s.area_ha, 3), round(s.score, 5)) for r in results for s in r.sites]


def bench_sites(rows: list[str], notes: list[str], var: Path) -> None:
    import django

    django.setup()
    from planning.analysis.national_sites import national_sites

    paths = raster_paths(var, CELL)
    tasks = province_tasks(paths)
    floor_pass(tasks)  # warm-up: the page cache
    figures: dict[str, list[float]] = {"floor": [], "1": [], "2": []}
    runs: dict[str, list] = {}
    cells = 0
    for _ in range(ROUNDS):
        seconds, cells = floor_pass(tasks)
        figures["floor"].append(seconds)
        print(f"   floor {seconds:.1f} s over {cells:,} cells", flush=True)
        for n in (1, 2):
            seconds, results = dask_run(tasks, n)
            figures[str(n)].append(seconds)
            runs[str(n)] = results
            peak = max(r.peak_rss_mb for r in results)
            print(f"   dask {n} worker(s) {seconds:.1f} s, peak {peak:.0f} MB", flush=True)
    one, two = runs["1"], runs["2"]
    if signature(one) != signature(two):
        raise SystemExit("the sites on 1 and 2 Dask workers differ")
    small = sorted(tasks, key=lambda t: t.cells)[:3]
    here = national_sites(small)
    by_name = {r.name: r for r in one}
    if signature(here) != signature([by_name[t.name] for t in sorted(small, key=lambda t: t.name)]):
        raise SystemExit("the sites on Dask differ from the sites in one process")
    floor, t1, t2 = (statistics.median(figures[k]) for k in ("floor", "1", "2"))
    peak = max(r.peak_rss_mb for r in (*one, *two))
    sites = sum(len(r.sites) for r in one)
    biggest = max(one, key=lambda r: r.cells)
    rows.append(
        f"| site suggestion national {CELL:g} m, Dask 1 worker, s ({len(tasks)} provinces, "
        f"{cells / 1e6:,.0f} M cells read, {sites} sites) | {t1:.1f} | floor {floor:.1f} | "
        f"{t1 / floor:.2f}× | ≤ 10× the floor |"
    )
    rows.append(
        f"| site suggestion national, Dask 2 workers, s | {t2:.1f} | 1 worker {t1:.1f} | "
        f"{t1 / t2:.2f}× faster | ≥ 1.7× |"
    )
    rows.append(
        f"| peak RSS per Dask worker, MB (largest task: {biggest.name}, "
        f"{biggest.cells / 1e6:.0f} M cells) | {peak:.0f} | limit 2,048 | — | < 2 GB |"
    )
    notes.append(
        f"- sites: {sites} CCN candidates in {sum(1 for r in one if r.sites)} provinces; "
        "the same on 1 and 2 workers, and the 3 smallest provinces the same in one process"
    )
