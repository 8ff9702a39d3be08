#!/usr/bin/env bash
# A throw-away local PostgreSQL for the tests: installs Debian's `postgresql` when missing, makes a
# cluster with the C.UTF-8 locale (pg_trgm is blind to Chinese under the C locale, see
# shared/spec/multi-seat.md), starts it on a port of its own and prints a connection string for a
# database that the tests may fill and drop. Durability is off: this cluster holds nothing of value.
# Usage: scripts/pg-test-server.sh [start|stop]   (prints e.g. "host=/var/run/postgresql port=5439 dbname=ddesk_test")
set -euo pipefail
PORT="${DDESK_PG_PORT:-5439}"
NAME="ddesk_test"
SOCKET=/var/run/postgresql
ACTION="${1:-start}"
log() { echo "$*" >&2; }

if [ "$ACTION" = "stop" ]; then
  pg_ctlcluster 15 "$NAME" stop >/dev/null 2>&1 || true
  exit 0
fi

if ! command -v pg_createcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || { log "PostgreSQL is not installed and apt-get is missing"; exit 1; }
  log "Installing PostgreSQL (Debian package postgresql)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >/dev/null
fi
VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
RUN_AS=""; [ "$(id -u)" -eq 0 ] && RUN_AS="postgres"
as_pg() { if [ -n "$RUN_AS" ]; then su "$RUN_AS" -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$VERSION $NAME"; then
  log "Creating PostgreSQL $VERSION cluster $NAME (C.UTF-8) on port $PORT"
  pg_createcluster --locale C.UTF-8 -e UTF8 -p "$PORT" "$VERSION" "$NAME" \
    -o fsync=off -o synchronous_commit=off -o full_page_writes=off -o max_connections=200 \
    -o shared_buffers=256MB >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" -v n="$NAME" '$1==v && $2==n {print $4}' | grep -q online; then
  # pg_ctl talks on stdout ("Removed stale pid file." after an unclean stop): keep stdout for the
  # connection string alone.
  pg_ctlcluster "$VERSION" "$NAME" start >&2
fi
for _ in $(seq 1 60); do
  pg_isready -q -h "$SOCKET" -p "$PORT" && break
  sleep 0.5
done
pg_isready -q -h "$SOCKET" -p "$PORT" || { log "PostgreSQL did not start"; exit 1; }
ME="$(id -un)"
as_pg "psql -q -h $SOCKET -p $PORT -d postgres -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$ME'\"" | grep -q 1 \
  || as_pg "createuser -h $SOCKET -p $PORT --superuser $ME" >&2
echo "host=$SOCKET port=$PORT dbname=postgres"
