# The two commands a newcomer needs (see README.md):
#   make run   converts the built-in sign-in rule pack for every target into out/<target>/
#   make test  installs the pinned query validators and runs every test
GO ?= go

.PHONY: run test validators build fuzz

# How long `make fuzz` runs each fuzz target (CI uses the default; run longer with FUZZTIME=10m).
FUZZTIME ?= 10s

build:
	$(GO) build -o bin/entrasig ./cmd/entrasig

# Exit status 1 means some rule has no exact form for some target (Kibana has no aggregation, for
# example); the messages say which, and every other query is written. Anything else is a failure.
run: build
	@./bin/entrasig convert -t all -o out; status=$$?; \
	if [ $$status -eq 1 ]; then echo "make run: the rules above have no exact form for those targets; every other query is in out/"; \
	elif [ $$status -ne 0 ]; then exit $$status; else echo "make run: every query is in out/"; fi

validators:
	npm ci --prefix testdata/validators --no-audit --no-fund --loglevel=error

test: validators
	$(GO) vet ./...
	$(GO) test ./...

# Runs every fuzz target of every package for FUZZTIME each (see .ci/fuzz). Seeds alone run in
# `make test`; a finding is written to the package's testdata/fuzz/ and fails this target.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./.ci/fuzz
