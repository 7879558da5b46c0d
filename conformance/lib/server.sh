# Sourced by every conformance/<client>/run.sh: builds amplifylite, starts it on free loopback ports
# with fresh data dirs, and stops what it started (by PID) when the suite's shell exits.
#
#   source "$(dirname "$0")/../lib/server.sh"
#   start_servers          # exports AMPLIFYLITE_ENDPOINT and AMPLIFYLITE_SLOW_ENDPOINT
#
# AMPLIFYLITE_ENDPOINT: jobs finish after $AMPLIFYLITE_JOB_DURATION (default 200ms); the suites poll
# GetBackendJob every 50 ms; every request must be signed with the dummy credentials below, so each
# client's SigV4 signature of every operation is verified. AMPLIFYLITE_SLOW_ENDPOINT: accepts any
# credentials (the default) and its jobs never finish on their own (1h), for
# the pending-job conflict and UpdateBackendJob's forced outcomes, which must not race the worker;
# its challenge tokens expire after 2 s.
# Set AMPLIFYLITE_BIN to test an already built binary instead of building one.
#
# It also sets dummy credentials and disables every source of real AWS configuration, so no
# client can reach or authenticate to AWS: each suite passes the endpoint explicitly.

CONFORMANCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$CONFORMANCE_DIR/.." && pwd)
export CONFORMANCE_DIR REPO_ROOT

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
# The fast server verifies every request's SigV4 signature against these two dummy keys (the second
# one's account is its 12-digit id); the slow server accepts any credentials, amplifylite's default.
# AKIDACCOUNTKEY's account is not its key id: only the configured mapping can put it in 444455556666.
CONFORMANCE_CREDENTIALS="AKIDEXAMPLE:$AWS_SECRET_ACCESS_KEY,111122223333:$AWS_SECRET_ACCESS_KEY:111122223333,AKIDACCOUNTKEY:$AWS_SECRET_ACCESS_KEY:444455556666"
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 AWS_SDK_LOAD_CONFIG=0
# The pinned JS SDK v3 warns that its future releases will need node 22; the pinned one runs on 20.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_CA_BUNDLE

_amplifylite_pids=()
_amplifylite_tmp=$(mktemp -d "${TMPDIR:-/tmp}/amplifylite-conformance.XXXXXX")

_amplifylite_cleanup() {
  local pid
  for pid in "${_amplifylite_pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$_amplifylite_tmp"
}
trap _amplifylite_cleanup EXIT
trap 'exit 130' INT TERM

# build_server sets AMPLIFYLITE_BIN, building bin/amplifylite unless it is already set.
# Go's build cache makes the second suite's build a no-op.
build_server() {
  if [ -n "${AMPLIFYLITE_BIN:-}" ]; then return 0; fi
  (cd "$REPO_ROOT" && CGO_ENABLED=0 go build -o bin/amplifylite ./cmd/amplifylite) || return 1
  AMPLIFYLITE_BIN="$REPO_ROOT/bin/amplifylite"
  export AMPLIFYLITE_BIN
}

_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _wait_healthy PORT PID: 0 once GET /_amplifylite/health answers 200; 1 if PID exits or 20 s pass.
_wait_healthy() {
  python3 - "$1" "$2" <<'PY'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_amplifylite/health", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    time.sleep(0.05)
sys.exit(1)
PY
}

# start_server VAR [flags...] starts one server and exports VAR=http://127.0.0.1:PORT once
# GET /_amplifylite/health answers 200. It retries on another port if the server exits early
# (a port taken between choosing and binding), and gives up after 20 s.
start_server() {
  local var=$1; shift
  local attempt port dir log pid
  for attempt in 1 2 3; do
    port=$(_free_port)
    dir="$_amplifylite_tmp/$var-data-$attempt"
    log="$_amplifylite_tmp/$var.log"
    mkdir -p "$dir"
    "$AMPLIFYLITE_BIN" serve --listen "127.0.0.1:$port" --data-dir "$dir" "$@" >"$log" 2>&1 &
    pid=$!
    _amplifylite_pids+=("$pid")
    if _wait_healthy "$port" "$pid"; then
      export "$var=http://127.0.0.1:$port"
      return 0
    fi
    kill "$pid" 2>/dev/null
    echo "amplifylite did not become healthy on port $port (attempt $attempt); its log:" >&2
    sed 's/^/    /' "$log" >&2
  done
  return 1
}

# start_servers builds the binary and starts the two servers every suite uses.
start_servers() {
  build_server || return 1
  start_server AMPLIFYLITE_ENDPOINT --job-duration "${AMPLIFYLITE_JOB_DURATION:-200ms}" \
    --buckets conformance-seed-a,conformance-seed-b --credentials "$CONFORMANCE_CREDENTIALS" || return 1
  start_server AMPLIFYLITE_SLOW_ENDPOINT --job-duration 1h --token-ttl 2s || return 1
  export AMPLIFYLITE_POLL_MS=${AMPLIFYLITE_POLL_MS:-50}
}

# suite_failed NAME REASON prints REASON and the closing line of a suite that could not run.
suite_failed() {
  echo "$1: cannot run: $2" >&2
  echo "$1: 0 passed, 1 failed"
  exit 1
}
