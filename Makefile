# The two commands a newcomer needs (see README.md):
#   make run   converts the rules (the built-in sign-in rule pack once it exists) for every target
#   make test  installs the pinned query validators and runs every test
GO ?= go

.PHONY: run test validators

run:
	$(GO) run ./cmd/entrasig convert -t all -o out testdata/rules

validators:
	npm ci --prefix testdata/validators --no-audit --no-fund --loglevel=error

test: validators
	$(GO) vet ./...
	$(GO) test ./...
