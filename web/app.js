// app: the i360bridge admin UI — sign-in, Administration (Integrations, Users), jobs,
// sync history and result reasons, all on the JSON API of SPEC §6. No library, no
// inline script (the CSP forbids it); every value is put in the page as text.
'use strict';

const I360 = '/api/integrations/improveit360';
const state = { session: null, users: null, reasons: null, polling: null };

// ---- small helpers -------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET' && state.session) opts.headers['X-CSRF-Token'] = state.session.csrf;
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    if (res.status === 401 && path !== '/ui/session') { state.session = null; go('#/signin'); }
    throw new ApiError(res.status, (data && data.error) || `The service answered ${res.status}.`);
  }
  return data;
}

function toast(msg) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 3000);
}

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

function badge(word) {
  return h('span', { class: `badge ${word}` }, String(word).replace(/_/g, ' '));
}

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

function view(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children);
  return main;
}

function errorBox(err) {
  return h('p', { class: 'error', role: 'alert' }, err.message || String(err));
}

// ---- routing -------------------------------------------------------------------------

const routes = [
  [/^#\/signin$/, viewSignin],
  [/^#\/admin\/integrations/, viewIntegrations],
  [/^#\/admin\/users/, viewUsers],
  [/^#\/jobs\/(\d+)$/, viewJob],
  [/^#\/jobs/, viewJobs],
  [/^#\/sync-history/, viewHistory],
  [/^#\/result-reasons/, viewReasons],
];

async function route() {
  const hash = location.hash || '#/admin/integrations';
  if (state.polling) { clearTimeout(state.polling); state.polling = null; }
  if (!state.session && hash !== '#/signin') {
    try { state.session = await api('GET', '/ui/session'); } catch (e) { state.session = null; }
    if (!state.session) { location.hash = '#/signin'; return; }
  }
  document.getElementById('topnav').hidden = !state.session;
  document.getElementById('orgname').textContent = state.session ? state.session.org_name : '';
  for (const a of document.querySelectorAll('#topnav a')) {
    const nav = a.dataset.nav;
    const on = hash.startsWith(`#/${nav}`);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  for (const [re, fn] of routes) {
    const m = hash.match(re);
    if (m) {
      try { await fn(...m.slice(1)); } catch (e) { view(h('div', { class: 'card' }, errorBox(e))); }
      if (state.session) refreshBanner();
      return;
    }
  }
  go('#/admin/integrations');
}

// ---- sign-in -------------------------------------------------------------------------

function viewSignin() {
  document.getElementById('topnav').hidden = true;
  document.getElementById('banner').hidden = true;
  const err = h('p', { class: 'error', role: 'alert' });
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true });
  const form = h('form', { class: 'card signin', onsubmit: async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    try {
      state.session = await api('POST', '/ui/session', { token: input.value.trim() });
      go('#/admin/integrations');
    } catch (e) { err.textContent = e.message; }
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'Sign in as the org admin with your organization\'s API token ' +
    '(printed by “i360bridge org create”).'),
  h('label', { for: 'token' }, 'API token'), input, err,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'signin' }, 'Sign in')));
  view(form);
  input.focus();
}

async function signOut() {
  try { await api('DELETE', '/ui/session'); } catch (e) { /* signed out either way */ }
  state.session = null;
  state.users = null;
  go('#/signin');
}

// ---- the re-authorization banner -------------------------------------------------------

async function refreshBanner() {
  const banner = document.getElementById('banner');
  let integ;
  try { integ = await api('GET', I360); } catch (e) { return; }
  if (integ.status !== 'needs_reauthorization') { banner.hidden = true; return; }
  banner.replaceChildren(
    h('span', {}, 'ImproveIt360 stopped accepting this connection: syncs are paused until an admin authorizes it again.'),
    h('button', { type: 'button', class: 'primary', id: 'banner-reauthorize',
                  onclick: () => openAuthorize(integ) }, 'Re-authorize'));
  banner.hidden = false;
}

// ---- Administration --------------------------------------------------------------------

function adminFrame(tab, ...content) {
  const link = (id, label) => h('a', { href: `#/admin/${id}`, id: `tab-${id}`,
    'aria-current': tab === id ? 'page' : null }, label);
  return view(h('h1', {}, 'Administration'),
    h('div', { class: 'admin' },
      h('nav', { class: 'tabs', 'aria-label': 'Administration' }, link('integrations', 'Integrations'), link('users', 'Users')),
      h('div', {}, ...content)));
}

async function viewIntegrations() {
  const integ = await api('GET', I360);
  const connected = integ.status === 'connected';
  const who = integ.connected_user
    ? [h('strong', {}, integ.connected_user), ' · org ', h('code', {}, integ.sf_org_id || '—'),
       h('br'), h('span', { class: 'muted' }, integ.instance_url || '')]
    : [h('span', { class: 'muted' }, 'Not connected yet. Click Authorize and enter the connected app\'s Consumer Key and Secret.')];
  const progress = h('div', { id: 'sync-progress', 'aria-live': 'polite' });
  const row = h('div', { class: 'card', id: 'i360-row' },
    h('div', { class: 'introw' },
      h('div', {}, h('div', { class: 'intname' }, 'ImproveIt360'), badge(integ.status),
        h('div', { class: 'muted' }, `Platform: ${integ.platform === 'classic' ? 'Classic' : 'Lightning'} · Documents: ${integ.documents === 'none' ? 'none' : 'all'}`)),
      h('div', { id: 'connected-as' }, ...who,
        h('div', { class: 'muted' }, 'Last sync: ', integ.last_run ? [badge(integ.last_run.status), ' ', when(integ.last_run.finished_at || integ.last_run.started_at)] : 'never',
          ' · Next: ', when(integ.next_sync_at))),
      h('div', { class: 'rowbuttons' },
        h('button', { type: 'button', id: 'authorize', class: connected ? 'secondary' : 'primary',
                      onclick: () => openAuthorize(integ) }, connected ? 'Re-authorize' : 'Authorize'),
        h('button', { type: 'button', id: 'gear', class: 'icon', title: 'ImproveIt360 settings',
                      'aria-label': 'ImproveIt360 settings', onclick: () => openSettings(integ) }, '⚙'),
        h('button', { type: 'button', id: 'sync', class: 'primary', disabled: !connected,
                      onclick: () => startSync(progress) }, 'Sync'),
        integ.status !== 'disconnected'
          ? h('button', { type: 'button', id: 'disconnect', class: 'danger', onclick: async () => {
              if (!confirm('Disconnect ImproveIt360? Synced jobs stay; syncs stop until it is authorized again.')) return;
              try { await api('DELETE', I360); toast('Disconnected.'); route(); } catch (e) { toast(e.message); }
            } }, 'Disconnect') : null)),
    integ.last_error ? h('p', { class: 'error' }, integ.last_error) : null,
    progress);
  adminFrame('integrations',
    h('p', { class: 'muted' }, 'Connect One Click Contractor to the CRMs your company uses.'),
    row);
  if (/connected=1/.test(location.hash)) {
    toast('ImproveIt360 is connected.');
    history.replaceState(null, '', '#/admin/integrations');
  }
  if (state.lastDone) { progress.replaceChildren(doneBox(state.lastDone)); state.lastDone = null; }
  if (integ.last_run && integ.last_run.status === 'running') pollRun(integ.last_run.id, progress);
}

function openAuthorize(integ) {
  const dlg = document.getElementById('authorize-modal');
  const form = document.getElementById('authorize-form');
  const err = document.getElementById('authorize-error');
  form.reset();
  err.textContent = '';
  document.getElementById('callback-url').value = integ.callback_url || state.session.callback_url;
  const my = document.getElementById('mydomain-url');
  const known = ['https://login.salesforce.com', 'https://test.salesforce.com'];
  if (integ.login_url && !known.includes(integ.login_url)) {
    form.querySelector('input[value="mydomain"]').checked = true;
    my.disabled = false;
    my.value = integ.login_url;
  } else if (integ.login_url) {
    form.querySelector(`input[value="${integ.login_url}"]`).checked = true;
  }
  dlg.showModal();
  document.getElementById('consumer-key').focus();
}

function openSettings(integ) {
  document.getElementById('platform').value = integ.platform || 'lightning';
  document.getElementById('documents').value = integ.documents || 'all';
  document.getElementById('settings-error').textContent = '';
  document.getElementById('settings-modal').showModal();
  document.getElementById('platform').focus();
}

function wireModals() {
  for (const b of document.querySelectorAll('dialog [data-close]'))
    b.addEventListener('click', () => b.closest('dialog').close());
  const form = document.getElementById('authorize-form');
  const my = document.getElementById('mydomain-url');
  for (const r of form.querySelectorAll('input[name="login"]'))
    r.addEventListener('change', () => { my.disabled = r.value !== 'mydomain' || !r.checked; if (!my.disabled) my.focus(); });
  document.getElementById('copy-callback').addEventListener('click', async () => {
    const input = document.getElementById('callback-url');
    try { await navigator.clipboard.writeText(input.value); }
    catch (e) { input.select(); document.execCommand('copy'); }
    toast('Callback URL copied.');
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = document.getElementById('authorize-error');
    const choice = form.querySelector('input[name="login"]:checked').value;
    const body = {
      consumer_key: document.getElementById('consumer-key').value.trim(),
      consumer_secret: document.getElementById('consumer-secret').value.trim(),
      login_url: choice === 'mydomain' ? my.value.trim() : choice,
    };
    err.textContent = '';
    try {
      const res = await api('POST', `${I360}/authorize`, body);
      location.assign(res.authorize_url);   // Salesforce's Allow page
    } catch (e) { err.textContent = e.message; }
  });
  document.getElementById('settings-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = document.getElementById('settings-error');
    try {
      await api('PUT', `${I360}/settings`, {
        platform: document.getElementById('platform').value,
        documents: document.getElementById('documents').value,
      });
      document.getElementById('settings-modal').close();
      toast('Settings saved.');
      route();
    } catch (e) { err.textContent = e.message; }
  });
  document.getElementById('signout').addEventListener('click', signOut);
}

function runLine(run) {
  const c = run.counts || {};
  return `${c.users} users (${c.users_linked} newly linked), ${c.jobs_created} jobs created, ` +
    `${c.jobs_updated} updated, ${c.appointments_skipped} skipped, ${c.record_errors} record errors, ${run.api_calls} API calls`;
}

async function startSync(box) {
  const btn = document.getElementById('sync');
  btn.disabled = true;
  try {
    const res = await api('POST', `${I360}/sync`);
    pollRun(res.run_id, box);
  } catch (e) {
    box.replaceChildren(errorBox(e));
    btn.disabled = false;
  }
}

async function pollRun(id, box) {
  let run;
  try { run = await api('GET', `${I360}/sync-runs/${id}`); } catch (e) { box.replaceChildren(errorBox(e)); return; }
  if (run.status === 'running') {
    box.replaceChildren(h('div', { class: 'progress' },
      h('strong', {}, `Syncing: ${run.step || 'starting'}`), h('div', {}, runLine(run)),
      h('div', { class: 'bar', role: 'progressbar', 'aria-label': 'Sync in progress' }, h('span'))));
    state.polling = setTimeout(() => pollRun(id, box), 700);
    return;
  }
  // The row shows the new last sync: draw the page again with this result under it.
  state.lastDone = run;
  if (box.isConnected) route();
}

function doneBox(run) {
  return h('div', { class: 'progress', id: 'sync-done', 'data-status': run.status },
    h('strong', {}, run.status === 'succeeded' ? 'Sync finished. ' : 'Sync failed. '),
    run.error ? h('span', { class: 'error' }, run.error, ' ') : null,
    h('span', {}, runLine(run)), ' ',
    h('a', { href: '#/sync-history' }, 'See the sync history'));
}

// ---- Users (I360 staff linked to OCC users) ------------------------------------------------

async function loadUsers() {
  state.users = await api('GET', '/api/users');
  return state.users;
}

async function viewUsers() {
  const users = await loadUsers();
  const q = h('input', { id: 'staff-search', type: 'search', placeholder: 'Name or email' });
  const list = h('div', { id: 'staff-list' });
  const load = async () => {
    const staff = await api('GET', `${I360}/users?q=${encodeURIComponent(q.value.trim())}`);
    list.replaceChildren(staffTable(staff, users));
  };
  let t;
  q.addEventListener('input', () => { clearTimeout(t); t = setTimeout(load, 250); });
  const addErr = h('p', { class: 'error', role: 'alert' });
  const email = h('input', { id: 'new-user-email', type: 'email', required: true });
  const name = h('input', { id: 'new-user-name', required: true });
  const add = h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/api/users', { email: email.value.trim(), name: name.value.trim() });
      toast('OCC user added.');
      route();
    } catch (e) { addErr.textContent = e.message; }
  } }, h('h2', {}, 'Add an OCC user'),
  h('div', { class: 'grid2' }, h('div', {}, h('label', { for: 'new-user-email' }, 'Email'), email),
    h('div', {}, h('label', { for: 'new-user-name' }, 'Name'), name)), addErr,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Add user')));
  adminFrame('users',
    h('div', { class: 'card' },
      h('h2', {}, 'ImproveIt360 users'),
      h('p', { class: 'muted' }, 'Staff are linked to OCC users by email when they sync. Where the addresses differ, link them here; a link made by hand is never changed by the automatic linking.'),
      h('div', { class: 'toolbar' }, h('div', {}, h('label', { for: 'staff-search' }, 'Search ImproveIt360 users'), q)),
      list),
    add);
  await load();
}

function staffTable(staff, users) {
  if (!staff.length) return h('p', { class: 'muted' }, 'No ImproveIt360 users yet: run a sync from the Integrations tab.');
  const how = { email: 'by email', manual: 'by hand', none: '—' };
  return h('table', {},
    h('thead', {}, h('tr', {}, ['Name', 'Email', 'OCC user', 'Active', 'Linked', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, staff.map((st) => {
      const sel = h('select', { 'aria-label': `OCC user for ${st.name}`, 'data-crm': st.crm_id },
        h('option', { value: '' }, '— not linked —'),
        users.map((u) => h('option', { value: u.id, selected: u.id === st.occ_user_id }, `${u.name} <${u.email}>`)));
      const act = h('input', { type: 'checkbox', checked: st.active, 'aria-label': `Link of ${st.name} active` });
      const save = h('button', { type: 'button', class: 'secondary', onclick: async () => {
        try {
          await api('PUT', `${I360}/users/${encodeURIComponent(st.crm_id)}`,
            { occ_user_id: sel.value ? Number(sel.value) : null, active: act.checked });
          toast(`Saved the link of ${st.name}.`);
          route();
        } catch (e) { toast(e.message); }
      } }, 'Save');
      const name = st.in_i360 === false
        ? [st.name || '—', ' ', h('span', { class: 'badge gone', title: 'The last sync no longer found this user in ImproveIt360: their appointments are not pulled.' }, 'not in ImproveIt360')]
        : (st.name || '—');
      return h('tr', { 'data-crm': st.crm_id }, h('td', {}, name), h('td', {}, st.email || '—'),
        h('td', {}, sel), h('td', {}, act), h('td', {}, how[st.linked_by] || st.linked_by), h('td', {}, save));
    })));
}

// ---- Jobs ---------------------------------------------------------------------------------

async function viewJobs() {
  const jobs = [];
  let next = 0;
  const q = h('input', { id: 'job-search', type: 'search', placeholder: 'Customer, job name, email, city' });
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'more-jobs' }, 'Load more');
  const count = h('p', { class: 'muted' });
  const render = () => {
    body.replaceChildren(...jobs.map((j) => {
      const a = (j.appointments || [])[0] || {};
      return h('tr', { class: 'clickable', tabindex: 0, 'data-job': j.id,
        onclick: () => go(`#/jobs/${j.id}`), onkeydown: (ev) => { if (ev.key === 'Enter') go(`#/jobs/${j.id}`); } },
      h('td', {}, h('a', { href: `#/jobs/${j.id}` }, j.name || `Job ${j.id}`)), h('td', {}, j.customer_name || '—'),
      h('td', {}, j.assigned_user ? j.assigned_user.email : '—'), h('td', {}, when(a.start_time)),
      h('td', {}, a.status ? badge(a.status) : '—'));
    }));
    const needle = q.value.trim();
    count.textContent = needle ? `${jobs.length} job${jobs.length === 1 ? '' : 's'} matching “${needle}” loaded.`
      : `${jobs.length} job${jobs.length === 1 ? '' : 's'} loaded.`;
    more.hidden = next === null;
  };
  // The search runs on the server, over every job, not just the pages loaded.
  const load = async () => {
    const needle = q.value.trim();
    const page = await api('GET', `/api/jobs?limit=200&after=${next}${needle ? `&q=${encodeURIComponent(needle)}` : ''}`);
    jobs.push(...page.jobs);
    next = page.next_after;
    render();
  };
  let timer = null;
  const search = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { jobs.length = 0; next = 0; load(); }, 250);
  };
  more.addEventListener('click', load);
  q.addEventListener('input', search);
  view(h('h1', {}, 'Jobs'),
    h('div', { class: 'card' },
      h('div', { class: 'toolbar' }, h('div', {}, h('label', { for: 'job-search' }, 'Search jobs'), q)),
      h('table', {}, h('thead', {}, h('tr', {}, ['Job', 'Customer', 'Assigned to', 'Appointment', 'Status'].map((t) => h('th', { scope: 'col' }, t)))), body),
      count, more));
  await load();
}

async function loadReasons() {
  if (!state.reasons) state.reasons = await api('GET', `${I360}/result-reasons`);
  return state.reasons;
}

function stageForm(label, results, current, currentDetail, submit) {
  const id = `stage-${Math.random().toString(36).slice(2, 8)}`;
  const res = h('select', { id: `${id}-r` }, h('option', { value: '' }, '— choose —'),
    results.filter((r) => r.active || r.description === current).map((r) =>
      h('option', { value: r.description, selected: r.description === current }, r.description)));
  const det = h('select', { id: `${id}-d` });
  const fill = () => {
    const r = results.find((x) => x.description === res.value);
    det.replaceChildren(h('option', { value: '' }, '— none —'),
      ...((r && r.details) || []).filter((d) => d.active).map((d) =>
        h('option', { value: d.description, selected: d.description === currentDetail }, d.description)));
  };
  fill();
  res.addEventListener('change', fill);
  const err = h('p', { class: 'error', role: 'alert' });
  return h('form', { class: 'stage', onsubmit: async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    try { await submit(res.value, det.value || null); } catch (e) { err.textContent = e.message; }
  } }, h('h3', {}, label),
  h('div', { class: 'grid2' }, h('div', {}, h('label', { for: `${id}-r` }, 'Result'), res),
    h('div', {}, h('label', { for: `${id}-d` }, 'Result detail'), det)), err,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set stage')));
}

async function viewJob(id) {
  const [job, docs, reasons] = await Promise.all([api('GET', `/api/jobs/${id}`),
    api('GET', `/api/jobs/${id}/documents`), loadReasons()]);
  const a = (job.appointments || [])[0] || {};
  const addr = job.address || {};
  const stage = async (body) => {
    await api('PUT', `/api/jobs/${id}/stage`, body);
    toast('Stage queued for ImproveIt360.');
    route();
  };
  const fileInput = h('input', { id: 'doc-file', type: 'file', required: true });
  const upErr = h('p', { class: 'error', role: 'alert' });
  const upload = h('form', { id: 'upload-form', onsubmit: async (ev) => {
    ev.preventDefault();
    if (!fileInput.files.length) return;
    const fd = new FormData();
    fd.append('file', fileInput.files[0]);
    try { await api('POST', `/api/jobs/${id}/documents`, fd); toast('Document uploaded.'); route(); }
    catch (e) { upErr.textContent = e.message; }
  } }, h('label', { for: 'doc-file' }, 'Attach a document'), fileInput, upErr,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Upload')));
  view(h('p', {}, h('a', { href: '#/jobs' }, '← All jobs')),
    h('h1', { id: 'job-title' }, job.name || `Job ${job.id}`),
    h('div', { class: 'grid2' },
      h('section', { class: 'card', 'aria-labelledby': 'job-h' }, h('h2', { id: 'job-h' }, 'Job'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Customer'), h('dd', {}, job.customer_name || '—'),
          h('dt', {}, 'Email'), h('dd', {}, job.email || '—'),
          h('dt', {}, 'Address'), h('dd', {}, [addr.line1, addr.city, addr.state, addr.postal_code].filter(Boolean).join(', ') || '—'),
          h('dt', {}, 'Phones'), h('dd', { id: 'phones' }, job.phones.length ? job.phones.map((p) => h('div', {}, p.name ? `${p.name}: ${p.number}` : p.number)) : '—'),
          h('dt', {}, 'Assigned to'), h('dd', {}, job.assigned_user ? job.assigned_user.email : '—'),
          h('dt', {}, 'I360 account'), h('dd', {}, h('code', {}, job.metadata.i360_lightning_account || '—')),
          h('dt', {}, 'I360 sales rep'), h('dd', {}, h('code', {}, job.metadata.i360_lightning_salesrep_id || '—')))),
      h('section', { class: 'card', 'aria-labelledby': 'appt-h' }, h('h2', { id: 'appt-h' }, 'Appointment'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Status'), h('dd', {}, a.status ? badge(a.status) : '—'),
          h('dt', {}, 'Starts'), h('dd', {}, when(a.start_time)),
          h('dt', {}, 'Ends'), h('dd', {}, when(a.end_time)),
          h('dt', {}, 'Summary'), h('dd', {}, a.summary || '—'),
          h('dt', {}, 'Result'), h('dd', {}, [a.result, a.result_detail].filter(Boolean).join(' / ') || '—'),
          h('dt', {}, 'I360 appointment'), h('dd', {}, h('code', {}, (a.metadata || {}).improveit360_appointment_id || '—'))),
        stageForm('Appointment stage', reasons.appointment, a.result, a.result_detail,
          (r, d) => stage({ appointment_result: r, appointment_result_detail: d })))),
    h('section', { class: 'card' }, h('h2', {}, 'Sales opportunities'),
      (a.sales_opportunities || []).length
        ? (a.sales_opportunities || []).map((o) => h('div', { class: 'opp' },
            h('p', {}, h('strong', {}, o.name || o.id), ' — ', [o.result, o.result_detail].filter(Boolean).join(' / ') || 'no result yet'),
            stageForm(`Stage of ${o.name || o.id}`, reasons.opportunity, o.result, o.result_detail,
              (r, d) => stage({ opportunity_id: o.id, result: r, result_detail: d }))))
        : h('p', { class: 'muted' }, 'No sales opportunities on this appointment.')),
    h('div', { class: 'grid2' },
      h('section', { class: 'card' }, h('h2', {}, 'Documents'),
        docs.length ? h('table', {}, h('thead', {}, h('tr', {}, ['Title', 'Size', 'Push', 'Added'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, docs.map((d) => h('tr', {}, h('td', {}, d.title), h('td', {}, `${Math.ceil(d.size / 1024)} KB`),
            h('td', {}, d.push_state ? badge(d.push_state) : '—', d.push_error ? h('div', { class: 'error' }, d.push_error) : null),
            h('td', {}, when(d.created_at)))))) : h('p', { class: 'muted' }, 'No documents yet.'),
        upload),
      h('section', { class: 'card' }, h('h2', {}, 'Pushes to ImproveIt360'),
        (job.pushes || []).length ? h('table', {}, h('thead', {}, h('tr', {}, ['What', 'State', 'Tries', 'Updated'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, job.pushes.map((p) => h('tr', {}, h('td', {}, p.kind.replace(/_/g, ' ')),
            h('td', {}, badge(p.state), p.last_error ? h('div', { class: 'error' }, p.last_error) : null),
            h('td', {}, p.attempts), h('td', {}, when(p.updated_at)))))) : h('p', { class: 'muted' }, 'Nothing pushed yet.'))));
}

// ---- Sync history ------------------------------------------------------------------------

function chart(runs) {
  const data = runs.slice(0, 20).reverse();
  const W = 720, H = 220, pad = 34, max = Math.max(1, ...data.map((r) => Math.max(r.counts.jobs_created, r.counts.jobs_updated)));
  const slot = (W - pad * 2) / Math.max(1, data.length), bw = Math.max(3, slot / 2 - 3);
  const y = (v) => H - pad - (v / max) * (H - pad * 2);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title' },
    s('title', { id: 'chart-title' }, 'Jobs created and updated per sync run'),
    s('line', { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, stroke: '#4b5563' }),
    s('text', { x: 4, y: pad - 8, 'font-size': 12, fill: '#4b5563' }, String(max)),
    s('text', { x: 4, y: H - pad, 'font-size': 12, fill: '#4b5563' }, '0'));
  data.forEach((r, i) => {
    const x = pad + i * slot + 2;
    const c = r.counts.jobs_created, u = r.counts.jobs_updated;
    svg.append(s('rect', { class: 'created', x, y: y(c), width: bw, height: H - pad - y(c) }, s('title', {}, `Run ${r.id}: ${c} created`)));
    svg.append(s('rect', { class: 'updated', x: x + bw + 1, y: y(u), width: bw, height: H - pad - y(u) }, s('title', {}, `Run ${r.id}: ${u} updated`)));
    svg.append(s('text', { x: x + bw, y: H - pad + 16, 'font-size': 11, 'text-anchor': 'middle', fill: '#4b5563' }, `#${r.id}`));
  });
  return h('div', { class: 'chart' }, svg,
    h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'swatch', style: null, 'data-c': 'created' }), 'Jobs created'),
      h('span', {}, h('i', { class: 'swatch', 'data-c': 'updated' }), 'Jobs updated')));
}

async function viewHistory() {
  const runs = await api('GET', `${I360}/sync-runs?limit=100`);
  const detail = h('div', { id: 'run-detail' });
  const show = async (id) => {
    const run = await api('GET', `${I360}/sync-runs/${id}`);
    detail.replaceChildren(h('section', { class: 'card' }, h('h2', {}, `Run ${run.id}`),
      h('p', {}, badge(run.status), ' ', run.trigger, ' · ', when(run.started_at), ' → ', when(run.finished_at)),
      run.error ? h('p', { class: 'error' }, run.error) : null,
      h('p', {}, runLine(run)),
      run.errors.length
        ? h('table', {}, h('thead', {}, h('tr', {}, ['Object', 'Record', 'Problem'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, run.errors.map((e) => h('tr', {}, h('td', {}, e.object), h('td', {}, h('code', {}, e.record_id || '—')), h('td', {}, e.message)))))
        : h('p', { class: 'muted' }, 'No record errors in this run.')));
    detail.scrollIntoView({ block: 'nearest' });
  };
  view(h('h1', {}, 'Sync history'),
    runs.length ? h('section', { class: 'card' }, h('h2', {}, 'Jobs per run'), chart(runs)) : null,
    h('section', { class: 'card' },
      runs.length ? h('table', {}, h('thead', {}, h('tr', {}, ['Run', 'Trigger', 'Status', 'Started', 'Users', 'Created', 'Updated', 'Skipped', 'Errors', 'API calls'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, runs.map((r) => h('tr', { class: 'clickable', tabindex: 0, 'data-run': r.id,
          onclick: () => show(r.id), onkeydown: (ev) => { if (ev.key === 'Enter') show(r.id); } },
        h('td', {}, `#${r.id}`), h('td', {}, r.trigger), h('td', {}, badge(r.status)), h('td', {}, when(r.started_at)),
        h('td', {}, r.counts.users), h('td', {}, r.counts.jobs_created), h('td', {}, r.counts.jobs_updated),
        h('td', {}, r.counts.appointments_skipped), h('td', {}, r.counts.record_errors), h('td', {}, r.api_calls)))))
        : h('p', { class: 'muted' }, 'No syncs yet.')),
    detail);
}

// ---- Result reasons ------------------------------------------------------------------------

async function viewReasons() {
  state.reasons = null;
  const reasons = await loadReasons();
  const block = (title, list) => h('section', { class: 'card' }, h('h2', {}, title),
    list.length ? list.map((r) => h('div', {},
      h('h3', { class: r.active ? '' : 'inactive' }, `${r.position + 1}. ${r.description}`, r.active ? '' : ' (inactive)'),
      r.details.length ? h('ul', { class: 'reasons' }, r.details.map((d) =>
        h('li', { class: d.active ? '' : 'inactive' }, d.description, d.active ? '' : ' (inactive)'))) : h('p', { class: 'muted' }, 'No details.')))
      : h('p', { class: 'muted' }, 'None pulled yet: run a sync from Administration → Integrations.'));
  view(h('h1', {}, 'Result reasons'),
    h('div', { class: 'grid2' }, block('Appointment results', reasons.appointment), block('Sales opportunity results', reasons.opportunity)));
}

// ---- start -----------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  wireModals();
  window.addEventListener('hashchange', route);
  route();
});
