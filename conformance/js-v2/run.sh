#!/usr/bin/env bash
# AWS SDK for JavaScript v2 conformance suite (aws-sdk, node --test).
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"
source "$CONFORMANCE_DIR/lib/node-suite.sh"

start_servers || suite_failed js-v2 "amplifylite did not start"
run_node_suite js-v2 "$CONFORMANCE_DIR/js-v2/sdk-v2.test.mjs"
