"""A minimal MCP-over-HTTP client for the soaks (standard library only): one keep-alive
connection per caller, a JSON-RPC `tools/call` per request, and every answer classified
into one kind the soak can count and judge."""

import http.client
import json
import time
import urllib.parse

PROTOCOL = "2025-11-25"


class Outcome:
    """One call's answer: `kind` is `ok`, `tool_error:<CODE>`, `http_<status>`
    (`http_503_retry_after` when a 503 says when to retry), `jsonrpc_<code>`, `timeout`
    (no answer within the client's bound) or `connection:<error>`."""

    def __init__(self, kind, seconds, result=None, status=None, retry_after=None):
        self.kind = kind
        self.seconds = seconds
        self.result = result
        self.status = status
        self.retry_after = retry_after

    @property
    def ok(self):
        return self.kind == "ok"


class Caller:
    """One caller: a keep-alive connection to `base` (e.g. http://127.0.0.1:8080)."""

    def __init__(self, base, token, timeout=15.0, protocol=PROTOCOL):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port or 80
        self.token = token
        self.timeout = timeout
        self.conn = None
        self.next_id = 0
        self.protocol = protocol
        # `Host` to send instead of the address's (an instance addressed directly, as the
        # balancer would name it).
        self.host_header = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def _drop(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body bytes, seconds) or raises OSError/HTTPException."""
        conn = self._connection()
        headers = dict(headers or {})
        if self.host_header:
            headers["Host"] = self.host_header
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            self._drop()
            raise
        if response.getheader("connection", "").lower() == "close":
            self._drop()
        return response.status, response, data, time.monotonic() - started

    def call_tool(self, name, arguments):
        return self.rpc("tools/call", {"name": name, "arguments": arguments})

    def initialize(self):
        """The handshake of the 2025 protocol versions: `initialize` (no session: any
        instance may answer the next request), then `notifications/initialized`."""
        out = self.rpc("initialize", {"protocolVersion": self.protocol, "capabilities": {},
                                      "clientInfo": {"name": "soak", "version": "1"}},
                       version_header=False)
        if out.ok:
            agreed = (out.result or {}).get("protocolVersion")
            if agreed != self.protocol:
                return Outcome(f"negotiated:{agreed}", out.seconds)
            self.rpc("notifications/initialized", None)
        return out

    def rpc(self, method, params, version_header=True):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            self.next_id += 1
            message.update(id=self.next_id, params=params)
        body = json.dumps(message)
        headers = {"Content-Type": "application/json",
                   "Accept": "application/json, text/event-stream",
                   "Authorization": f"Bearer {self.token}"}
        if version_header:
            headers["MCP-Protocol-Version"] = self.protocol
        started = time.monotonic()
        try:
            status, response, data, seconds = self.request("POST", "/mcp", body, headers)
        except TimeoutError:
            return Outcome("timeout", time.monotonic() - started)
        except (OSError, http.client.HTTPException) as e:
            return Outcome(f"connection:{type(e).__name__}", time.monotonic() - started)
        return classify(status, response.getheader("retry-after"), data, seconds)


def classify(status, retry_after, data, seconds):
    if status == 503:
        kind = "http_503_retry_after" if retry_after else "http_503_no_retry_after"
        return Outcome(kind, seconds, status=status, retry_after=retry_after)
    if status == 202:
        return Outcome("ok", seconds, status=status)
    if status != 200:
        return Outcome(f"http_{status}", seconds, status=status)
    text = data.decode(errors="replace")
    if text.startswith("data:") or "\ndata:" in text:
        # An event stream: the answer is the last `data:` line.
        lines = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
        data = lines[-1] if lines else ""
    try:
        answer = json.loads(data)
    except ValueError:
        return Outcome("bad_json", seconds, status=status)
    if "error" in answer:
        return Outcome(f"jsonrpc_{answer['error'].get('code')}", seconds, status=status)
    result = answer.get("result", {})
    if "structuredContent" not in result and not result.get("isError"):
        return Outcome("ok", seconds, result=result, status=status)
    if result.get("isError"):
        code = (result.get("structuredContent") or {}).get("error", {}).get("code", "?")
        return Outcome(f"tool_error:{code}", seconds, result=result, status=status)
    return Outcome("ok", seconds, result=result.get("structuredContent"), status=status)


def get(base, path, timeout=10.0):
    """(status, headers, body) of one GET on a fresh connection; status 0 on no answer."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response, response.read()
    except (OSError, http.client.HTTPException):
        return 0, None, b""
    finally:
        conn.close()
