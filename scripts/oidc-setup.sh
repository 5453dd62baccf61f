#!/usr/bin/env bash
# Installs the upstream OpenID provider the `oidc` identity adapter's tests run on loopback:
#   - tests/oidc/node_modules: `npm ci` of tests/oidc/package-lock.json (npm `oidc-provider`,
#     pinned), started by the tests as `node tests/oidc/provider.mjs`.
# Idempotent: keeps a stamp of what it installed from (the lock plus the node version), and
# does nothing while that still matches. Prints where things are, as `KEY=value` lines on
# stdout (progress goes to stderr), so a caller may read them. scripts/e2e-setup.sh (and so
# `make e2e-setup` and `make test`) runs it.
# Needs node/npm (>= 20) on PATH, and the npm registry.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oidc_dir="$root/tests/oidc"
out="$root/target/oidc"

say() { echo "oidc-setup: $*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source=lib/install.sh
source "$root/scripts/lib/install.sh"

mkdir -p "$out"
# One install at a time: tests that run in parallel may all call this script. (Its own lock
# file: e2e-setup.sh holds its lock while it calls this script.)
exec 9>"$out/.setup.lock"
flock 9

command -v npm >/dev/null 2>&1 || die "no npm on PATH: install Node.js 20+ with npm"
command -v node >/dev/null 2>&1 || die "no node on PATH: install Node.js 20+"
node_key="$(sha "$oidc_dir/package.json" "$oidc_dir/package-lock.json")-$(node --version)"
node_stamp="$oidc_dir/node_modules/.oidc-stamp"
package="$oidc_dir/node_modules/oidc-provider/package.json"

if [[ -f "$node_stamp" && "$(cat "$node_stamp")" == "$node_key" && -f "$package" ]]; then
  say "oidc-provider up to date ($oidc_dir/node_modules)"
else
  say "installing ${oidc_dir#"$root"/}/node_modules (npm ci)"
  # oidc-provider 9 asks for Node 22 but runs on 20 (it prints a warning at start).
  npm_ci "$oidc_dir"
  [[ -f "$package" ]] || die "$package is missing after npm ci"
  echo "$node_key" >"$node_stamp"
fi

cat <<EOF
OIDC_NODE=$(command -v node)
OIDC_PROVIDER=$oidc_dir/provider.mjs
OIDC_PROVIDER_VERSION=$(node -p "require('$package').version")
EOF
