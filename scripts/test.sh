#!/usr/bin/env bash
# The whole suite on SpatiaLite, then on PostGIS. Any failure, or a backend with no tests, fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ARGS=("$@")
declare -A RESULT

run_suite() {  # $1 = backend label, $2 = DATABASE_URL
  local label=$1 url=$2 start rc
  echo
  echo "==================== $label ===================="
  start=$(date +%s)
  DATABASE_URL="$url" KCN_EXPECT_BACKEND="$label" $PY -m pytest -p no:cacheprovider "${ARGS[@]}"
  rc=$?
  if [ $rc -eq 5 ]; then echo "!! $label: pytest collected no tests — counted as a failure"; fi
  RESULT[$label]="rc=$rc in $(( $(date +%s) - start )) s"
  return $rc
}

mkdir -p var
rc_lite=0; rc_pg=0
run_suite spatialite "spatialite:///$(pwd)/var/test_kcn.sqlite3" || rc_lite=$?

# Stop the private cluster afterwards only if this run started it.
[ -f var/pg.state ] && pg_was_running=1 || pg_was_running=0
PG_URL=$(scripts/pg.sh start) || { echo "!! could not start PostgreSQL"; exit 1; }
[ $pg_was_running -eq 0 ] && trap 'scripts/pg.sh stop' EXIT
run_suite postgis "$PG_URL" || rc_pg=$?

echo
echo "==================== summary ===================="
echo "spatialite: ${RESULT[spatialite]}"
echo "postgis:    ${RESULT[postgis]}"
[ $rc_lite -eq 0 ] && [ $rc_pg -eq 0 ]
