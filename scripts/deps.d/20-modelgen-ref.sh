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

source scripts/lib/npm-pinned.sh
npm_pinned "$PIN" "$DIR" @aws-amplify/graphql-generator
