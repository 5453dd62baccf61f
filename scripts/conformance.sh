#!/usr/bin/env bash
# `make conformance`: the official MCP conformance suite against the real server, on a
# throwaway embedded database, through tests/e2e/proxy.py (which adds the bearer token the
# suite does not send).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -p app --bin platform-mcp
bin="$root/target/debug/platform-mcp"

dir="$(mktemp -d "${TMPDIR:-/tmp}/platform-mcp-conformance.XXXXXX")"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export PLATFORM_MCP__DATABASE__URL="sqlite://$dir/conformance.db?mode=rwc"
export PLATFORM_MCP__SERVER__BIND="127.0.0.1:$port"
"$bin" admin demo > "$dir/demo.json"
token="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$dir/demo.json")"
"$bin" serve 2> "$dir/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$dir/server.log" >&2; exit 1; fi
  sleep 0.1
done
"$root/tests/e2e/conformance.sh" --token "$token" "http://127.0.0.1:$port/mcp"
