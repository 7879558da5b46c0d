#!/usr/bin/env bash
# Control-plane suite: /_amplifylite/ driven with curl, checked through boto3 (Debian's python3-boto3)
# and the AWS CLI (/usr/bin/aws): fault injection as clients see it, the request journal, the event
# stream, /metrics and who may use the control plane. Runs every test_*.py here (stdlib unittest).
set -uo pipefail
source "$(dirname "$0")/../lib/server.sh"

/usr/bin/python3 -c 'import boto3' 2>/dev/null || suite_failed control "python3-boto3 is not installed (make deps)"
[ -x /usr/bin/aws ] || suite_failed control "awscli is not installed (make deps)"
command -v curl >/dev/null || suite_failed control "curl is not installed"
build_server || suite_failed control "amplifylite did not build"
# Open: no --credentials, so the control plane needs no token.
start_server CONTROL_ENDPOINT --job-duration 200ms || suite_failed control "amplifylite did not start"
# Signatures required and an admin token: the control plane wants its bearer.
export CONTROL_ADMIN_TOKEN=conformance-admin-token
start_server CONTROL_LOCKED_ENDPOINT --job-duration 200ms --credentials "$CONFORMANCE_CREDENTIALS" \
  --admin-token "$CONTROL_ADMIN_TOKEN" || suite_failed control "amplifylite did not start"
# Signatures required and no admin token: the control plane is closed but for health, info, metrics.
start_server CONTROL_CLOSED_ENDPOINT --credentials "$CONFORMANCE_CREDENTIALS" || suite_failed control "amplifylite did not start"
/usr/bin/python3 "$CONFORMANCE_DIR/control/main.py" "$@"
