#!/usr/bin/env python3
"""Completes a platform-mcp browser login over plain HTTP, as a person would in a browser.

    complete_login.py AUTHORIZATION_URL --email demo@example.com [--access write|read]

Follows AUTHORIZATION_URL with a cookie jar and manual redirects while they stay on the
authorization server's origin, fills the dev login form (its hidden fields plus `email`),
chooses the access on the consent page and presses Allow. The first redirect that leaves the
server's origin is the authorization response: it is fetched (GET), so that a client's loopback
callback (e.g. the conformance suite's) receives the code, and printed on stdout.

Exit status 0 when the callback was delivered with a `code`; 1 otherwise (an error page, an
unexpected response, or an `error=` authorization response, which is still delivered so the
client sees it). Standard library only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

MAX_STEPS = 12


class FormParser(HTMLParser):
    """The page's forms: method, action, and their <input> and <button> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.text: list[str] = []  # the visible text, for error reports
        self.in_hidden_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.in_hidden_text |= tag in ("style", "script", "title")
        if tag == "form":
            self.forms.append({"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": []})
        elif tag in ("input", "button") and self.forms:
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            self.forms[-1]["fields"].append(
                {"name": a.get("name", ""), "type": kind, "value": a.get("value", "")}
            )

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self.in_hidden_text = False

    def handle_data(self, data: str) -> None:
        if data.strip() and not self.in_hidden_text:
            self.text.append(data.strip())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


def fail(message: str) -> None:
    print(f"complete_login: {message}", file=sys.stderr)
    sys.exit(1)


def fill(form: dict, email: str, access: str) -> dict[str, str]:
    """The values a person would submit: hidden fields, the email, the access, Allow."""
    data = {f["name"]: f["value"] for f in form["fields"] if f["type"] == "hidden" and f["name"]}
    names = {f["name"] for f in form["fields"]}
    if "email" in names:  # the login form
        data["email"] = email
    if "access" in names:  # the consent form
        if access not in {f["value"] for f in form["fields"] if f["name"] == "access"}:
            fail(f"the consent page offers no access={access!r}")
        data["access"] = access
    if "decision" in names:
        if not any(f["name"] == "decision" and f["value"] == "allow" for f in form["fields"]):
            fail("the consent page has no Allow button (decision=allow)")
        data["decision"] = "allow"
    if "email" not in names and "decision" not in names:
        fail(f"a form that is neither the login nor the consent form: {sorted(names)}")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the authorization request URL the client printed")
    parser.add_argument("--email", required=True, help="the person who logs in (dev identity provider)")
    parser.add_argument("--access", choices=("write", "read"), default="write", help="the consent page's choice")
    args = parser.parse_args()

    parts = urllib.parse.urlsplit(args.url)
    server_origin = f"{parts.scheme}://{parts.netloc}"
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    method, url, data = "GET", args.url, None
    submitted: set[str] = set()  # the forms already filled: one coming back means it was refused
    for _ in range(MAX_STEPS):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method)
        try:
            response = browser.open(request, timeout=10)
        except urllib.error.HTTPError as e:  # 3xx (redirects are not followed) and 4xx/5xx
            response = e
        status, location = response.status, response.headers.get("Location")
        html = response.read().decode("utf-8", "replace")
        print(f"complete_login: {method} {url.split('?')[0]} -> {status}", file=sys.stderr)

        if status in (301, 302, 303, 307, 308) and location:
            target = urllib.parse.urljoin(url, location)
            if not target.startswith(server_origin + "/"):
                return deliver(target)
            method, url, data = "GET", target, None
            continue
        page = FormParser()
        page.feed(html)
        if status != 200 or not page.forms:
            fail(f"{method} {url} answered {status}: {' '.join(page.text)[:500]}")
        form = page.forms[0]
        method = form["method"].upper()
        url = urllib.parse.urljoin(url, form["action"])
        if url in submitted:
            fail(f"the form at {url} came back after it was submitted: {' '.join(page.text)[:500]}")
        submitted.add(url)
        data = fill(form, args.email, args.access)
    fail(f"no redirect back to the client after {MAX_STEPS} steps")


def deliver(callback: str) -> None:
    """GETs the authorization response at the client's redirect URI (no cookies: another
    origin) and reports it."""
    print(callback)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query)
    try:
        with urllib.request.urlopen(callback, timeout=10) as response:
            print(f"complete_login: GET {callback.split('?')[0]} -> {response.status}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as e:
        fail(f"the client's redirect URI {callback.split('?')[0]} could not be reached: {e}")
    if "error" in query:
        fail(f"the server sent an error to the client: {query['error'][0]} {query.get('error_description', [''])[0]}")
    if not query.get("code"):
        fail("the redirect back to the client carries no code")


if __name__ == "__main__":
    main()
