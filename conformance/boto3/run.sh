#!/usr/bin/env bash
# boto3 conformance suite: Debian's python3-boto3 under Debian's /usr/bin/python3 (stdlib unittest).
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"

/usr/bin/python3 -c 'import boto3' 2>/dev/null || suite_failed boto3 "python3-boto3 is not installed (make deps)"
start_servers || suite_failed boto3 "amplifylite did not start"
/usr/bin/python3 "$CONFORMANCE_DIR/boto3/test_boto3.py" "$@"
