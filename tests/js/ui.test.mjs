// ui: the admin UI end to end in headless Chromium — the source document's "Setting up
// One Click Contractor" steps 1–11 against i360-sandbox, then linking a user by hand,
// syncing, and opening a job. Screenshots go to SHOTS (default: the build directory).
// Usage: node tests/js/ui.test.mjs PATH/TO/i360bridge PATH/TO/i360-sandbox [SHOTS]
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const bridge = process.argv[2] || process.env.I360_BIN;
const sandboxBin = process.argv[3] || process.env.I360_SANDBOX_BIN;
const shots = process.argv[4] || join(dirname(bridge || '.'), 'ui-screenshots');
const KEY = 'ui-test-consumer-key';
const SECRET = 'ui-test-consumer-secret';

const procs = [];
let dir, db, sandboxUrl, serveUrl, token, browser, page;

// Starts a program that prints "listening on URL" first; resolves to the URL.
function startListening(bin, args, env) {
  const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  procs.push(p);
  const lines = createInterface({ input: p.stdout });
  return new Promise((resolve, reject) => {
    p.once('exit', (code) => reject(new Error(`${bin} exited with ${code}`)));
    lines.once('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]); else reject(new Error(`unexpected first line: ${line}`));
    });
  });
}

function bridgeCmd(...args) {
  return execFileSync(bridge, [...args, '--db', db], { encoding: 'utf8', env: { ...process.env, I360BRIDGE_LOG: 'warn' } });
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

before(async () => {
  assert.ok(bridge && sandboxBin, 'pass the i360bridge and i360-sandbox binaries');
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'i360-ui-'));
  db = join(dir, 'ui.db');
  sandboxUrl = await startListening(sandboxBin, ['--listen', '127.0.0.1:0', '--seed', '5',
    '--staff', '10', '--appointments', '120', '--consumer-key', KEY, '--consumer-secret', SECRET,
    '--control']);
  const org = JSON.parse(bridgeCmd('org', 'create', 'UI Test Windows', '--json'));
  token = org.token;
  // Users for a few sandbox staff are made after the first sync shows their emails.
  bridgeCmd('user', 'add', '--org', String(org.id), '--email', 'hand.linked@example.com', '--name', 'Hand Linked');
  serveUrl = await startListening(bridge, ['serve', '--listen', '127.0.0.1:0', '--no-scheduler', '--db', db],
    { I360BRIDGE_LOG: 'warn' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await ctx.newPage();
  page.setDefaultTimeout(20000);
});

after(async () => {
  if (browser) await browser.close();
  for (const p of procs) p.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('security headers and a session cookie that scripts cannot read', async () => {
  const res = await fetch(serveUrl + '/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy'), /default-src 'self'.*frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const html = await res.text();
  assert.doesNotMatch(html, /<script>(?!<\/script>)/, 'no inline script');
  const login = await fetch(serveUrl + '/ui/session', { method: 'POST', body: JSON.stringify({ token }),
    headers: { 'Content-Type': 'application/json', Origin: serveUrl } });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie');
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  // A forged cross-site sign-in is refused.
  const forged = await fetch(serveUrl + '/ui/session', { method: 'POST', body: JSON.stringify({ token }),
    headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' } });
  assert.equal(forged.status, 403);
});

test('setup steps 1–11, a link by hand, a sync and a job', async (t) => {
  t.after(async () => {
    if (t.passed === false || process.exitCode) return;
  });
  try {
    await walk();
  } catch (e) {
    await shot('failure');
    console.error(`failed at ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 800)}`);
    throw e;
  }
});

async function walk() {
  // Sign in with the org's API token.
  await page.goto(serveUrl + '/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // 1–2. Administration → Integrations tab.
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.locator('#tab-integrations').click();
  await page.locator('#i360-row').waitFor();
  assert.match(await page.locator('#i360-row').innerText(), /disconnected/i);
  await shot('01-integrations');

  // 3–6. Authorize: the modal with Consumer Key, Consumer Secret, login URL, Callback URL.
  await page.locator('#authorize').click();
  const modal = page.locator('#authorize-modal');
  await modal.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#callback-url').inputValue(), serveUrl + '/auth/improveit360/callback');
  await page.getByLabel('Consumer Key').fill(KEY);
  await page.getByLabel('Consumer Secret').fill(SECRET);
  await page.getByLabel('My Domain', { exact: true }).check();
  await page.getByLabel('My Domain URL').fill(sandboxUrl);
  await modal.locator('summary').click();
  await shot('02-authorize-modal');
  await page.locator('#authorize-submit').click();

  // 7. Salesforce's Allow page (the sandbox's), then back to OCC.
  await page.waitForURL((u) => u.href.startsWith(sandboxUrl));
  await page.locator('#oaapprove').waitFor();
  await shot('03-salesforce-allow');
  await page.locator('#oaapprove').click();
  await page.waitForURL((u) => u.href.startsWith(serveUrl) && u.hash.startsWith('#/admin/integrations'));
  await page.locator('#connected-as strong').waitFor();
  const row = await page.locator('#i360-row').innerText();
  assert.match(row, /connected/i);
  assert.match(row, /@/, 'the row names who connected');
  await shot('04-connected');

  // 8–10. The gear: platform Lightning, Save Changes.
  await page.getByRole('button', { name: 'ImproveIt360 settings' }).click();
  await page.locator('#settings-modal').waitFor({ state: 'visible' });
  await page.getByLabel('Platform').selectOption('lightning');
  await shot('05-settings');
  await page.getByRole('button', { name: 'Save Changes' }).click();
  await page.locator('#settings-modal').waitFor({ state: 'hidden' });

  // 11. Sync, with live progress until it ends.
  await page.locator('#sync').click();
  const done = page.locator('#sync-done');
  await done.waitFor({ timeout: 60000 });
  assert.equal(await done.getAttribute('data-status'), 'succeeded', await done.innerText());
  assert.match(await done.innerText(), /jobs created/);
  await shot('06-synced');

  // Users tab: link a staff member by hand to the OCC user whose email matches nobody.
  await page.locator('#tab-users').click();
  await page.locator('#staff-list table').waitFor();
  const crm = await page.locator('#staff-list tbody tr', { has: page.locator('option:checked', { hasText: 'not linked' }) })
    .first().getAttribute('data-crm');
  const unlinked = page.locator(`#staff-list tr[data-crm="${crm}"]`);
  await unlinked.locator('select').selectOption({ label: 'Hand Linked <hand.linked@example.com>' });
  await unlinked.locator('input[type=checkbox]').check();
  await unlinked.getByRole('button', { name: 'Save' }).click();
  const linkedRow = page.locator(`#staff-list tr[data-crm="${crm}"]`);
  await linkedRow.filter({ hasText: 'by hand' }).waitFor();
  await page.locator('#staff-search').fill('a');
  await shot('07-users');

  // Sync again: the hand-linked rep's appointments come in.
  await page.locator('#tab-integrations').click();
  await page.locator('#sync').click();
  await page.locator('#sync-done').waitFor({ timeout: 60000 });

  // Jobs: list, search, open one.
  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.locator('tr[data-job]').first().waitFor();
  const jobs = await page.locator('tr[data-job]').count();
  assert.ok(jobs > 0);
  await shot('08-jobs');
  const handJob = page.locator('tr[data-job]', { hasText: 'hand.linked@example.com' }).first();
  assert.ok(await handJob.count() > 0, 'the hand-linked rep got jobs');
  await handJob.click();
  await page.locator('#job-title').waitFor();
  assert.match(await page.locator('main').innerText(), /Appointment/);
  // A stage from the pulled result reasons, and a document upload.
  const stage = page.locator('form.stage').first();
  const resultSelect = stage.locator('select').first();
  const current = await resultSelect.inputValue();
  const results = await resultSelect.locator('option').allTextContents();
  await resultSelect.selectOption({ label: results.find((t) => !t.startsWith('—') && t !== current) });
  await stage.getByRole('button', { name: 'Set stage' }).click();
  await page.locator('td', { hasText: 'appointment stage' }).waitFor();
  await page.getByLabel('Attach a document').setInputFiles({ name: 'estimate.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% estimate for the customer\n%%EOF\n') });
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.locator('td', { hasText: 'estimate.pdf' }).waitFor();
  await shot('09-job');

  // Sync history with its chart, and result reasons.
  await page.getByRole('link', { name: 'Sync history' }).click();
  await page.locator('.chart svg').waitFor();
  const heights = await page.locator('.chart svg rect.created').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
  assert.ok(heights.some((v) => v > 0), 'the chart shows the jobs created');
  await page.locator('tr[data-run]').first().click();
  await page.locator('#run-detail section').waitFor();
  await shot('10-sync-history');
  await page.getByRole('link', { name: 'Result reasons' }).click();
  await page.locator('main h3').first().waitFor();
  await shot('11-result-reasons');

  // A user deleted in ImproveIt360: after the next sync the Users tab says so.
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.locator('#tab-users').click();
  await page.locator('#staff-list table').waitFor();
  const gone = await page.locator(`#staff-list tbody tr:not([data-crm="${crm}"])`).first().getAttribute('data-crm');
  const del = await fetch(`${sandboxUrl}/_control/records`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ op: 'delete', id: gone }) });
  assert.equal(del.status, 200);
  await page.locator('#tab-integrations').click();
  await page.locator('#sync').click();
  await page.locator('#sync-done').waitFor({ timeout: 60000 });
  await page.locator('#tab-users').click();
  await page.locator(`#staff-list tr[data-crm="${gone}"] .badge.gone`).waitFor();
  assert.equal(await page.locator('#staff-list .badge.gone').count(), 1);
  await shot('12-user-gone');
}
