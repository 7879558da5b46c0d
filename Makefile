# The README's two commands are `make run` and `make test`; .ci/run calls `make test`.
GO ?= go
LISTEN ?= 127.0.0.1:4750
DATA_DIR ?= ./data

.PHONY: run build test deps vet unit fuzz conformance amplify-pull bench mutate screenshots

## run: start the server on its embedded default store.
run:
	$(GO) run ./cmd/amplifylite serve --listen $(LISTEN) --data-dir $(DATA_DIR)

## build: a static release binary in bin/.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o bin/amplifylite ./cmd/amplifylite

## test: everything CI runs: install what tests need, vet, race tests, fuzz smoke, client suites, the real Amplify CLI.
test: deps vet unit fuzz conformance amplify-pull

deps:
	./scripts/deps.sh

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	$(GO) vet ./...

# The PostgreSQL tests use the cluster scripts/deps.d/10-postgres.sh starts, and the differential tests the official
# generator scripts/deps.d/20-modelgen-ref.sh installs, unless told otherwise.
# Setting the variables also makes those tests fail, not skip, when what they need is missing.
unit: export AMPLIFYLITE_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable
unit: export MODELGEN_REF_DIR ?= $(CURDIR)/internal/modelgen/testdata/ref
unit:
	$(GO) test -race -count=1 ./...

fuzz:
	./scripts/fuzz.sh

conformance:
	./scripts/conformance.sh

## amplify-pull: the real Amplify CLI pulls backends built through the Admin API (its own step: it is big).
amplify-pull:
	./scripts/conformance.sh amplify-pull

bench:
	./bench/run.sh

## mutate: mutation testing (gremlins) of the main packages, written to docs/MUTANTS.md; slow, run
## before a release, not part of test. PKGS="internal/jobs internal/sigv4" narrows it.
mutate:
	./scripts/mutate.sh $(PKGS)

## screenshots: the console's main views at 1280×800, from a server filled through the API, into docs/console/
## (needs chromium: scripts/deps.d/40-chromium.sh installs it).
screenshots:
	mkdir -p docs/console
	AMPLIFYLITE_SCREENSHOTS=$(CURDIR)/docs/console $(GO) test -count=1 -run '^TestScreenshots$$' ./internal/console/
