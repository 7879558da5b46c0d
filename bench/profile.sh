#!/usr/bin/env bash
# bench/profile.sh: CPU profile of amplifylite under one of run.sh's loads.
#
#   ./bench/profile.sh GetBackend 16      → bench/.prof/GetBackend-c16.pprof and a top-30 listing
#
# Same build, pinning and fixture as run.sh, but the server is bench/profserve
# (amplifylite serve plus net/http/pprof on a second loopback port).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-GetBackend}; C=${2:-16}; SECS=${SECS:-6}
OUT=${OUT:-bench/.prof}
mkdir -p "$OUT/data"
go build -o "$OUT/profserve" ./bench/profserve
go build -o "$OUT/benchtool" ./bench/benchtool
PORT=$((21000 + RANDOM % 4000)); PPORT=$((PORT + 5000))
rm -rf "$OUT/data/$W"
taskset -c 0 "$OUT/profserve" --pprof "127.0.0.1:$PPORT" serve --log-level warn --data-dir "$OUT/data/$W" --listen "127.0.0.1:$PORT" ${EXTRA:-} 2>"$OUT/server.log" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null' EXIT
URL=http://127.0.0.1:$PORT
"$OUT/benchtool" fixture -url "$URL" -out "$OUT/fixture"
taskset -c 1 "$OUT/benchtool" load -url "$URL" -pid "$SPID" -server amplifylite -workload "$W" -c "$C" \
  -d "$((SECS + 2))s" -warmup 0s -fixture "$OUT/fixture/fixture.json" -tag p$RANDOM &
LPID=$!
sleep 1
curl -fsS -o "$OUT/$W-c$C.pprof" "http://127.0.0.1:$PPORT/debug/pprof/profile?seconds=$SECS"
wait $LPID
go tool pprof -top -nodecount=30 "$OUT/$W-c$C.pprof" 2>/dev/null | head -40
