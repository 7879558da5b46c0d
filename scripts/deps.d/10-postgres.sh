#!/usr/bin/env bash
# PostgreSQL for internal/store/postgres's tests: Debian's postgresql (15) and a throwaway cluster
# in ${TMPDIR:-/tmp}/amplifylite-pg on 127.0.0.1:54329 (trust auth, loopback only), started with
# pg_ctl so that no system service is needed. The Makefile's unit target points
# AMPLIFYLITE_TEST_POSTGRES at it. Idempotent: a cluster that answers is left alone.
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
ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" "$@"; }

if ready; then
  echo "postgres test cluster already running on port $PORT"
  exit 0
fi
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
  as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log"
fi
# A server that was killed leaves postmaster.pid and the socket's lock file behind, and PostgreSQL
# will not start while their pid exists, be it a zombie not yet reaped or an unrelated process.
for f in "$DIR/data/postmaster.pid" "/tmp/.s.PGSQL.$PORT.lock"; do
  [ -f "$f" ] || continue
  pid=$(head -1 "$f")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    ready -t 60 && exit 0 # still starting
    echo "postgres (pid $pid, $f) is running but does not answer on port $PORT" >&2
    exit 1
  fi
  for _ in $(seq 50); do [ -e "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] || break; sleep 0.2; done
  rm -f "$f"
done
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
echo "postgres test cluster started in $DIR on port $PORT"
