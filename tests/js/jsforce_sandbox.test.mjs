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

test('conn.login: the username-password flow through the connected app', async () => {
  const c = new jsforce.Connection({ oauth2: oauth2(), version: '58.0' });
  const info = await c.login('Admin@i360-sandbox.example', 'sandbox-password');
  assert.match(info.organizationId, /^00D/);
  assert.match(info.id, /^005/);
  assert.equal(c.instanceUrl, url);
  assert.equal(c.refreshToken, undefined); // Salesforce gives none in this flow
  const staff = await c.query('SELECT COUNT() FROM i360core__Staff__c');
  assert.equal(staff.totalSize, 8);
  const other = new jsforce.Connection({ oauth2: oauth2(), version: '58.0' });
  await assert.rejects(other.login('admin@i360-sandbox.example', 'guess'), /authentication failure/);
});

test('conn.login without an OAuth2 client: the SOAP login, then logout', async () => {
  const c = new jsforce.Connection({ loginUrl: url, version: '58.0' });
  const info = await c.login('admin@i360-sandbox.example', 'sandbox-password');
  assert.match(info.organizationId, /^00D/);
  assert.match(info.id, /^005/);
  assert.equal(c.instanceUrl, url);
  const staff = await c.query('SELECT COUNT() FROM i360core__Staff__c');
  assert.equal(staff.totalSize, 8);
  const session = c.accessToken;
  await c.logout(); // SOAP logout: the session is over for REST too
  const after = new jsforce.Connection({ instanceUrl: url, accessToken: session, version: '58.0' });
  await assert.rejects(after.query('SELECT COUNT() FROM i360core__Staff__c'), /INVALID_SESSION_ID|Session expired/);
  await assert.rejects(new jsforce.Connection({ loginUrl: url, version: '58.0' })
    .login('admin@i360-sandbox.example', 'guess'), /INVALID_LOGIN/);
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

// ---- The jsforce surface an integrator uses day to day ----

const APPT = 'i360core__Sales_Appointment__c';

// The errorCode jsforce surfaces for a failing call (err.errorCode, as err.name too).
async function errorCode(promise) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.name, e.errorCode ?? e.name);
    return e.errorCode || e.name;
  }
  return 'succeeded';
}

async function apiCalls() {
  return (await control('stats')).api_calls;
}

// A second, independent session (auto-approved), for tests that end or spoil one.
async function newConnection(options = {}) {
  await control('knobs', { auto_approve: 1 });
  const o = oauth2();
  const res = await fetch(o.getAuthorizationUrl({}), { redirect: 'manual' });
  await control('knobs', { auto_approve: 0 });
  const c = new jsforce.Connection({ oauth2: o, ...options });
  await c.authorize(new URL(res.headers.get('location')).searchParams.get('code'));
  return c;
}

test('identity, limits, and the version list; jsforce default and explicit versions', async () => {
  const id = await conn.identity();
  assert.equal(id.organization_id, conn.userInfo.organizationId);
  assert.equal(id.user_id, conn.userInfo.id);
  assert.match(id.id, /\/id\/00D\w{15}\/005\w{15}$/);
  const before = await conn.limits();
  await conn.limits();
  const after = await conn.limits();
  assert.equal(after.DailyApiRequests.Max, 5000000);
  assert.ok(after.DailyApiRequests.Remaining < before.DailyApiRequests.Remaining);
  assert.ok(conn.limitInfo.apiUsage.used > 0, 'jsforce read Sforce-Limit-Info');

  const versions = await conn.request('/services/data/');
  const listed = versions.map((v) => v.version);
  // jsforce's default, Restforce's, the one this suite pins, and Salesforce CLI's.
  for (const v of ['50.0', '26.0', '58.0', '64.0'])
    assert.ok(listed.includes(v), `version ${v} listed`);
  assert.deepEqual(versions.find((v) => v.version === '64.0'),
    { label: "Summer '25", url: '/services/data/v64.0', version: '64.0' });
  const latest = listed[listed.length - 1];
  for (const version of [undefined, '42.0', latest]) {
    const c = new jsforce.Connection({ oauth2: conn.oauth2, instanceUrl: conn.instanceUrl,
      accessToken: conn.accessToken, refreshToken: conn.refreshToken, version });
    const r = await c.query('SELECT Id FROM i360core__Staff__c LIMIT 1');
    assert.equal(r.records.length, 1);
    assert.equal(r.records[0].attributes.url.split('/')[3], 'v' + c.version);
    if (!version) assert.equal(c.version, '50.0');
  }
  const future = new jsforce.Connection({ oauth2: conn.oauth2, instanceUrl: conn.instanceUrl,
    accessToken: conn.accessToken, refreshToken: conn.refreshToken, version: '99.0' });
  assert.equal(await errorCode(future.limits()), 'NOT_FOUND');
  // A raw call relative to the version root.
  const res = await conn.request('/sobjects/Account/describe');
  assert.equal(res.name, 'Account');
});

test('describeGlobal and describe$: every object, fields, cached describes', async () => {
  const g = await conn.describeGlobal();
  const names = g.sobjects.map((s) => s.name);
  for (const n of ['Account', 'User', 'ContentVersion', 'i360core__Staff__c', APPT,
    'i360core__Sales_Opportunity__c', 'i360core__Sales_Appointment_Opportunity__c'])
    assert.ok(names.includes(n), n);
  const a = g.sobjects.find((s) => s.name === APPT);
  assert.equal(a.keyPrefix, 'a0A');
  assert.equal(a.custom, true);
  assert.equal(a.urls.describe, `/services/data/v58.0/sobjects/${APPT}/describe`);

  const calls = await apiCalls();
  const d1 = await conn.sobject('i360core__Staff__c').describe$();
  const d2 = await conn.sobject('i360core__Staff__c').describe$();
  assert.equal(await apiCalls() - calls, 1, 'describe$ asks once and caches');
  assert.strictEqual(d1, d2);
  const id = d1.fields.find((f) => f.name === 'Id');
  assert.equal(id.type, 'id');
  assert.equal(d1.fields.find((f) => f.nameField).name, 'Name');
  const appt = await conn.sobject(APPT).describe$();
  const rep = appt.fields.find((f) => f.name === 'i360core__Sales_Rep_1__c');
  assert.deepEqual([rep.type, rep.referenceTo, rep.relationshipName],
    ['reference', ['i360core__Staff__c'], 'i360core__Sales_Rep_1__r']);
  const rels = d1.childRelationships.filter((c) => c.childSObject === APPT);
  assert.ok(rels.some((c) => c.field === 'i360core__Sales_Rep_1__c'));
  assert.equal(await errorCode(conn.sobject('Nope__c').describe()), 'NOT_FOUND');
});

test('retrieve: one record, several (sObject Collections), only some fields', async () => {
  const ids = (await conn.query(`SELECT Id FROM ${APPT} ORDER BY Name LIMIT 3`)).records.map((r) => r.Id);
  const one = await conn.sobject(APPT).retrieve(ids[0]);
  assert.equal(one.Id, ids[0]);
  assert.ok('i360core__Status__c' in one && 'SystemModstamp' in one);
  const few = await conn.sobject(APPT).retrieve(ids[0], { fields: ['Name', 'i360core__Status__c'] });
  assert.deepEqual(Object.keys(few).sort(), ['Name', 'attributes', 'i360core__Status__c']);

  // A deleted record and an Id of the right shape that names nothing come back null.
  const gone = await conn.sobject('Account').create({ Name: 'Retrieve then delete' });
  await conn.sobject('Account').destroy(gone.id);
  const missing = ids[0].slice(0, 3) + '000000000000';
  const calls = await apiCalls();
  const many = await conn.sobject(APPT).retrieve([ids[2], missing, ids[0], gone.id, ids[1]],
    { fields: ['Id', 'Name'] });
  assert.equal(await apiCalls() - calls, 1, 'one sObject Collections call');
  assert.deepEqual(many.map((r) => r && r.Id), [ids[2], null, ids[0], null, ids[1]]);
  assert.deepEqual(Object.keys(many[0]).sort(), ['Id', 'Name', 'attributes']);
  // Without fields jsforce asks for every field describe$ lists.
  const all = await conn.sobject(APPT).retrieve(ids.slice(0, 2));
  assert.deepEqual(all.map((r) => r.Id), ids.slice(0, 2));
  assert.deepEqual(all[0], one);
  // Before v42 jsforce retrieves one by one.
  const old = new jsforce.Connection({ oauth2: conn.oauth2, instanceUrl: conn.instanceUrl,
    accessToken: conn.accessToken, refreshToken: conn.refreshToken, version: '41.0' });
  assert.deepEqual((await old.sobject(APPT).retrieve(ids)).map((r) => r.Id), ids);

  assert.equal(await errorCode(conn.sobject(APPT).retrieve(ids[0], { fields: ['Nope__c'] })),
    'INVALID_FIELD');
  assert.equal(await errorCode(conn.sobject(APPT).retrieve(ids, { fields: ['Id', 'Nope__c'] })),
    'INVALID_FIELD');
  assert.equal(await errorCode(conn.sobject(APPT).retrieve(missing)), 'NOT_FOUND');
  assert.equal(await errorCode(conn.sobject('Account').retrieve(gone.id)), 'ENTITY_IS_DELETED');
});

test('create, update and destroy arrays: per-record results, allOrNone', async () => {
  const Account = conn.sobject('Account');
  const count = () => Account.count({ Name: { $like: 'Batch %' } });
  const made = await Account.create([{ Name: 'Batch 1' }, { Name: 'Batch 2', Phone: '555-0100' }]);
  assert.deepEqual(made.map((r) => [r.success, r.errors.length]), [[true, 0], [true, 0]]);
  assert.ok(made.every((r) => /^001\w{15}$/.test(r.id)));
  assert.equal(await count(), 2);

  // Without allOrNone the good records are saved and the bad one says why.
  const mixed = await Account.create([{ Name: 'Batch 3' }, { Name: 'Batch 4', Nope__c: 1 }]);
  assert.equal(mixed[0].success, true);
  assert.equal(mixed[1].success, false);
  assert.equal(mixed[1].errors[0].statusCode, 'INVALID_FIELD');
  assert.equal(typeof mixed[1].errors[0].message, 'string');
  assert.ok(Array.isArray(mixed[1].errors[0].fields));
  assert.equal(await count(), 3);

  // With allOrNone nothing is saved: the good record is rolled back.
  const none = await Account.create([{ Name: 'Batch 5' }, { Name: 'Batch 6', Nope__c: 1 }],
    { allOrNone: true });
  assert.deepEqual(none.map((r) => r.errors[0].statusCode),
    ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'INVALID_FIELD']);
  assert.equal(await count(), 3);

  const ids = [made[0].id, made[1].id, mixed[0].id];
  const upd = await Account.update(ids.map((Id, i) => ({ Id, BillingCity: `City ${i}` })));
  assert.deepEqual(upd.map((r) => [r.id, r.success]), ids.map((id) => [id, true]));
  const rows = await Account.retrieve(ids, { fields: ['BillingCity'] });
  assert.deepEqual(rows.map((r) => r.BillingCity), ['City 0', 'City 1', 'City 2']);
  const rolled = await Account.update([{ Id: ids[0], BillingCity: 'X' }, { Id: ids[1], Nope__c: 1 }],
    { allOrNone: true });
  assert.deepEqual(rolled.map((r) => r.success), [false, false]);
  assert.equal((await Account.retrieve(ids[0])).BillingCity, 'City 0');

  const del = await Account.destroy([ids[0], ids[1]]);
  assert.deepEqual(del.map((r) => [r.id, r.success]), [[ids[0], true], [ids[1], true]]);
  const again = await Account.destroy([ids[0], ids[2]]);
  assert.deepEqual(again.map((r) => r.success), [false, true]);
  assert.equal(again[0].errors[0].statusCode, 'ENTITY_IS_DELETED');
  assert.equal(await count(), 0);
  // One record: create, update and destroy answer SaveResults too.
  const single = await Account.create({ Name: 'Batch single' });
  assert.deepEqual(await Account.update({ Id: single.id, Name: 'Batch single 2' }),
    { id: single.id, success: true, errors: [] });
  assert.deepEqual(await Account.destroy(single.id), { id: single.id, success: true, errors: [] });
  assert.equal(await errorCode(Account.create({ Name: 'x', Nope__c: 1 })), 'INVALID_FIELD');
});

test('queries: COUNT(), count(), find/sort/limit/skip, the builder, scanAll, queryMore', async () => {
  const Appt = conn.sobject(APPT);
  const c = await conn.query(`SELECT COUNT() FROM ${APPT}`);
  assert.deepEqual([c.done, c.records], [true, []]);
  assert.ok(c.totalSize > 50);
  assert.equal(await Appt.count(), c.totalSize);
  const byStatus = await conn.query(`SELECT Id, i360core__Status__c FROM ${APPT}`)
    .run({ autoFetch: true, maxFetch: 10000 });
  const scheduled = byStatus.records.filter((r) => r.i360core__Status__c === 'Scheduled').length;
  assert.equal(await Appt.count({ i360core__Status__c: 'Scheduled' }), scheduled);
  assert.equal(await Appt.count({ i360core__Status__c: { $in: ['Scheduled', 'Confirmed'] } }),
    byStatus.records.filter((r) => ['Scheduled', 'Confirmed'].includes(r.i360core__Status__c)).length);

  // find() → SELECT … WHERE … ORDER BY … LIMIT … OFFSET …, as jsforce writes it.
  const names = byStatus.records.length;
  const all = (await conn.query(`SELECT Name FROM ${APPT} ORDER BY Name DESC`)
    .run({ autoFetch: true, maxFetch: 10000 })).records.map((r) => r.Name);
  assert.equal(all.length, names);
  const page = await Appt.find({ Name: { $ne: null } }, ['Id', 'Name']).sort('-Name').limit(5).skip(3);
  assert.deepEqual(page.map((r) => r.Name), all.slice(3, 8));
  const built = await Appt.select('Id, Name, i360core__Sales_Rep_1__r.Name')
    .where({ $and: [{ Name: { $like: 'SA-%' } }, { $not: { i360core__Status__c: 'No Demo' } }] })
    .orderby('Name', 'DESC').limit(4).offset(1).execute();
  assert.ok(built.length === 4 && built.every((r) => r.Name.startsWith('SA-')));
  assert.ok(built.every((r) => r.i360core__Sales_Rep_1__r === null || typeof r.i360core__Sales_Rep_1__r.Name === 'string'));
  const one = await Appt.findOne({ Name: all[0] }, 'Id, Name');
  assert.equal(one.Name, all[0]);
  const star = await Appt.select('*').limit(1).execute();
  assert.equal(Object.keys(star[0]).length, (await Appt.describe$()).fields.length + 1);
  // FIELDS(): the same set as '*', standard fields first; ALL and CUSTOM need a LIMIT.
  const described = (await Appt.describe$()).fields;
  const fieldsAll = (await conn.query(`SELECT FIELDS(ALL) FROM ${APPT} LIMIT 1`)).records[0];
  assert.deepEqual(Object.keys(fieldsAll).slice(1),
    [...described.filter((f) => !f.custom), ...described.filter((f) => f.custom)].map((f) => f.name));
  const standard = (await conn.query(`SELECT FIELDS(STANDARD) FROM ${APPT}`)).records[0];
  assert.deepEqual(Object.keys(standard).slice(1), described.filter((f) => !f.custom).map((f) => f.name));
  assert.equal(await errorCode(conn.query(`SELECT FIELDS(CUSTOM) FROM ${APPT}`)), 'MALFORMED_QUERY');
  const nested = await Appt.select('Id').include('i360core__Sales_Appointment_Opportunities__r')
    .select('Id, i360core__Sales_Opportunity__r.Name').end().limit(20).execute();
  assert.ok(nested.some((r) => r.i360core__Sales_Appointment_Opportunities__r?.records.length > 0));

  // scanAll is queryAll: recycle-bin records too.
  const binned = await conn.sobject('Account').create({ Name: 'Recycle bin' });
  await conn.sobject('Account').destroy(binned.id);
  const soql = `SELECT Id, IsDeleted FROM Account WHERE Name = 'Recycle bin'`;
  const deleted = await conn.query(soql, { scanAll: true });
  assert.deepEqual(deleted.records.map((r) => [r.Id, r.IsDeleted]), [[binned.id, true]]);
  assert.equal((await conn.query(soql)).totalSize, 0);

  // Paging by hand, and autoFetch stopping at maxFetch.
  const first = await conn.query(`SELECT Id FROM ${APPT} ORDER BY Name`);
  assert.equal(first.done, false);
  assert.equal(first.records.length, 7);
  const second = await conn.queryMore(first.nextRecordsUrl);
  assert.equal(second.records.length, 7);
  assert.notEqual(second.records[0].Id, first.records[0].Id);
  const capped = await conn.query(`SELECT Id FROM ${APPT}`).run({ autoFetch: true, maxFetch: 10 });
  assert.equal(capped.records.length, 10);
  let streamed = 0;
  await new Promise((resolve, reject) => {
    conn.query(`SELECT Id FROM ${APPT}`).on('record', () => { streamed += 1; })
      .on('end', resolve).on('error', reject).run({ autoFetch: true, maxFetch: 10000 });
  });
  assert.equal(streamed, c.totalSize);
});

test('aggregates and semi-joins as an integrator writes them, checked against plain queries', async () => {
  const plain = (await conn.query('SELECT Id, i360core__Status__c, i360core__Sales_Rep_1__c, ' +
    `i360core__Sales_Rep_1__r.Name, i360core__Duration_Hours__c FROM ${APPT}`)
    .run({ autoFetch: true, maxFetch: 10000 })).records;
  const tally = (key) => {
    const m = new Map();
    for (const r of plain) m.set(key(r), (m.get(key(r)) || 0) + 1);
    return m;
  };

  // Appointments per status: AggregateResult records, one batch whatever the page size (7).
  const byStatus = tally((r) => r.i360core__Status__c);
  assert.ok(byStatus.size > 7, 'more groups than a page');
  const res = await conn.query(`SELECT i360core__Status__c, COUNT(Id) n FROM ${APPT} ` +
    'GROUP BY i360core__Status__c');
  assert.equal(res.done, true);
  assert.equal(res.nextRecordsUrl, undefined);
  assert.equal(res.totalSize, byStatus.size);
  assert.equal(res.records.length, byStatus.size);
  for (const r of res.records) {
    assert.deepEqual(r.attributes, { type: 'AggregateResult' });
    assert.equal(r.n, byStatus.get(r.i360core__Status__c), String(r.i360core__Status__c));
  }
  const total = await conn.query(`SELECT COUNT(Id), SUM(i360core__Duration_Hours__c) FROM ${APPT}`);
  assert.equal(total.records[0].expr0, plain.length);
  const hours = plain.reduce((a, r) => a + (r.i360core__Duration_Hours__c || 0), 0);
  assert.ok(Math.abs(total.records[0].expr1 - hours) < 1e-6);

  // Busiest reps by their parent Name (keyed "rep" here, "Name" without an alias).
  const byRep = tally((r) => r.i360core__Sales_Rep_1__r?.Name ?? null);
  byRep.delete(null);
  const top = await conn.query(`SELECT i360core__Sales_Rep_1__r.Name rep, COUNT(Id) n FROM ${APPT} ` +
    'WHERE i360core__Sales_Rep_1__c != null GROUP BY i360core__Sales_Rep_1__r.Name ' +
    'HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC LIMIT 3');
  const busy = [...byRep.values()].filter((n) => n > 1).sort((a, b) => b - a);
  assert.deepEqual(top.records.map((r) => r.n), busy.slice(0, 3));
  for (const r of top.records) assert.equal(r.n, byRep.get(r.rep), r.rep);
  const unaliased = await conn.query(`SELECT i360core__Sales_Rep_1__r.Name, COUNT(Id) FROM ${APPT} ` +
    'GROUP BY i360core__Sales_Rep_1__r.Name');
  assert.ok(unaliased.records.every((r) => 'Name' in r && 'expr0' in r && !('i360core__Sales_Rep_1__r' in r)));

  // Staff with a Scheduled appointment (semi-join), and staff with none (anti-join).
  const staff = (await conn.query('SELECT Id FROM i360core__Staff__c')
    .run({ autoFetch: true, maxFetch: 10000 })).records.map((r) => r.Id);
  const sched = new Set(plain.filter((r) => r.i360core__Status__c === 'Scheduled')
    .map((r) => r.i360core__Sales_Rep_1__c).filter(Boolean));
  const sub = `(SELECT i360core__Sales_Rep_1__c FROM ${APPT} WHERE i360core__Status__c = 'Scheduled')`;
  const inSched = await conn.query(`SELECT Id FROM i360core__Staff__c WHERE Id IN ${sub}`)
    .run({ autoFetch: true, maxFetch: 10000 });
  assert.ok(sched.size > 0);
  assert.deepEqual(new Set(inSched.records.map((r) => r.Id)), sched);
  const notSched = await conn.query(`SELECT Id FROM i360core__Staff__c WHERE Id NOT IN ${sub}`)
    .run({ autoFetch: true, maxFetch: 10000 });
  assert.deepEqual(new Set(notSched.records.map((r) => r.Id)), new Set(staff.filter((id) => !sched.has(id))));

  await assert.rejects(conn.query(`SELECT Name, COUNT(Id) FROM ${APPT}`),
    (e) => e.errorCode === 'MALFORMED_QUERY' && /Field must be grouped or aggregated: Name/.test(e.message));
  await assert.rejects(conn.query(`SELECT Id FROM i360core__Staff__c WHERE Name = 'x' OR Id IN ${sub}`),
    /Semi join sub-selects are not allowed with the 'OR' operator/);
});

test('date functions grouped, toLabel, convertTimezone and picklist order, via conn.query', async () => {
  const all = (soql) => conn.query(soql).run({ autoFetch: true, maxFetch: 10000 });
  const F = 'i360core__Appointment_Date_Time__c';
  const plain = (await all(`SELECT Id, CreatedDate, i360core__Status__c, ${F} FROM ${APPT}`)).records;
  const time = (v) => Date.parse(v.replace('+0000', 'Z'));

  // A date function grouped under an alias: AggregateResults keyed y and n, integer years,
  // counts that add up to COUNT() and match the years of the plain records (UTC).
  const years = await conn.query(`SELECT CALENDAR_YEAR(${F}) y, COUNT(Id) n FROM ${APPT} ` +
    `GROUP BY CALENDAR_YEAR(${F})`);
  assert.ok(years.records.length > 0);
  const perYear = new Map();
  for (const r of plain) {
    const y = r[F] === null ? null : new Date(time(r[F])).getUTCFullYear();
    perYear.set(y, (perYear.get(y) || 0) + 1);
  }
  for (const r of years.records) {
    assert.deepEqual(Object.keys(r), ['attributes', 'y', 'n']);
    assert.ok(r.y === null || Number.isInteger(r.y), `year ${r.y}`);
    assert.equal(r.n, perYear.get(r.y), `year ${r.y}`);
  }
  assert.equal(years.records.length, perYear.size);
  const count = (await conn.query(`SELECT COUNT() FROM ${APPT}`)).totalSize;
  assert.equal(years.records.reduce((a, r) => a + r.n, 0), count);

  // toLabel() under an alias next to the plain field: describe's label of the value.
  const status = (await conn.sobject(APPT).describe$()).fields
    .find((f) => f.name === 'i360core__Status__c');
  const label = new Map(status.picklistValues.map((p) => [p.value, p.label]));
  const labelled = await all(`SELECT Id, i360core__Status__c, toLabel(i360core__Status__c) statusLabel ` +
    `FROM ${APPT} WHERE i360core__Status__c != null`);
  assert.ok(labelled.records.length > 0);
  for (const r of labelled.records) {
    assert.deepEqual(Object.keys(r), ['attributes', 'Id', 'i360core__Status__c', 'statusLabel']);
    assert.equal(r.statusLabel, label.get(r.i360core__Status__c), r.Id);
  }

  // HOUR_IN_DAY(convertTimezone(CreatedDate)): the hour on a Chicago clock, as Intl reads it;
  // without convertTimezone the UTC hour.
  const hourIn = (timeZone, v) => Number(new Intl.DateTimeFormat('en-US',
    { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(new Date(time(v))));
  const target = plain[0];
  const h = hourIn('America/Chicago', target.CreatedDate);
  assert.notEqual(h, hourIn('UTC', target.CreatedDate));
  const local = await all(`SELECT Id FROM ${APPT} WHERE HOUR_IN_DAY(convertTimezone(CreatedDate)) = ${h}`);
  assert.ok(local.records.some((r) => r.Id === target.Id), 'the record whose Chicago hour it is');
  assert.deepEqual(new Set(local.records.map((r) => r.Id)),
    new Set(plain.filter((r) => hourIn('America/Chicago', r.CreatedDate) === h).map((r) => r.Id)));
  const utc = await all(`SELECT Id FROM ${APPT} WHERE HOUR_IN_DAY(CreatedDate) = ${h}`);
  assert.deepEqual(new Set(utc.records.map((r) => r.Id)),
    new Set(plain.filter((r) => hourIn('UTC', r.CreatedDate) === h).map((r) => r.Id)));

  // ORDER BY a picklist follows the order describe lists its values in, not the alphabet;
  // nulls first ascending and last descending. The seed's statuses tell the two apart.
  const rank = (v) => (v === null ? -1 : status.picklistValues.findIndex((p) => p.value === v));
  const defined = status.picklistValues.map((p) => p.value);
  const present = defined.filter((v) => plain.some((r) => r.i360core__Status__c === v));
  assert.notDeepEqual(present, [...present].sort(), 'defined order differs from alphabetical');
  const asc = (await all(`SELECT i360core__Status__c FROM ${APPT} ORDER BY i360core__Status__c`))
    .records.map((r) => rank(r.i360core__Status__c));
  assert.equal(asc.length, plain.length);
  assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
  const desc = (await all(`SELECT i360core__Status__c FROM ${APPT} ORDER BY i360core__Status__c DESC`))
    .records.map((r) => rank(r.i360core__Status__c));
  assert.deepEqual(desc, [...desc].sort((a, b) => (a === -1) - (b === -1) || b - a));
  const grouped = await conn.query(`SELECT i360core__Status__c s, COUNT(Id) FROM ${APPT} ` +
    'WHERE i360core__Status__c != null GROUP BY i360core__Status__c ORDER BY i360core__Status__c');
  assert.deepEqual(grouped.records.map((r) => r.s), present);
});

test('date literals from jsforce SfDate mean what Salesforce means (UTC, weeks from Sunday)', async () => {
  const Appt = conn.sobject(APPT);
  const rows = (await conn.query(`SELECT i360core__Appointment_Date_Time__c FROM ${APPT}`)
    .run({ autoFetch: true, maxFetch: 10000 })).records
    .map((r) => r.i360core__Appointment_Date_Time__c).filter((v) => v).map((v) => Date.parse(v.replace('+0000', 'Z')));
  const now = new Date();
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const week = day - now.getUTCDay() * 86400000;
  const month = (k) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1);
  const between = (lo, hi) => rows.filter((t) => t >= lo && t < hi).length;
  const F = 'i360core__Appointment_Date_Time__c';
  const S = jsforce.SfDate;
  const cases = [
    [S.THIS_WEEK, between(week, week + 7 * 86400000)],
    [S.LAST_WEEK, between(week - 7 * 86400000, week)],
    [S.NEXT_WEEK, between(week + 7 * 86400000, week + 14 * 86400000)],
    [S.THIS_MONTH, between(month(0), month(1))],
    [S.LAST_MONTH, between(month(-1), month(0))],
    [S.LAST_N_DAYS(10), between(day - 10 * 86400000, day + 86400000)],
    [S.NEXT_N_DAYS(10), between(day + 86400000, day + 11 * 86400000)],
    [S.LAST_N_WEEKS(2), between(week - 14 * 86400000, week)],
    [S.LAST_N_MONTHS(1), between(month(-1), month(0))],
    [S.LAST_90_DAYS, between(day - 90 * 86400000, day + 86400000)],
  ];
  assert.ok(cases.filter(([, n]) => n > 0).length >= 6, 'the seeded dates exercise the literals');
  for (const [lit, n] of cases)
    assert.equal(await Appt.count({ [F]: lit }), n, lit.toString());
  const since = S.toDateTimeLiteral(new Date(week));
  assert.equal(await Appt.count({ [F]: { $gte: since } }), rows.filter((t) => t >= week).length);
});

test('errors come back with Salesforce\'s errorCode', async () => {
  assert.equal(await errorCode(conn.query(`SELECT Nope__c FROM ${APPT}`)), 'INVALID_FIELD');
  assert.equal(await errorCode(conn.query(`SELEC Id FROM ${APPT}`)), 'MALFORMED_QUERY');
  assert.equal(await errorCode(conn.query('SELECT Id FROM Nope__c')), 'INVALID_TYPE');
  assert.equal(await errorCode(conn.query(`SELECT Id FROM ${APPT} WHERE Name = 5`)), 'INVALID_FIELD');
  assert.equal(await errorCode(conn.sobject(APPT).update({ Id: 'a0A000000000000', Name: 'x' })), 'NOT_FOUND');
  try {
    await conn.query(`SELECT Nope__c FROM ${APPT}`);
  } catch (e) {
    assert.match(e.message, /ERROR at Row:1:Column:8\nNo such column 'Nope__c' on entity/);
    assert.equal(e.data.errorCode, 'INVALID_FIELD');
  }
  // A session without a refresh token cannot recover from INVALID_SESSION_ID.
  const bare = new jsforce.Connection({ instanceUrl: url, accessToken: '00Dbogus!token', version: '58.0' });
  assert.equal(await errorCode(bare.query('SELECT Id FROM Account')), 'INVALID_SESSION_ID');
  // The daily quota spent: REQUEST_LIMIT_EXCEEDED, which a refresh does not cure.
  const used = await apiCalls();
  await control('knobs', { api_quota: used });
  try {
    assert.equal(await errorCode(conn.query('SELECT Id FROM Account')), 'REQUEST_LIMIT_EXCEEDED');
  } finally {
    await control('knobs', { api_quota: 0 });
  }
  assert.equal((await conn.query('SELECT Id FROM Account LIMIT 1')).records.length, 1);
});

test('OAuth: refresh with and without rotation, invalid_grant, revokeToken, logout', async () => {
  const c = await newConnection({ version: '58.0' });
  const seen = [];
  c.on('refresh', (accessToken, res) => {
    seen.push(res);
    // jsforce keeps its first refresh token: with rotation the integrator stores the new one.
    if (res.refresh_token) c.refreshToken = res.refresh_token;
  });
  await control('expire-tokens', {});
  await c.query('SELECT Id FROM Account LIMIT 1');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].refresh_token, undefined, 'no rotation: the refresh token stays');
  assert.equal(seen[0].instance_url, url);
  const sig = createHmac('sha256', SECRET).update(seen[0].id + seen[0].issued_at).digest('base64');
  assert.equal(seen[0].signature, sig);

  await control('knobs', { rotate_refresh_tokens: 1 });
  const old = c.refreshToken;
  try {
    await control('expire-tokens', {});
    await c.query('SELECT Id FROM Account LIMIT 1');
    assert.ok(seen[1].refresh_token && seen[1].refresh_token !== old, 'rotated');
    await control('expire-tokens', {});
    await c.query('SELECT Id FROM Account LIMIT 1');
    assert.equal(seen.length, 3);
  } finally {
    await control('knobs', { rotate_refresh_tokens: 0 });
  }
  const o = oauth2();
  await assert.rejects(o.refreshToken(old), (e) => e.name === 'invalid_grant' &&
    e.message === 'expired access/refresh token');

  // Revoking the refresh token takes its access tokens along; a second revoke is refused.
  await o.revokeToken(c.refreshToken);
  await assert.rejects(c.query('SELECT Id FROM Account LIMIT 1'), /expired access\/refresh token/);
  await assert.rejects(o.revokeToken(c.refreshToken), (e) => e.name === 'invalid_token');

  // logout() revokes the access token; the refresh token still works.
  const d = await newConnection({ version: '58.0' });
  const { accessToken, refreshToken, instanceUrl } = d;
  await d.logout();
  assert.equal(d.accessToken, null);
  const dead = new jsforce.Connection({ instanceUrl, accessToken, version: '58.0' });
  assert.equal(await errorCode(dead.query('SELECT Id FROM Account')), 'INVALID_SESSION_ID');
  const back = new jsforce.Connection({ oauth2: oauth2(), instanceUrl, accessToken, refreshToken, version: '58.0' });
  assert.equal((await back.query('SELECT Id FROM Account LIMIT 1')).records.length, 1);
});

test('replication: updated() and deleted() list what changed, as getUpdated/getDeleted do', async () => {
  const hour = 3600000;
  const start = new Date(Date.now() - 20 * 24 * hour);
  const u = await conn.sobject(APPT).updated(start, new Date(Date.now() + hour));
  // The window is cut to the minute and ends now (this minute is not covered yet).
  const from = new Date(Math.floor(start.getTime() / 60000) * 60000);
  const to = new Date(u.latestDateCovered.replace('+0000', 'Z'));
  assert.ok(Date.now() - to.getTime() < 120000 && to.getTime() % 60000 === 0);
  const lit = (d) => jsforce.SfDate.toDateTimeLiteral(d);
  const expected = (await conn.query(`SELECT Id FROM ${APPT} WHERE SystemModstamp >= ${lit(from)} ` +
    `AND SystemModstamp < ${lit(to)}`).run({ autoFetch: true, maxFetch: 10000 })).records.map((r) => r.Id);
  assert.ok(expected.length > 0);
  assert.deepEqual([...u.ids].sort(), expected.sort());

  // A record deleted two hours ago (a late commit through the control endpoint).
  const made = await conn.sobject('Account').create({ Name: 'Replicated then deleted' });
  const when = new Date(Date.now() - 2 * hour);
  await control('records', { op: 'delete', id: made.id, SystemModstamp: when.toISOString() });
  const d = await conn.sobject('Account').deleted(new Date(Date.now() - 3 * hour), new Date());
  const mine = d.deletedRecords.filter((r) => r.id === made.id);
  assert.equal(mine.length, 1);
  assert.equal(Date.parse(mine[0].deletedDate.replace('+0000', 'Z')), when.getTime());
  assert.ok(d.earliestDateAvailable && d.latestDateCovered);
  assert.ok(!(await conn.sobject('Account').updated(new Date(Date.now() - 3 * hour), new Date()))
    .ids.includes(made.id), 'a deleted record is not among the updated');

  assert.equal(await errorCode(conn.sobject(APPT).updated(new Date(Date.now() - 40 * 24 * hour),
    new Date())), 'INVALID_REPLICATION_DATE');
  assert.equal(await errorCode(conn.sobject(APPT).deleted(new Date(), new Date(Date.now() - hour))),
    'INVALID_REPLICATION_DATE');
});
