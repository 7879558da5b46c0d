#!/usr/bin/env bash
# AmplifyBackend call sequences of older Amplify CLI code (provider ≤ 5.9, uibuilder ≤ 1.6, the
# unreleased environment-metadata code, the CLI's e2e helpers), replayed through the AWS SDK for
# JavaScript v2 with the endpoint and region taken from AMPLIFY_BACKEND_ENDPOINT / AMPLIFY_BACKEND_REGION,
# as that code did. The current CLI (14.2.2) calls no AmplifyBackend operation: see ../amplify-pull.
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"
source "$CONFORMANCE_DIR/lib/node-suite.sh"

start_servers || suite_failed amplify-cli "amplifylite did not start"
export AMPLIFY_BACKEND_ENDPOINT=$AMPLIFYLITE_ENDPOINT
export AMPLIFY_BACKEND_REGION=us-west-2 # differs from AWS_REGION: proves the override is what signs
export AMPLIFY_CLI_POLL_MS=50           # the CLI polls every 2000 ms; jobs here take 200 ms
run_node_suite amplify-cli "$CONFORMANCE_DIR/amplify-cli/cli-sequences.test.mjs"
