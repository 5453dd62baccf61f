# Shared by the setup scripts (sourced, not run). The caller defines `say` and `die` and
# sets `root` to the repository.

sha() { # files... -> one hash of their contents and names
  local f
  for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -d' ' -f1
}

npm_ci() { # dir -> `npm ci` there with retries; on failure nothing is left half-installed
  local dir="$1"
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error \
      --fetch-retries=2 --fetch-timeout=60000 \
      --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 >&2); then
    rm -rf "$dir/node_modules"
    die "npm ci failed in ${dir#"$root"/}: is the npm registry reachable (npm's own error \
is above)? Nothing was left half-installed; run this script again once it is."
  fi
}
