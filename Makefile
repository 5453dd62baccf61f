# The commands CI and people run. `make test` is what .ci/run runs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run test unit lint e2e-setup conformance bench soak clean-data

## Build, migrate the embedded SQLite database, seed the demo once, and serve on 127.0.0.1:8080.
run:
	$(CARGO) build --release -p app --bin platform-mcp
	./scripts/run.sh target/release/platform-mcp

## Everything: formatting, lints, unit, contract (SQLite + PostgreSQL) and end-to-end tests.
test: lint e2e-setup
	./scripts/with-postgres.sh $(CARGO) test --workspace --all-targets

## Only the Rust tests (PostgreSQL found or started as for `make test`).
unit:
	./scripts/with-postgres.sh $(CARGO) test --workspace --all-targets

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Python and TypeScript MCP clients and the conformance suite for the end-to-end tests.
e2e-setup:
	./scripts/e2e-setup.sh

## The official MCP conformance suite against the real server.
conformance: e2e-setup
	./scripts/conformance.sh

## Our server against raw SQL on the same data (see README, Performance).
bench:
	./scripts/with-postgres.sh ./scripts/bench.sh

## The long suites (README, Soak tests): PostgreSQL stopped under load; three instances
## behind nginx with the OAuth flow, a key rotation and an instance killed. Not part of test.
soak:
	./scripts/soak.sh

clean-data:
	rm -rf data
