#!/usr/bin/env bash
# Install the Debian packages KCN Planner needs, or say exactly what to run.
#   scripts/install_deps.sh [run|test|bench]   (test and bench include run)
# Idempotent: checks dpkg first, so a second run costs well under a second.
set -euo pipefail
PURPOSE="${1:-run}"

PACKAGES=(
  gdal-bin libgdal-dev libgeos-dev libproj-dev libsqlite3-mod-spatialite
  postgresql-15 postgresql-15-postgis-3 binutils
  cgi-mapserver mapserver-bin fonts-dejavu-core
  gettext  # msgfmt, for manage.py compilemessages (make assets)
  python3 python3-venv python3-dev build-essential
)
# Node.js and npm build the browser assets; the image may already have a newer node elsewhere.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
# Real clients for the test suite: QGIS 3.22 (offscreen) and Chromium (headless). MapServer's
# OGC API peer of the benchmark runs as FastCGI (spawn-fcgi + nginx), not a CGI process per
# request; the test suite runs the benchmark's harness small (tests/benchmarks/test_bench_ogcapi.py).
# nginx and openssl also run README's production set-up (tests/deploy, the load bench).
if [ "$PURPOSE" = test ] || [ "$PURPOSE" = bench ]; then
  PACKAGES+=(python3-qgis qgis-providers chromium spawn-fcgi nginx openssl)
  # The shared tile cache of several web nodes (KCN_REDIS_URL): the test starts its own server.
  PACKAGES+=(redis-server)
fi
# Load generator for the benchmarks.
[ "$PURPOSE" = bench ] && PACKAGES+=(wrk)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run as root:" >&2
  echo "  sudo sh -c '$line'" >&2
  exit 1
fi
echo ">> installing Debian packages: ${missing[*]}"
start=$(date +%s)
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo ">> Debian packages installed in $(( $(date +%s) - start )) s"
