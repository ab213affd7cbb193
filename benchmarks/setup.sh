#!/usr/bin/env bash
# Set-up for the benchmark's anchor (tipg on PostGIS) and load generator (wrk).
# Installs Debian's PostgreSQL + PostGIS and wrk, and tipg in its own venv under
# var/bench/ (never a project dependency). Idempotent: re-running installs nothing new.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/var/bench"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
PG_PACKAGES="postgresql postgresql-15-postgis-3 wrk"

need=""
command -v wrk >/dev/null || need=1
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need=1
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || need=1
if [ -n "$need" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    $PG_PACKAGES >/dev/null
fi

mkdir -p "$BENCH"
if [ ! -x "$BENCH/tipg-venv/bin/uvicorn" ]; then
  python3 -m venv "$BENCH/tipg-venv"
  "$BENCH/tipg-venv/bin/pip" install --quiet --upgrade pip
  # tipg serves; geopandas + SQLAlchemy/GeoAlchemy2 + psycopg2 load the same layers.
  "$BENCH/tipg-venv/bin/pip" install --quiet "tipg>=1.0" uvicorn geopandas pyogrio \
    sqlalchemy geoalchemy2 psycopg2-binary
fi
echo "benchmark set-up ready in $BENCH"
