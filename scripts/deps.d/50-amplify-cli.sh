#!/usr/bin/env bash
# The real Amplify CLI (@aws-amplify/cli-internal 14.2.2, ~1.3 GB, ~1600 packages) for
# conformance/amplify-pull: `npm ci` of conformance/amplify-pull/package-lock.json into $AMPLIFY_CLI_DIR
# (default conformance/amplify-pull, i.e. its node_modules next to the lock file). Point AMPLIFY_CLI_DIR
# at a directory that outlives the checkout to keep the install between clean-clone CI runs.
# Idempotent: skipped when the installed tree was made from the same lock file.
set -euo pipefail
cd "$(dirname "$0")/../.."
PIN="conformance/amplify-pull"
DIR="${AMPLIFY_CLI_DIR:-$PIN}"
command -v npm >/dev/null || { echo "40-amplify-cli: npm is required (Node.js 20 or later)" >&2; exit 1; }

mkdir -p "$DIR"
if [ "$(cd "$DIR" && pwd)" != "$(cd "$PIN" && pwd)" ]; then
  cp "$PIN/package.json" "$PIN/package-lock.json" "$DIR/"
fi
stamp="$DIR/node_modules/.amplify-cli-lock.sha256"
want="$(sha256sum "$PIN/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$DIR/node_modules/.bin/amplify" ]; then
  echo "Amplify CLI already installed in $DIR"
  exit 0
fi
# The lock file pins every package (package.json's overrides replace four transitive versions the
# registry no longer serves); install scripts are not needed to run `amplify pull`.
(cd "$DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
echo "Amplify CLI installed in $DIR"
