// Drives the server-rendered connected-applications page of a running platform-mcp server in
// headless Chromium (Debian's /usr/bin/chromium, through playwright-core; playwright's own
// browser download is never used), as a person checking what an application did for them:
//
//   node browser_connections.mjs --base http://127.0.0.1:PORT --email E --client NAME \
//        --entry ENTRY_ID --out DIR
//
// The person E has approved the application NAME, which then created the entry ENTRY_ID and
// updated it once (tests/src/e2e/browser.rs sets that up). For each viewport (a phone,
// 390×844 at 3× with touch, and a 1280×800 desktop) it opens /oauth/connections, signs in
// with the page's own email form (the dev identity provider), checks that NAME is listed with
// its last write, opens its "Last 2 writes" list, checks both writes (the update first, then
// the create: action, tool, entry id, revision), and saves a screenshot of the whole page
// (DIR/connections-<viewport>.png).
//
// Also checked: no horizontal scrolling, the buttons visible and at least 40 CSS px tall, no
// link on the page, and no console errors (a CSP violation is one).
// Prints one JSON line per step on stdout ({"step", "ok", ...}); on the first failure it prints
// that step with "ok": false and the reason, repeats the reason on stderr and exits 1.
// Set CHROMIUM to use another Chromium binary than /usr/bin/chromium.

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
  console.error(`browser_connections: step ${step} failed: ${reason}`);
  return 1;
}

class Run {
  constructor(values, out, browser) {
    this.base = values.base.replace(/\/+$/, '');
    this.email = values.email;
    this.client = values.client;
    this.entry = values.entry;
    this.out = out;
    this.browser = browser;
  }

  // Layout checks a person would notice: sideways scrolling, hidden or tiny buttons.
  async layout(page, what) {
    const metrics = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      links: document.querySelectorAll('a').length,
      buttons: [...document.querySelectorAll('button')].map((b) => {
        const r = b.getBoundingClientRect();
        return { text: b.textContent.trim(), width: r.width, height: r.height, left: r.left, right: r.right };
      }),
    }));
    check(
      metrics.scrollWidth <= metrics.clientWidth,
      `${what}: the page scrolls sideways (content ${metrics.scrollWidth}px wide, window ${metrics.clientWidth}px)`,
    );
    check(metrics.links === 0, `${what}: the page has ${metrics.links} links; it should have none`);
    check(metrics.buttons.length > 0, `${what}: no button`);
    for (const b of metrics.buttons) {
      check(b.height >= 40 && b.width >= 80, `${what}: button "${b.text}" is only ${b.width}×${b.height}px`);
      check(b.left >= 0 && b.right <= metrics.clientWidth, `${what}: button "${b.text}" is cut off (${b.left}..${b.right})`);
    }
    return metrics;
  }

  async view({ name, context: options }) {
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

      // --- Sign in on the page itself ---
      const response = await page.goto(`${this.base}/oauth/connections`);
      check(response && response.ok(), `${name}: /oauth/connections answered ${response?.status()}`);
      await page.waitForSelector('input[name=email]');
      await page.fill('input[name=email]', this.email);
      // The form posts to /oauth/connections/login, which sends the browser back here.
      await page.locator('form[action="/oauth/connections/login"] button[type=submit]').click();
      await page.waitForSelector('li.connection');
      check(new URL(page.url()).pathname === '/oauth/connections', `${name}: signed in but at ${page.url()}`);
      emit(`${name}: signed in`, { email: this.email });

      // --- The application and its last write ---
      const row = page.locator('li.connection', { hasText: this.client });
      check((await row.count()) === 1, `${name}: "${this.client}" is not listed once`);
      const line = await row.locator('span.muted').first().innerText();
      check(/Read and write · since \d{4}-\d{2}-\d{2} · last used \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC · last write \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/.test(line),
        `${name}: the application's line does not give its last use and last write: ${JSON.stringify(line)}`);
      const summary = row.locator('details.writes > summary');
      check((await summary.innerText()).trim() === 'Last 2 writes', `${name}: the writes are not summed up as "Last 2 writes"`);

      // --- Its writes, opened ---
      await summary.click();
      const writes = row.locator('details.writes li');
      await writes.first().waitFor({ state: 'visible' });
      const texts = await writes.allInnerTexts();
      check(texts.length === 2, `${name}: ${texts.length} writes shown, expected 2: ${JSON.stringify(texts)}`);
      const expected = [
        ['update', 'update_data', 'revision 2'],
        ['create', 'create_data', 'revision 1'],
      ];
      texts.forEach((text, i) => {
        for (const word of [...expected[i], this.entry, 'tasks', 'UTC']) {
          check(text.includes(word), `${name}: write ${i + 1} lacks "${word}": ${JSON.stringify(text)}`);
        }
      });
      const layout = await this.layout(page, `${name} connections`);
      const shot = join(this.out, `connections-${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      emit(`${name}: connections page`, { screenshot: shot, writes: texts, buttons: layout.buttons.map((b) => b.text) });

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
      client: { type: 'string' },
      entry: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.base || !values.email || !values.client || !values.entry || !values.out) {
    console.error('usage: node browser_connections.mjs --base URL --email E --client NAME --entry ID --out DIR');
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
      await run.view(viewport);
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
