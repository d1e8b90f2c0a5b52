"""National scale (``make bench``; ``scripts/bench.sh scale [load|fetch|efficiency|sites]``):
how the costs grow from 1 M to 5 M clearance parcels on the national synthetic dataset (issue 15,
item 7). Each figure is printed beside its peer or floor, measured in the same run, and appended
to ``tests/benchmarks/RESULTS.md``.

* **Files**: ``manage.py build_national --no-load`` writes the GeoPackage of each size once under
  ``$KCN_VAR_DIR/bench/`` (seed 2025; generation is not timed here, its time is printed).
* **load**: ours, ``manage.py build_national --from FILE`` (a new process: Django's start-up,
  COPY, the indexes and keys built after) into a freshly migrated database; the peer,
  ``ogr2ogr -f PostgreSQL PG:… FILE --config PG_USE_COPY YES`` into a fresh database with
  PostGIS (every layer, GDAL's defaults: its tables and spatial indexes). One warm-up of each,
  then ``SCALE_LOAD_ROUNDS`` (3) interleaved rounds, the side going first alternating; the
  databases are made again between rounds, outside the timing. Checks: both hold the file's
  rows in every layer, and the parcels' extent and total area agree. Statistic, chosen before
  the run: median wall time per side. Goal ≤ 1.5× ogr2ogr.
* **fetch**: ``SCALE_FETCH_WINDOWS`` (200) windows of 1 km × 1 km centred on spread parcels
  (and, for context, as many windows whose side shrinks as 1/√size so that they hold the same
  answer at every size: the generator fills the same parks with denser parcels);
  each fetched by OGC API items (``?bbox=…&limit=10000``) and WFS 2.0 GetFeature (GeoJSON) of
  ``clearance_parcels`` from gunicorn (production settings, token authentication), one client
  after a warm-up pass, beside the floor: the same rows as GeoJSON text straight from PostGIS
  (psycopg, one statement, ``ST_Intersects`` as the services filter). Feature counts agree on
  every window. Statistic: p50 and p95 of the
  request times. Goals: p95 < 100 ms at 5 M; 5× the rows ≤ 1.3× the time.
* **efficiency**: ``manage.py efficiency_report`` national and per province (five 2025
  provinces) through the analysis service in-process, after a warm-up; median of 3. Goals:
  national < 60 s at 5 M; a province's time independent of the national total.
* **sites**: site suggestion for the whole country at 30 m on 1 and 2 Dask workers beside the
  floor of reading the same windows (``tests/benchmarks/bench_national_sites.py``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_service.settings.local")

SIZES = [int(s) for s in os.environ.get("SCALE_SIZES", "1000000,5000000").split(",")]
LOAD_ROUNDS = int(os.environ.get("SCALE_LOAD_ROUNDS", "3"))
LOAD_WARMUP = True  # one unmeasured round of each side first (the harness test turns it off)
FETCH_WINDOWS = int(os.environ.get("SCALE_FETCH_WINDOWS", "200"))
EFFICIENCY_PROVINCES = 5  # the first five 2025 provinces by code
EFFICIENCY_RUNS = 3  # after one warm-up, per report
SEED = 2025
TABLES_CHECKED = (
    "planning_adminunit",
    "planning_industrialarea",
    "planning_secondaryproject",
    "planning_developmenttarget",
    "planning_annualreport",
    "planning_clearanceparcel",
)


def var_dir() -> Path:
    return Path(os.environ.get("KCN_VAR_DIR", REPO / "var"))


def admin_url() -> str:
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return base.replace("postgis://", "postgresql://", 1) + "/postgres"


def db_url(name: str, scheme: str = "postgis") -> str:
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return base.replace("postgis://", f"{scheme}://", 1) + f"/{name}"


def psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-qAtc", sql], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"psql failed: {sql}\n{done.stderr}")
    return done.stdout.strip()


def fresh_db(name: str, *, migrate: bool) -> None:
    psql(admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(admin_url(), f'CREATE DATABASE "{name}"')
    psql(db_url(name, "postgresql"), "CREATE EXTENSION postgis")
    if migrate:
        manage(name, "migrate", "--noinput", "-v0")


def manage(db: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": db_url(db)}
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(
            f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    return elapsed, done.stdout


def dataset_file(parcels: int) -> Path:
    path = var_dir() / "bench" / f"national-{parcels}.gpkg"
    if not path.exists():
        fresh_db("kcn_bench_scale_gen", migrate=False)  # --no-load touches no table
        seconds, _out = manage(
            "kcn_bench_scale_gen",
            "build_national",
            "--parcels",
            str(parcels),
            "--seed",
            str(SEED),
            "--no-load",
            "--out",
            str(path),
        )
        print(f"   generated {path.name} in {seconds:.0f} s", flush=True)
    return path


def _pg_dsn(db: str) -> str:
    from urllib.parse import urlsplit

    u = urlsplit(db_url(db, "postgresql"))
    return f"host={u.hostname} port={u.port or 5432} user={u.username} dbname={db}" + (
        f" password={u.password}" if u.password else ""
    )


def run_ogr2ogr(path: Path, db: str) -> float:
    """ogr2ogr as the import bench runs it (``bench_import._ogr2ogr``: ``--config PG_USE_COPY
    YES``, exits if it fails), every layer of ``path`` into database ``db``."""
    from tests.benchmarks.bench_import import _ogr2ogr

    return _ogr2ogr("-f", "PostgreSQL", f"PG:{_pg_dsn(db)}", str(path))


def _layer_counts(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES_CHECKED}


def compare_load(path: Path, ours_db: str, peer_db: str) -> list[str]:
    expected = _layer_counts(path)
    problems = []
    for table, n in expected.items():
        ours = int(psql(db_url(ours_db, "postgresql"), f"SELECT count(*) FROM {table}"))
        peer = int(psql(db_url(peer_db, "postgresql"), f'SELECT count(*) FROM "{table}"'))
        if ours != n or peer != n:
            problems.append(f"{table}: file {n}, ours {ours}, ogr2ogr {peer}")
    figure = (
        "SELECT round(ST_XMin(e)::numeric, 6), round(ST_YMin(e)::numeric, 6), "
        "round(ST_XMax(e)::numeric, 6), round(ST_YMax(e)::numeric, 6), round(a::numeric, 0) "
        "FROM (SELECT ST_Extent({g}) AS e, sum(ST_Area({g}::geography)) AS a "
        "FROM planning_clearanceparcel) s"
    )
    ours = psql(db_url(ours_db, "postgresql"), figure.format(g="boundary"))
    peer = psql(db_url(peer_db, "postgresql"), figure.format(g="boundary"))
    if ours != peer:
        problems.append(f"parcels' extent and area: ours {ours}, ogr2ogr {peer}")
    return problems


def bench_load(rows: list[str], notes: list[str]) -> None:
    for parcels in SIZES:
        path = dataset_file(parcels)
        total = sum(_layer_counts(path).values())
        ours_db, peer_db = f"kcn_bench_scale_{parcels}", f"kcn_bench_scale_{parcels}_ogr"
        times: dict[str, list[float]] = {"ours": [], "ogr2ogr": []}
        print(f"load, {parcels:,} parcels ({path.stat().st_size / 2**20:,.0f} MiB):", flush=True)
        for rnd in range(0 if LOAD_WARMUP else 1, LOAD_ROUNDS + 1):
            fresh_db(ours_db, migrate=True)
            fresh_db(peer_db, migrate=False)
            order = ["ours", "ogr2ogr"] if rnd % 2 == 0 else ["ogr2ogr", "ours"]
            got = {}
            for side in order:
                if side == "ours":
                    got[side] = manage(ours_db, "build_national", "--from", str(path))[0]
                else:
                    got[side] = run_ogr2ogr(path, peer_db)
            problems = compare_load(path, ours_db, peer_db)
            label = "warm-up" if rnd == 0 else f"round {rnd}"
            print(
                f"   {label}: ours {got['ours']:.1f} s, ogr2ogr {got['ogr2ogr']:.1f} s", flush=True
            )
            if problems:
                raise SystemExit(f"the two sides differ: {problems}")
            if rnd:
                for side in got:
                    times[side].append(got[side])
        psql(admin_url(), f'DROP DATABASE IF EXISTS "{peer_db}" WITH (FORCE)')
        ours, peer = statistics.median(times["ours"]), statistics.median(times["ogr2ogr"])
        rows.append(
            f"| load of the national GeoPackage, {parcels:,} parcels ({total:,} rows), s "
            f"(median of {LOAD_ROUNDS}) | {ours:.1f} ({min(times['ours']):.1f}–"
            f"{max(times['ours']):.1f}); {total / ours:,.0f} rows/s | ogr2ogr {peer:.1f} "
            f"({min(times['ogr2ogr']):.1f}–{max(times['ogr2ogr']):.1f}); {total / peer:,.0f} "
            f"rows/s | {ours / peer:.2f}× | ≤ 1.5× |"
        )
        notes.append(
            f"- load, {parcels:,} parcels, per round (s): ours "
            f"{[round(t, 1) for t in times['ours']]}, ogr2ogr "
            f"{[round(t, 1) for t in times['ogr2ogr']]}; rows of every layer, parcels' "
            "extent and area equal on both sides"
        )


# --- fetch: 1 km windows ---------------------------------------------------------------------


def _windows(db: str, n: int, half_m: float = 500.0) -> list[tuple[float, float, float, float]]:
    import math

    import psycopg

    with psycopg.connect(db_url(db, "postgresql")) as conn:
        # Every step-th parcel (a fixed, spread-out sample: the same windows every run).
        step = max(
            1, conn.execute("SELECT max(id) FROM planning_clearanceparcel").fetchone()[0] // n
        )
        rows = conn.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(boundary) AS c FROM "
            "planning_clearanceparcel WHERE id %% %s = 17 %% %s ORDER BY id LIMIT %s) s",
            [step, step, n],
        ).fetchall()
    out = []
    for x, y in rows:
        dy = half_m / 110_574
        dx = half_m / (111_320 * math.cos(math.radians(y)))
        # Six decimals (≈ 0.1 m), the numbers all three sides are given.
        out.append(tuple(round(v, 6) for v in (x - dx, y - dy, x + dx, y + dy)))
    return out


FLOOR_SQL = (
    "SELECT count(*), length(json_agg(json_build_object('type', 'Feature', 'id', id, "
    "'geometry', ST_AsGeoJSON(boundary)::json, 'properties', json_build_object("
    "'map_sheet', map_sheet, 'parcel_no', parcel_no, 'land_use', land_use, 'status', status, "
    "'area_m2', area_m2)))::text) FROM planning_clearanceparcel "
    "WHERE ST_Intersects(boundary, ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def bench_fetch(rows: list[str], notes: list[str]) -> None:
    import psycopg
    import requests

    from tests.benchmarks.bench_ogcapi import free_port, wait_http
    from tests.benchmarks.servers import start_gunicorn

    results = {}
    for parcels in SIZES:
        db = loaded_db(parcels)
        os.environ["DATABASE_URL"] = db_url(db)
        token = _token(db)
        windows = _windows(db, FETCH_WINDOWS)
        side_m = 1000.0 * (SIZES[0] / parcels) ** 0.5
        constant = _windows(db, FETCH_WINDOWS, half_m=side_m / 2)
        port = free_port()
        log = open(var_dir() / "bench-scale-gunicorn.log", "wb")  # noqa: SIM115
        proc = start_gunicorn(port, log, workers="2", threads="4", timeout=300)
        try:
            wait_http(port, "/ogc/conformance?f=json", "gunicorn", proc)
            session = requests.Session()
            session.headers["Authorization"] = f"Token {token}"
            base = f"http://127.0.0.1:{port}"
            floor = psycopg.connect(db_url(db, "postgresql"), autocommit=True)
            # The goal's 1 km² windows, and beside them windows holding the same answer at every
            # size (their side shrinks as the parcels get denser): the table's share of the growth.
            sets = {"1km": windows, "constant": constant}
            timings = {k: {"items": [], "wfs": [], "floor": []} for k in sets}
            counts: dict[str, list[int]] = {k: [] for k in sets}
            for rnd in range(2):  # a warm-up pass, then the measured one
                for pair in zip(windows, constant, strict=True):
                    for key, w in zip(sets, pair, strict=True):
                        got = _fetch_window(session, base, floor, w)
                        if rnd:
                            for side in ("items", "wfs", "floor"):
                                timings[key][side].append(got[side])
                            counts[key].append(got["count"])
            floor.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
        results[parcels] = (timings, counts, side_m)
        t, c = timings["1km"], counts["1km"]
        print(
            f"   fetch at {parcels:,}: items p50 {pct(t['items'], 50):.1f} p95 "
            f"{pct(t['items'], 95):.1f} ms; WFS p50 {pct(t['wfs'], 50):.1f} p95 "
            f"{pct(t['wfs'], 95):.1f} ms; SQL floor p50 {pct(t['floor'], 50):.1f} p95 "
            f"{pct(t['floor'], 95):.1f} ms; features per window median "
            f"{statistics.median(c):.0f} (max {max(c)}); windows of {side_m:.0f} m: items p95 "
            f"{pct(timings['constant']['items'], 95):.1f} ms, features median "
            f"{statistics.median(counts['constant']):.0f}",
            flush=True,
        )
        for key, what in (("1km", "1 km² window"), ("constant", f"{side_m:.0f} m window")):
            t = timings[key]
            for side, label in (
                ("items", "OGC API items"),
                ("wfs", "WFS 2.0 GetFeature (GeoJSON)"),
            ):
                rows.append(
                    f"| {label}, {what}, {parcels:,} parcels, ms p50 / p95 | "
                    f"{pct(t[side], 50):.1f} / {pct(t[side], 95):.1f} | SQL floor "
                    f"{pct(t['floor'], 50):.1f} / {pct(t['floor'], 95):.1f} | "
                    f"{pct(t[side], 95) / pct(t['floor'], 95):.2f}× (p95) | "
                    + ("p95 < 100 ms at 5 M |" if key == "1km" else "— (context) |")
                )
            notes.append(
                f"- fetch, {parcels:,} parcels, {what}: {len(counts[key])} windows, features per "
                f"window median {statistics.median(counts[key]):.0f}, max {max(counts[key])}; "
                "counts equal on all three sides"
            )
    if len(results) == 2:
        (a, (ta, ca, _sa)), (b, (tb, cb, _sb)) = sorted(results.items())
        for key, what in (("1km", "1 km² windows"), ("constant", "windows of a constant answer")):
            for side in ("items", "wfs", "floor"):
                growth = pct(tb[key][side], 95) / pct(ta[key][side], 95)
                rows.append(
                    f"| growth {a:,} → {b:,} parcels ({b / a:.0f}× the rows), {what} (features "
                    f"median {statistics.median(ca[key]):.0f} → "
                    f"{statistics.median(cb[key]):.0f}), {side}, p95 | {growth:.2f}× | — | — | "
                    "≤ 1.3× |"
                )


def _fetch_window(session, base: str, floor, w) -> dict:
    """One window by OGC API items, WFS and the SQL floor: times (ms) and the feature count
    (the three must agree)."""
    bbox = ",".join(f"{v:.6f}" for v in w)
    t = time.perf_counter()
    r = session.get(
        f"{base}/ogc/collections/clearance_parcels/items",
        params={"bbox": bbox, "limit": 10000, "f": "json"},
        timeout=120,
    )
    items_ms = (time.perf_counter() - t) * 1000
    r.raise_for_status()
    n_items = len(r.json()["features"])
    t = time.perf_counter()
    r = session.get(
        f"{base}/ows/wfs",
        params={
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "clearance_parcels",
            "BBOX": f"{w[1]:.6f},{w[0]:.6f},{w[3]:.6f},{w[2]:.6f},urn:ogc:def:crs:EPSG::4326",
            "OUTPUTFORMAT": "application/json",
            "COUNT": 10000,
        },
        timeout=120,
    )
    wfs_ms = (time.perf_counter() - t) * 1000
    r.raise_for_status()
    n_wfs = len(r.json()["features"])
    t = time.perf_counter()
    n_floor = floor.execute(FLOOR_SQL, w).fetchone()[0]
    floor_ms = (time.perf_counter() - t) * 1000
    if not n_items == n_wfs == n_floor:
        raise SystemExit(f"window {bbox}: items {n_items}, WFS {n_wfs}, SQL {n_floor}")
    return {"items": items_ms, "wfs": wfs_ms, "floor": floor_ms, "count": n_items}


def _token(db: str) -> str:
    """The benchmark user's token in database ``db`` (a process of its own: Django's settings
    are read once per process, and each size has its database)."""
    _s, out = manage(
        db,
        "shell",
        "-c",
        "from tests.benchmarks.bench_ogcapi import bench_user_token; print(bench_user_token())",
    )
    return out.strip().splitlines()[-1]


def loaded_db(parcels: int) -> str:
    """The database holding our load of the dataset with ``parcels`` (the load part leaves it;
    made here when the part did not run)."""
    db = f"kcn_bench_scale_{parcels}"
    if not psql(admin_url(), f"SELECT 1 FROM pg_database WHERE datname = '{db}'"):
        fresh_db(db, migrate=True)
        seconds, _ = manage(db, "build_national", "--from", str(dataset_file(parcels)))
        print(f"   loaded {parcels:,} parcels in {seconds:.0f} s", flush=True)
    return db


# --- efficiency report -------------------------------------------------------------------------


def bench_efficiency(rows: list[str], notes: list[str]) -> None:
    for parcels in SIZES:
        db = loaded_db(parcels)
        provinces = psql(
            db_url(db, "postgresql"),
            "SELECT string_agg(code, ',' ORDER BY code) FROM (SELECT code FROM planning_adminunit "
            f"WHERE level = 'province' AND valid_to IS NULL ORDER BY code "
            f"LIMIT {EFFICIENCY_PROVINCES}) s",
        ).split(",")
        figures = {}
        for label, extra in [("national", [])] + [(p, ["--province", p]) for p in provinces]:
            manage(db, "efficiency_report", *extra)  # warm-up
            runs = [_report_seconds(db, extra) for _ in range(EFFICIENCY_RUNS)]
            figures[label] = statistics.median(runs)
        per_province = [figures[p] for p in provinces]
        print(
            f"   efficiency at {parcels:,}: national {figures['national']:.2f} s; provinces "
            + ", ".join(f"{p} {figures[p]:.2f}" for p in provinces),
            flush=True,
        )
        runs = EFFICIENCY_RUNS
        rows.append(
            f"| efficiency report, national, {parcels:,} parcels, s (median of {runs}) | "
            f"{figures['national']:.2f} | — | — | < 60 s at 5 M |"
        )
        rows.append(
            f"| efficiency report per province ({len(provinces)} provinces), {parcels:,} "
            f"parcels, s (median of {runs} each) | {statistics.median(per_province):.2f} (max "
            f"{max(per_province):.2f}) | national {figures['national']:.2f} | — | independent of "
            "the national total |"
        )


def _report_seconds(db: str, extra: list[str]) -> float:
    """The report's own time, as the run records it (``run #N: Done in X s``: the analysis,
    without the process start)."""
    import re

    _s, out = manage(db, "efficiency_report", "--lang", "en", *extra)
    found = re.search(r"run #\d+: Done in ([0-9.,]+) s", out)
    if not found:
        raise SystemExit(f"no time in the report's output:\n{out[-500:]}")
    return float(found.group(1).replace(",", ""))


def main(argv: list[str]) -> int:
    parts = argv or ["load", "fetch", "efficiency", "sites"]
    needs_db = set(parts) - {"sites"}
    if needs_db and not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        print("the scale benchmark needs PostGIS (scripts/bench.sh scale starts it)")
        return 1
    rows = ["| measure | ours | peer or floor | ratio | goal |", "|---|---:|---:|---:|---|"]
    notes: list[str] = []
    started = time.monotonic()
    home = os.environ.get("DATABASE_URL", "")
    stopped = None
    try:
        if "load" in parts:
            bench_load(rows, notes)
        if "fetch" in parts:
            bench_fetch(rows, notes)
            os.environ["DATABASE_URL"] = home
        if "efficiency" in parts:
            bench_efficiency(rows, notes)
        if "sites" in parts:
            from tests.benchmarks.bench_national_sites import bench_sites

            bench_sites(rows, notes, var_dir())
    except SystemExit as exc:  # a check failed: record what was measured, and why it stopped
        stopped = str(exc)
        notes.append(f"- **stopped**: {stopped}")
    print("\n".join(rows))
    from tests.benchmarks.bench_ogcapi import record

    where = record(
        rows + [""] + notes + [f"- whole run {time.monotonic() - started:.0f} s"],
        title=f"National scale (`scripts/bench.sh scale {' '.join(parts)}`)",
        method=(
            "the national synthetic dataset (seed 2025) at "
            + " and ".join(f"{s:,}" for s in SIZES)
            + " parcels; see tests/benchmarks/bench_scale.py for each part's method "
            "(rounds, checks, statistic chosen before the run)."
        ),
    )
    print(f"   recorded in {where}")
    if stopped:
        print(f"stopped: {stopped}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
