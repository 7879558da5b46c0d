#!/usr/bin/env bash
# AWS SDK for JavaScript v3 conformance suite (@aws-sdk/client-amplifybackend, node --test).
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"
source "$CONFORMANCE_DIR/lib/node-suite.sh"

start_servers || suite_failed js-v3 "amplifylite did not start"
run_node_suite js-v3 "$CONFORMANCE_DIR/js-v3/sdk-v3.test.mjs"
