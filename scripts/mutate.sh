#!/usr/bin/env bash
# Mutation testing (`make mutate`): runs gremlins on each package directory given (default: the
# job runner, SigV4, the domain, the HTTP edge and both stores), one package and one worker at a
# time, and rewrites that package's section of docs/MUTANTS.md (score, mutant coverage, every
# surviving mutant). Judgements written by hand in the survivors' tables are kept on the next run.
# Slow (about an hour for everything on 2 CPUs), so it is not part of `make test`: run it before a
# release, or on the packages a change touched.
#
# How gremlins is driven, and why:
# - Its path argument is the package directory. It finds the module root above it, measures
#   coverage with `go test -cover ./DIR/...` from the root, mutates every non-test .go file under
#   DIR (subdirectories too), and for each mutant runs `go test -failfast` on the mutant's own
#   package only. So a package is judged by its own tests; --coverpkg would only mark mutants as
#   covered by other packages' tests that are never run against them.
# - It mutates a copy of the module root in a temporary directory (removed afterwards), never the
#   working tree; this script checks that the tree's non-test Go files are unchanged all the same.
# - Each mutant's time limit is the coverage run's time times --timeout-coefficient. That run is
#   fast when its build is cached (and instant when its result is: GOFLAGS=-count=1 prevents that),
#   so the coefficient is 10, not gremlins' 3, to keep slow mutants from counting as TIMED OUT.
#
# Environment: MUTATE_WORKERS (default 1), MUTATE_TIMEOUT_COEFFICIENT (default 10),
# MUTATE_FLAGS (more gremlins flags, e.g. "--exclude-files wal.go"), AMPLIFYLITE_TEST_POSTGRES
# (default: the cluster `make deps` starts on 127.0.0.1:54329).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=v0.6.0

gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin=$(go env GOPATH)/bin
gremlins=$gobin/gremlins
if ! go version -m "$gremlins" 2>/dev/null | grep -q "github.com/go-gremlins/gremlins[[:space:]]*$version"; then
  echo "== installing gremlins $version into $gobin"
  go install "github.com/go-gremlins/gremlins/cmd/gremlins@$version"
fi

if [ $# -eq 0 ]; then
  set -- internal/jobs internal/sigv4 internal/backend internal/httpapi internal/store/sqlite internal/store/postgres
fi

# Tests that need something missing must fail, not skip: a skipped test kills no mutant.
export CI=1
export AMPLIFYLITE_TEST_POSTGRES=${AMPLIFYLITE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable}
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-count=1"

out=$root/bin/mutants
mkdir -p "$out"
tree_state() { git status --porcelain -- '*.go' ':!*_test.go'; git diff -- '*.go' ':!*_test.go' | sha256sum; }
before=$(tree_state)

for dir in "$@"; do
  dir=${dir%/}
  dir=${dir#./}
  [ -d "$dir" ] || { echo "mutate: $dir is not a directory" >&2; exit 2; }
  name=${dir//\//_}
  echo "== gremlins $dir (log: bin/mutants/$name.log)"
  start=$(date +%s)
  # shellcheck disable=SC2086 # MUTATE_FLAGS is a list of flags
  "$gremlins" unleash --workers "${MUTATE_WORKERS:-1}" \
    --timeout-coefficient "${MUTATE_TIMEOUT_COEFFICIENT:-10}" ${MUTATE_FLAGS:-} \
    --output "$out/$name.json" "$root/$dir" 2>&1 | tee "$out/$name.log"
  secs=$(($(date +%s) - start))
  [ -s "$out/$name.json" ] || { echo "mutate: gremlins wrote no results for $dir" >&2; exit 1; }
  python3 scripts/mutants-report.py docs/MUTANTS.md "$dir" "$out/$name.json" "$secs" "${MUTATE_FLAGS:-}"
  echo "== $dir: ${secs}s"
  if [ "$(tree_state)" != "$before" ]; then
    echo "mutate: the working tree's non-test Go files changed during the run of $dir" >&2
    exit 1
  fi
done
echo "mutate: docs/MUTANTS.md updated"
