#!/usr/bin/env bash
# AWS CLI conformance suite: Debian's awscli (/usr/bin/aws amplifybackend …), driven from Python's unittest.
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"

[ -x /usr/bin/aws ] || suite_failed awscli "awscli is not installed (make deps)"
start_servers || suite_failed awscli "amplifylite did not start"
/usr/bin/python3 "$CONFORMANCE_DIR/awscli/test_awscli.py" "$@"
