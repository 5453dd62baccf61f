#!/usr/bin/env bash
# `make soak`: the two long suites of issue #9 against the release server, each on its own
# private PostgreSQL cluster (never the machine's shared server; see scripts/soak/cluster.sh):
#
#   faults  a steady mixed load while PostgreSQL is stopped (immediately, like a crash) for
#           5 s and started again, three times (scripts/soak/faults.py);
#   scale   three instances behind nginx (round-robin): both protocol eras, the OAuth flow
#           across instances, a signing-key rotation, one instance killed mid-load
#           (scripts/soak/scale.sh).
#
# `./scripts/soak.sh faults` or `./scripts/soak.sh scale` runs one. Each prints a JSON
# summary and fails on any violation. SOAK_CYCLES, SOAK_STEADY (s between outages) and
# SOAK_CALLERS tune faults; SOAK_SCALE_STEADY (s of load before the kill and after it) and
# SOAK_CALLERS tune scale.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")/.."
root="$PWD"
suites=("${@:-faults scale}")
read -r -a suites <<<"${suites[*]}"

cargo build --release -p app --bin platform-mcp
bin="$root/target/release/platform-mcp"
source scripts/soak/cluster.sh

faults() {
  cluster_init
  local work="$PG_DIR/work" port
  mkdir -p "$work"
  psql "$PG_URL/postgres" -qc "CREATE DATABASE platform" >/dev/null
  port="$(free_port)"
  export PLATFORM_MCP__DATABASE__URL="$PG_URL/platform"
  export PLATFORM_MCP__SERVER__BIND="127.0.0.1:$port"
  # The load is one person through one client, far above any per-person rate limit.
  export PLATFORM_MCP__LIMITS__MCP_PER_MINUTE=0
  seed_world "$bin"
  local token
  token="$(mint "$bin")"
  "$bin" serve >"$work/server.log" 2>&1 &
  local server=$!
  wait_ready "http://127.0.0.1:$port"
  local status=0
  (cd scripts/soak && python3 faults.py --base "http://127.0.0.1:$port" --token "$token" \
    --project "$SOAK_PROJECT" --psql "$PG_URL/platform" \
    --stop "bash -c 'source $root/scripts/soak/cluster.sh; PG_DIR=$PG_DIR cluster_stop immediate'" \
    --start "bash -c 'source $root/scripts/soak/cluster.sh; PG_DIR=$PG_DIR PG_PORT=$PG_PORT cluster_start'" \
    --cycles "${SOAK_CYCLES:-3}" --steady "${SOAK_STEADY:-30}" --callers "${SOAK_CALLERS:-4}") ||
    status=$?
  if ! kill -0 "$server" 2>/dev/null; then
    echo "soak faults: the server exited" >&2
    status=1
  fi
  if grep -q "panicked" "$work/server.log"; then
    echo "soak faults: the server panicked:" >&2
    grep -m 5 "panicked" "$work/server.log" >&2
    status=1
  fi
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  unset PLATFORM_MCP__DATABASE__URL PLATFORM_MCP__SERVER__BIND PLATFORM_MCP__LIMITS__MCP_PER_MINUTE
  cluster_remove
  return "$status"
}

trap cluster_remove EXIT
failed=0
for suite in "${suites[@]}"; do
  case "$suite" in
    faults) faults || failed=1 ;;
    scale) ./scripts/soak/scale.sh "$bin" || failed=1 ;;
    *) echo "soak: unknown suite $suite (faults, scale)" >&2; exit 2 ;;
  esac
done
exit "$failed"
