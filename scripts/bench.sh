#!/usr/bin/env bash
# `make bench` (under scripts/with-postgres.sh, which sets DATABASE_URL): our server against
# raw SQL on the same data, in release mode. Prints a table and writes
# target/bench/results.json (see README, Performance). BENCH_SECONDS, BENCH_SMALL,
# BENCH_LARGE and BENCH_CONCURRENCY tune it (bench/src/main.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL is not set: run this through make bench (scripts/with-postgres.sh)}"
exec cargo run --release -p bench
