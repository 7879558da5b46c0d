#!/usr/bin/env bash
# The official Amplify model generator, pinned, for internal/modelgen's differential test:
# `npm ci` of internal/modelgen/testdata/ref/package-lock.json into $MODELGEN_REF_DIR
# (default internal/modelgen/testdata/ref, i.e. its node_modules next to the lock file).
# Idempotent: skipped when the installed tree was made from the same lock file.
set -euo pipefail
cd "$(dirname "$0")/../.."
PIN="internal/modelgen/testdata/ref"
DIR="${MODELGEN_REF_DIR:-$PIN}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi

mkdir -p "$DIR"
if [ "$(cd "$DIR" && pwd)" != "$(cd "$PIN" && pwd)" ]; then
  cp "$PIN/package.json" "$PIN/package-lock.json" "$DIR/"
fi
stamp="$DIR/node_modules/.modelgen-ref-lock.sha256"
want="$(sha256sum "$PIN/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$DIR/node_modules/@aws-amplify/graphql-generator" ]; then
  echo "modelgen reference generator already installed in $DIR"
  exit 0
fi
# npm ci installs exactly what the lock file lists; install scripts are not needed.
(cd "$DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
echo "modelgen reference generator installed in $DIR"
