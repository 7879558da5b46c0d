#!/usr/bin/env bash
# PostgreSQL for internal/store/postgres's tests: Debian's postgresql (15) and a throwaway cluster
# in ${TMPDIR:-/tmp}/amplifylite-pg on 127.0.0.1:54329 (trust auth, loopback only), started with
# pg_ctl so that no system service is needed. The Makefile's unit target points
# AMPLIFYLITE_TEST_POSTGRES at it. Idempotent: a running cluster is left alone.
# Stop it with: pg_ctl -D "${TMPDIR:-/tmp}/amplifylite-pg/data" stop (as the postgres user when root).
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
DIR="${TMPDIR:-/tmp}/amplifylite-pg"
PORT=54329

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if [ ! -x "$BIN/pg_ctl" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends postgresql
fi

# initdb refuses to run as root: as root the cluster belongs to the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  echo "postgres test cluster already running in $DIR on port $PORT"
  exit 0
fi
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
  as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log"
fi
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
echo "postgres test cluster started in $DIR on port $PORT"
