// jsforce_sandbox: a real, independent Salesforce client (jsforce v3) drives i360-sandbox.
// Usage: node tests/js/jsforce_sandbox.test.mjs PATH/TO/i360-sandbox
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createInterface } from 'node:readline';
import jsforce from 'jsforce';

const bin = process.argv[2] || process.env.I360_SANDBOX_BIN;
const KEY = 'jsforce-test-key';
const SECRET = 'jsforce-test-secret';
const REDIRECT = 'http://localhost:9999/auth/improveit360/callback';
const TTL = 5; // access tokens die after this many API calls: refresh must be transparent
let proc;
let url;

async function control(path, body) {
  const res = await fetch(url + '/_control/' + path, {
    method: body ? 'POST' : 'GET',
    headers: { 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

before(async () => {
  assert.ok(bin, 'pass the i360-sandbox binary as the first argument');
  proc = spawn(bin, ['--listen', '127.0.0.1:0', '--control', '--seed', '11', '--staff', '8',
    '--appointments', '60', '--page-size', '7', '--token-ttl-calls', String(TTL),
    '--consumer-key', KEY, '--consumer-secret', SECRET, '--callback-url', REDIRECT],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  url = await new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`i360-sandbox exited with ${code}`)));
    lines.once('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]); else reject(new Error('unexpected first line: ' + line));
    });
  });
});

after(() => { if (proc) proc.kill('SIGTERM'); });

function oauth2() {
  return new jsforce.OAuth2({ loginUrl: url, clientId: KEY, clientSecret: SECRET, redirectUri: REDIRECT });
}

// Follows the authorize URL to the Allow page and presses a button; returns the redirect.
async function pressButton(authorizeUrl, button) {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<strong id="appName">OCC<\/strong> is asking to/);
  const pending = /name="pending" value="([^"]+)"/.exec(html)[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)[1];
  const form = new URLSearchParams({ pending });
  form.set(button === 'Allow' ? 'oaapprove' : 'oadeny', button);
  const res = await fetch(url + action, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location'));
}

let conn;
let refreshes = 0;

test('OAuth code flow: authorize page, Allow, conn.authorize(code)', async () => {
  const o = oauth2();
  const back = await pressButton(o.getAuthorizationUrl({ state: 'st-42' }), 'Allow');
  assert.equal(back.origin + back.pathname, REDIRECT);
  assert.equal(back.searchParams.get('state'), 'st-42');
  const code = back.searchParams.get('code');
  assert.ok(code);
  conn = new jsforce.Connection({ oauth2: o, version: '58.0' });
  conn.on('refresh', () => { refreshes += 1; });
  const info = await conn.authorize(code);
  assert.ok(conn.accessToken);
  assert.ok(conn.refreshToken, 'a refresh token is issued for the refresh_token scope');
  assert.equal(conn.instanceUrl, url);
  assert.match(info.id, /^005/);
  assert.match(info.organizationId, /^00D/);
  // The code is single-use.
  await assert.rejects(new jsforce.Connection({ oauth2: o }).authorize(code), /invalid authorization code/);
});

test('Deny comes back as access_denied with the state', async () => {
  const back = await pressButton(oauth2().getAuthorizationUrl({ state: 'no' }), 'Deny');
  assert.equal(back.searchParams.get('error'), 'access_denied');
  assert.equal(back.searchParams.get('error_description'), 'end-user denied authorization');
  assert.equal(back.searchParams.get('state'), 'no');
});

test('token response: HMAC signature, no expires_in; bad secret is invalid_client', async () => {
  await control('knobs', { auto_approve: 1 });
  const o = oauth2();
  const res = await fetch(o.getAuthorizationUrl({}), { redirect: 'manual' });
  assert.equal(res.status, 302);
  const code = new URL(res.headers.get('location')).searchParams.get('code');
  const tok = await o.requestToken(code);
  assert.equal(tok.token_type, 'Bearer');
  assert.equal(tok.expires_in, undefined);
  const sig = createHmac('sha256', SECRET).update(tok.id + tok.issued_at).digest('base64');
  assert.equal(tok.signature, sig);
  const bad = new jsforce.OAuth2({ loginUrl: url, clientId: KEY, clientSecret: 'wrong', redirectUri: REDIRECT });
  await assert.rejects(bad.refreshToken(tok.refresh_token), /invalid client credentials/);
  await control('knobs', { auto_approve: 0 });
});

test('query paged with autoFetch, across token refreshes', async () => {
  const soql = 'SELECT Id, Name, i360core__Sales_Rep_1__r.Name, i360core__Status__c, SystemModstamp, ' +
    '(SELECT i360core__Sales_Opportunity__r.Name FROM i360core__Sales_Appointment_Opportunities__r) ' +
    'FROM i360core__Sales_Appointment__c ORDER BY SystemModstamp';
  const before = (await control('stats')).api_calls;
  const res = await conn.query(soql).run({ autoFetch: true, maxFetch: 100000 });
  const expected = (await conn.query('SELECT COUNT() FROM i360core__Sales_Appointment__c')).totalSize;
  assert.ok(expected > 50);
  assert.equal(res.records.length, expected);
  assert.equal(new Set(res.records.map((r) => r.Id)).size, expected);
  for (let i = 1; i < res.records.length; i++)
    assert.ok(res.records[i - 1].SystemModstamp <= res.records[i].SystemModstamp);
  const calls = (await control('stats')).api_calls - before;
  assert.ok(calls >= Math.ceil(expected / 7), `paged in ${calls} calls`);
  assert.ok(refreshes >= 1, 'jsforce refreshed the expired access token');
});

test('describe: dependent picklist with validFor', async () => {
  const d = await conn.sobject('i360core__Sales_Appointment__c').describe();
  const status = d.fields.find((f) => f.name === 'i360core__Status__c');
  const detail = d.fields.find((f) => f.name === 'i360core__Status_Detail__c');
  assert.equal(detail.controllerName, 'i360core__Status__c');
  assert.equal(detail.dependentPicklist, true);
  assert.ok(status.picklistValues.some((p) => !p.active), 'one inactive status');
  // Decode validFor as Salesforce documents it: bit (0x80 >> i % 8) of byte i >> 3.
  const validFor = (p, i) => (Buffer.from(p.validFor, 'base64')[i >> 3] & (0x80 >> (i % 8))) !== 0;
  const idx = (v) => status.picklistValues.findIndex((p) => p.value === v);
  const voicemail = detail.picklistValues.find((p) => p.value === 'Left Voicemail');
  assert.ok(validFor(voicemail, idx('Scheduled')) && validFor(voicemail, idx('Confirmed')));
  assert.ok(!validFor(voicemail, idx('Cancelled')));
  assert.ok(d.childRelationships.some((c) => c.relationshipName === 'i360core__Sales_Appointment_Opportunities__r'));
});

test('an update with a detail not valid for its status is refused', async () => {
  const [appt] = (await conn.query('SELECT Id FROM i360core__Sales_Appointment__c LIMIT 1')).records;
  let code;
  try {
    const r = await conn.sobject('i360core__Sales_Appointment__c').update({
      Id: appt.Id, i360core__Status__c: 'Confirmed', i360core__Status_Detail__c: 'Price Too High' });
    code = r.success === false ? (r.errors[0].errorCode || r.errors[0].statusCode) : 'accepted';
  } catch (e) {
    code = e.errorCode || e.name;
  }
  assert.equal(code, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  const ok = await conn.sobject('i360core__Sales_Appointment__c').update({
    Id: appt.Id, i360core__Status__c: 'Ran - No Sale', i360core__Status_Detail__c: 'Price Too High' });
  assert.equal(ok.success, true);
  const rec = await conn.sobject('i360core__Sales_Appointment__c').retrieve(appt.Id);
  assert.equal(rec.i360core__Status_Detail__c, 'Price Too High');
});

test('ContentVersion create (base64 JSON) and its VersionData', async () => {
  const [opp] = (await conn.query('SELECT Id FROM i360core__Sales_Opportunity__c LIMIT 1')).records;
  const bytes = Buffer.from('%PDF-1.4\n% i360 sandbox test\n');
  const r = await conn.sobject('ContentVersion').create({
    Title: 'Signed contract', PathOnClient: 'contract.pdf', ReasonForChange: 'occ-doc-1',
    FirstPublishLocationId: opp.Id, VersionData: bytes.toString('base64') });
  assert.equal(r.success, true);
  assert.match(r.id, /^068/);
  const cv = (await conn.query(`SELECT Id, ContentDocumentId, ContentSize, FileType FROM ContentVersion WHERE Id = '${r.id}'`)).records[0];
  assert.equal(cv.ContentSize, bytes.length);
  assert.equal(cv.FileType, 'PDF');
  assert.match(cv.ContentDocumentId, /^069/);
  // Fetch the bytes outside jsforce: pin the (just used, so live) token's lifetime first.
  await control('knobs', { token_ttl_calls: 0 });
  const res = await fetch(`${url}/services/data/v58.0/sobjects/ContentVersion/${r.id}/VersionData`,
    { headers: { Authorization: 'Bearer ' + conn.accessToken } });
  await control('knobs', { token_ttl_calls: TTL });
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
});

test('transparent refresh: many calls on a short-lived token all succeed', async () => {
  const start = refreshes;
  for (let i = 0; i < 3 * TTL; i++) {
    const r = await conn.query('SELECT Id FROM i360core__Staff__c LIMIT 1');
    assert.equal(r.records.length, 1);
  }
  assert.ok(refreshes - start >= 2, `refreshed ${refreshes - start} times`);
  const id = await conn.identity();
  assert.equal(id.username, 'admin@i360-sandbox.example');
});
