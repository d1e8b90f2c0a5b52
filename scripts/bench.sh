#!/usr/bin/env bash
# Benchmarks (not part of make test): figures beside a peer measured in the same run.
#   scripts/bench.sh                      everything: OGC services, then the analyses
#   scripts/bench.sh ows                  only the OGC services (tests/benchmarks/bench_ows.py)
#   scripts/bench.sh ogcapi               only OGC API items and vector tiles beside MapServer's
#                                         OGC API (FastCGI) and the ST_AsMVT floor
#                                         (tests/benchmarks/bench_ogcapi.py; figures appended to
#                                         tests/benchmarks/RESULTS.md, printed again at the end)
#   scripts/bench.sh analyses [PART]      only the analyses (tests/benchmarks/bench_analyses.py);
#                                         PART: sites (site suggestion) or efficiency (report)
#   scripts/bench.sh load                 only the load test: gunicorn, 50 clients, 60 s
#                                         (tests/benchmarks/bench_load.py; LOAD_SECONDS to shorten)
#   scripts/bench.sh import               only import throughput: import_layer of 200,000 parcels
#                                         beside ogr2ogr (tests/benchmarks/bench_import.py)
#   scripts/bench.sh scale [PART…]        only national scale at 1 M and 5 M parcels (about 25
#                                         minutes): PART load (beside ogr2ogr), fetch (1 km windows
#                                         beside the SQL floor), efficiency (national, per province),
#                                         sites (site suggestion for the country at 30 m on 1 and 2
#                                         Dask workers beside the floor of reading the same windows;
#                                         writes the national rasters once, ~3 min)
#                                         (tests/benchmarks/bench_scale.py; SCALE_SIZES to change)
# BENCH=ows|ogcapi|analyses|load|import|scale in the environment does the same as the first argument.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-${BENCH:-all}}"
[ $# -gt 0 ] && shift
case "$what" in
  all|ows|ogcapi|analyses|load|import|scale) ;;
  *) echo "usage: scripts/bench.sh [all|ows|ogcapi|analyses [sites|efficiency]|load|import|scale [load|fetch|efficiency|sites]]" >&2; exit 2 ;;
esac
[ -f var/pg.state ] && pg_was_running=1 || pg_was_running=0
PG_URL=$(scripts/pg.sh start)
[ $pg_was_running -eq 0 ] && trap 'scripts/pg.sh stop' EXIT
record="${BENCH_RECORD:-tests/benchmarks/RESULTS.md}"
record_lines=$( [ -f "$record" ] && wc -l < "$record" || echo 0 )
ADMIN_URL="$(echo "${PG_URL%/*}/postgres" | sed 's/^postgis:/postgresql:/')"
ensure_db() {  # $1 = database name
  psql "$ADMIN_URL" -qtAc "select 1 from pg_database where datname = '$1'" | grep -q 1 \
    || psql "$ADMIN_URL" -qc "create database $1"
}
if [ "$what" = all ] || [ "$what" = ows ]; then
  ensure_db kcn_bench
  DATABASE_URL="${PG_URL%/*}/kcn_bench" .venv/bin/python tests/benchmarks/bench_ows.py
fi
ogcapi_rc=0
if [ "$what" = all ] || [ "$what" = ogcapi ]; then
  # The same kcn_bench database (demo + 10,000 parcels); exit 1 if the two sides' features differ.
  ensure_db kcn_bench
  DATABASE_URL="${PG_URL%/*}/kcn_bench" .venv/bin/python tests/benchmarks/bench_ogcapi.py || ogcapi_rc=$?
fi
if [ "$what" = all ] || [ "$what" = analyses ]; then
  # A database of its own: the 100k synthetic parcels would change the OGC figures.
  ensure_db kcn_bench_analyses
  DATABASE_URL="${PG_URL%/*}/kcn_bench_analyses" .venv/bin/python tests/benchmarks/bench_analyses.py "$@"
fi
import_rc=0
if [ "$what" = all ] || [ "$what" = import ]; then
  # A database of its own (demo + the benchmark's parcels, removed after each round); exit 1 if
  # the two sides' rows differ.
  ensure_db kcn_bench_import
  DATABASE_URL="${PG_URL%/*}/kcn_bench_import" .venv/bin/python tests/benchmarks/bench_import.py || import_rc=$?
fi
if [ "$what" = all ] || [ "$what" = scale ]; then
  # Databases of its own (kcn_bench_scale_<parcels>, made again each round); exit 1 if the sides
  # of a comparison differ.
  DATABASE_URL="$PG_URL" .venv/bin/python tests/benchmarks/bench_scale.py "$@" || import_rc=$?
fi
if [ "$what" = all ] || [ "$what" = load ]; then
  # Last: the same kcn_bench database as the OGC figures (demo + 10,000 parcels), served by gunicorn.
  ensure_db kcn_bench
  DATABASE_URL="${PG_URL%/*}/kcn_bench" .venv/bin/python tests/benchmarks/bench_load.py
fi
# The figures recorded by this run (OGC services and OGC API), once more at the end.
if [ -f "$record" ] && [ "$(wc -l < "$record")" -gt "$record_lines" ]; then
  echo
  echo "==================== figures recorded in $record ===================="
  tail -n +"$((record_lines + 1))" "$record"
fi
[ $ogcapi_rc -ne 0 ] && exit $ogcapi_rc
exit $import_rc
