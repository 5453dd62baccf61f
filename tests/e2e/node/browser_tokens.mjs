// Drives the personal-access-token part of the connections page of a running platform-mcp
// server in headless Chromium (Debian's /usr/bin/chromium through playwright-core), as a
// person making a token for a script:
//
//   node browser_tokens.mjs --base http://127.0.0.1:PORT --email E --project NAME --out DIR
//
// The person E is a member of project NAME and of at least one other (tests/src/e2e/browser.rs
// sets that up). For each viewport (a phone, 390×844 at 3× with touch, and a 1280×800
// desktop) it signs in on /oauth/connections with the page's email form, fills "New token"
// (a name, only project NAME, read-only, 30 days), reads the token shown once
// (DIR/tokens-created-<viewport>.png), checks that reloading the page no longer shows it,
// uses it on /mcp (list_projects sees NAME only), reloads until the token's line says when it
// was last used (DIR/tokens-<viewport>.png), presses its Revoke button, and checks that the
// token is then refused with 401 invalid_token.
//
// Also checked: no horizontal scrolling, the buttons visible and at least 40 CSS px tall, and
// no console errors (a CSP violation is one).
// Prints one JSON line per step on stdout ({"step", "ok", ...}); the last one ("done") lists
// the revoked tokens so the caller can check them too. On the first failure it prints that
// step with "ok": false and the reason, repeats it on stderr and exits 1.
// Set CHROMIUM to use another Chromium binary than /usr/bin/chromium.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];
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
  console.error(`browser_tokens: step ${step} failed: ${reason}`);
  return 1;
}

class Run {
  constructor(values, out, browser) {
    this.base = values.base.replace(/\/+$/, '');
    this.email = values.email;
    this.project = values.project;
    this.out = out;
    this.browser = browser;
    this.revoked = [];
  }

  // One tools/call on /mcp with the token: its status, WWW-Authenticate and JSON body.
  async call(token, tool, args) {
    const response = await fetch(`${this.base}/mcp`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json, text/event-stream',
        'Content-Type': 'application/json',
        'MCP-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: args } }),
    });
    const text = await response.text();
    let body = null;
    try { body = JSON.parse(text); } catch { body = text; }
    return { status: response.status, challenge: response.headers.get('www-authenticate') || '', body };
  }

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
    for (const b of metrics.buttons) {
      check(b.height >= 40 && b.width >= 80, `${what}: button "${b.text}" is only ${b.width}×${b.height}px`);
      check(b.left >= 0 && b.right <= metrics.clientWidth, `${what}: button "${b.text}" is cut off (${b.left}..${b.right})`);
    }
  }

  async view({ name, context: options }) {
    const context = await this.browser.newContext({ ...options, locale: 'en-US' });
    context.setDefaultTimeout(TIMEOUT_MS);
    context.setDefaultNavigationTimeout(TIMEOUT_MS);
    const consoleErrors = [];
    try {
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
      page.on('pageerror', (e) => consoleErrors.push(String(e)));

      // --- Sign in on the page itself ---
      const response = await page.goto(`${this.base}/oauth/connections`);
      check(response && response.ok(), `${name}: /oauth/connections answered ${response?.status()}`);
      await page.fill('input[name=email]', this.email);
      await page.locator('form[action="/oauth/connections/login"] button[type=submit]').click();
      await page.waitForSelector('#tokens');
      emit(`${name}: signed in`, { email: this.email });

      // --- New token: a name, one project, read-only, 30 days ---
      const tokenName = `script on ${name}`;
      const form = page.locator('form.new-token');
      await form.locator('input[name=name]').fill(tokenName);
      await form.locator('input[name=projects][value=chosen]').check();
      await form.locator('label.project', { hasText: this.project }).locator('input').check();
      await form.locator('input[name=access][value=read]').check();
      await form.locator('select[name=expires]').selectOption('30');
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('#new-token');
      const token = (await page.locator('#new-token').innerText()).trim();
      check(/^pmcp_pat_[A-Za-z0-9_-]{40,}$/.test(token), `${name}: the token shown does not look like one: ${token}`);
      check((await page.locator('.secret').innerText()).includes('shown only this once'),
        `${name}: the page does not say the token is shown once`);
      await this.layout(page, `${name} token created`);
      const created = join(this.out, `tokens-created-${name}.png`);
      await page.screenshot({ path: created, fullPage: true });
      emit(`${name}: token created`, { screenshot: created });

      await page.goto(`${this.base}/oauth/connections`);
      check(!(await page.content()).includes(token), `${name}: the token is shown again after a reload`);
      const row = page.locator('li.token', { hasText: tokenName });
      check((await row.count()) === 1, `${name}: "${tokenName}" is not listed once`);
      const line = await row.locator('span.muted').innerText();
      check(line.startsWith(`Read only · ${this.project} · created `) && line.includes('never used'),
        `${name}: the token's line is ${JSON.stringify(line)}`);

      // --- Use it on /mcp ---
      const listed = await this.call(token, 'list_projects', {});
      check(listed.status === 200, `${name}: list_projects with the token answered ${listed.status}`);
      const names = listed.body?.result?.structuredContent?.projects?.map((p) => p.name);
      check(JSON.stringify(names) === JSON.stringify([this.project]),
        `${name}: the token sees ${JSON.stringify(names)}, expected only ${this.project}`);
      emit(`${name}: token used`, { projects: names });

      // --- Its last use, on the page (stamped in a task of its own) ---
      let used = '';
      for (let i = 0; i < 50; i++) {
        await page.goto(`${this.base}/oauth/connections`);
        used = await page.locator('li.token', { hasText: tokenName }).locator('span.muted').innerText();
        if (used.includes('last used')) break;
        await page.waitForTimeout(100);
      }
      check(/last used \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/.test(used), `${name}: no last use shown: ${JSON.stringify(used)}`);
      await this.layout(page, `${name} tokens`);
      const shot = join(this.out, `tokens-${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      emit(`${name}: last use shown`, { line: used, screenshot: shot });

      // --- Revoke it on the page ---
      await page.locator('li.token', { hasText: tokenName }).locator('button', { hasText: 'Revoke' }).click();
      await page.waitForSelector('#tokens');
      check((await page.locator('li.token', { hasText: tokenName }).count()) === 0, `${name}: still listed after Revoke`);
      const refused = await this.call(token, 'list_projects', {});
      check(refused.status === 401 && refused.challenge.includes('error="invalid_token"'),
        `${name}: the revoked token answered ${refused.status} ${refused.challenge}`);
      this.revoked.push(token);
      emit(`${name}: revoked`, { status: refused.status });

      check(consoleErrors.length === 0, `${name}: console errors: ${JSON.stringify(consoleErrors)}`);
    } finally {
      await context.close().catch(() => {});
    }
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      email: { type: 'string' },
      project: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.base || !values.email || !values.project || !values.out) {
    console.error('usage: node browser_tokens.mjs --base URL --email E --project NAME --out DIR');
    return 2;
  }
  let step = 'launch';
  let browser;
  let run;
  try {
    if (!existsSync(CHROMIUM)) {
      return fail(step, `${CHROMIUM} is missing: install Debian's package chromium (scripts/e2e-setup.sh does, as root)`);
    }
    const out = resolve(values.out);
    await mkdir(out, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS, timeout: 30_000,
    });
    emit('launch', { chromium: CHROMIUM, version: browser.version() });
    run = new Run(values, out, browser);
    for (const viewport of VIEWPORTS) {
      step = viewport.name;
      await run.view(viewport);
    }
  } catch (e) {
    if (e instanceof StepFailed) return fail(step, e.message);
    return fail(step, `${e?.name ?? 'Error'}: ${e?.message ?? e}`);
  } finally {
    await browser?.close().catch(() => {});
  }
  console.log(JSON.stringify({ step: 'done', ok: true, revoked: run.revoked }));
  return 0;
}

process.exitCode = await main();
