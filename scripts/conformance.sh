#!/usr/bin/env bash
# Builds the binary and runs the real-client conformance suites: the named ones
# (`scripts/conformance.sh boto3 amplify-pull`), or every conformance/*/run.sh except those that are
# steps of their own (amplify-pull: the real Amplify CLI, a 1.3 GB install and a few minutes; `make
# amplify-pull`). A suite that cannot run (missing client) fails; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
OWN_STEP="amplify-pull"
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  for s in conformance/*/run.sh; do
    [ -e "$s" ] || continue
    name=$(basename "$(dirname "$s")")
    case " $OWN_STEP " in *" $name "*) continue ;; esac
    suites+=("$name")
  done
fi
fail=0
for name in "${suites[@]}"; do
  echo "== conformance: conformance/$name/run.sh"
  bash "conformance/$name/run.sh" || fail=1
done
exit $fail
