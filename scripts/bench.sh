#!/usr/bin/env bash
# Benchmarks (not part of make test): figures beside a peer measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f var/pg.state ] && pg_was_running=1 || pg_was_running=0
PG_URL=$(scripts/pg.sh start)
[ $pg_was_running -eq 0 ] && trap 'scripts/pg.sh stop' EXIT
ADMIN_URL="$(echo "${PG_URL%/*}/postgres" | sed 's/^postgis:/postgresql:/')"
psql "$ADMIN_URL" -qtAc "select 1 from pg_database where datname = 'kcn_bench'" | grep -q 1 \
  || psql "$ADMIN_URL" -qc "create database kcn_bench"
DATABASE_URL="${PG_URL%/*}/kcn_bench" .venv/bin/python tests/benchmarks/bench_ows.py
