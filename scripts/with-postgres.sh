#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a PostgreSQL server the tests may use
# (they create a database per test):
#   1. DATABASE_URL if it is already set;
#   2. else a server answering on 127.0.0.1:${PGPORT:-5432} (trust auth, user postgres);
#   3. else a throwaway cluster from the installed binaries (/usr/lib/postgresql/*/bin),
#      in a temporary directory on a free port, stopped and removed afterwards;
#   4. else a message naming the package to install.
set -euo pipefail

if [[ -n "${DATABASE_URL:-}" ]]; then
  echo "with-postgres: using DATABASE_URL from the environment" >&2
  exec "$@"
fi

port="${PGPORT:-5432}"
answers() { # host port -> 0 when a PostgreSQL server accepts a connection as postgres
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$1" -p "$2" -U postgres -t 2
  else
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
  fi
}

if answers 127.0.0.1 "$port"; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:${port}/postgres"
  echo "with-postgres: using the server on 127.0.0.1:${port}" >&2
  exec "$@"
fi

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "with-postgres: no PostgreSQL server answers on 127.0.0.1:${port} and no PostgreSQL" >&2
  echo "binaries are installed. Install them (Debian/Ubuntu: apt-get install postgresql)," >&2
  echo "or set DATABASE_URL to a server where this user may create databases." >&2
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/platform-mcp-pg.XXXXXX")"
free_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
run_as=()
if [[ "$(id -u)" == 0 ]]; then
  # initdb refuses to run as root; the cluster belongs to the postgres system user.
  chown postgres "$dir" 2>/dev/null || { echo "with-postgres: cannot hand $dir to user postgres" >&2; exit 1; }
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
echo "with-postgres: starting a throwaway cluster from $bindir on 127.0.0.1:${free_port}" >&2
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
  "-h 127.0.0.1 -p ${free_port} -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:${free_port}/postgres"
"$@"
