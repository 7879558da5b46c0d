#!/usr/bin/env bash
# Runs every Fuzz target for a fixed number of executions each (FUZZTIME, default 20000x: a few
# seconds per target here). Any crash fails the run. A count, not a duration: with a duration, Go
# 1.26's fuzz coordinator can report a spurious "context deadline exceeded" failure when the time
# runs out mid-execution (golang/go#75804, fixed in Go 1.27). FUZZTIME=60s still works for longer
# exploration.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-20000x}
pkgs=$(go list ./...) # fails the script if the packages cannot be listed
ran=0
for pkg in $pkgs; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "== fuzz $pkg $fn ($t)"
    go test -run='^$' -fuzz="^${fn}\$" -fuzztime="$t" "$pkg"
    ran=$((ran + 1))
  done
done
if [ "$ran" -eq 0 ]; then
  echo "fuzz: no Fuzz targets found: nothing was fuzzed" >&2
  exit 1
fi
echo "fuzz: $ran targets"
