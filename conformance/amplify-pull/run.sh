#!/usr/bin/env bash
# The real Amplify CLI (@aws-amplify/cli-internal 14.2.2, installed by scripts/deps.d/40-amplify-cli.sh)
# pulls backends built through the Admin API: `amplify pull` headless, `amplify pull --sandboxId` and
# `amplify console`, unmodified, with AWS_ENDPOINT_URL, AWS_AMPLIFY_ENDPOINT and
# AMPLIFY_CLI_APPSTATE_BASE_URL pointed at amplifylite. One server SigV4-verifies every request against
# the dummy keys (--credentials), the other accepts any. Each pull's output and call trace (from the
# request journal) are written to $AMPLIFY_PULL_REPORT_DIR when it is set; the signed pull's trace and
# duration are printed either way.
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"

AMPLIFY_CLI_DIR=${AMPLIFY_CLI_DIR:-$CONFORMANCE_DIR/amplify-pull}
export AMPLIFY_CLI_DIR
[ -x "$AMPLIFY_CLI_DIR/node_modules/.bin/amplify" ] ||
  suite_failed amplify-pull "the Amplify CLI is not installed in $AMPLIFY_CLI_DIR (make deps)"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || suite_failed amplify-pull "python3-boto3 is not installed (make deps)"
# The signed server's control plane (the request journal) wants this bearer token.
export AMPLIFY_PULL_ADMIN_TOKEN=amplify-pull-journal
build_server || suite_failed amplify-pull "amplifylite did not build"
start_server AMPLIFYLITE_ENDPOINT --job-duration "${AMPLIFYLITE_JOB_DURATION:-200ms}" \
  --credentials "$CONFORMANCE_CREDENTIALS" --admin-token "$AMPLIFY_PULL_ADMIN_TOKEN" || suite_failed amplify-pull "amplifylite did not start"
start_server AMPLIFYLITE_OPEN_ENDPOINT --job-duration "${AMPLIFYLITE_JOB_DURATION:-200ms}" ||
  suite_failed amplify-pull "amplifylite did not start"
export AMPLIFYLITE_POLL_MS=${AMPLIFYLITE_POLL_MS:-50}
# Extra arguments name tests: bash conformance/amplify-pull/run.sh test_pull.SandboxPull
/usr/bin/python3 "$CONFORMANCE_DIR/lib/unittest_suite.py" amplify-pull "$CONFORMANCE_DIR/amplify-pull" "$@"
