#!/usr/bin/env bash
# The real Amplify CLI (@aws-amplify/cli-internal 14.2.2, ~1.3 GB, ~1,600 packages) for
# conformance/amplify-pull, pinned by conformance/amplify-pull/package-lock.json (package.json's
# overrides replace four transitive versions the registry no longer serves), installed into
# $AMPLIFY_CLI_DIR (default conformance/amplify-pull, i.e. node_modules next to the lock file). Point
# AMPLIFY_CLI_DIR at a directory that outlives the checkout to keep the install between clean-clone CI
# runs. Idempotent: skipped when the installed tree was made from the same lock file.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/npm-pinned.sh
npm_pinned conformance/amplify-pull "${AMPLIFY_CLI_DIR:-conformance/amplify-pull}" .bin/amplify
