#!/usr/bin/env bash
# `make conformance`: the official MCP conformance suite against the real server, on a
# throwaway embedded database: its MCP scenarios through tests/e2e/proxy.py (which adds the
# bearer token the suite does not send), then its authorization-server scenarios with a
# pre-registered public client, the login completed by tests/e2e/complete_login.py
# (tests/e2e/conformance-auth.sh). Both run; the exit status is non-zero if either failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -p app --bin platform-mcp
bin="$root/target/debug/platform-mcp"

dir="$(mktemp -d "${TMPDIR:-/tmp}/platform-mcp-conformance.XXXXXX")"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -z "${E2E_CONFORMANCE_OUT:-}" ]] || cp "$dir/server.log" "$E2E_CONFORMANCE_OUT/" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
callback_port="$(free_port)" # the suite's loopback OAuth callback
export PLATFORM_MCP__DATABASE__URL="sqlite://$dir/conformance.db?mode=rwc"
export PLATFORM_MCP__SERVER__BIND="127.0.0.1:$port"
"$bin" admin demo > "$dir/demo.json"
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }
token="$(json_field "$dir/demo.json" access_token)"
"$bin" admin client add --name "MCP conformance suite" \
  --redirect-uri "http://127.0.0.1:$callback_port/callback" > "$dir/client.json"
client_id="$(json_field "$dir/client.json" client_id)"
"$bin" serve 2> "$dir/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$dir/server.log" >&2; exit 1; fi
  sleep 0.1
done
export E2E_CONFORMANCE_OUT="${E2E_CONFORMANCE_OUT:-$root/target/e2e/conformance/$(date -u +%Y%m%dT%H%M%SZ)}"
status=0
"$root/tests/e2e/conformance.sh" --token "$token" "http://127.0.0.1:$port/mcp" || status=1
"$root/tests/e2e/conformance-auth.sh" --client-id "$client_id" --port "$callback_port" \
  --email demo@example.com "http://127.0.0.1:$port" || status=1
exit "$status"
