#!/usr/bin/env bash
# bench/run.sh: amplifylite and a bare net/http baseline, loaded side by side
# on loopback in one run; writes BENCHMARKS.md at the repository root.
#
#   ./bench/run.sh              full run (3 rounds, ~10 minutes)
#   QUICK=1 ./bench/run.sh      1 round, short loads, no 1M-job listing (for iterating)
#
# Knobs (environment): ROUNDS, DUR (measured seconds per load run), WARM,
# CONNS ("16 64"), SIZES (jobs in the listing: "1000 100000 1000000"),
# STARTUP_N, QUIET_WAIT (seconds to wait for an idle machine), OUT (work
# directory, default bench/out), NO_REPORT=1, PG_URL (the PostgreSQL server of
# the PostgreSQL section; default: scripts/deps.d/10-postgres.sh's cluster,
# started if it is not running; NO_PG=1 skips the section), MODELGEN_REF_DIR
# (the official model generator, installed by scripts/deps.d/20-modelgen-ref.sh;
# without it the model generation section has only our figures), NO_MODELGEN=1,
# MODELGEN_TIMEOUT (bound on the official generator's one whole-process run on
# the 2,000-type schema, default 30m: it took ~11 minutes on a busy 2-CPU box).
# Not part of `make test`: run it with `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  ROUNDS=${ROUNDS:-1}; DUR=${DUR:-2}; WARM=${WARM:-1}; SIZES=${SIZES:-"1000 100000"}; STARTUP_N=${STARTUP_N:-5}
  RATE_APPS=${RATE_APPS:-4}; PAGE_N=${PAGE_N:-200}
else
  ROUNDS=${ROUNDS:-3}; DUR=${DUR:-5}; WARM=${WARM:-1}; SIZES=${SIZES:-"1000 100000 1000000"}; STARTUP_N=${STARTUP_N:-20}
  RATE_APPS=${RATE_APPS:-10}; PAGE_N=${PAGE_N:-500}
fi
CONNS=${CONNS:-"16 64"}
WORKLOADS=${WORKLOADS:-"GetBackend GetBackendJob ListBackendJobs CreateToken JobWrite"}
OUT=${OUT:-$ROOT/bench/out}
CACHE=${CACHE:-$ROOT/bench/.cache}
RESULTS=$OUT/results.jsonl
T_START=$(date +%s)

log() { printf '%s  %s\n' "$(date +%T)" "$*" >&2; }

# --- tools -------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends wrk; }
fi

rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/data" "$OUT/logs" "$CACHE"
: >"$RESULTS"

log "building (release flags for both servers)"
GOFLAGS_REL=(-trimpath -ldflags='-s -w')
CGO_ENABLED=0 go build "${GOFLAGS_REL[@]}" -o "$OUT/bin/amplifylite" ./cmd/amplifylite
CGO_ENABLED=0 go build "${GOFLAGS_REL[@]}" -o "$OUT/bin/baseline" ./bench/baseline
go build -o "$OUT/bin/benchtool" ./bench/benchtool
go build -o "$OUT/bin/seedjobs" ./bench/seedjobs
go build -o "$OUT/bin/commitcost" ./bench/commitcost
go build -o "$OUT/bin/bigschema" ./bench/bigschema
BT=$OUT/bin/benchtool

# --- cores -------------------------------------------------------------------
# The server gets core 0 and the load generator core 1 (Go sizes GOMAXPROCS
# from the affinity mask, so each server runs with GOMAXPROCS=1).
NCPU=$(nproc)
if [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null; then
  SRV=(taskset -c 0); LOAD=(taskset -c 1); PINNING="server on CPU 0, load generator on CPU 1 (taskset)"
else
  SRV=(); LOAD=(); PINNING="not pinned (fewer than 2 CPUs or no taskset)"
fi

# --- servers -----------------------------------------------------------------
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$((21000 + RANDOM % 4000)) # below the ephemeral range, where client sockets never sit
next_port() {
  PORT=$((PORT + 1))
  while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
}

# start_server NAME ARGS... : sets SPID and URL; waits for the health endpoint.
start_server() {
  local name=$1; shift
  next_port
  "${SRV[@]}" "$@" --listen "127.0.0.1:$PORT" >>"$OUT/logs/$name.log" 2>&1 &
  SPID=$!
  PIDS+=("$SPID")
  URL=http://127.0.0.1:$PORT
  local i
  for i in $(seq 1 500); do
    if curl -fsS -o /dev/null "$URL/_amplifylite/health" 2>/dev/null; then return 0; fi
    kill -0 "$SPID" 2>/dev/null || { log "$name exited during start; log:"; tail -20 "$OUT/logs/$name.log" >&2; exit 1; }
    sleep 0.02
  done
  log "$name not healthy after 10s"; exit 1
}

stop_server() {
  kill -TERM "$SPID" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$SPID" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

AMP=("$OUT/bin/amplifylite" serve --log-level warn)
BASE=("$OUT/bin/baseline")

# --- preflight: seed once, check every route, record bodies for the baseline --
log "preflight: seeding amplifylite and recording response bodies"
start_server amplifylite "${AMP[@]}" --data-dir "$OUT/data/preflight"
"$BT" fixture -url "$URL" -out "$OUT/fixture"
stop_server

# --- rounds ------------------------------------------------------------------
load_all() { # SERVER ROUND FIXTURE
  local c w
  for w in $WORKLOADS; do
    for c in $CONNS; do
      log "round $2 $1 $w c=$c"
      "${LOAD[@]}" "$BT" load -url "$URL" -pid "$SPID" -server "$1" -round "$2" -workload "$w" -c "$c" \
        -d "${DUR}s" -warmup "${WARM}s" -fixture "$3" -lua bench/lua/request.lua -tag "$2" -results "$RESULTS"
    done
  done
  "$BT" rss -pid "$SPID" -server "$1" -round "$2" -phase after -results "$RESULTS"
}

# Other processes on the machine skew everything: wait a while for quiet
# before each phase and record how busy the machine was (BENCHMARKS.md shows it).
QUIET_WAIT=${QUIET_WAIT:-60}
quiet() { "$BT" busy -wait "${2:-$QUIET_WAIT}s" -phase "$1" -results "$RESULTS"; }

for r in $(seq 1 "$ROUNDS"); do
  quiet "before round $r" "$([ "$r" = 1 ] && echo "$QUIET_WAIT" || echo 20)"
  if [ $((r % 2)) = 1 ]; then order="amplifylite baseline"; else order="baseline amplifylite"; fi
  for s in $order; do
    if [ "$s" = amplifylite ]; then
      start_server amplifylite "${AMP[@]}" --data-dir "$OUT/data/round$r"
      "$BT" rss -pid "$SPID" -server amplifylite -round "$r" -phase idle -results "$RESULTS"
      "$BT" fixture -url "$URL" -out "$OUT/fixture-round$r"
      load_all amplifylite "$r" "$OUT/fixture-round$r/fixture.json"
    else
      start_server baseline "${BASE[@]}" --bodies "$OUT/fixture/bodies"
      "$BT" rss -pid "$SPID" -server baseline -round "$r" -phase idle -results "$RESULTS"
      load_all baseline "$r" "$OUT/fixture/fixture.json"
    fi
    stop_server
  done
done

# --- jobs completed per second (--job-duration 0) ------------------------------
log "job completion rate"
quiet "before job rate and listing" 20
start_server amplifylite "${AMP[@]}" --data-dir "$OUT/data/jobrate" --job-duration 0
"${LOAD[@]}" "$BT" jobrate -url "$URL" -apps "$RATE_APPS" -envs 100 -c 32 -results "$RESULTS"
stop_server

# --- what group commit would buy: store writes per fsync -----------------------
log "commit cost: 1, 4, 16, 64 token writes per SQLite commit"
"${SRV[@]}" "$OUT/bin/commitcost" -dir "$OUT/data" -secs "$([ "$QUICK" = 1 ] && echo 1 || echo 2)" -results "$RESULTS"

# --- ListBackendJobs page latency by listing size ------------------------------
# Databases are seeded straight into SQLite by bench/seedjobs and cached in
# bench/.cache, keyed by what decides their format and tokens: the schema
# (migrate.go), the records (store.go), the token format (pagetoken.go) and
# the seeder. If the server refuses a cached database anyway, it is re-seeded.
KEY=$(cat internal/store/sqlite/migrate.go internal/backend/store.go internal/backend/pagetoken.go bench/seedjobs/main.go | sha256sum | cut -c1-12)
seed() { # N DIR
  log "seeding $1 jobs into SQLite (cached afterwards in $2)"
  rm -rf "$CACHE"/jobs-"$1"-* && mkdir -p "$2"
  "$OUT/bin/seedjobs" -db "$2/amplifylite.db" -jobs "$1" -tokens "$2/tokens.json.tmp"
  mv "$2/tokens.json.tmp" "$2/tokens.json"
}
pages() { # N DIR CACHED
  rm -rf "$OUT/data/pages-$1" && mkdir -p "$OUT/data/pages-$1"
  cp "$2/amplifylite.db" "$OUT/data/pages-$1/"
  log "ListBackendJobs pages at $1 jobs"
  start_server amplifylite "${AMP[@]}" --data-dir "$OUT/data/pages-$1"
  local rc=0
  "${LOAD[@]}" "$BT" pages -url "$URL" -tokens "$2/tokens.json" -n "$PAGE_N" -cached="$3" -results "$RESULTS" || rc=$?
  stop_server
  rm -rf "$OUT/data/pages-$1"
  return $rc
}
for n in $SIZES; do
  c="$CACHE/jobs-$n-$KEY"
  if [ -s "$c/tokens.json" ]; then
    pages "$n" "$c" true || { log "cached database refused; re-seeding"; seed "$n" "$c"; pages "$n" "$c" false; }
  else
    seed "$n" "$c"
    pages "$n" "$c" false
  fi
done

# --- PostgreSQL: one and two replicas -------------------------------------------
# Each setup gets a schema of its own (search_path), dropped afterwards. The
# cluster runs on the same machine, unpinned.
if [ "${NO_PG:-0}" != 1 ]; then
  PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable}
  if ! pg_isready -q -d "$PG_URL" 2>/dev/null && ! /usr/lib/postgresql/15/bin/pg_isready -q -d "$PG_URL" 2>/dev/null; then
    log "starting PostgreSQL (scripts/deps.d/10-postgres.sh)"
    bash scripts/deps.d/10-postgres.sh >&2 || true
  fi
  PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL")
  if "${PSQL[@]}" -Atc 'select 1' >/dev/null 2>&1; then
    quiet "before PostgreSQL" 20
    PG_PID=$(head -1 "$("${PSQL[@]}" -Atc 'SHOW data_directory')/postmaster.pid" 2>/dev/null || echo 0)
    SEP='?'; case "$PG_URL" in *\?*) SEP='&' ;; esac
    pg_schema() { # NAME: a fresh schema; prints the URL that selects it
      "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $1 CASCADE; CREATE SCHEMA $1" >/dev/null
      echo "${PG_URL}${SEP}search_path=$1"
    }
    PG_WORKLOADS=${PG_WORKLOADS:-"GetBackend CreateToken"}
    # One replica: server on CPU 0, load on CPU 1.
    DB=$(pg_schema bench_pg1)
    start_server pg1 "${AMP[@]}" --database-url "$DB"
    "$BT" fixture -url "$URL" -out "$OUT/fixture-pg1"
    for w in $PG_WORKLOADS; do
      log "PostgreSQL, one replica: $w c=16"
      "${LOAD[@]}" "$BT" load -kind pgload -url "$URL" -pid "$SPID" -pg-pid "$PG_PID" -server pg1 -workload "$w" -c 16 \
        -d "${DUR}s" -warmup "${WARM}s" -fixture "$OUT/fixture-pg1/fixture.json" -lua bench/lua/request.lua -tag pg1 -results "$RESULTS"
    done
    stop_server
    # Two replicas, one per CPU, each loaded with 8 connections at once.
    DB=$(pg_schema bench_pg2)
    SRV_SAVED=("${SRV[@]}")
    [ ${#SRV[@]} -gt 0 ] && SRV=(taskset -c 0)
    start_server pg2a "${AMP[@]}" --database-url "$DB"; PA=$SPID; UA=$URL
    [ ${#SRV[@]} -gt 0 ] && SRV=(taskset -c 1)
    start_server pg2b "${AMP[@]}" --database-url "$DB"; PB=$SPID; UB=$URL
    SRV=("${SRV_SAVED[@]}")
    "$BT" fixture -url "$UA" -out "$OUT/fixture-pg2"
    for w in $PG_WORKLOADS; do
      log "PostgreSQL, two replicas: $w c=8+8"
      "$BT" load -kind pgload -url "$UA" -pid "$PA" -pg-pid "$PG_PID" -server pg2a -workload "$w" -c 8 \
        -d "${DUR}s" -warmup "${WARM}s" -fixture "$OUT/fixture-pg2/fixture.json" -lua bench/lua/request.lua -tag pg2a -results "$RESULTS" &
      LA=$!
      "$BT" load -kind pgload -url "$UB" -pid "$PB" -server pg2b -workload "$w" -c 8 \
        -d "${DUR}s" -warmup "${WARM}s" -fixture "$OUT/fixture-pg2/fixture.json" -lua bench/lua/request.lua -tag pg2b -results "$RESULTS"
      wait $LA
    done
    SPID=$PB; stop_server; SPID=$PA; stop_server
    # Jobs completed per second with two runners (--job-duration 0).
    DB=$(pg_schema bench_pgjobs)
    [ ${#SRV[@]} -gt 0 ] && SRV=(taskset -c 0)
    start_server pgjobs-a "${AMP[@]}" --database-url "$DB" --job-duration 0; PA=$SPID; UA=$URL
    [ ${#SRV[@]} -gt 0 ] && SRV=(taskset -c 1)
    start_server pgjobs-b "${AMP[@]}" --database-url "$DB" --job-duration 0; PB=$SPID; UB=$URL
    SRV=("${SRV_SAVED[@]}")
    log "PostgreSQL, two replicas: job completion rate"
    "$BT" jobrate -kind pgjobrate -server postgres-2 -url "$UA,$UB" -apps "$RATE_APPS" -envs 100 -c 32 -results "$RESULTS"
    SPID=$PB; stop_server; SPID=$PA; stop_server
    for s in bench_pg1 bench_pg2 bench_pgjobs; do "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null; done
  else
    log "PostgreSQL at $PG_URL does not answer: section skipped"
  fi
fi

# --- model generation: ours and the official generator -------------------------
if [ "${NO_MODELGEN:-0}" != 1 ]; then
  REF=${MODELGEN_REF_DIR:-internal/modelgen/testdata/ref}
  [ -d "$REF/node_modules" ] || log "the official model generator is not installed in $REF (scripts/deps.d/20-modelgen-ref.sh): our figures only"
  "$OUT/bin/bigschema" -types 2000 -shape star -write "$OUT/m2m-2000.graphql"
  quiet "before model generation" 20
  log "model generation: 200 models"
  "${SRV[@]}" "$BT" modelgen -schema internal/modelgen/testdata/large/17-large-200-models.graphql -name "200 models" \
    -n "$([ "$QUICK" = 1 ] && echo 3 || echo 5)" -amplifylite "$OUT/bin/amplifylite" -ref "$REF" -timeout 15m -results "$RESULTS"
  log "model generation: 2,000 types joined by @manyToMany (bench/bigschema -shape star)"
  "${SRV[@]}" "$BT" modelgen -schema "$OUT/m2m-2000.graphql" -name "2,000 types, @manyToMany" \
    -n 1 -official-warm=false -amplifylite "$OUT/bin/amplifylite" -ref "$REF" -timeout "${MODELGEN_TIMEOUT:-30m}" -results "$RESULTS"
fi

# --- startup: fork → first 200 on the health endpoint --------------------------
log "startup times ($STARTUP_N runs each)"
quiet "before startup" 20
"$BT" startup -server amplifylite -mode fresh -n "$STARTUP_N" -work "$OUT/data" -results "$RESULTS" -- \
  "$OUT/bin/amplifylite" serve --log-level warn --listen "127.0.0.1:{port}" --data-dir "{dir}"
"$BT" startup -server amplifylite -mode existing -n "$STARTUP_N" -work "$OUT/data" -results "$RESULTS" -- \
  "$OUT/bin/amplifylite" serve --log-level warn --listen "127.0.0.1:{port}" --data-dir "{dir}"
"$BT" startup -server baseline -mode fresh -n "$STARTUP_N" -work "$OUT/data" -results "$RESULTS" -- \
  "$OUT/bin/baseline" --listen "127.0.0.1:{port}"

# --- report --------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- cmd internal amplifybackend go.mod go.sum 2>/dev/null | wc -l)
cat >"$OUT/meta.json" <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "nproc": $NCPU,
  "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')",
  "kernel": "$(uname -r)",
  "memory": "$(free -g | awk '/Mem:/{print $2}') GiB",
  "go": "$(go version)",
  "wrk": "$(wrk -v 2>&1 | head -1 | cut -c1-40)",
  "commit": "$commit",
  "dirtyFiles": $dirty,
  "fs": "$(df -T "$OUT/data" | awk 'NR==2{print $2}') ($(df "$OUT/data" | awk 'NR==2{print $1}'))",
  "pinning": "$PINNING",
  "quick": $([ "$QUICK" = 1 ] && echo true || echo false),
  "rounds": $ROUNDS,
  "duration": $DUR,
  "warmup": $WARM,
  "conns": "$CONNS",
  "sizes": "$SIZES",
  "startupRuns": $STARTUP_N,
  "elapsed": $(( $(date +%s) - T_START ))
}
JSON
if [ "${NO_REPORT:-0}" != 1 ]; then
  "$BT" report -results "$RESULTS" -meta "$OUT/meta.json" -notes bench/analysis.md -out BENCHMARKS.md
  log "wrote BENCHMARKS.md ($(( $(date +%s) - T_START ))s)"
fi
