"""Timing script (not a test): suggest_sites on a synthetic province-sized grid.

Run::

    .venv/bin/python tests/planning/analysis/bench_site_suggestion.py [rows cols cell_m [KCN|CCN]]

With ``--files DIR`` the synthetic rasters are written as tiled GeoTIFFs to DIR (once) and a fresh
process runs ``suggest_sites_windowed`` over them with ``dataset_reader``, so the peak memory shown
is the analysis's own (inputs are never held in memory).

Default: 6,000 × 10,000 cells at 10 m (60 km × 100 km, 60 M cells). Prints the time of input
generation and of ``suggest_sites`` (suitability pass and region growing), the peak resident
memory of the process (``resource.getrusage(...).ru_maxrss``) and the peak *added* by the
analysis over the inputs. Budget: < 60 s and < 4 GB.

The synthetic province: rolling terrain with a few hills steeper than 15 %, blocky land cover
(rice, crops, forest, villages, bare land, perennials, rivers), flood depth in the lowlands,
≈ 1.3 M residents, 12 roads (9 invested or under construction), 8 existing areas, 4 power lines,
3 proposals. Deterministic (fixed seed).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
import shapely

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _hwm_mb() -> float:
    """Peak RSS of this process image (VmHWM). Unlike ru_maxrss it is not inherited from the
    parent across fork + exec, so it is the right figure for the ``--run-files`` child."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _rss_mb()


def synthetic_province(rows: int, cols: int, cell: float, seed: int = 20250411):
    from planning.analysis.rasters import Grid
    from planning.analysis.types import RoadRecord

    rng = np.random.default_rng(seed)
    west, north = 560_000.0, 1_620_000.0
    grid = Grid.from_origin(west, north, cell_size=cell, rows=rows, cols=cols, crs_epsg=9217)
    height, width = rows * cell, cols * cell

    # DEM: smooth waves (≈ 0–3 % slopes) + a few steep hills, built row by row (float32)
    dem = np.empty((rows, cols), np.float32)
    x = np.arange(cols, dtype=np.float32) * cell
    hills = [
        (rng.uniform(0, width), rng.uniform(0, height), rng.uniform(300, 900), rng.uniform(80, 250))
        for _ in range(25)
    ]
    for r0 in range(0, rows, 500):
        y = (np.arange(r0, min(rows, r0 + 500), dtype=np.float32) * cell)[:, None]
        block = (
            20
            + 15 * np.sin(x / 7000.0)[None, :]
            + 12 * np.cos(y / 5000.0)
            + 4 * np.sin((x[None, :] + y) / 1500.0)
        )
        for hx, hy, rad, h in hills:
            block += h * np.exp(-(((x[None, :] - hx) ** 2 + (y - hy) ** 2) / (2 * rad * rad)))
        dem[r0 : r0 + block.shape[0]] = block

    # land cover: 200 m patches of weighted classes, rivers as water lines
    pr, pc = -(-rows // 20), -(-cols // 20)
    classes = np.array([1, 2, 3, 5, 6, 7], np.uint8)
    probs = np.array([0.30, 0.30, 0.10, 0.08, 0.12, 0.10])
    patches = rng.choice(classes, size=(pr, pc), p=probs)
    landcover = np.repeat(np.repeat(patches, 20, axis=0), 20, axis=1)[:rows, :cols]
    landcover = np.ascontiguousarray(landcover)
    for i in range(3):
        c = int(cols * (0.2 + 0.3 * i))
        wiggle = (np.sin(np.arange(rows) / 300.0 + i) * 60).astype(int)
        cc = np.clip(c + wiggle, 0, cols - 4)
        for w in range(4):
            landcover[np.arange(rows), cc + w] = 4

    # flood depth: lowlands (DEM < 12 m) up to 1.5 m
    flood = np.clip((12.0 - dem) / 8.0, 0, 1.5).astype(np.float32)

    # population: ≈ 1.3 M residents, concentrated on built-up cells
    population = np.zeros((rows, cols), np.float32)
    built = landcover == 5
    population[built] = rng.gamma(2.0, 1.2, size=int(built.sum())).astype(np.float32)
    population *= np.float32(1.3e6 / max(float(population.sum(dtype=np.float64)), 1.0))

    def line(n):
        pts = [(west + rng.uniform(0, width), north - rng.uniform(0, height)) for _ in range(n)]
        return shapely.LineString(pts)

    statuses = ["invested"] * 6 + ["under_construction"] * 3 + ["planned"] * 3
    roads = [RoadRecord(line(6), s, f"QL{i + 1}") for i, s in enumerate(statuses)]
    existing = [
        shapely.Point(west + rng.uniform(0, width), north - rng.uniform(0, height)).buffer(
            rng.uniform(300, 900)
        )
        for _ in range(8)
    ]
    power = [line(4) for _ in range(4)]
    proposals = [
        shapely.Point(west + rng.uniform(0, width), north - rng.uniform(0, height)).buffer(450)
        for _ in range(3)
    ]
    return grid, dem, landcover, flood, population, roads, existing, power, proposals


def main(rows: int = 6000, cols: int = 10_000, cell: float = 10.0, kind: str = "CCN") -> None:
    from planning.analysis.rasters import array_reader
    from planning.analysis.site_suggestion import _Context
    from planning.analysis.types import SiteCriteria

    base = _rss_mb()
    t0 = time.perf_counter()
    grid, dem, lc, flood, pop, roads, existing, power, proposals = synthetic_province(
        rows, cols, cell
    )
    t1 = time.perf_counter()
    inputs_mb = (dem.nbytes + lc.nbytes + flood.nbytes + pop.nbytes) / 2**20
    after_inputs = _rss_mb()
    print(
        f"{kind}: grid {rows} × {cols} = {rows * cols / 1e6:.0f} M cells at {cell:g} m; "
        f"inputs {inputs_mb:.0f} MB generated in {t1 - t0:.1f} s (peak RSS so far {after_inputs:.0f} MB)"
    )

    criteria = SiteCriteria(kind=kind)
    t2 = time.perf_counter()
    ctx = _Context.build(
        grid=grid,
        read_window=array_reader(dem=dem, landcover=lc, flood=flood, population=pop),
        roads=roads,
        existing_areas=existing,
        power_lines=power,
        proposals=proposals,
        criteria=criteria,
    )
    t3 = time.perf_counter()
    suit = ctx.suitability()
    t4 = time.perf_counter()
    sites = ctx.grow_sites(suit)
    t5 = time.perf_counter()
    peak = _rss_mb()
    print(f"prepare (vector buffers, coarse factors, population pass): {t3 - t2:6.1f} s")
    print(
        f"suitability pass (eligibility + score):                   {t4 - t3:6.1f} s "
        f"(corridor {suit.corridor_ha:,.0f} ha, eligible {suit.eligible_ha:,.0f} ha)"
    )
    print(f"region growing + report ({len(sites)} sites):                  {t5 - t4:6.1f} s")
    print(f"suggest_sites total:                                      {t5 - t2:6.1f} s")
    print(
        f"peak RSS {peak:,.0f} MB (before inputs {base:,.0f} MB, with inputs {after_inputs:,.0f} MB; "
        f"analysis added ≤ {peak - after_inputs:,.0f} MB)"
    )
    for s in sites[:3]:
        print(f"  #{s.rank} {s.area_ha:.1f} ha score {s.score:.3f}: {s.reasons}")


def write_files(directory: Path, rows: int, cols: int, cell: float) -> None:
    import pickle

    import rasterio

    directory.mkdir(parents=True, exist_ok=True)
    grid, dem, lc, flood, pop, roads, existing, power, proposals = synthetic_province(
        rows, cols, cell
    )
    for name, arr in (("dem", dem), ("landcover", lc), ("flood", flood), ("population", pop)):
        with rasterio.open(
            directory / f"{name}.tif",
            "w",
            driver="GTiff",
            height=rows,
            width=cols,
            count=1,
            dtype=arr.dtype,
            crs=f"EPSG:{grid.crs_epsg}",
            transform=grid.transform,
            tiled=True,
            blockxsize=512,
            blockysize=512,
        ) as dst:
            dst.write(arr, 1)
    (directory / "vectors.pickle").write_bytes(
        pickle.dumps((grid, roads, existing, power, proposals))
    )


def run_files(directory: Path, kind: str) -> None:
    import pickle

    import rasterio

    from planning.analysis.rasters import dataset_reader
    from planning.analysis.site_suggestion import suggest_sites_windowed
    from planning.analysis.types import SiteCriteria

    grid, roads, existing, power, proposals = pickle.loads(
        (directory / "vectors.pickle").read_bytes()
    )
    names = ("dem", "landcover", "flood", "population")
    base = _hwm_mb()
    t0 = time.perf_counter()
    # GDAL's block cache defaults to 5 % of RAM; cap it, as the service should
    with rasterio.Env(GDAL_CACHEMAX=256 * 2**20):
        datasets = {n: rasterio.open(directory / f"{n}.tif") for n in names}
        sites = suggest_sites_windowed(
            grid=grid,
            read_window=dataset_reader(**datasets),
            roads=roads,
            existing_areas=existing,
            power_lines=power,
            proposals=proposals,
            criteria=SiteCriteria(kind=kind),
        )
    t1 = time.perf_counter()
    print(
        f"{kind} from GeoTIFFs (window by window): {len(sites)} sites in {t1 - t0:.1f} s; "
        f"peak RSS (VmHWM) {_hwm_mb():,.0f} MB (interpreter + libraries {base:,.0f} MB)"
    )


if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--run-files" in argv:
        i = argv.index("--run-files")
        run_files(Path(argv[i + 1]), argv[i + 2])
        sys.exit()
    if "--files" in argv:
        import subprocess

        i = argv.index("--files")
        directory = Path(argv[i + 1])
        del argv[i : i + 2]
        kind = argv.pop() if argv and argv[-1] in ("KCN", "CCN") else "CCN"
        shape = (
            (int(argv[0]), int(argv[1]), float(argv[2]) if len(argv) > 2 else 10.0)
            if argv
            else (6000, 10_000, 10.0)
        )
        if not (directory / "vectors.pickle").exists():
            write_files(directory, *shape)
        subprocess.run([sys.executable, __file__, "--run-files", str(directory), kind], check=True)
        sys.exit()
    kind = argv.pop() if argv and argv[-1] in ("KCN", "CCN") else "CCN"
    if argv:
        main(int(argv[0]), int(argv[1]), float(argv[2]) if len(argv) > 2 else 10.0, kind=kind)
    else:
        main(kind=kind)
