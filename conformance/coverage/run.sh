#!/usr/bin/env bash
# Fails when an AmplifyBackend operation is missing from a client suite or README.md's table is stale.
set -uo pipefail
python3 "$(dirname "$0")/coverage.py" "$@"
