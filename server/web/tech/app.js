// The technician app: the status bar (online, changes waiting, last sync, sync button), sign-in, the list of
// today's and upcoming visits, and the routes to a job and its hand-over. Every read and write goes to the C++
// device core in a Web Worker (core-client.js), so all of it works offline; the service worker caches the shell.
import { h } from '../board/lib.js';
import { t, set_language, current_language } from './i18n.js';
import { CoreClient } from './core-client.js';
import { when, clock, day, local_day, parsed, state_name, error_text } from './format.js';
import { render_job } from './job.js';
import { render_handover } from './handover.js';

const TERMINAL = ['accepted', 'closed', 'cancelled', 'returned'];
const OPEN_ATTEMPTS = 100;
const OPEN_RETRY_MS = 100;
const root = document.getElementById('root');
const app = { core: null, status: null, workflow: null, parts: [], categories: [], syncing: false };

app.toast = (text) => {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(app.toast.timer);
  app.toast.timer = setTimeout(() => { el.hidden = true; }, 5000);
};

// ------------------------------------------------------------------------------------------ status bar

function status_bar() {
  const s = app.status || {};
  // The browser knows first that the network went; the core knows when the server cannot be reached.
  const online = navigator.onLine && s.online !== false;
  return h('div', { class: 'status-bar', id: 'status', role: 'status', 'aria-live': 'polite' },
    h('span', { class: `net ${online ? 'on' : 'off'}`, 'data-online': String(online), text: online ? t('online') : t('offline') }),
    h('span', { class: 'pending', 'data-pending': String(s.pending ?? 0), text: s.pending ? t('pending', { count: s.pending }) : t('all_sent') }),
    h('span', { class: 'last-sync', text: s.lastSyncAt ? t('last_sync', { time: when(s.lastSyncAt) }) : t('never_synced') }),
    s.conflicts ? h('a', { class: 'conflict-count', href: '#/', text: `${t('conflicts')}: ${s.conflicts}` }) : null);
}

function top_bar() {
  return h('header', { class: 'top' },
    h('span', { class: 'brand', text: t('title') }),
    app.status?.signedIn ? status_bar() : null,
    h('div', { class: 'top-buttons' },
      app.status?.signedIn ? h('button', { type: 'button', class: 'btn', id: 'sync-now', disabled: app.syncing,
        text: app.syncing ? t('syncing') : t('sync_now'), onclick: () => sync(true) }) : null,
      h('button', { type: 'button', class: 'btn', lang: current_language() === 'en' ? 'zh-CN' : 'en', text: t('language'), onclick: () => {
        set_language(current_language() === 'en' ? 'zh-CN' : 'en');
        route();
      } }),
      app.status?.signedIn ? h('button', { type: 'button', class: 'btn', id: 'sign-out', text: t('sign_out'), onclick: sign_out }) : null));
}

function update_status(status) {
  app.status = status;
  const old = document.querySelector('header.top');
  if (old) old.replaceWith(top_bar());
}

// ------------------------------------------------------------------------------------------ sync

async function sync(manual) {
  if (app.syncing || !app.status?.signedIn) return;
  app.syncing = true;
  update_status(app.status);
  try {
    const r = await app.core.sync();
    if (manual) app.toast(t('synced', { pushed: r.pushed ?? 0, pulled: r.pulled ?? 0 }));
  } catch (e) {
    if (manual) app.toast(e.code === 'unavailable' ? t('sync_offline') : error_text(e));
  } finally {
    app.syncing = false;
    update_status(await app.core.status());
    if (!document.querySelector('form.action-form, form#handover')) await route();
  }
}

// ------------------------------------------------------------------------------------------ sign-in

function login_view() {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { id: 'login', class: 'card login' }, h('h1', { text: t('sign_in_title') }),
    h('div', { class: 'field' }, h('label', { for: 'username', text: t('username') }),
      h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' })),
    h('div', { class: 'field' }, h('label', { for: 'password', text: t('password') }),
      h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    error, h('button', { type: 'submit', class: 'btn primary big', text: t('sign_in') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const button = form.querySelector('button');
    button.disabled = true;
    button.textContent = t('signing_in');
    try {
      update_status(await app.core.login(form.username.value.trim(), form.password.value));
      await app.core.sync();
      update_status(await app.core.status());
      await load_catalog();
      location.hash = '#/';
      await route();
    } catch (err) {
      error.textContent = err.code === 'unauthenticated' ? t('bad_login') : error_text(err);
      error.hidden = false;
      button.disabled = false;
      button.textContent = t('sign_in');
    }
  });
  return form;
}

async function sign_out() {
  try {
    update_status(await app.core.logout(false));
  } catch (e) {
    if (e.code !== 'pending_work') return app.toast(error_text(e));
    if (!window.confirm(t('sign_out_pending', { count: app.status?.pending ?? '' }))) return;
    update_status(await app.core.logout(true));
  }
  location.hash = '#/';
  await route();
}

// ------------------------------------------------------------------------------------------ visits

async function load_catalog() {
  const [wf, parts, categories] = await Promise.all([app.core.workflow(), app.core.rows('parts'), app.core.rows('fault_categories')]);
  app.workflow = wf;
  app.parts = parts.filter((p) => p.is_active !== false && p.is_active !== 0).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  app.categories = categories.filter((c) => c.is_active !== false && c.is_active !== 0);
}

// Ticket numbers of the jobs this tablet has shown, kept so a refused change still names its ticket after the office
// took the job away (cancelled or reassigned jobs leave the replica).
const TICKETS_KEY = 'tech.tickets';
function remembered_tickets() { try { return JSON.parse(localStorage.getItem(TICKETS_KEY)) || {}; } catch { return {}; } }
function remember_tickets(jobs) {
  const known = remembered_tickets();
  for (const j of jobs) known[j.id] = j.ticket_no;
  try { localStorage.setItem(TICKETS_KEY, JSON.stringify(known)); } catch { /* storage full or private: names fall back to ids */ }
}

// My open jobs, each with its next booked visit (today or later), in visit order; jobs without one at the end.
async function visit_list() {
  const [jobs, visits, customers, assets] = await Promise.all([app.core.listJobs(true), app.core.rows('visits'),
    app.core.rows('customers'), app.core.rows('assets')]);
  const by_id = (rows) => new Map(rows.map((r) => [r.id, r]));
  const cust = by_id(customers);
  const asset = by_id(assets);
  const today = local_day(new Date());
  remember_tickets(jobs);
  return jobs.filter((j) => !TERMINAL.includes(j.state)).map((job) => {
    const next = visits.filter((v) => v.job_id === job.id && v.status === 'booked' && local_day(v.ends_at) >= today)
      .sort((a, b) => a.starts_at.localeCompare(b.starts_at))[0] || null;
    return { job, visit: next, customer: cust.get(job.customer_id) || {}, asset: asset.get(job.asset_id) || {} };
  }).sort((a, b) => (a.visit ? a.visit.starts_at : '~').localeCompare(b.visit ? b.visit.starts_at : '~'));
}

function visit_card({ job, visit, customer, asset }) {
  const address = job.site_address || customer.address || '';
  return h('li', { class: 'visit', 'data-ticket': job.ticket_no },
    h('a', { class: 'visit-link', href: `#/job/${job.id}` },
      h('span', { class: 'when', text: visit ? `${clock(visit.starts_at)}–${clock(visit.ends_at)}` : t('no_visit') }),
      h('span', { class: 'who' }, h('strong', { text: job.site_contact || customer.name || '' }), ' ', h('span', { class: 'ticket', text: job.ticket_no })),
      h('span', { class: 'where', text: address }),
      h('span', { class: 'what', text: [asset.model, job.description].filter(Boolean).join(' · ') }),
      h('span', { class: `state s-${job.state}`, text: state_name(job.state) }),
      job.pending_ops ? h('span', { class: 'pending-badge', text: t('pending_ops', { count: job.pending_ops }) }) : null));
}

// Changes the server refused, with the job's ticket and the reason in words.
async function conflicts_view() {
  const conflicts = await app.core.listConflicts();
  if (!conflicts.length) return null;
  const tickets = remembered_tickets();
  const items = await Promise.all(conflicts.map(async (c) => {
    const op = parsed(c.op, {});
    const job_id = op.table === 'jobs' ? op.row_id : op.fields?.job_id;
    const job = job_id ? await app.core.getRow('jobs', job_id).catch(() => null) : null;
    const ticket = job?.ticket_no || tickets[job_id];
    const what = op.kind === 'action' ? (t(`a_${op.action}`)) : `${t(`t_${op.table}`)}`;
    return h('li', { class: 'conflict', 'data-code': c.code },
      h('strong', { text: ticket ? t('conflict_ticket', { ticket }) : t('conflict_row', { table: t(`t_${op.table}`), id: String(op.row_id).slice(0, 8) }) }),
      ` · ${what} · `, error_text(c), current_language() === 'en' ? null : h('span', { class: 'hint', lang: 'en', text: ` (${c.message})` }),
      h('span', { class: 'hint', text: ` · ${t('recorded', { time: when(c.recorded_at) })}` }),
      job ? h('a', { class: 'btn link', href: `#/job/${job.id}`, text: job.ticket_no }) : null);
  }));
  return h('section', { class: 'card conflicts', 'aria-labelledby': 'conflicts-h' }, h('h2', { id: 'conflicts-h', text: t('conflicts') }), h('ul', {}, items));
}

async function render_list() {
  const list = await visit_list();
  const today = local_day(new Date());
  const groups = new Map();
  for (const item of list) {
    const key = !item.visit ? 'none' : local_day(item.visit.starts_at) <= today ? 'today' : local_day(item.visit.starts_at);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  const title = (key, items) => (key === 'today' ? t('today') : key === 'none' ? t('no_visit') : `${t('upcoming')} · ${day(items[0].visit.starts_at)}`);
  return h('div', { class: 'visits-page' }, await conflicts_view(), h('h1', { tabindex: '-1', text: t('visits') }),
    groups.has('today') ? null : h('p', { class: 'hint', text: t('nothing_today') }),
    [...groups].map(([key, items]) => h('section', { class: 'day', 'aria-label': title(key, items) },
      h('h2', { text: title(key, items) }), h('ul', { class: 'visit-list' }, items.map(visit_card)))));
}

// ------------------------------------------------------------------------------------------ routing

async function route() {
  let view;
  try {
    if (!app.status?.signedIn) view = login_view();
    else {
      if (!app.workflow) await load_catalog();
      const [, page, id] = location.hash.match(/^#\/(job|handover)\/([\w-]+)/) || [];
      view = page === 'job' ? await render_job(app, id) : page === 'handover' ? await render_handover(app, id) : await render_list();
    }
  } catch (e) {
    view = h('p', { class: 'form-error', role: 'alert', text: error_text(e) });
  }
  const main = h('main', { id: 'main' }, view);
  root.replaceChildren(top_bar(), main);
  document.title = `${t('title')} · fieldrepair`;
  document.body.dataset.ready = 'true';
}
app.route = route;

// Opens the core. The replica's files take one owner at a time: a closing page's worker lets go of them on pagehide,
// but a page that was killed may leave them held for a moment, so opening is retried for a while before giving up.
async function open_core() {
  for (let attempt = 1; ; attempt += 1) {
    app.core = new CoreClient();
    try {
      return await app.core.open(location.origin);
    } catch (e) {
      app.core.terminate();
      if (e.code !== 'unavailable' || attempt >= OPEN_ATTEMPTS) throw e;
      await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_MS));
    }
  }
}

async function start() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/tech/sw.js', { scope: '/tech/' }).catch(() => {});
  try {
    app.status = await open_core();
    app.core.on('status', update_status);
    app.core.on('changed', () => { if (!document.querySelector('form.action-form, form#handover')) route(); });
  } catch (e) {
    root.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: t('core_failed', { message: e.message }) }));
    return;
  }
  window.addEventListener('hashchange', async () => { await route(); document.querySelector('main h1')?.focus(); });
  // While online the worker listens to the server's live channel and syncs on each change (and retries by itself).
  window.addEventListener('online', () => sync(false));
  window.addEventListener('offline', async () => update_status(await app.core.status()));
  window.addEventListener('pagehide', (e) => { if (!e.persisted) app.core.close(); });
  await route();
  if (app.status.signedIn && navigator.onLine) sync(false);
}

start();
