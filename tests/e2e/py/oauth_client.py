"""The whole OAuth flow of a running platform-mcp server, driven by the official Python MCP SDK's
OAuth client provider (`mcp` 2.3, `mcp.client.auth.OAuthClientProvider`), as a real client does:

    python oauth_client.py --url http://127.0.0.1:PORT/mcp --email EMAIL
        [--mode auto|legacy] [--access write|read]
        [--client-metadata-url URL | --serve-cimd http|https [--cimd-cert-dir DIR]]
        [--token-auth none|client_secret_post|client_secret_basic|omit] [--redirect-uri URI]
        [--read-only-endpoint --read-tools a,b,…]

The provider discovers the server (RFC 9728, RFC 8414), registers (RFC 7591) or uses a Client ID
Metadata Document, and runs the authorization-code flow with PKCE. Instead of opening a browser,
its redirect handler follows the authorization URL over HTTP with a cookie-keeping client that
follows redirects by hand (same origin only), fills the dev login form with EMAIL, presses Allow
on the consent page with the chosen access (read-only or read-write), and captures the final
redirect to the client's loopback redirect URI (nothing listens there). Then:

  - list_projects through the connection;
  - a refresh forced through the provider (its token marked expired): the access and refresh
    tokens change, and the old refresh token presented again is refused with invalid_grant,
    after which the family is revoked (the new refresh token is refused too) and the provider
    recovers by authorizing again (the browser session and, for read-write, the remembered
    consent skip the pages);
  - `--access write`: a write tool is not refused for scope; `--access read`: a write tool
    answers 403 `insufficient_scope`, the SDK re-authorizes for more scope (step-up), the person
    keeps read-only (still 403), then grants write (the call goes through);
  - `--read-only-endpoint` (the URL is `/mcp/readonly`, `--read-tools` the server's reading
    tools): its metadata offers no data:write, the token never holds it whatever is approved,
    tools/list names exactly the reading tools, a write tool is refused as an unknown one
    (JSON-RPC -32602, no 403, no step-up) and the approval is remembered;
  - the consent page's Deny sends `error=access_denied` back to the client.

The world the caller seeds first: a person EMAIL with the `mcp` flag who is in at least one
project. For a CIMD run the server must accept the document's URL: `--serve-cimd http` needs
`oauth.allow_http_loopback_metadata = true`, and since the SDK only accepts an https
client-metadata URL, this script then sets the URL on the provider after constructing it (said
in the output); `--serve-cimd https` needs the server to trust the CA this writes.

Prints one JSON line per step on stdout ({"step", "ok", ...}); on the first failure it prints
that step with "ok": false and the reason, repeats the reason on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import secrets
import socket
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import anyio
import httpx2
from mcp import Client, MCPError
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

EXPECTED_VERSION = {"auto": "2026-07-28", "legacy": "2025-11-25"}
EXPECTED_SCOPES = {"openid", "profile", "email", "data:read", "data:write", "offline_access"}
STEP_TIMEOUT = 60.0


class StepFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def emit(step: str, **fields: Any) -> None:
    print(json.dumps({"step": step, "ok": True, **fields}, default=str), flush=True)


def short(value: Any, limit: int = 600) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def origin(url: str) -> str:
    p = urlparse(url)
    return f"{p.scheme}://{p.netloc}"


def scopes_of(token: OAuthToken | None) -> set[str]:
    return set((token.scope or "").split()) if token else set()


def portless(url: str) -> str:
    p = urlparse(url)
    return f"{p.scheme}://{p.hostname}{p.path}"


def unused_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


# --- the provider's storage ------------------------------------------------------------------


class MemoryStorage:
    """`mcp.client.auth.TokenStorage` in memory; keeps every token set, to see refreshes."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None
        self.history: list[OAuthToken] = []

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens
        self.history.append(tokens)

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


# --- the HTTP trace of the MCP connection ----------------------------------------------------


class Trace:
    """Every exchange of the connection's HTTP client, the auth flow's own requests included
    (httpx2 runs event hooks for each of them)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    async def hook(self, response: httpx2.Response) -> None:
        request = response.request
        entry: dict[str, Any] = {
            "method": request.method,
            "url": str(request.url),
            "path": request.url.path,
            "status": response.status_code,
        }
        if challenge := response.headers.get("www-authenticate"):
            entry["www_authenticate"] = challenge
        if response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
            # Read here (the body is cached for whoever reads it next) to say why in a failure.
            entry["body"] = short((await response.aread()).decode(errors="replace"), 200)
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            try:
                form = parse_qs(request.content.decode())
                entry["grant_type"] = (form.get("grant_type") or [None])[0]
            except Exception:  # a streamed body: not ours to read
                pass
        self.entries.append(entry)

    def mark(self) -> int:
        return len(self.entries)

    def since(self, mark: int) -> list[dict[str, Any]]:
        return self.entries[mark:]

    def describe(self, mark: int, limit: int = 12) -> str:
        rows = [
            f"{e['method']} {e['path']} -> {e['status']}"
            + (f" [{e['grant_type']}]" if e.get("grant_type") else "")
            + (f" WWW-Authenticate: {e['www_authenticate']}" if e.get("www_authenticate") else "")
            + (f" {e['body']}" if e.get("body") else "")
            for e in self.since(mark)
        ]
        return "; ".join(rows[-limit:]) or "(no HTTP exchange)"


# --- the browser ---------------------------------------------------------------------------


class PageParser(HTMLParser):
    """The forms of a page (action, method, inputs, buttons), its h1 and its error texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.h1 = ""
        self.errors: list[str] = []
        self.code = ""  # the text of <code> elements (the error page names the OAuth error there)
        self._in: list[str] = []  # "h1" / "error" / "code" while inside those elements
        self._button: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "inputs": [], "buttons": []}
            )
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(
                {
                    "name": a.get("name"),
                    "type": a.get("type", "text").lower(),
                    "value": a.get("value", ""),
                    "checked": "checked" in a,
                }
            )
        elif tag == "button" and self.forms:
            self._button = {"name": a.get("name"), "value": a.get("value", ""), "type": a.get("type", "submit"), "text": ""}
            self.forms[-1]["buttons"].append(self._button)
        elif tag in ("h1", "code"):
            self._in.append(tag)
        elif "error" in a.get("class", "").split():
            self._in.append("error")
            self.errors.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = None
        elif tag in ("h1", "code") and self._in and self._in[-1] == tag:
            self._in.pop()
        elif tag in ("p", "div", "span") and self._in and self._in[-1] == "error":
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button["text"] += data
        if self._in and self._in[-1] == "h1":
            self.h1 += data
        elif self._in and self._in[-1] == "code":
            self.code += data + " "
            if len(self._in) > 1 and self._in[-2] == "error":
                self.errors[-1] += data
        elif self._in and self._in[-1] == "error":
            self.errors[-1] += data


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


class Browser:
    """Plays the person's browser: keeps cookies, follows redirects by hand within the server's
    origin, fills the login form and decides on the consent page."""

    def __init__(self, server_url: str, redirect_uri: str, email: str) -> None:
        self.origin = origin(server_url)
        self.redirect_uri = redirect_uri
        self.email = email
        self.http = httpx2.AsyncClient(follow_redirects=False, timeout=httpx2.Timeout(30.0))
        self.authorizations: list[dict[str, Any]] = []

    async def aclose(self) -> None:
        await self.http.aclose()

    def _is_callback(self, url: str) -> bool:
        a, b = urlparse(url), urlparse(self.redirect_uri)
        return (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path)

    async def authorize(self, url: str, decision: str, access: str) -> dict[str, Any]:
        """Follows `url` to the client's redirect URI; returns the record of what happened, whose
        "response" holds the redirect's query parameters."""
        query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        record: dict[str, Any] = {
            "request": {k: query.get(k) for k in ("client_id", "scope", "resource", "code_challenge_method", "prompt")},
            "pages": [],
            "decision": None,
            "response": None,
        }
        self.authorizations.append(record)
        check(origin(url) == self.origin, f"the authorization URL {url} is not on the server's origin {self.origin}")
        method, target, data = "GET", url, None
        logins = 0
        for _ in range(20):
            check(origin(target) == self.origin, f"the browser would leave the server's origin for {target}")
            response = await self.http.request(method, target, data=data)
            where = f"{method} {urlparse(target).path}"
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                check(bool(location), f"{where} answered {status} without a Location header")
                following = urljoin(str(response.url), location)
                if self._is_callback(following):
                    check(status in (302, 303), f"{where}: the redirect to the client is {status}, expected 302 or 303")
                    params = {k: v[0] for k, v in parse_qs(urlparse(following).query).items()}
                    record["pages"].append(f"{status} -> redirect_uri")
                    record["response"] = params
                    return record
                check(
                    origin(following) == self.origin,
                    f"{where} redirected off the server's origin to {following} (not the client's redirect URI)",
                )
                check(
                    not (method == "POST" and status in (307, 308)),
                    f"{where} answered {status}, which would repeat the POST at {following}",
                )
                record["pages"].append(f"{status} -> {urlparse(following).path}")
                method, target, data = "GET", following, None
                continue
            content_type = response.headers.get("content-type", "")
            if status == 200 and content_type.startswith("text/html"):
                page = parse_page(response.text)
                login = next((f for f in page.forms if any(i["name"] == "email" for i in f["inputs"])), None)
                consent = next((f for f in page.forms if any(i["name"] == "access" for i in f["inputs"])), None)
                if login is not None:
                    check(
                        logins == 0,
                        f"the login form came back after submitting {self.email!r}: "
                        f"{' / '.join(page.errors) or page.h1.strip() or 'no message'}",
                    )
                    logins += 1
                    email_input = next(i for i in login["inputs"] if i["name"] == "email")
                    check(email_input["type"] == "email", f'the login field is type={email_input["type"]!r}, not "email"')
                    fields = {i["name"]: i["value"] for i in login["inputs"] if i["type"] == "hidden" and i["name"]}
                    check(
                        {"request", "csrf"} <= set(fields),
                        f"the login form lacks hidden request/csrf fields: {sorted(fields)}",
                    )
                    fields["email"] = self.email
                    check(login["method"] == "post", f"the login form's method is {login['method']!r}, not post")
                    record["pages"].append("login")
                    method, target, data = "POST", urljoin(str(response.url), login["action"]), fields
                    continue
                if consent is not None:
                    fields = {i["name"]: i["value"] for i in consent["inputs"] if i["type"] == "hidden" and i["name"]}
                    check(
                        {"request", "csrf"} <= set(fields),
                        f"the consent form lacks hidden request/csrf fields: {sorted(fields)}",
                    )
                    radios = {i["value"]: i["checked"] for i in consent["inputs"] if i["name"] == "access"}
                    check(set(radios) == {"read", "write"}, f"the consent form's access choices are {sorted(radios)}")
                    buttons = {b["value"] for b in consent["buttons"] if b["name"] == "decision"}
                    check(buttons == {"allow", "deny"}, f"the consent form's decision buttons are {sorted(buttons)}")
                    check(consent["method"] == "post", f"the consent form's method is {consent['method']!r}, not post")
                    fields["access"] = access
                    fields["decision"] = decision
                    record["pages"].append("consent")
                    record["consent"] = {
                        "title": " ".join(page.h1.split()),
                        "preselected": next((k for k, v in radios.items() if v), None),
                    }
                    record["decision"] = f"{decision}:{access}"
                    method, target, data = "POST", urljoin(str(response.url), consent["action"]), fields
                    continue
                raise StepFailed(
                    f"{where} answered a page with neither the login nor the consent form: "
                    f"{page.h1.strip()!r} {' / '.join(e.strip() for e in page.errors)}"
                )
            if content_type.startswith("text/html"):
                page = parse_page(response.text)
                said = " ".join(f"{page.h1.strip()}: {' / '.join(e.strip() for e in page.errors)}".split())
                raise StepFailed(f"{where} answered {status} with the page {said!r} ({short(page.code, 80)})")
            raise StepFailed(f"{where} answered {status} ({content_type}): {short(response.text, 400)}")
        raise StepFailed(f"more than 20 hops following {url}")


# --- the run -------------------------------------------------------------------------------


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.url: str = args.url
        self.mode: str = args.mode
        self.access: str = args.access
        self.redirect_uri: str = args.redirect_uri or f"http://127.0.0.1:{unused_loopback_port()}/callback"
        self.storage = MemoryStorage()
        self.trace = Trace()
        self.browser = Browser(self.url, self.redirect_uri, args.email)
        self.raw = httpx2.AsyncClient(follow_redirects=False, timeout=httpx2.Timeout(30.0))
        # (decision, access) for the next authorization the provider starts.
        self.plan: tuple[str, str] = ("allow", self.access)
        self.last: dict[str, Any] | None = None
        self.old_tokens: OAuthToken | None = None  # the tokens before the forced refresh
        self.handler_error: BaseException | None = None
        self.asm: dict[str, Any] = {}
        self.cimd_server: Any = None
        self.cimd_url: str | None = None
        self.cimd_sdk_check_bypassed = False
        self.client: Client | None = None
        self.provider: OAuthClientProvider | None = None
        self.read_only_endpoint: bool = args.read_only_endpoint
        self.read_tools: list[str] = [t for t in (args.read_tools or "").split(",") if t]

    # --- the provider's handlers --------------------------------------------------------------

    async def redirect_handler(self, authorization_url: str) -> None:
        decision, access = self.plan
        try:
            self.last = await self.browser.authorize(authorization_url, decision, access)
        except BaseException as e:
            # Raised here, it also ends the SDK's transport; keep it to report plainly.
            self.handler_error = e
            raise

    async def callback_handler(self) -> AuthorizationCodeResult:
        assert self.last is not None
        params = self.last["response"] or {}
        if "code" not in params:
            e = StepFailed(f"the authorization ended without a code: {short(params)}")
            self.handler_error = e
            raise e
        return AuthorizationCodeResult(code=params["code"], state=params.get("state"), iss=params.get("iss"))

    # --- helpers ----------------------------------------------------------------------------

    def tokens(self) -> OAuthToken:
        check(self.storage.tokens is not None, "the provider stored no tokens")
        assert self.storage.tokens is not None
        return self.storage.tokens

    def client_info(self) -> OAuthClientInformationFull:
        check(self.storage.client_info is not None, "the provider stored no client information")
        assert self.storage.client_info is not None
        return self.storage.client_info

    def expire_access_token(self) -> None:
        """Makes the provider see its access token as expired, so the next request refreshes.
        (`token_expiry_time` 0 would read as "no expiry": it must be a past time.)"""
        assert self.provider is not None
        self.provider.context.token_expiry_time = time.time() - 1

    async def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        assert self.client is not None
        with anyio.fail_after(STEP_TIMEOUT):
            result = await self.client.call_tool(tool, arguments)
        return result.model_dump(mode="json", by_alias=True)

    async def list_projects_ok(self, label: str) -> list[dict[str, Any]]:
        try:
            raw = await self.call("list_projects", {})
        except MCPError as e:
            raise StepFailed(f"{label}: list_projects answered JSON-RPC error {e.code} {e.message!r}") from e
        check(not raw.get("isError"), f"{label}: list_projects is an error result: {short(raw)}")
        structured = raw.get("structuredContent")
        check(
            isinstance(structured, dict) and isinstance(structured.get("projects"), list),
            f"{label}: list_projects has no structuredContent.projects list: {short(raw)}",
        )
        return structured["projects"]

    async def token_request(self, form: dict[str, str]) -> httpx2.Response:
        info = self.client_info()
        headers = {}
        if info.client_secret and info.token_endpoint_auth_method == "client_secret_basic":
            pair = f"{info.client_id}:{info.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        elif info.client_secret:
            form = {**form, "client_secret": info.client_secret}
        return await self.raw.post(self.asm["token_endpoint"], data=form, headers=headers)

    def expect_invalid_grant(self, response: httpx2.Response, what: str) -> str:
        try:
            body = response.json()
        except ValueError:
            body = None
        check(
            response.status_code == 400 and isinstance(body, dict) and body.get("error") == "invalid_grant",
            f"{what}: expected 400 {{\"error\": \"invalid_grant\"}} (RFC 6749 §5.2), got {response.status_code} "
            f"{short(body if body is not None else response.text)}",
        )
        return str(body.get("error_description", ""))

    # --- steps ------------------------------------------------------------------------------

    async def discovery(self) -> None:
        """What the provider will find, checked directly: the 401 challenge and both metadata
        documents."""
        probe = await self.raw.post(
            self.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"},
        )
        challenge = probe.headers.get("www-authenticate", "")
        check(probe.status_code == 401, f"POST {self.url} without a token answered {probe.status_code}, not 401")
        check(
            challenge.lower().startswith("bearer") and 'resource_metadata="' in challenge,
            f"the 401 has no `WWW-Authenticate: Bearer resource_metadata=\"…\"`: {challenge!r}",
        )
        prm_url = challenge.split('resource_metadata="', 1)[1].split('"', 1)[0]
        prm_response = await self.raw.get(prm_url)
        check(prm_response.status_code == 200, f"GET {prm_url} answered {prm_response.status_code}")
        prm = prm_response.json()
        check(
            str(prm.get("resource", "")).rstrip("/") == self.url.rstrip("/"),
            f"the protected-resource metadata's resource is {prm.get('resource')!r}, not {self.url!r}",
        )
        servers = prm.get("authorization_servers")
        check(isinstance(servers, list) and servers, f"no authorization_servers in {short(prm)}")
        issuer = servers[0]
        asm_url = issuer.rstrip("/") + "/.well-known/oauth-authorization-server"
        asm_response = await self.raw.get(asm_url)
        check(asm_response.status_code == 200, f"GET {asm_url} answered {asm_response.status_code}")
        asm = asm_response.json()
        check(asm.get("issuer") == issuer, f"the metadata's issuer {asm.get('issuer')!r} is not {issuer!r} (RFC 8414 §3.3)")
        for key, path in (
            ("authorization_endpoint", "/oauth/authorize"),
            ("token_endpoint", "/oauth/token"),
            ("registration_endpoint", "/oauth/register"),
            ("revocation_endpoint", "/oauth/revoke"),
        ):
            check(
                isinstance(asm.get(key), str) and urlparse(asm[key]).path == path,
                f"{key} is {asm.get(key)!r}, expected …{path}",
            )
        check("S256" in (asm.get("code_challenge_methods_supported") or []), "S256 is not in code_challenge_methods_supported")
        check(asm.get("client_id_metadata_document_supported") is True, "client_id_metadata_document_supported is not true")
        missing = EXPECTED_SCOPES - set(asm.get("scopes_supported") or [])
        check(not missing, f"scopes_supported lacks {sorted(missing)}")
        if self.read_only_endpoint:
            check(
                "data:write" not in (prm.get("scopes_supported") or []),
                f"the read-only endpoint's metadata offers data:write: {prm.get('scopes_supported')}",
            )
        self.asm = asm
        emit(
            "discovery",
            resource_metadata=prm_url,
            issuer=issuer,
            prm_scopes=prm.get("scopes_supported"),
            iss_parameter_supported=asm.get("authorization_response_iss_parameter_supported"),
        )

    def make_provider(self) -> OAuthClientProvider:
        metadata = OAuthClientMetadata(
            client_name="platform-mcp e2e (python SDK)",
            redirect_uris=[self.redirect_uri],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            # None: not sent, so RFC 7591's default (client_secret_basic) applies and the server
            # issues a secret.
            token_endpoint_auth_method=None if self.args.token_auth == "omit" else self.args.token_auth,
        )
        url = self.cimd_url
        sdk_url = url
        if url is not None and not url.startswith("https://"):
            # The SDK refuses it in the constructor (`is_valid_client_metadata_url`: https and a
            # path); the flow itself never looks at the scheme again.
            sdk_url = None
        provider = OAuthClientProvider(
            server_url=self.url,
            client_metadata=metadata,
            storage=self.storage,
            redirect_handler=self.redirect_handler,
            callback_handler=self.callback_handler,
            client_metadata_url=sdk_url,
        )
        if url is not None and sdk_url is None:
            provider.context.client_metadata_url = url
            self.cimd_sdk_check_bypassed = True
        return provider

    async def connected(self) -> None:
        """The connection is up: the provider authorized once, with the pages and the choice
        expected."""
        assert self.client is not None
        version = self.client.protocol_version
        check(
            version == EXPECTED_VERSION[self.mode],
            f"mode={self.mode} negotiated {version!r}, expected {EXPECTED_VERSION[self.mode]!r}",
        )
        check(len(self.browser.authorizations) == 1, f"{len(self.browser.authorizations)} authorizations, expected 1")
        auth = self.browser.authorizations[0]
        check(
            auth["pages"] and auth["pages"][0].startswith("303 -> /oauth/consent"),
            f"/oauth/authorize did not send the browser to the consent page with 303: {auth['pages']}",
        )
        check("login" in auth["pages"], f"a new browser was not asked to log in: {auth['pages']}")
        check("consent" in auth["pages"], f"the consent page was not shown: {auth['pages']}")
        check(
            auth["request"]["code_challenge_method"] == "S256",
            f"the SDK sent code_challenge_method {auth['request']['code_challenge_method']!r}",
        )
        check(
            (auth["request"]["resource"] or "").rstrip("/") == self.url.rstrip("/"),
            f"the authorization request's resource is {auth['request']['resource']!r}, not {self.url!r}",
        )
        response = auth["response"] or {}
        check(response.get("iss") == self.asm["issuer"], f"iss in the redirect is {response.get('iss')!r}")
        info = self.client_info()
        registration_path = urlparse(self.asm["registration_endpoint"]).path
        registrations = [e for e in self.trace.entries if e["path"] == registration_path]
        if self.cimd_url:
            check(info.client_id == self.cimd_url, f"the provider uses client_id {info.client_id!r}, not the CIMD URL")
            check(not registrations, f"the provider registered (DCR) although CIMD was offered: {registrations}")
            if self.cimd_server is not None:
                check(self.cimd_server.fetches, "the server never fetched the client metadata document")
        else:
            check(len(registrations) == 1, f"expected one DCR POST, saw {registrations}")
            check(
                registrations[0]["status"] in (200, 201),
                f"the registration answered {registrations[0]['status']}",
            )
        token = self.tokens()
        granted = scopes_of(token)
        check(bool(token.refresh_token), "the token response has no refresh_token")
        check("data:read" in granted, f"the granted scope {token.scope!r} lacks data:read")
        if self.read_only_endpoint:
            check("data:write" not in granted, f"a token for the read-only endpoint has the scope {token.scope!r}")
        elif self.access == "write":
            check("data:write" in granted, f"read-write was approved but the scope is {token.scope!r}")
        else:
            check("data:write" not in granted, f"read-only was approved but the scope is {token.scope!r}")
        fields: dict[str, Any] = {
            "protocolVersion": version,
            "client_id": info.client_id,
            "token_endpoint_auth_method": info.token_endpoint_auth_method,
            "registration": "cimd" if self.cimd_url else "dcr",
            "requested_scope": auth["request"]["scope"],
            "prompt": auth["request"]["prompt"],
            "pages": auth["pages"],
            "consent": auth.get("consent"),
            "granted_scope": token.scope,
            "expires_in": token.expires_in,
        }
        if self.cimd_url:
            fields["cimd_sdk_https_check_bypassed"] = self.cimd_sdk_check_bypassed
            if self.cimd_server is not None:
                fields["cimd_fetches"] = len(self.cimd_server.fetches)
        emit("oauth authorize", **fields)

    async def list_projects(self) -> None:
        projects = await self.list_projects_ok("list_projects")
        check(len(projects) >= 1, "list_projects: the seeded person is in no project")
        emit("list_projects", projects=[p.get("name") for p in projects if isinstance(p, dict)])

    async def refresh(self) -> None:
        """The provider's own refresh path: its access token marked expired, the next call
        refreshes first."""
        before = self.tokens()
        self.old_tokens = before
        authorizations = len(self.browser.authorizations)
        mark = self.trace.mark()
        self.expire_access_token()
        await self.list_projects_ok("list_projects after the forced refresh")
        after = self.tokens()
        refreshes = [e for e in self.trace.since(mark) if e.get("grant_type") == "refresh_token"]
        check(
            len(refreshes) == 1 and refreshes[0]["status"] == 200,
            f"expected one refresh_token grant answered 200: {self.trace.describe(mark)}",
        )
        check(len(self.browser.authorizations) == authorizations, "the refresh needed a new authorization")
        check(after.access_token != before.access_token, "the access token did not change on refresh")
        check(bool(after.refresh_token), "the refresh response has no refresh_token")
        check(after.refresh_token != before.refresh_token, "the refresh token was not rotated")
        check(
            scopes_of(after) == scopes_of(before),
            f"the refresh changed the scope from {before.scope!r} to {after.scope!r}",
        )
        emit("refresh", rotated=True, scope=after.scope, expires_in=after.expires_in)

    async def refresh_reuse(self) -> None:
        """The old refresh token again, raw at the token endpoint: invalid_grant; and the family
        is then revoked, so the current refresh token is refused too."""
        info = self.client_info()
        form = {"grant_type": "refresh_token", "client_id": info.client_id, "resource": self.url}
        assert self.old_tokens is not None
        old = await self.token_request({**form, "refresh_token": self.old_tokens.refresh_token or ""})
        description = self.expect_invalid_grant(old, "the rotated refresh token presented again")
        emit("refresh reuse", status=old.status_code, error="invalid_grant", error_description=description)
        current = await self.token_request({**form, "refresh_token": self.tokens().refresh_token or ""})
        description = self.expect_invalid_grant(
            current, "the current refresh token after its family's rotated token was replayed (family revocation)"
        )
        emit("refresh family revoked", status=current.status_code, error="invalid_grant", error_description=description)

    async def reauthorize(self) -> None:
        """With its refresh token revoked, the provider's refresh fails and it authorizes again;
        the browser still has its session (no login). The SDK sends prompt=consent, so the
        consent page comes again, starting from the person's earlier choice; without it, a
        remembered approval is reused as it is."""
        authorizations = len(self.browser.authorizations)
        client_id = self.client_info().client_id
        mark = self.trace.mark()
        self.plan = ("allow", self.access)
        self.expire_access_token()
        await self.list_projects_ok("list_projects after the refresh token was revoked")
        refreshes = [e for e in self.trace.since(mark) if e.get("grant_type") == "refresh_token"]
        check(
            refreshes and refreshes[0]["status"] == 400,
            f"expected the provider's refresh to fail with 400: {self.trace.describe(mark)}",
        )
        check(
            len(self.browser.authorizations) == authorizations + 1,
            f"expected one new authorization, saw {len(self.browser.authorizations) - authorizations}",
        )
        auth = self.browser.authorizations[-1]
        check(self.client_info().client_id == client_id, "the provider registered a new client to re-authorize")
        check("login" not in auth["pages"], f"the browser session was not used; the login page came again: {auth['pages']}")
        forced = "consent" in (auth["request"].get("prompt") or "").split()
        if forced:
            check(
                "consent" in auth["pages"],
                f"prompt=consent did not bring the consent page back: {auth['pages']}",
            )
            # The read-only endpoint never asks to write, so it starts from read-only.
            earlier = "read" if self.read_only_endpoint else self.access
            check(
                auth["consent"]["preselected"] == earlier,
                f"the consent page did not start from the earlier choice ({earlier}): {auth['consent']}",
            )
        else:
            check(
                "consent" not in auth["pages"],
                f"the remembered approval was not reused; the consent page came again: {auth['pages']}",
            )
        emit("reauthorize", pages=auth["pages"], granted_scope=self.tokens().scope)

    async def write_allowed(self) -> None:
        mark = self.trace.mark()
        bogus = str(uuid.uuid4())
        try:
            raw = await self.call(
                "create_data", {"projectId": bogus, "collectionName": "tasks", "data": {"title": "x"}}
            )
        except MCPError as e:
            refused = [x for x in self.trace.since(mark) if x["status"] == 403]
            check(not refused, f"create_data with a read-write token was refused: {self.trace.describe(mark)}")
            emit("write allowed", result="JSON-RPC error", code=e.code, message=e.message)
            return
        structured = raw.get("structuredContent") or {}
        err = structured.get("error") if isinstance(structured, dict) else None
        emit(
            "write allowed",
            result="tool error" if raw.get("isError") else "tool result",
            code=err.get("code") if isinstance(err, dict) else None,
        )

    async def write_refused(self) -> None:
        """A read-only token calling a write tool: 403 insufficient_scope. The SDK answers it with
        a step-up authorization (SEP-2350) for the union of scopes; the person keeps read-only,
        so the retried call is refused again and surfaces as a JSON-RPC error."""
        mark = self.trace.mark()
        authorizations = len(self.browser.authorizations)
        self.plan = ("allow", "read")
        bogus = str(uuid.uuid4())
        error: MCPError | None = None
        try:
            raw = await self.call(
                "create_data", {"projectId": bogus, "collectionName": "tasks", "data": {"title": "x"}}
            )
        except MCPError as e:
            error = e
            raw = None
        refused = [x for x in self.trace.since(mark) if x["status"] == 403]
        check(refused, f"create_data with a read-only token was not refused with 403: {self.trace.describe(mark)}; result {short(raw)}")
        challenge = refused[0].get("www_authenticate", "")
        check(
            'error="insufficient_scope"' in challenge,
            f"the 403 has no WWW-Authenticate error=\"insufficient_scope\": {challenge!r}",
        )
        scope = challenge.split('scope="', 1)[1].split('"', 1)[0] if 'scope="' in challenge else ""
        check("data:write" in scope.split(), f"the 403 challenge does not name scope data:write: {challenge!r}")
        check("resource_metadata=" in challenge, f"the 403 challenge has no resource_metadata: {challenge!r}")
        step_ups = self.browser.authorizations[authorizations:]
        check(error is not None, f"create_data went through with a read-only grant: {short(raw)}")
        assert error is not None
        emit(
            "write refused",
            status=403,
            www_authenticate=challenge,
            sdk="step-up authorization" if step_ups else "no step-up",
            step_up_scope=step_ups[0]["request"]["scope"] if step_ups else None,
            step_up_pages=step_ups[0]["pages"] if step_ups else None,
            refusals=len(refused),
            call_error={"code": error.code, "message": error.message},
        )
        projects = await self.list_projects_ok("list_projects after the refused write")
        emit("read after refusal", projects=len(projects), granted_scope=self.tokens().scope)

    async def step_up(self) -> None:
        """The person approves read-write at the step-up: the write call goes through."""
        mark = self.trace.mark()
        authorizations = len(self.browser.authorizations)
        self.plan = ("allow", "write")
        bogus = str(uuid.uuid4())
        try:
            raw = await self.call(
                "create_data", {"projectId": bogus, "collectionName": "tasks", "data": {"title": "x"}}
            )
        except MCPError as e:
            raise StepFailed(
                f"create_data after approving read-write: JSON-RPC error {e.code} {e.message!r}; "
                f"{self.trace.describe(mark)}"
            ) from e
        step_ups = self.browser.authorizations[authorizations:]
        check(len(step_ups) == 1, f"expected one step-up authorization, saw {len(step_ups)}: {self.trace.describe(mark)}")
        check("data:write" in scopes_of(self.tokens()), f"after the step-up the scope is {self.tokens().scope!r}")
        structured = raw.get("structuredContent") or {}
        err = structured.get("error") if isinstance(structured, dict) else None
        emit(
            "step-up",
            pages=step_ups[0]["pages"],
            requested_scope=step_ups[0]["request"]["scope"],
            granted_scope=self.tokens().scope,
            create_data="tool error" if raw.get("isError") else "tool result",
            code=err.get("code") if isinstance(err, dict) else None,
        )

    async def read_only_tools(self) -> None:
        """The read-only endpoint lists exactly the reading tools."""
        assert self.client is not None
        with anyio.fail_after(STEP_TIMEOUT):
            listed = await self.client.list_tools()
        names = [t.name for t in listed.tools]
        check(
            sorted(names) == sorted(self.read_tools),
            f"tools/list at the read-only endpoint names {names}, expected exactly {self.read_tools}",
        )
        emit("read-only tools", tools=names)

    async def write_refused_as_unknown(self) -> None:
        """A write tool at the read-only endpoint is not a tool there: a JSON-RPC error
        (-32602, as for an unknown tool) saying to connect to /mcp; no 403, no step-up."""
        mark = self.trace.mark()
        authorizations = len(self.browser.authorizations)
        try:
            raw = await self.call(
                "create_data", {"projectId": str(uuid.uuid4()), "collectionName": "tasks", "data": {"title": "x"}}
            )
        except MCPError as e:
            check(e.code == -32602, f"create_data answered JSON-RPC error {e.code}, expected -32602: {e.message!r}")
            check(
                "read-only endpoint" in e.message and "/mcp" in e.message,
                f"the refusal does not say this is the read-only endpoint: {e.message!r}",
            )
            refused = [x for x in self.trace.since(mark) if x["status"] in (401, 403)]
            check(not refused, f"the refusal went through HTTP 401/403: {self.trace.describe(mark)}")
            check(
                len(self.browser.authorizations) == authorizations,
                "the refused write started an authorization (step-up)",
            )
            emit("write refused", code=e.code, message=e.message)
            return
        raise StepFailed(f"create_data at the read-only endpoint answered a result: {short(raw)}")

    async def consent_deny(self) -> None:
        """Deny on the consent page sends `error=access_denied` (with state and iss) to the
        client. A fresh client (registered here) so no remembered approval skips the page."""
        registration = await self.raw.post(
            self.asm["registration_endpoint"],
            json={
                "client_name": "platform-mcp e2e (deny)",
                "redirect_uris": [self.redirect_uri],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
            },
        )
        check(
            registration.status_code in (200, 201),
            f"registering a client answered {registration.status_code}: {short(registration.text)}",
        )
        client_id = registration.json().get("client_id")
        _, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        url = self.asm["authorization_endpoint"] + "?" + urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": self.redirect_uri,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "scope": "data:read data:write",
                "resource": self.url,
            }
        )
        record = await self.browser.authorize(url, "deny", "write")
        response = record["response"] or {}
        check("consent" in record["pages"], f"the consent page was not shown to a new client: {record['pages']}")
        check(response.get("error") == "access_denied", f"Deny answered {short(response)}, expected error=access_denied")
        check("code" not in response, "Deny still sent a code")
        check(response.get("state") == state, f"Deny's state is {response.get('state')!r}, not the one sent")
        check(response.get("iss") == self.asm["issuer"], f"Deny's iss is {response.get('iss')!r}")
        emit("consent deny", pages=record["pages"], response={k: v for k, v in response.items() if k != "state"})

    # --- driver -----------------------------------------------------------------------------

    async def main(self) -> int:
        step = "discovery"
        try:
            with anyio.fail_after(STEP_TIMEOUT):
                await self.discovery()
            if self.args.serve_cimd:
                from cimd_server import CimdServer

                self.cimd_server = CimdServer(
                    self.args.serve_cimd,
                    # Portless: the client uses a random port, which RFC 8252 §7.3 lets vary
                    # (what Claude Code's document does with http://localhost/callback).
                    [portless(self.redirect_uri)],
                    cert_dir=self.args.cimd_cert_dir,
                )
                self.cimd_url = self.cimd_server.start()
                emit("cimd server", url=self.cimd_url, ca=str(self.cimd_server.ca) if self.cimd_server.ca else None)
            elif self.args.client_metadata_url:
                self.cimd_url = self.args.client_metadata_url
            step = "oauth authorize"
            self.provider = self.make_provider()
            async with (
                httpx2.AsyncClient(
                    auth=self.provider,
                    timeout=httpx2.Timeout(30.0, read=60.0),
                    event_hooks={"response": [self.trace.hook]},
                ) as http,
                Client(streamable_http_client(self.url, http_client=http), mode=self.mode) as client,
            ):
                self.client = client
                # Failures are caught inside the connection, so they are not wrapped in the
                # exception groups of the transport's task group on the way out.
                try:
                    steps = [
                        ("oauth authorize", self.connected),
                        ("list_projects", self.list_projects),
                        ("refresh", self.refresh),
                        ("refresh reuse", self.refresh_reuse),
                        ("reauthorize", self.reauthorize),
                    ]
                    if self.read_only_endpoint:
                        steps += [
                            ("read-only tools", self.read_only_tools),
                            ("write refused", self.write_refused_as_unknown),
                        ]
                    elif self.access == "write":
                        steps.append(("write allowed", self.write_allowed))
                    else:
                        steps += [("write refused", self.write_refused), ("step-up", self.step_up)]
                    steps.append(("consent deny", self.consent_deny))
                    for step, action in steps:
                        self.handler_error = None
                        await action()
                except StepFailed as e:
                    return self.fail(step, str(e))
                except MCPError as e:
                    return self.fail(step, f"JSON-RPC error {e.code}: {e.message} (data {short(e.data)})")
                except TimeoutError:
                    return self.fail(step, f"no answer within {STEP_TIMEOUT:.0f} s; {self.trace.describe(0)}")
                except Exception as e:
                    return self.fail(step, f"{type(e).__name__}: {e}")
        except BaseException as e:  # connect failures, possibly grouped by anyio
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            leaf = first_leaf(e)
            if self.handler_error is not None:
                leaf = self.handler_error
            if isinstance(leaf, TimeoutError):
                return self.fail(step, f"no answer within {STEP_TIMEOUT:.0f} s; {self.trace.describe(0)}")
            if isinstance(leaf, MCPError):
                return self.fail(step, f"JSON-RPC error {leaf.code}: {leaf.message}; {self.trace.describe(0)}")
            return self.fail(step, f"{type(leaf).__name__}: {leaf}; HTTP: {self.trace.describe(0)}")
        finally:
            await self.browser.aclose()
            await self.raw.aclose()
            if self.cimd_server is not None:
                self.cimd_server.stop()
        print(
            json.dumps({"step": "done", "ok": True, "mode": self.mode, "access": self.access,
                        "registration": "cimd" if self.cimd_url else "dcr"}),
            flush=True,
        )
        return 0

    def fail(self, step: str, message: str) -> int:
        if self.handler_error is not None and str(self.handler_error) not in message:
            message += f" (in the authorization: {self.handler_error})"
        print(json.dumps({"step": step, "ok": False, "error": message}), flush=True)
        print(f"oauth_client.py: FAILED at {step}: {message}", file=sys.stderr)
        return 1


def first_leaf(e: BaseException) -> BaseException:
    while isinstance(getattr(e, "exceptions", None), tuple) and e.exceptions:  # an ExceptionGroup
        e = e.exceptions[0]
    return e


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server's MCP endpoint, e.g. http://127.0.0.1:8080/mcp")
    parser.add_argument("--email", required=True, help="the seeded person's email, typed into the dev login form")
    parser.add_argument("--mode", choices=("auto", "legacy"), default="auto")
    parser.add_argument("--access", choices=("write", "read"), default="write", help="what to approve on the consent page")
    cimd = parser.add_mutually_exclusive_group()
    cimd.add_argument(
        "--client-metadata-url",
        help="use this Client ID Metadata Document URL as client_id instead of registering (its "
        f"redirect_uris must allow http://127.0.0.1:<any port>/callback, or pass --redirect-uri)",
    )
    cimd.add_argument(
        "--serve-cimd",
        choices=("http", "https"),
        help="serve a metadata document from a loopback server of this script's own and use it",
    )
    parser.add_argument("--cimd-cert-dir", type=Path, help="with --serve-cimd https: where the test CA is kept")
    parser.add_argument(
        "--token-auth",
        choices=("none", "client_secret_post", "client_secret_basic", "omit"),
        default="none",
        help="the token_endpoint_auth_method the SDK registers with (DCR); omit: not sent",
    )
    parser.add_argument("--redirect-uri", help="the client's redirect URI (default http://127.0.0.1:<unused port>/callback)")
    parser.add_argument(
        "--read-only-endpoint",
        action="store_true",
        help="--url is the read-only endpoint (/mcp/readonly): expect its tools and refusals",
    )
    parser.add_argument("--read-tools", help="with --read-only-endpoint: the reading tools, comma-separated")
    args = parser.parse_args()
    if args.read_only_endpoint and not args.read_tools:
        parser.error("--read-only-endpoint needs --read-tools")
    return args


if __name__ == "__main__":
    arguments = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.dont_write_bytecode = True  # importing cimd_server leaves no __pycache__ in the tree
    sys.exit(anyio.run(Run(arguments).main))
