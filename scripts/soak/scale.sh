#!/usr/bin/env bash
# Soak B (scripts/soak.sh scale): three instances of the release server on one private
# PostgreSQL cluster behind nginx (round-robin), driven by scripts/soak/scale.py.
# Needs nginx (apt-get install nginx-light) and the Python MCP SDK, installed here into
# target/soak/venv from tests/e2e/py/requirements.txt.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")/../.."
root="$PWD"
bin="${1:-$root/target/release/platform-mcp}"
source scripts/soak/cluster.sh

command -v nginx >/dev/null || { echo "soak scale: nginx is missing (apt-get install nginx-light)" >&2; exit 1; }
venv="$root/target/soak/venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import mcp" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r tests/e2e/py/requirements.txt
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n "${PG_DIR:-}" && -f "$PG_DIR/nginx.pid" ]]; then
    kill "$(cat "$PG_DIR/nginx.pid")" 2>/dev/null || true
  fi
  cluster_remove
}
trap cleanup EXIT
cluster_init
psql "$PG_URL/postgres" -qc "CREATE DATABASE platform" >/dev/null
lb_port="$(free_port)"
export PLATFORM_MCP__DATABASE__URL="$PG_URL/platform"
export PLATFORM_MCP__SERVER__PUBLIC_URL="http://127.0.0.1:$lb_port"
# Short intervals so a rotation completes within the soak: instances re-read the keys
# every 2 s; a rotated key signs 8 s after it is stored.
export PLATFORM_MCP__AUTH__KEY_RELOAD_INTERVAL=2s
export PLATFORM_MCP__AUTH__KEY_PUBLISH_LEAD=8s
# The load is one person through one client, far above any per-person rate limit.
export PLATFORM_MCP__LIMITS__MCP_PER_MINUTE=0
seed_world "$bin"
token="$(mint "$bin")"
# The SDK clients' worlds: a person with one project "E2E" holding an empty type `tasks`.
sdk_token() {
  "$bin" admin user add --email "$1" >/dev/null
  local project
  project="$("$bin" admin project create --name E2E --owner "$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  "$bin" admin type create --project "$project" --collection tasks >/dev/null
  "$bin" admin flag enable --email "$1" --flag mcp >/dev/null
  "$bin" admin token mint --email "$1" --ttl 1h |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
legacy_token="$(sdk_token legacy@example.com)"
modern_token="$(sdk_token modern@example.com)"

instances=()
for i in 1 2 3; do
  port="$(free_port)"
  PLATFORM_MCP__SERVER__BIND="127.0.0.1:$port" "$bin" serve >"$PG_DIR/instance$i.log" 2>&1 &
  pids+=($!)
  disown # the one the driver kills is not reported as a failed job
  instances+=("127.0.0.1:$port")
done
for instance in "${instances[@]}"; do wait_ready "http://$instance"; done

cat >"$PG_DIR/nginx.conf" <<NGINX
pid $PG_DIR/nginx.pid;
error_log $PG_DIR/nginx-error.log warn;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $PG_DIR/nginx-body;
  proxy_temp_path $PG_DIR/nginx-proxy;
  upstream platform {
    server ${instances[0]} max_fails=1 fail_timeout=10s;
    server ${instances[1]} max_fails=1 fail_timeout=10s;
    server ${instances[2]} max_fails=1 fail_timeout=10s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$lb_port;
    location / {
      proxy_pass http://platform;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_read_timeout 60s;
    }
  }
}
NGINX
nginx -c "$PG_DIR/nginx.conf"
wait_ready "http://127.0.0.1:$lb_port"

status=0
(cd scripts/soak && python3 scale.py --lb "http://127.0.0.1:$lb_port" \
  --instances "$(IFS=,; echo "${instances[*]}")" --pids "$(IFS=,; echo "${pids[*]}")" \
  --token "$token" --project "$SOAK_PROJECT" --psql "$PG_URL/platform" \
  --rotate "$bin admin keys rotate" --sdk "$venv/bin/python" \
  --sdk-legacy-token "$legacy_token" --sdk-modern-token "$modern_token" \
  --callers "${SOAK_CALLERS:-6}" --steady "${SOAK_SCALE_STEADY:-60}") || status=$?
if grep -l "panicked" "$PG_DIR"/instance*.log >&2; then
  echo "soak scale: an instance panicked" >&2
  status=1
fi
exit "$status"
