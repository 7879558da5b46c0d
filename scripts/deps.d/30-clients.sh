#!/usr/bin/env bash
# JavaScript clients of the conformance suites (AWS SDK for JavaScript v3 and v2), pinned by
# conformance/package-lock.json. boto3 and the AWS CLI come from Debian (00-apt.sh).
# Runs `npm ci` only when conformance/node_modules is missing or was installed from another lock file.
set -euo pipefail
cd "$(dirname "$0")/../../conformance"
command -v npm >/dev/null || { echo "30-clients: npm is required (Node.js 20 or later)" >&2; exit 1; }
stamp=node_modules/.amplifylite-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "conformance/node_modules is up to date"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
