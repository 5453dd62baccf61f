"""The OAuth flow (dynamic registration, authorize, dev login, consent, code, refresh) as a
scripted browser and client with the standard library, each step sent to the instance
the caller names, with the public host in `Host`: state kept by one instance must be
found by another."""

import base64
import hashlib
import http.client
import itertools
import json
import re
import secrets
import urllib.parse

REDIRECT = "http://127.0.0.1:9/callback"


class Browser:
    """Cookies and manual redirects; every request goes to the instance given."""

    def __init__(self, public):
        self.public = urllib.parse.urlsplit(public)
        self.cookies = {}

    def send(self, instance, method, path, form=None):
        """(status, headers, body) of one request to `instance` (host:port)."""
        host, port = instance.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=15)
        headers = {"Host": self.public.netloc}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, data


def path_of(location):
    url = urllib.parse.urlsplit(location)
    return url.path + ("?" + url.query if url.query else "")


def hidden(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    if not match:
        raise AssertionError(f"no hidden {name} in the page")
    return match.group(1)


def flow(public, instances, email, served):
    """Runs the flow with each step on the next instance of `instances`; appends
    (step, instance, status) to `served`. Returns (client_id, tokens, refreshed)."""
    turn = itertools.cycle(instances[1:] + instances[:1])
    browser = Browser(public)

    def step(name, method, path, form=None):
        instance = next(turn)
        status, headers, body = browser.send(instance, method, path, form)
        served.append((name, instance, status))
        return status, headers, body

    client_id = register(public, instances[0], served)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    challenge = challenge.rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
        "code_challenge": challenge, "code_challenge_method": "S256", "state": "soak",
        "scope": "data:read data:write", "resource": f"{public}/mcp"})
    status, headers, body = step("authorize", "GET", f"/oauth/authorize?{query}")
    code = None
    for _ in range(10):
        if status in (302, 303):
            location = headers["Location"]
            if location.startswith(REDIRECT):
                code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
                break
            status, headers, body = step("follow", "GET", path_of(location))
            continue
        if status != 200:
            raise AssertionError(f"the flow answered {status}: {body[:300]!r}")
        html = body.decode()
        if 'action="/oauth/login"' in html:
            form = {"request": hidden(html, "request"), "csrf": hidden(html, "csrf"),
                    "email": email}
            status, headers, body = step("login", "POST", "/oauth/login", form)
        elif 'action="/oauth/consent"' in html:
            form = {"request": hidden(html, "request"), "csrf": hidden(html, "csrf"),
                    "access": "write", "decision": "allow"}
            status, headers, body = step("consent", "POST", "/oauth/consent", form)
        else:
            raise AssertionError(f"unexpected page: {html[:300]}")
    if code is None:
        raise AssertionError("the flow did not end with a code")
    tokens = token(public, next(turn), served, "token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "code_verifier": verifier, "client_id": client_id, "resource": f"{public}/mcp"})
    refreshed = refresh(public, next(turn), served, client_id, tokens["refresh_token"])
    return client_id, tokens, refreshed


def refresh(public, instance, served, client_id, refresh_token):
    return token(public, instance, served, "refresh", {
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id})


def register(public, instance, served):
    host, port = instance.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=15)
    body = json.dumps({"client_name": "Soak client", "redirect_uris": [REDIRECT],
                       "token_endpoint_auth_method": "none"})
    try:
        conn.request("POST", "/oauth/register", body=body, headers={
            "Host": urllib.parse.urlsplit(public).netloc, "Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    served.append(("register", instance, response.status))
    if response.status != 201:
        raise AssertionError(f"registration answered {response.status}: {data[:300]!r}")
    return json.loads(data)["client_id"]


def token(public, instance, served, name, form):
    status, _, body = Browser(public).send(instance, "POST", "/oauth/token", form)
    served.append((name, instance, status))
    if status != 200:
        raise AssertionError(f"{name} answered {status}: {body[:300]!r}")
    return json.loads(body)


def kid(jwt):
    header = jwt.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
