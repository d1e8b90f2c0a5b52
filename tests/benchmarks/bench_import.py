"""Import throughput (``make bench``; ``scripts/bench.sh import``): ``manage.py import_layer`` of
a 200,000-parcel GeoPackage in VN-2000 into PostGIS beside ``ogr2ogr`` loading the same file
(issue 16, item 7).

* **File**: 200,000 clearance parcels, 50 m squares on an 80 m grid in EPSG:9217 (Bình Định's
  TM-3 zone), with cadastral numbers, land use, status, households, holder, planned amounts and
  dates (``tests/benchmarks/parcel_files.py``), every one inside the demo province; written once
  under ``$KCN_VAR_DIR/bench/`` and reused.
* **Ours**: ``manage.py import_layer FILE --layer clearance_parcels`` as a user runs it (a new
  process: Django's start-up included), into the service's table with its constraints, indexes
  and edit history, every check of the row path kept (``layers.io.bulk``).
* **Peer**: ``ogr2ogr -f PostgreSQL PG:… FILE -t_srs EPSG:4326 --config PG_USE_COPY YES`` into a
  new table (GDAL's defaults: the table and its spatial index made by ogr2ogr).
* **Second peer, for context** (not the issue's): ``ogr2ogr -append`` of the same file into a
  copy of the service's table (``CREATE TABLE … (LIKE planning_clearanceparcel INCLUDING ALL)``:
  the same columns, six indexes and check constraints; no history table, no foreign keys), the
  columns the file lacks given as constants in ogr2ogr's SQL. It shows what the service's table
  costs a loader, apart from the history and the checks ours makes.
* **Rounds**: one warm-up of each, then 5 interleaved rounds, the side going first alternating.
  Between rounds (outside the timing) the imported rows, their history and ogr2ogr's table are
  removed and the tables vacuumed. **Statistic, chosen before the run: the median wall time of
  each side**, min–max beside it. Goal ≤ 1.5× ogr2ogr's time.
* **Checks**: both sides hold 200,000 rows with the same extent and the same total area
  (measured in EPSG:9217 by PostGIS, to 0.01 %); a difference fails the bench.
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

N = int(os.environ.get("IMPORT_BENCH_PARCELS", "200000"))
ROUNDS = int(os.environ.get("IMPORT_BENCH_ROUNDS", "5"))
PEER_TABLE = "bench_ogr_parcels"
SERVICE_LIKE_TABLE = "bench_ogr_service"
# The columns of the service's table the file does not carry, as ogr2ogr's SQL gives them.
SERVICE_LIKE_SQL = (
    "SELECT geom, map_sheet, parcel_no, land_use, status, households, holder_name, "
    "compensation_planned_mn_vnd, NULLIF(inventoried_on, '') AS inventoried_on, "
    "NULLIF(plan_approved_on, '') AS plan_approved_on, 9217 AS metric_srid, 0.0 AS area_m2, "
    "'' AS holder_id_number, 0 AS compensation_paid_mn_vnd, 0 AS is_synthetic, "
    "{unit} AS admin_unit_id FROM parcels"
)
MARK = "Hộ "  # every benchmark parcel's holder name starts so (the demo's do not)


def bench_file() -> Path:
    import shapely

    from planning.models import AdminUnit
    from tests.benchmarks.parcel_files import write_parcels

    path = Path(os.environ.get("KCN_VAR_DIR", REPO / "var")) / "bench" / f"parcels_{N}.gpkg"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    province = shapely.from_wkb(bytes(AdminUnit.objects.get(code="52").boundary.wkb))
    shapely.prepare(province)
    write_parcels(path, N, keep=lambda lon, lat: shapely.contains_xy(province, lon, lat))
    return path


def _pg_dsn() -> str:
    from django.db import connection

    s = connection.settings_dict
    return (
        f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} user={s['USER']} "
        f"dbname={s['NAME']}" + (f" password={s['PASSWORD']}" if s.get("PASSWORD") else "")
    )


def clean() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM planning_clearanceparcel WHERE holder_name LIKE %s", [MARK + "%"])
        cur.execute(
            "DELETE FROM planning_historicalclearanceparcel WHERE holder_name LIKE %s",
            [MARK + "%"],
        )
        cur.execute(f"DROP TABLE IF EXISTS {PEER_TABLE}")
        cur.execute(f"DROP TABLE IF EXISTS {SERVICE_LIKE_TABLE}")
        cur.execute(
            f"CREATE TABLE {SERVICE_LIKE_TABLE} (LIKE planning_clearanceparcel INCLUDING ALL)"
        )
    connection.close()
    with connection.cursor() as cur:  # autocommit: VACUUM outside a transaction
        cur.execute("VACUUM ANALYZE planning_clearanceparcel")
        cur.execute("VACUUM ANALYZE planning_historicalclearanceparcel")


def run_ours(path: Path) -> float:
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "import_layer", str(path), "--layer", "clearance_parcels"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"import_layer failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def _ogr2ogr(*args: str) -> float:
    """Wall time of one ``ogr2ogr`` run into the benchmark's database (exits if it fails)."""
    t = time.perf_counter()
    done = subprocess.run(
        ["ogr2ogr", *args, "--config", "PG_USE_COPY", "YES"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"ogr2ogr {' '.join(args[:2])} failed:\n{done.stderr}")
    return elapsed


def run_peer(path: Path) -> float:
    return _ogr2ogr(
        "-f",
        "PostgreSQL",
        f"PG:{_pg_dsn()}",
        str(path),
        "-t_srs",
        "EPSG:4326",
        "-nln",
        PEER_TABLE,
        "-lco",
        "GEOMETRY_NAME=boundary",
    )


def run_service_like(path: Path) -> float:
    from planning.models import AdminUnit

    unit = AdminUnit.objects.filter(level="commune").order_by("pk").values_list("pk", flat=True)[0]
    return _ogr2ogr(
        "-append",
        "-f",
        "PostgreSQL",
        f"PG:{_pg_dsn()}",
        str(path),
        "-dialect",
        "SQLite",
        "-sql",
        SERVICE_LIKE_SQL.format(unit=int(unit)),
        "-nln",
        SERVICE_LIKE_TABLE,
        "-nlt",
        "MULTIPOLYGON",
        "-t_srs",
        "EPSG:4326",
    )


def compare() -> list[str]:
    """Both sides' rows: count, extent and total area in EPSG:9217 (problems, if any)."""
    from django.db import connection

    figures = {}
    with connection.cursor() as cur:
        for side, sql in (
            ("ours", "FROM planning_clearanceparcel WHERE holder_name LIKE %s"),
            ("ogr2ogr", f"FROM {PEER_TABLE} WHERE %s IS NOT NULL"),
        ):
            cur.execute(
                "SELECT count(*), ST_XMin(ST_Extent(boundary)), ST_YMin(ST_Extent(boundary)), "
                "ST_XMax(ST_Extent(boundary)), ST_YMax(ST_Extent(boundary)), "
                f"sum(ST_Area(ST_Transform(boundary, 9217))) {sql}",
                [MARK + "%"],
            )
            figures[side] = cur.fetchone()
        cur.execute(f"SELECT count(*) FROM {SERVICE_LIKE_TABLE}")
        service_like = cur.fetchone()[0]
    ours, peer = figures["ours"], figures["ogr2ogr"]
    problems = []
    if ours[0] != N or peer[0] != N or service_like != N:
        problems.append(
            f"rows: ours {ours[0]}, ogr2ogr {peer[0]}, ogr2ogr -append {service_like}, file {N}"
        )
    if any(abs(a - b) > 1e-6 for a, b in zip(ours[1:5], peer[1:5], strict=True)):
        problems.append(f"extent: ours {ours[1:5]}, ogr2ogr {peer[1:5]}")
    if abs(ours[5] - peer[5]) > 1e-4 * peer[5]:
        problems.append(f"area: ours {ours[5]:.1f} m², ogr2ogr {peer[5]:.1f} m²")
    return problems


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from planning.models import AdminUnit

    if not AdminUnit.objects.filter(code="52").exists():
        import io

        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    path = bench_file()
    print(f"Import throughput: {N:,} parcels, {path} ({path.stat().st_size / 2**20:.0f} MiB)")
    times: dict[str, list[float]] = {"ours": [], "ogr2ogr": [], "service-like": []}
    runners = {"ours": run_ours, "ogr2ogr": run_peer, "service-like": run_service_like}
    problems: list[str] = []
    for rnd in range(ROUNDS + 1):
        order = ["ours", "ogr2ogr", "service-like"]
        if rnd % 2:
            order.reverse()
        clean()
        got = {side: runners[side](path) for side in order}
        problems = compare()
        label = "warm-up" if rnd == 0 else f"round {rnd}"
        print(
            f"   {label}: ours {got['ours']:.2f} s, ogr2ogr {got['ogr2ogr']:.2f} s, "
            f"ogr2ogr -append into the service-like table {got['service-like']:.2f} s"
            + (f"  MISMATCH {problems}" if problems else ""),
            flush=True,
        )
        if problems:
            break
        if rnd:
            for side in got:
                times[side].append(got[side])
    clean()
    if problems:
        print("the two sides differ: no ratio", file=sys.stderr)
        return 1
    ours, peer = statistics.median(times["ours"]), statistics.median(times["ogr2ogr"])
    row = (
        f"| import_layer, {N:,} parcels (GeoPackage, VN-2000) into PostGIS, s (median of "
        f"{ROUNDS}) | {ours:.2f} ({min(times['ours']):.2f}–{max(times['ours']):.2f}) | "
        f"ogr2ogr {peer:.2f} ({min(times['ogr2ogr']):.2f}–{max(times['ogr2ogr']):.2f}) | "
        f"{ours / peer:.2f}× | <= 1.5x ogr2ogr |"
    )
    like = statistics.median(times["service-like"])
    row2 = (
        f"| the same file by `ogr2ogr -append` into a copy of the service's table (its indexes "
        f"and checks; no history, no foreign keys), s — context, not the goal's peer | "
        f"{ours:.2f} | {like:.2f} ({min(times['service-like']):.2f}–"
        f"{max(times['service-like']):.2f}) | {ours / like:.2f}× | — |"
    )
    print(row)
    print(row2)
    from tests.benchmarks.bench_ogcapi import record

    where = record(
        [
            "| measure | ours | peer | ratio | goal |",
            "|---|---:|---:|---:|---|",
            row,
            row2,
            "",
            f"- per round (s): ours {[round(t, 2) for t in times['ours']]}, ogr2ogr "
            f"{[round(t, 2) for t in times['ogr2ogr']]}, ogr2ogr -append "
            f"{[round(t, 2) for t in times['service-like']]}",
            f"- rows {N:,} on both sides, same extent and total area (checked every round)",
            f"- rate: ours {N / ours:,.0f} rows/s, ogr2ogr {N / peer:,.0f} rows/s",
        ],
        title="Import throughput (`scripts/bench.sh import`)",
        method=(
            f"one warm-up, then {ROUNDS} interleaved rounds (the side going first alternates); "
            "ours: `manage.py import_layer FILE --layer clearance_parcels` (a new process), "
            "ogr2ogr: `-f PostgreSQL -t_srs EPSG:4326 --config PG_USE_COPY YES` into a new "
            "table; for context, ogr2ogr -append into a copy of the service's table (LIKE … "
            "INCLUDING ALL); rows removed and tables vacuumed between rounds; statistic chosen "
            "before the run: median wall time per side. See tests/benchmarks/bench_import.py."
        ),
    )
    print(f"   recorded in {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
