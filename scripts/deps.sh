#!/usr/bin/env bash
# Installs everything the test suite needs. Idempotent: each step checks before it installs.
# Each file in scripts/deps.d/ is one dependency group, run in name order.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in scripts/deps.d/*.sh; do
  [ -e "$f" ] || continue
  echo "== deps: $f"
  bash "$f"
done
