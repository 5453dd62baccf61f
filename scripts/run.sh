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
An access token for them (valid 24 h) is in data/demo.json.

Claude Code:
  {d['connect']['claude_code']}

Claude Desktop (Settings → Developer → Edit Config, then restart):
  {json.dumps(d['connect']['claude_desktop'], indent=2).replace(chr(10), chr(10) + '  ')}

Python SDK (pip install mcp httpx):
  {d['connect']['python'].replace(chr(10), chr(10) + '  ')}

MCP Inspector: npx @modelcontextprotocol/inspector, transport "Streamable HTTP", URL {url},
  header Authorization: Bearer <the token above>.
""", file=sys.stderr)
PY
exec "$bin" serve
