// Chooses what a connection may reach on the consent page of a running platform-mcp server, in
// headless Chromium (Debian's /usr/bin/chromium, through playwright-core), as a person who
// trusts an assistant with one of their projects and only to read:
//
//   node browser_consent_projects.mjs --base http://127.0.0.1:PORT --email E \
//        --chosen ID --chosen-name NAME --chosen-role ROLE \
//        --other ID --other-name NAME --other-role ROLE --out DIR
//
// E is a member of both projects (tests/src/e2e/browser.rs sets that up). For each viewport
// (a phone, 390×844 at 3× with touch, and a 1280×800 desktop), with a new client each (an
// approval is remembered per person × client):
//   1. opens /oauth/authorize (PKCE S256), signs in as E, and checks the consent page: both
//      projects listed with name and role, "All my projects" preselected, no box ticked;
//   2. chooses "Only the projects I choose", ticks the chosen project, chooses "Read only",
//      screenshots the page (DIR/consent-projects-<viewport>.png), presses Allow and
//      exchanges the code (token "first");
//   3. authorizes again with prompt=consent: the page is back (no login: the session stands)
//      with the earlier choice preselected (chosen project ticked, the other not, "Only the
//      projects I choose" and "Read only" checked); Allow again (token "again");
//   4. authorizes again without prompt: no consent page, the browser goes straight back to
//      the client with a code (token "remembered").
// Also checked: no horizontal scrolling, the buttons at least 40 CSS px tall, no console errors.
// Prints one JSON line per step on stdout ({"step", "ok", ...}); the step "<viewport>: tokens"
// carries the three access tokens for the Rust side to use on /mcp. On the first failure it
// prints that step with "ok": false and the reason, repeats it on stderr and exits 1.
// Set CHROMIUM to use another Chromium binary than /usr/bin/chromium.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The same flags as browser_login.mjs: this machine's network is closed.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];
const CLIENT_NAME = 'Scoped client';
const REDIRECT = 'http://127.0.0.1:9/callback';
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
  console.error(`browser_consent_projects: step ${step} failed: ${reason}`);
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
  constructor(values, out, browser) {
    this.base = values.base.replace(/\/+$/, '');
    this.email = values.email;
    this.chosen = { id: values.chosen, name: values['chosen-name'], role: values['chosen-role'] };
    this.other = { id: values.other, name: values['other-name'], role: values['other-role'] };
    this.out = out;
    this.browser = browser;
  }

  async register(viewport) {
    const response = await fetch(`${this.base}/oauth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: CLIENT_NAME, redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    const body = await json(response, 'registration');
    check(response.status === 201, `registration: HTTP ${response.status} ${JSON.stringify(body)}`);
    emit(`${viewport}: register`, { client_id: body.client_id });
    return body.client_id;
  }

  // A fresh PKCE pair and the authorization URL for it.
  authorization(clientId, extra = {}) {
    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    const state = b64url(randomBytes(16));
    const url = new URL(`${this.base}/oauth/authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      scope: 'data:read data:write',
      resource: `${this.base}/mcp`,
      ...extra,
    })) {
      url.searchParams.set(k, v);
    }
    return { url: url.toString(), verifier, state };
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
    check(metrics.scrollWidth <= metrics.clientWidth,
      `${what}: the page scrolls sideways (content ${metrics.scrollWidth}px wide, window ${metrics.clientWidth}px)`);
    check(metrics.buttons.length > 0, `${what}: no button`);
    for (const b of metrics.buttons) {
      check(b.height >= 40 && b.width >= 80, `${what}: button "${b.text}" is only ${b.width}×${b.height}px`);
      check(b.left >= 0 && b.right <= metrics.clientWidth, `${what}: button "${b.text}" is cut off (${b.left}..${b.right})`);
    }
    return metrics;
  }

  box(page, project) {
    return page.locator(`input[type=checkbox][name=project][value="${project.id}"]`);
  }

  radio(page, name, value) {
    return page.locator(`input[type=radio][name=${name}][value=${value}]`);
  }

  // The consent page's project choice and access, as preselected.
  async preselected(page) {
    return {
      all: await this.radio(page, 'projects', 'all').isChecked(),
      chosen: await this.radio(page, 'projects', 'chosen').isChecked(),
      read: await this.radio(page, 'access', 'read').isChecked(),
      write: await this.radio(page, 'access', 'write').isChecked(),
      chosenTicked: await this.box(page, this.chosen).isChecked(),
      otherTicked: await this.box(page, this.other).isChecked(),
    };
  }

  // Presses `button` (or navigates to `url`) and catches the browser's request to the
  // callback (nothing listens there); exchanges its code for tokens.
  async callback(page, name, auth, clientId, { button, url }) {
    const waiting = page.waitForRequest((r) => r.url().startsWith(REDIRECT) && r.isNavigationRequest());
    if (button) {
      await button.click({ noWaitAfter: true });
    } else {
      // The navigation ends at the closed port: its failure is expected.
      page.goto(url).catch(() => {});
    }
    const request = await waiting;
    const params = Object.fromEntries(new URL(request.url()).searchParams);
    check(!params.error, `${name}: the callback carries error=${params.error} (${params.error_description ?? ''})`);
    check(params.code, `${name}: the callback has no code: ${request.url()}`);
    check(params.state === auth.state, `${name}: the callback's state is ${params.state}, expected ${auth.state}`);
    const response = await fetch(`${this.base}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: REDIRECT,
        client_id: clientId,
        code_verifier: auth.verifier,
        resource: `${this.base}/mcp`,
      }),
    });
    const token = await json(response, 'token exchange');
    check(response.ok, `${name}: token exchange: HTTP ${response.status} ${JSON.stringify(token)}`);
    check(!String(token.scope).split(' ').includes('data:write'), `${name}: a read-only approval gave scope ${token.scope}`);
    return token.access_token;
  }

  async flow({ name, context: options }) {
    const clientId = await this.register(name);
    const context = await this.browser.newContext({ ...options, locale: 'en-US' });
    context.setDefaultTimeout(TIMEOUT_MS);
    context.setDefaultNavigationTimeout(TIMEOUT_MS);
    const consoleErrors = [];
    try {
      // A new tab for each authorization (the same cookies): the previous one is still
      // failing to load the callback, where nothing listens.
      const open = async () => {
        const tab = await context.newPage();
        tab.on('console', (message) => {
          if (message.type() === 'error') consoleErrors.push(message.text());
        });
        tab.on('pageerror', (error) => consoleErrors.push(String(error)));
        return tab;
      };
      let page = await open();

      // --- Sign in, and the consent page as a first visit shows it ---
      const first = this.authorization(clientId);
      await page.goto(first.url);
      await page.waitForSelector('input[name=email]');
      await page.fill('input[name=email]', this.email);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/oauth/consent'),
        page.locator('form[action="/oauth/login"] button[type=submit]').click(),
      ]);
      for (const project of [this.chosen, this.other]) {
        const label = page.locator('label.project', { has: this.box(page, project) });
        check((await label.count()) === 1, `${name}: no checkbox for ${project.name}`);
        const text = await label.innerText();
        check(text.includes(project.name) && text.includes(project.role),
          `${name}: ${project.name}'s line does not give its name and role (${project.role}): ${JSON.stringify(text)}`);
        check(await label.isVisible(), `${name}: ${project.name} is not visible`);
      }
      const start = await this.preselected(page);
      check(start.all && !start.chosen && !start.chosenTicked && !start.otherTicked,
        `${name}: a first visit should start from "All my projects", nothing ticked: ${JSON.stringify(start)}`);
      const text = await page.locator('body').innerText();
      check(text.includes('All my projects') && text.includes('Only the projects I choose'),
        `${name}: the project choices are not in words: ${JSON.stringify(text)}`);

      // --- One project, read only ---
      await this.radio(page, 'projects', 'chosen').check();
      await this.box(page, this.chosen).check();
      await this.radio(page, 'access', 'read').check();
      const picked = await this.preselected(page);
      check(picked.chosen && picked.chosenTicked && !picked.otherTicked && picked.read && !picked.write,
        `${name}: the choice did not take: ${JSON.stringify(picked)}`);
      const layout = await this.layout(page, `${name} consent`);
      const shot = join(this.out, `consent-projects-${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      emit(`${name}: consent page`, { screenshot: shot, buttons: layout.buttons.map((b) => b.text) });
      check(consoleErrors.length === 0, `${name}: console errors: ${JSON.stringify(consoleErrors)}`);
      const allow = () => page.locator('button[name=decision][value=allow]');
      const firstToken = await this.callback(page, name, first, clientId, { button: allow() });
      emit(`${name}: allowed one project, read only`);

      // --- prompt=consent: the page again, from the earlier choice ---
      const again = this.authorization(clientId, { prompt: 'consent' });
      consoleErrors.length = 0; // the failed load of the callback (nothing listens there)
      page = await open();
      await page.goto(again.url);
      await page.waitForSelector('form[action="/oauth/consent"]');
      check(new URL(page.url()).pathname === '/oauth/consent', `${name}: prompt=consent led to ${page.url()}`);
      const before = await this.preselected(page);
      check(before.chosen && !before.all && before.chosenTicked && !before.otherTicked && before.read && !before.write,
        `${name}: prompt=consent does not start from the earlier choice: ${JSON.stringify(before)}`);
      await this.layout(page, `${name} consent again`);
      check(consoleErrors.length === 0, `${name}: console errors: ${JSON.stringify(consoleErrors)}`);
      const againToken = await this.callback(page, name, again, clientId, { button: allow() });
      emit(`${name}: prompt=consent`, { preselected: before });

      // --- Without prompt: the remembered choice, no page ---
      const remembered = this.authorization(clientId);
      page = await open();
      const seen = [];
      const onResponse = (r) => {
        if (new URL(r.url()).pathname === '/oauth/consent' && r.request().method() === 'GET' && r.status() === 200) seen.push(r.url());
      };
      page.on('response', onResponse);
      const rememberedToken = await this.callback(page, name, remembered, clientId, { url: remembered.url });
      page.off('response', onResponse);
      check(seen.length === 0, `${name}: a remembered approval showed the consent page again: ${seen}`);
      emit(`${name}: remembered`);

      emit(`${name}: tokens`, { first: firstToken, again: againToken, remembered: rememberedToken });
    } finally {
      await context.close().catch(() => {});
    }
  }
}

async function main() {
  const names = ['base', 'email', 'chosen', 'chosen-name', 'chosen-role', 'other', 'other-name', 'other-role', 'out'];
  const { values } = parseArgs({ options: Object.fromEntries(names.map((n) => [n, { type: 'string' }])) });
  const missing = names.filter((n) => !values[n]);
  if (missing.length) {
    console.error(`usage: node browser_consent_projects.mjs ${names.map((n) => `--${n} …`).join(' ')} (missing ${missing})`);
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
    const run = new Run(values, out, browser);
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
