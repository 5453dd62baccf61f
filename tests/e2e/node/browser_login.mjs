// Drives the server-rendered login and consent pages of a running platform-mcp server in
// headless Chromium (Debian's /usr/bin/chromium, through playwright-core; playwright's own
// browser download is never used), as a person connecting an MCP client would:
//
//   node browser_login.mjs --base http://127.0.0.1:PORT --email E --out DIR
//
// For each viewport (a phone, 390×844 at 3× with touch, and a 1280×800 desktop) it registers a
// public client "Screenshot client" (POST /oauth/register, redirect http://127.0.0.1:9/callback),
// opens /oauth/authorize with PKCE S256, a state and resource BASE/mcp, screenshots the login
// page (DIR/login-<viewport>.png), signs in as E (the dev login: one email field), screenshots
// the consent page (DIR/consent-<viewport>.png), checks its words and both access choices,
// presses Allow, and catches the browser's navigation to the callback with the request event
// (nothing listens on port 9), which must carry `code`, the `state` and `iss`.
// The code is then exchanged at /oauth/token to show it is real. One client per viewport, because
// an approval is remembered per person × client and the second run would skip the consent page.
//
// Also checked on every page: no horizontal scrolling (nothing cut off at the side), the buttons
// visible and at least 40 CSS px tall, and no console errors up to the consent page (a CSP
// violation is one).
// Prints one JSON line per step on stdout ({"step", "ok", ...}); on the first failure it prints
// that step with "ok": false and the reason, repeats the reason on stderr and exits 1.
// Set CHROMIUM to use another Chromium binary than /usr/bin/chromium.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Flags for this machine's closed network: without the background-networking ones Chromium
// keeps trying (and failing) to reach Google's hosts. Playwright itself adds --headless and a
// fresh, temporary --user-data-dir for every launch.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];
const CLIENT_NAME = 'Screenshot client';
const REDIRECT = 'http://127.0.0.1:9/callback';
const SCOPE = 'data:read data:write';
const VIEWPORTS = [
  {
    name: 'phone',
    context: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
  },
  { name: 'desktop', context: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
];
const TIMEOUT_MS = 15_000;

class StepFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new StepFailed(message);
}

function emit(step, fields = {}) {
  console.log(JSON.stringify({ step, ok: true, ...fields }));
}

function fail(step, reason) {
  console.log(JSON.stringify({ step, ok: false, reason }));
  console.error(`browser_login: step ${step} failed: ${reason}`);
  return 1;
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

async function json(response, what) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new StepFailed(`${what}: HTTP ${response.status}, not JSON: ${text.slice(0, 400)}`);
  }
}

class Run {
  constructor(base, email, out, browser) {
    this.base = base.replace(/\/+$/, '');
    this.email = email;
    this.out = out;
    this.browser = browser;
    this.issuer = '';
  }

  async metadata() {
    const response = await fetch(`${this.base}/.well-known/oauth-authorization-server`);
    const body = await json(response, 'authorization server metadata');
    check(response.ok, `metadata: HTTP ${response.status}`);
    check(typeof body.issuer === 'string' && body.issuer, `metadata has no issuer: ${JSON.stringify(body)}`);
    this.issuer = body.issuer;
    emit('metadata', { issuer: this.issuer });
  }

  async register(viewport) {
    const response = await fetch(`${this.base}/oauth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: CLIENT_NAME,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
      }),
    });
    const body = await json(response, 'registration');
    check(response.status === 201, `registration: HTTP ${response.status} ${JSON.stringify(body)}`);
    check(typeof body.client_id === 'string' && body.client_id, `registration returned no client_id: ${JSON.stringify(body)}`);
    emit(`${viewport}: register`, { client_id: body.client_id });
    return body.client_id;
  }

  authorizeUrl(clientId, challenge, state) {
    const url = new URL(`${this.base}/oauth/authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      scope: SCOPE,
      resource: `${this.base}/mcp`,
    })) {
      url.searchParams.set(k, v);
    }
    return url.toString();
  }

  // Layout checks a person would notice: sideways scrolling, hidden or tiny buttons.
  async layout(page, what) {
    const metrics = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      buttons: [...document.querySelectorAll('button')].map((b) => {
        const r = b.getBoundingClientRect();
        return { text: b.textContent.trim(), width: r.width, height: r.height, left: r.left, right: r.right };
      }),
    }));
    check(
      metrics.scrollWidth <= metrics.clientWidth,
      `${what}: the page scrolls sideways (content ${metrics.scrollWidth}px wide, window ${metrics.clientWidth}px)`,
    );
    check(metrics.buttons.length > 0, `${what}: no button`);
    for (const b of metrics.buttons) {
      check(b.height >= 40 && b.width >= 80, `${what}: button "${b.text}" is only ${b.width}×${b.height}px`);
      check(b.left >= 0 && b.right <= metrics.clientWidth, `${what}: button "${b.text}" is cut off (${b.left}..${b.right})`);
    }
    return metrics;
  }

  async flow({ name, context: options }) {
    const clientId = await this.register(name);
    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    const state = b64url(randomBytes(16));

    const context = await this.browser.newContext({ ...options, locale: 'en-US' });
    context.setDefaultTimeout(TIMEOUT_MS);
    context.setDefaultNavigationTimeout(TIMEOUT_MS);
    const consoleErrors = [];
    try {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(String(error)));

      // --- Login ---
      const response = await page.goto(this.authorizeUrl(clientId, challenge, state));
      check(response, `${name}: the authorization URL gave no response`);
      await page.waitForSelector('input[name=email]');
      const loginUrl = new URL(page.url());
      check(loginUrl.pathname === '/oauth/login', `${name}: expected the login page, at ${page.url()}`);
      const loginText = await page.locator('body').innerText();
      check(
        loginText.includes(`Sign in to continue to ${CLIENT_NAME}`),
        `${name}: the login page does not name the client: ${JSON.stringify(loginText)}`,
      );
      const loginLayout = await this.layout(page, `${name} login`);
      const loginShot = join(this.out, `login-${name}.png`);
      await page.screenshot({ path: loginShot, fullPage: true });
      emit(`${name}: login page`, { url: page.url(), screenshot: loginShot, buttons: loginLayout.buttons.map((b) => b.text) });

      await page.fill('input[name=email]', this.email);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/oauth/consent'),
        page.locator('form[action="/oauth/login"] button[type=submit]').click(),
      ]);
      emit(`${name}: signed in`, { email: this.email, url: page.url() });

      // --- Consent ---
      const consentText = await page.locator('body').innerText();
      const heading = `Allow ${CLIENT_NAME} to access your projects?`;
      check(consentText.includes(heading), `${name}: the consent page lacks "${heading}": ${JSON.stringify(consentText)}`);
      check(consentText.includes('127.0.0.1'), `${name}: the consent page does not show the client's host`);
      check(consentText.includes(REDIRECT), `${name}: the consent page does not show where it redirects (${REDIRECT})`);
      check(consentText.includes(this.email), `${name}: the consent page does not show who is signed in (${this.email})`);
      const read = page.locator('input[type=radio][name=access][value=read]');
      const write = page.locator('input[type=radio][name=access][value=write]');
      check((await read.count()) === 1, `${name}: no read-only choice`);
      check((await write.count()) === 1, `${name}: no read-write choice`);
      check(await write.isChecked(), `${name}: read-write was requested but is not the preselected choice`);
      check(/read only/i.test(consentText), `${name}: the read-only choice is not described in words`);
      check(/read and write/i.test(consentText), `${name}: the read-write choice is not described in words`);
      const allow = page.locator('button[name=decision][value=allow]');
      const deny = page.locator('button[name=decision][value=deny]');
      check(await allow.isVisible(), `${name}: no visible Allow button`);
      check(await deny.isVisible(), `${name}: no visible Deny button`);
      const consentLayout = await this.layout(page, `${name} consent`);
      const consentShot = join(this.out, `consent-${name}.png`);
      await page.screenshot({ path: consentShot, fullPage: true });
      emit(`${name}: consent page`, { url: page.url(), screenshot: consentShot, buttons: consentLayout.buttons.map((b) => b.text) });

      check(consoleErrors.length === 0, `${name}: console errors: ${JSON.stringify(consoleErrors)}`);

      // --- Allow, and the redirect back to the client ---
      // The browser follows the 303 to the callback; the request event catches that request
      // (route handlers see only the first request of a redirect chain). Nothing listens on
      // 127.0.0.1:9, so the navigation then fails, as it would with the client not running.
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(REDIRECT) && r.isNavigationRequest()),
        allow.click({ noWaitAfter: true }),
      ]);
      const callback = new URL(request.url());
      const params = Object.fromEntries(callback.searchParams);
      check(callback.origin + callback.pathname === REDIRECT, `${name}: redirected to ${request.url()}, not ${REDIRECT}`);
      check(!params.error, `${name}: the callback carries error=${params.error} (${params.error_description ?? ''})`);
      check(params.code, `${name}: the callback has no code: ${request.url()}`);
      check(params.state === state, `${name}: the callback's state is ${JSON.stringify(params.state)}, expected ${state}`);
      check(params.iss === this.issuer, `${name}: the callback's iss is ${JSON.stringify(params.iss)}, expected ${this.issuer}`);
      emit(`${name}: callback`, { has_code: true, state: params.state, iss: params.iss });

      // --- The code is real: exchange it ---
      const tokenResponse = await fetch(`${this.base}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: params.code,
          redirect_uri: REDIRECT,
          client_id: clientId,
          code_verifier: verifier,
          resource: `${this.base}/mcp`,
        }),
      });
      const token = await json(tokenResponse, 'token exchange');
      check(tokenResponse.ok, `${name}: token exchange: HTTP ${tokenResponse.status} ${JSON.stringify(token)}`);
      check(typeof token.access_token === 'string' && token.access_token, `${name}: no access_token: ${JSON.stringify(token)}`);
      const scopes = String(token.scope ?? '').split(' ');
      check(scopes.includes('data:read') && scopes.includes('data:write'), `${name}: token scope is ${JSON.stringify(token.scope)}`);
      emit(`${name}: token`, { token_type: token.token_type, scope: token.scope });
    } finally {
      await context.close().catch(() => {});
    }
  }
}

async function main() {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, email: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.base || !values.email || !values.out) {
    console.error('usage: node browser_login.mjs --base http://127.0.0.1:PORT --email E --out DIR');
    return 2;
  }
  let step = 'launch';
  let browser;
  try {
    if (!existsSync(CHROMIUM)) {
      return fail(step, `${CHROMIUM} is missing: install Debian's package chromium (scripts/e2e-setup.sh does, as root)`);
    }
    const out = resolve(values.out);
    await mkdir(out, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    emit('launch', { chromium: CHROMIUM, version: browser.version() });
    const run = new Run(values.base, values.email, out, browser);
    step = 'metadata';
    await run.metadata();
    for (const viewport of VIEWPORTS) {
      step = viewport.name;
      await run.flow(viewport);
    }
  } catch (e) {
    if (e instanceof StepFailed) return fail(step, e.message);
    return fail(step, `${e?.name ?? 'Error'}: ${e?.message ?? e}`);
  } finally {
    await browser?.close().catch(() => {});
  }
  console.log(JSON.stringify({ step: 'done', ok: true }));
  return 0;
}

process.exitCode = await main();
