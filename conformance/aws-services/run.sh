#!/usr/bin/env bash
# The AWS services amplifylite serves beside AmplifyBackend for `amplify pull` (issue 12), driven by Debian's
# python3-boto3 clients `sts`, `amplify`, `s3` and `cloudformation`, plus AppState with urllib: every request
# SigV4-verified by the fast server. Runs every test_*.py here (stdlib unittest).
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"

/usr/bin/python3 -c 'import boto3' 2>/dev/null || suite_failed aws-services "python3-boto3 is not installed (make deps)"
start_servers || suite_failed aws-services "amplifylite did not start"
/usr/bin/python3 "$CONFORMANCE_DIR/lib/unittest_suite.py" aws-services "$CONFORMANCE_DIR/aws-services" "$@"
