#!/usr/bin/env bash
# Builds the binary and runs every real-client conformance suite in conformance/*/run.sh.
# A suite that cannot run (missing client) fails; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
for s in conformance/*/run.sh; do
  [ -e "$s" ] || continue
  echo "== conformance: $s"
  bash "$s" || fail=1
done
exit $fail
