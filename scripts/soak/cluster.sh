# Sourced by the soak scripts: a private, throwaway PostgreSQL cluster that a soak may stop
# and start again. Never the machine's shared server: the cluster lives in its own
# temporary directory, on a free port, and is removed at exit.
#
#   cluster_init     creates it (sets PG_DIR, PG_PORT, PG_URL) and starts it
#   cluster_stop M   pg_ctl stop -m M (fast, immediate)
#   cluster_start    starts it again on the same port, waits until it accepts connections
#   cluster_remove   stops it and deletes the directory

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
PG_RUN_AS=()
if [[ "$(id -u)" == 0 ]]; then
  # initdb refuses to run as root; the cluster belongs to the postgres system user.
  PG_RUN_AS=(runuser -u postgres --)
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cluster_init() {
  if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    echo "soak: the PostgreSQL binaries are missing (apt-get install postgresql)" >&2
    return 1
  fi
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/platform-mcp-soak-pg.XXXXXX")"
  PG_PORT="$(free_port)"
  if [[ "$(id -u)" == 0 ]]; then chown postgres "$PG_DIR"; fi
  "${PG_RUN_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:${PG_PORT}"
  cluster_start
  echo "soak: private PostgreSQL cluster on 127.0.0.1:${PG_PORT} in ${PG_DIR}" >&2
}

cluster_start() {
  # Durable settings (fsync, synchronous_commit on): an acknowledged write must survive an
  # immediate stop.
  "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 -o \
    "-h 127.0.0.1 -p ${PG_PORT} -k ${PG_DIR} -c max_connections=200" start >/dev/null
}

cluster_stop() {
  "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m "${1:-fast}" -w stop >/dev/null
}

cluster_remove() {
  if [[ -n "${PG_DIR:-}" && -d "$PG_DIR" ]]; then
    "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

# seed_world BIN: the soak's person, project, collection and flag in the database the
# PLATFORM_MCP__DATABASE__URL environment names; sets SOAK_PROJECT.
seed_world() {
  local bin="$1"
  "$bin" migrate >/dev/null
  "$bin" admin user add --email soak@example.com --name Soak >/dev/null
  SOAK_PROJECT="$("$bin" admin project create --name soak --owner soak@example.com |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  "$bin" admin type create --project "$SOAK_PROJECT" --collection notes >/dev/null
  "$bin" admin flag enable --email soak@example.com --flag mcp >/dev/null
}

# mint BIN: an hour's read-write access token for the soak's person.
mint() {
  "$1" admin token mint --email soak@example.com --ttl 1h |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# wait_ready URL: until GET URL/readyz answers 200 (at most 30 s).
wait_ready() {
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null "$1/readyz" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "soak: $1 did not become ready" >&2
  return 1
}
