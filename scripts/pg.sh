#!/usr/bin/env bash
# A private PostgreSQL 15 + PostGIS cluster for the test suite.
#   scripts/pg.sh start   -> prints a DATABASE_URL on stdout (uses $DATABASE_URL if it answers)
#   scripts/pg.sh stop    -> stops the private cluster if this script started it
# initdb refuses root, so as root the cluster runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=/usr/lib/postgresql/15/bin
ROOT=$(pwd)
STATE="$ROOT/var/pg.state"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

datadir() {
  # The data directory must be reachable by the postgres user; var/ under a private home may not be.
  local d="$ROOT/var/pg"
  if [ "$(id -u)" -eq 0 ] && ! su postgres -s /bin/bash -c "test -x '$ROOT/var' && test -r '$ROOT/var'" 2>/dev/null; then
    d="/tmp/kcn-pg-$(echo "$ROOT" | md5sum | cut -c1-8)"
  fi
  echo "$d"
}

answers() {  # $1 = URL
  local url="${1/postgis:/postgresql:}"
  psql "$url" -tAc 'select 1' >/dev/null 2>&1 || psql "${url%/*}/postgres" -tAc 'select 1' >/dev/null 2>&1
}

start() {
  if [ -n "${DATABASE_URL:-}" ] && [[ "$DATABASE_URL" == postgis://* || "$DATABASE_URL" == postgres* ]]; then
    if answers "$DATABASE_URL"; then
      echo ">> using the PostgreSQL at DATABASE_URL" >&2
      echo "$DATABASE_URL"; return 0
    fi
    echo ">> DATABASE_URL does not answer; starting a private cluster instead" >&2
  fi
  local dir; dir=$(datadir)
  mkdir -p "$ROOT/var"
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir" && chmod 700 "$dir"
    as_pg "$PGBIN/initdb -D '$dir' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  fi
  local port sock
  if as_pg "$PGBIN/pg_ctl -D '$dir' status" >/dev/null 2>&1; then
    port=$(sed -n 4p "$dir/postmaster.pid")
  else
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    sock="$dir"
    as_pg "$PGBIN/pg_ctl -D '$dir' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$sock' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null
    echo "$dir" > "$STATE"
  fi
  echo ">> private PostgreSQL 15 on 127.0.0.1:$port (data in $dir)" >&2
  echo "postgis://postgres@127.0.0.1:$port/kcn_planner"
}

stop() {
  [ -f "$STATE" ] || return 0
  local dir; dir=$(cat "$STATE")
  as_pg "$PGBIN/pg_ctl -D '$dir' -m fast -w stop" >/dev/null 2>&1 || true
  rm -f "$STATE"
  echo ">> private PostgreSQL stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
