#!/usr/bin/env bash
# `make run`: migrate the embedded database, seed the demo once, print how to connect, serve.
set -euo pipefail
bin="${1:-target/release/platform-mcp}"
mkdir -p data
"$bin" migrate >/dev/null
"$bin" admin demo > data/demo.json
python3 - data/demo.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
url, token = d["mcp_url"], d["access_token"]
print(f"""
platform-mcp is starting at {url}
Demo person: {d['email']} (the demo project was {'created now' if d['seeded'] else 'already there'}).
Clients log in through the browser: sign in as {d['email']}, then Allow.

Claude Code:
  claude mcp add --transport http platform {url}
  (then run /mcp in Claude Code and choose Authenticate)

Claude Desktop (Settings → Developer → Edit Config, then restart):
  {{"mcpServers": {{"platform": {{"command": "npx", "args": ["-y", "mcp-remote", "{url}"]}}}}}}

MCP Inspector: npx @modelcontextprotocol/inspector → Streamable HTTP, URL {url},
  Open Auth Settings → Quick OAuth Flow.

Python SDK: see tests/e2e/py/oauth_client.py (OAuth), or without a browser use the
24-hour token for the demo person in data/demo.json:
  {d['connect']['python'].replace(chr(10), chr(10) + '  ')}

Same token for Claude Code without the browser login:
  {d['connect']['claude_code']}
""", file=sys.stderr)
PY
exec "$bin" serve
