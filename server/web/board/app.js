// The dispatcher board: the open-job queue (filtered, searched, virtualised, fetched page by page), each
// technician's day as a timeline, drag a job onto a day to assign and book it, SLA clocks, sync conflicts,
// and live updates by polling — fast with hundreds of technicians and tens of thousands of jobs.
import { t, set_language, current_language } from './i18n.js';

const root = document.getElementById('root');
const TOKEN_KEY = 'board.token';
const OPEN_STATES = ['reported', 'assessing', 'plan_proposed', 'approved', 'scheduled', 'in_repair', 'on_hold', 'awaiting_acceptance'];
const PAGE = 100;            // jobs per request
const ROW = 62, LANE = 46;   // px, as in style.css
const DAY_START = 7, DAY_END = 21, SNAP_MINUTES = 30, VISIT_MINUTES = 120;
const POLL_MS = 5000;

// ---------------------------------------------------------------------------------------------- helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

// Times are shown in the signed-in user's time zone (their profile's, else the browser's), whatever the machine's.
const zone = { name: Intl.DateTimeFormat().resolvedOptions().timeZone, parts: null };

function set_zone(name) {
  try {
    zone.parts = new Intl.DateTimeFormat('en-US', { timeZone: name || undefined, hourCycle: 'h23', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    zone.name = zone.parts.resolvedOptions().timeZone;
  } catch {
    // A zone this browser does not know: the browser's own.
    zone.parts = new Intl.DateTimeFormat('en-US', { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit' });
    zone.name = zone.parts.resolvedOptions().timeZone;
  }
}
set_zone(null);

// {year, month, day, hour, minute, second} of an instant on the zone's wall clock.
function zoned(d) {
  const p = {};
  for (const { type, value } of zone.parts.formatToParts(d)) if (type !== 'literal') p[type] = Number(value);
  return p;
}
// The instant at minutes past midnight of date (YYYY-MM-DD) on the zone's wall clock.
function zoned_instant(date, minutes) {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60000;
  const offset = (t) => { const p = zoned(new Date(t)); return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000; };
  const first = wall - offset(wall);
  return new Date(wall - offset(first));
}
const clock = (d) => new Intl.DateTimeFormat(current_language(), { hour: '2-digit', minute: '2-digit', timeZone: zone.name }).format(d);
const when = (iso) => iso ? new Intl.DateTimeFormat(current_language(), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone.name }).format(new Date(iso)) : '';
const local_date = (d = new Date()) => { const p = zoned(d); return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`; };
const debounce = (f, ms) => { let timer; return (...a) => { clearTimeout(timer); timer = setTimeout(() => f(...a), ms); }; };

function duration(minutes) {
  const m = Math.abs(Math.round(minutes));
  if (m >= 2880) return `${Math.round(m / 1440)}d`;
  if (m >= 60) return `${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`;
  return `${m}m`;
}

class ApiError extends Error {
  constructor(status, body, retry_after) {
    super(body?.error?.message || `HTTP ${status}`);
    Object.assign(this, { status, code: body?.error?.code, retry_after });
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && token) { sessionStorage.removeItem(TOKEN_KEY); render_login(); }
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('Retry-After'));
  return data;
}

function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

// ---------------------------------------------------------------------------------------------- login

function render_login(error) {
  stop_polling();
  const err = h('div', { class: 'error', hidden: !error, text: error || '' });
  const form = h('form', { class: 'login', id: 'login' },
    h('div', { class: 'row' }, h('button', { type: 'button', class: 'btn small', text: t('language'), onclick: () => { toggle_language(); render_login(); } })),
    h('h1', { text: t('login_title') }), err,
    h('label', {}, t('username'), h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, t('password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit', class: 'btn primary', text: t('sign_in') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      const session = await api('POST', '/api/v1/auth/login', { username: f.get('username'), password: f.get('password') });
      if (!['dispatcher', 'admin'].includes(session.user.role)) {
        await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${session.token}` } });
        return render_login(t('staff_only'));
      }
      sessionStorage.setItem(TOKEN_KEY, session.token);
      start_board();
    } catch (ex) {
      render_login(ex.code === 'rate_limited' ? t('rate_limited', { seconds: ex.retry_after || 60 }) : t('bad_login'));
    }
  });
  root.replaceChildren(form);
  form.elements.username.focus();
}

// ---------------------------------------------------------------------------------------------- the queue

// The open jobs under the current filters, fetched in pages of PAGE as rows scroll into view.
const queue = {
  filters: { state: '', priority: '', assignee_id: '', q: '' },
  total: null,
  pages: new Map(),     // page index -> items
  loading: new Set(),   // page indexes in flight
  generation: 0,        // bumps when filters change, so late answers for old filters are dropped
  by_id: new Map(),
};

function queue_params(page) {
  const p = new URLSearchParams({ limit: PAGE, offset: page * PAGE, state: queue.filters.state || OPEN_STATES.join(',') });
  for (const key of ['priority', 'assignee_id', 'q']) if (queue.filters[key]) p.set(key, queue.filters[key]);
  return p;
}

async function load_page(page, { force = false } = {}) {
  if (queue.loading.has(page) || (!force && queue.pages.has(page))) return;
  const generation = queue.generation;
  queue.loading.add(page);
  try {
    const data = await api('GET', `/api/v1/jobs?${queue_params(page)}`);
    if (generation !== queue.generation) return;
    queue.total = data.total;
    queue.pages.set(page, data.items);
    if (!performance.getEntriesByName('board-queue-loaded').length) performance.mark('board-queue-loaded');
    for (const job of data.items) queue.by_id.set(job.id, job);
  } finally {
    if (generation === queue.generation) queue.loading.delete(page);
  }
  render_queue();
}

function reset_queue() {
  queue.generation += 1;
  queue.pages.clear();
  queue.loading.clear();
  queue.total = null;
  ui.queue_scroller.scrollTop = 0;
  return load_page(0);
}

function sla_chip(job) {
  const sla = job.sla;
  if (!sla) return h('span', { class: 'chip', title: t('reported'), text: duration((Date.now() - new Date(job.created_at)) / 60000) });
  const clock_ = sla.response?.reached_at ? sla.resolution : sla.response;
  const remaining = clock_?.remaining_minutes ?? 0;
  const label = sla.stopped ? '✓' : sla.paused ? t('sla_paused')
    : remaining >= 0 ? t('due', { time: duration(remaining) }) : t('overdue', { time: duration(remaining) });
  return h('span', { class: `chip ${sla.status}`, 'data-sla': sla.status, title: clock_?.deadline ? when(clock_.deadline) : '', text: label });
}

function job_row(job, index) {
  const row = h('div', {
    class: `job p-${job.priority}`, draggable: 'true', 'data-job-id': job.id, 'data-ticket': job.ticket_no, 'data-state': job.state,
    ondragstart: (e) => {
      e.dataTransfer.setData('text/x-job-id', job.id);
      e.dataTransfer.effectAllowed = 'move';
      drag.job = job;
      row.classList.add('dragging');
    },
    ondragend: () => { row.classList.remove('dragging'); drag.job = null; clear_ghost(); },
    onclick: () => open_job(job.id),
  },
  h('span', { class: 'ticket', text: job.ticket_no }),
  h('span', { class: 'meta' }, h('span', { class: 'chip', text: t(`s_${job.state}`) }),
    job.shipment ? h('span', { class: 'chip ship', 'data-shipment': job.shipment.status, text: t(`ship_${job.shipment.status}`) }) : null,
    sla_chip(job)),
  h('span', { class: 'who', text: [job.customer_name, job.asset_model, job.assignee_name ? `→ ${job.assignee_name}` : ''].filter(Boolean).join(' · ') }),
  h('span', { class: 'chip', text: t(`p_${job.priority}`) }),
  h('span', { class: 'desc', text: job.description }));
  row.style.top = `${index * ROW}px`;
  return row;
}

// Renders only the rows in view (plus a margin) and asks for the pages they need.
function render_queue() {
  const sc = ui.queue_scroller;
  if (!sc) return;
  const total = queue.total ?? 0;
  ui.queue_spacer.style.height = `${total * ROW}px`;
  ui.queue_count.textContent = queue.total === null ? t('loading') : t('jobs_count', { count: total.toLocaleString(current_language()) });
  const first = Math.max(0, Math.floor(sc.scrollTop / ROW) - 5);
  const last = Math.min(total, Math.ceil((sc.scrollTop + sc.clientHeight) / ROW) + 5);
  const rows = [];
  for (let i = first; i < last; i++) {
    const page = Math.floor(i / PAGE);
    const job = queue.pages.get(page)?.[i % PAGE];
    if (job) rows.push(job_row(job, i));
    else {
      load_page(page);
      const ph = h('div', { class: 'job' }, h('span', { class: 'placeholder', text: '…' }));
      ph.style.top = `${i * ROW}px`;
      rows.push(ph);
    }
  }
  if (queue.total === 0) rows.push(h('div', { class: 'hint', text: t('empty') }));
  ui.queue_spacer.replaceChildren(...rows);
}

// ---------------------------------------------------------------------------------------------- the timeline

const board = {
  date: local_date(),
  user: null,          // the signed-in user (GET /auth/me)
  technicians: [],
  days: new Map(),     // technician id -> {visits, working_hours, day_off} for board.date
  loading: new Set(),
};

const drag = { job: null };

// x pixels into a lane of an instant: hours after DAY_START on board.date in the user's time zone.
function hour_x(date) {
  const lane_width = ui.lane_width();
  const hours = (date - zoned_instant(board.date, 0)) / 3_600_000 - DAY_START;
  return (hours / (DAY_END - DAY_START)) * lane_width;
}

// The instant under x pixels of a lane on board.date (the user's time zone), snapped to SNAP_MINUTES.
function time_at(x, lane_width) {
  const minutes = (x / lane_width) * (DAY_END - DAY_START) * 60;
  const snapped = Math.max(0, Math.min((DAY_END - DAY_START) * 60 - VISIT_MINUTES, Math.round(minutes / SNAP_MINUTES) * SNAP_MINUTES));
  return zoned_instant(board.date, DAY_START * 60 + snapped);
}

async function load_technicians() {
  loads_at = Date.now();
  board.technicians = (await api('GET', `/api/v1/technicians?date=${board.date}`)).items;
  board.technicians.sort((a, b) => a.name.localeCompare(b.name, current_language()));
  if (!performance.getEntriesByName('board-technicians-loaded').length) performance.mark('board-technicians-loaded');
  if (ui.tech_count) ui.tech_count.textContent = t('technicians_count', { count: board.technicians.length });
}

async function load_day(tech_id, { force = false } = {}) {
  if (board.loading.has(tech_id) || (!force && board.days.has(tech_id))) return;
  const date = board.date;
  board.loading.add(tech_id);
  try {
    const day = await api('GET', `/api/v1/technicians/${encodeURIComponent(tech_id)}/day?date=${date}`);
    if (date === board.date) board.days.set(tech_id, day);
  } catch { /* a technician deactivated meanwhile: the next poll drops them */ } finally {
    board.loading.delete(tech_id);
  }
  render_timeline();
}

function visible_techs() {
  const sc = ui.tech_scroller;
  const first = Math.max(0, Math.floor(sc.scrollTop / LANE) - 3);
  const last = Math.min(board.technicians.length, Math.ceil((sc.scrollTop + sc.clientHeight) / LANE) + 3);
  return { first, last };
}

function render_hours() {
  const lane_width = ui.lane_width();
  const ticks = [h('div', { class: 'label-col' })];
  for (let hour = DAY_START; hour <= DAY_END; hour += 1) {
    const tick = h('span', { class: 'tick', text: `${String(hour).padStart(2, '0')}:00` });
    tick.style.left = `${190 + ((hour - DAY_START) / (DAY_END - DAY_START)) * lane_width}px`;
    ticks.push(tick);
  }
  ui.hours.replaceChildren(...ticks);
}

function tech_row(tech, index) {
  const day = board.days.get(tech.id);
  const load = tech.load;
  const lane = h('div', { class: `lane${load && !load.working ? ' off' : ''}`, 'data-tech-id': tech.id });
  lane.style.backgroundSize = `${ui.lane_width() / (DAY_END - DAY_START)}px 100%`;
  for (const v of day?.visits || []) {
    const start = new Date(v.starts_at), end = new Date(v.ends_at);
    const block = h('div', { class: `visit p-${v.priority}`, 'data-job-id': v.job_id, title: `${v.ticket_no} ${v.customer_name || ''} ${clock(start)}–${clock(end)}`,
      text: `${clock(start)} ${v.ticket_no} ${v.customer_name || ''}`, onclick: () => open_job(v.job_id) });
    const left = Math.max(0, hour_x(start));
    block.style.left = `${left}px`;
    block.style.width = `${Math.max(24, hour_x(end) - left)}px`;
    lane.append(block);
  }
  const now_x = hour_x(new Date());
  if (board.date === local_date() && now_x >= 0 && now_x <= ui.lane_width()) {
    const now = h('div', { class: 'now-line' });
    now.style.left = `${hour_x(new Date())}px`;
    lane.append(now);
  }
  lane.addEventListener('dragover', (e) => {
    if (!drag.job) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    lane.classList.add('over');
    show_ghost(lane, e);
  });
  lane.addEventListener('dragleave', () => { lane.classList.remove('over'); });
  lane.addEventListener('drop', (e) => {
    e.preventDefault();
    lane.classList.remove('over');
    const job = drag.job || queue.by_id.get(e.dataTransfer.getData('text/x-job-id'));
    const rect = lane.getBoundingClientRect();
    clear_ghost();
    if (job) drop_job(job, tech, time_at(e.clientX - rect.left, rect.width));
  });
  const sub = load ? (load.day_off ? t('day_off') : t('load', { booked: load.booked, capacity: load.capacity })) : tech.region || '';
  const row = h('div', { class: 'tech', 'data-tech-name': tech.name },
    h('div', { class: 'name' }, h('strong', { text: tech.name }), h('small', { text: [tech.region, sub].filter(Boolean).join(' · ') })), lane);
  row.style.top = `${index * LANE}px`;
  return row;
}

function render_timeline() {
  if (!ui.tech_spacer) return;
  ui.tech_spacer.style.height = `${board.technicians.length * LANE}px`;
  const { first, last } = visible_techs();
  const rows = [];
  for (let i = first; i < last; i++) {
    const tech = board.technicians[i];
    rows.push(tech_row(tech, i));
    if (!board.days.has(tech.id)) load_day(tech.id);
  }
  ui.tech_spacer.replaceChildren(...rows);
}

let ghost = null;
function show_ghost(lane, e) {
  const rect = lane.getBoundingClientRect();
  const start = time_at(e.clientX - rect.left, rect.width);
  const end = new Date(start.getTime() + VISIT_MINUTES * 60000);
  if (!ghost) ghost = h('div', { class: 'ghost' });
  ghost.textContent = `${clock(start)}–${clock(end)}`;
  ghost.style.left = `${hour_x(start)}px`;
  ghost.style.width = `${hour_x(end) - hour_x(start)}px`;
  if (ghost.parentNode !== lane) lane.append(ghost);
}
function clear_ghost() { ghost?.remove(); }

// A job dropped on a technician's day: the workflow move that fits its state — assign a new report, book an
// approved plan's visit, move a booked visit, or hand an assessment over to another technician.
async function drop_job(job, tech, start) {
  const end = new Date(start.getTime() + VISIT_MINUTES * 60000);
  const window_ = { technician_id: tech.id, window_start: start.toISOString(), window_end: end.toISOString() };
  const path = (action) => `/api/v1/jobs/${encodeURIComponent(job.id)}/actions/${action}`;
  const names = { ticket: job.ticket_no, name: tech.name, from: clock(start), to: clock(end) };
  try {
    if (job.state === 'reported') {
      await api('POST', path('assign'), { technician_id: tech.id, note: `${t('visit')}: ${when(start.toISOString())}` });
      toast(t('assigned', names));
    } else if (job.state === 'approved' || job.state === 'scheduled') {
      if (job.mode === 'depot') return toast(t('depot_drop', names));
      if (job.state === 'approved') await api('POST', path('schedule'), window_);
      else await api('POST', path('reschedule'), { ...window_, reason: 'moved on the dispatch board' });
      toast(t('scheduled', names));
    } else if (['assessing', 'plan_proposed', 'in_repair', 'on_hold', 'awaiting_acceptance'].includes(job.state)) {
      await api('POST', path('reassign'), { technician_id: tech.id });
      toast(t('reassigned', names));
    } else {
      return toast(t('cannot_drop', { ticket: job.ticket_no, state: t(`s_${job.state}`) }));
    }
  } catch (e) {
    return toast(t('failed', { message: e.message }));
  }
  await refresh({ loads: true });
  if (job.assignee_id && job.assignee_id !== tech.id) load_day(job.assignee_id, { force: true });
  load_day(tech.id, { force: true });
}

// ---------------------------------------------------------------------------------------------- details

// A depot job's shipment in words: carrier and tracking number each way, and where the device is.
function shipment_text(s) {
  if (!s) return '';
  const lines = [`${t(`ship_${s.status}`)} · ${s.carrier} ${s.tracking_no}`];
  if (s.received_at) lines.push(t('ship_received_at', { time: when(s.received_at) }));
  if (s.return_tracking_no) lines.push(t('ship_returned_by', { carrier: s.return_carrier || '', tracking: s.return_tracking_no, time: when(s.returned_at) }));
  return lines.join('\n');
}

async function open_job(id) {
  const close = h('button', { class: 'btn small', text: t('close'), onclick: () => drawer.remove() });
  const drawer = h('aside', { class: 'drawer', id: 'job-drawer' }, h('h2', {}, h('span', { text: t('loading') }), close));
  document.getElementById('job-drawer')?.remove();
  document.body.append(drawer);
  const [job, events, suggestions, report] = await Promise.all([
    api('GET', `/api/v1/jobs/${encodeURIComponent(id)}`),
    api('GET', `/api/v1/jobs/${encodeURIComponent(id)}/events`).catch(() => null),
    api('GET', `/api/v1/jobs/${encodeURIComponent(id)}/suggestions`).catch(() => null),
    // Jobs not reported on the portal have no report (404).
    api('GET', `/api/v1/portal/reports/${encodeURIComponent(id)}`).catch(() => null),
  ]);
  // The SLA escalations of the job, latest last: to whom, which clock, at risk or breached, when.
  const escalations = (events?.items || []).filter((e) => e.action === 'escalate').map((e) => t('escalated', {
    name: e.after.escalated_to_name || t('all_dispatchers'), clock: t(`clock_${e.after.clock}`), status: t(`sla_${e.after.sla_status}`),
    time: when(e.at) })).join('\n');
  const facts = [
    ['state', t(`s_${job.state}`)], ['priority', t(`p_${job.priority}`)], ['customer', `${job.customer_name} ${job.customer_phone || ''}`],
    ['address', job.customer_address || report?.address || ''], ['product', `${job.asset_model || ''} ${job.asset_serial_no || ''}`],
    ['fault', job.description], ['assignee', job.assignee_name || t('unassigned')], ['reported', when(job.created_at)],
    ['visit', job.schedule?.window_start ? `${when(job.schedule.window_start)} – ${clock(new Date(job.schedule.window_end))}` : ''],
    ['shipment', shipment_text(job.shipment)], ['escalation', escalations],
  ].filter(([, v]) => v);
  drawer.replaceChildren(h('h2', {}, h('span', { text: `${t('details')} ${job.ticket_no}` }), close),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: t(k) }), h('dd', { text: v })]), h('dt', { text: t('sla') }), h('dd', {}, sla_chip(job))));
  if (report?.photos?.length) {
    const thumbs = h('div', { class: 'thumbs' });
    drawer.append(h('h3', { text: t('photos') }), thumbs);
    for (const p of report.photos) {
      fetch(`/api/v1/portal/photos/${encodeURIComponent(p.id)}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` } })
        .then((r) => r.blob()).then((b) => thumbs.append(h('img', { src: URL.createObjectURL(b), alt: `#${p.seq}` })));
    }
  }
  if (suggestions) {
    drawer.append(h('h3', { text: t('suggestions') }));
    const items = suggestions.items.filter((s) => s.eligible).slice(0, 5);
    if (!items.length) drawer.append(h('p', { class: 'hint', text: t('no_suggestions') }));
    for (const s of items) {
      const tech = board.technicians.find((x) => x.id === s.technician_id) || { id: s.technician_id, name: s.name };
      drawer.append(h('div', { class: 'suggestion' },
        h('header', {}, h('strong', { text: `${s.name} · ${t('km', { km: s.travel_km })}` }),
          h('button', { class: 'btn small primary', text: t('assign_to'), onclick: () => drop_job(job, tech, s.slot ? new Date(s.slot.start) : time_at(0, 1)) })),
        h('ul', {}, (s.reasons || []).slice(0, 4).map((r) => h('li', { text: r.text })))));
    }
  }
}

// A rejected op in words: what the device tried (a workflow step, an edit of some fields, a new record).
function refused_text(c) {
  const op = c.op || {};
  const value = (v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
  const fields = Object.entries(op.fields || {}).map(([k, v]) => `${k}: ${value(v)}`);
  const shown = fields.slice(0, 4).join('; ') + (fields.length > 4 ? ' …' : '');
  const record = t(`t_${c.table_name}`);
  if (op.kind === 'action') return t('c_action', { action: t(`a_${op.action}`), fields: shown });
  if (op.kind === 'insert') return t('c_insert', { record, fields: shown });
  if (op.kind === 'update') return t('c_update', { record, fields: shown });
  return t('c_delete', { record });
}

// The sync conflicts: ops the server refused from technicians' devices, each with what was tried, on which
// job, by whom on which device, why it was refused and when; the dispatcher closes each with a note.
async function open_conflicts(status = 'open') {
  const close = h('button', { class: 'btn small', text: t('close'), onclick: () => drawer.remove() });
  const filter = h('select', { name: 'conflict_status', onchange: (e) => open_conflicts(e.target.value) },
    ['open', 'dismissed', 'applied_manually', 'superseded', ''].map((v) => h('option', { value: v, selected: v === status, text: t(v ? `cs_${v}` : 'cs_all') })));
  const drawer = h('aside', { class: 'drawer', id: 'conflicts-drawer' }, h('h2', {}, h('span', { text: t('conflicts') }), close),
    h('div', { class: 'filters one' }, filter));
  document.getElementById('conflicts-drawer')?.remove();
  document.body.append(drawer);
  let data;
  try {
    data = await api('GET', `/api/v1/sync/conflicts?limit=100${status ? `&status=${status}` : ''}`);
  } catch (e) {
    drawer.append(h('p', { class: 'error', text: t('failed', { message: e.message }) }));
    return;
  }
  if (!data.items.length) drawer.append(h('p', { class: 'hint', text: status === 'open' ? t('no_conflicts') : t('empty') }));
  for (const c of data.items) {
    const note = h('textarea', { name: 'note', maxlength: 2000, rows: 2, placeholder: t('resolve_note') });
    const resolve = async (resolution) => {
      const body = { resolution };
      if (note.value.trim()) body.note = note.value.trim();
      try {
        await api('POST', `/api/v1/sync/conflicts/${encodeURIComponent(c.id)}/resolve`, body);
        toast(t('resolved'));
        open_conflicts(status);
        refresh();
      } catch (e) { toast(t('failed', { message: e.message })); }
    };
    const job = c.ticket_no
      ? h('a', { href: '#', class: 'ticket', text: c.ticket_no, onclick: (e) => { e.preventDefault(); open_job(c.job_id); } })
      : h('span', { text: t(`t_${c.table_name}`) });
    const facts = [
      [t('refused'), refused_text(c)],
      [t('why'), `${t(`e_${c.error_code}`)} — ${c.error_message}`],
      [t('technician'), c.user_name || c.user_id],
      [t('device'), c.device_name || c.device_id],
      [t('when'), when(c.created_at)],
    ];
    if (c.status !== 'open') {
      facts.push([t('resolution'), `${t(`cs_${c.status}`)} · ${c.resolved_by_name || ''} · ${when(c.resolved_at)}`]);
      if (c.resolution_note) facts.push([t('note'), c.resolution_note]);
    }
    drawer.append(h('div', { class: 'conflict', 'data-conflict-id': c.id, 'data-status': c.status },
      h('header', {}, job, h('span', { class: `chip ${c.status === 'open' ? 'breached' : 'ok'}`, text: t(`cs_${c.status}`) })),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      c.status === 'open' ? [note, h('div', { class: 'actions' },
        h('button', { class: 'btn small', 'data-resolution': 'dismissed', text: t('dismiss'), onclick: () => resolve('dismissed') }),
        h('button', { class: 'btn small primary', 'data-resolution': 'applied_manually', text: t('applied_manually'),
          onclick: () => resolve('applied_manually') }))] : null));
  }
}

// ---------------------------------------------------------------------------------------------- auto-assign

// Auto-assign for the day on the timeline: the optimiser's plan for every unassigned new job (with one greedy
// pass's figures beside it), shown before anything changes; the dispatcher ticks the assignments to accept.
async function open_auto_assign() {
  const close = h('button', { class: 'btn small', text: t('close'), onclick: () => drawer.remove() });
  const drawer = h('aside', { class: 'drawer wide', id: 'auto-assign-drawer' },
    h('h2', {}, h('span', { text: `${t('auto_assign')} · ${board.date}` }), close), h('p', { class: 'hint', text: t('loading') }));
  document.getElementById('auto-assign-drawer')?.remove();
  document.body.append(drawer);
  let plan;
  try {
    plan = await api('POST', '/api/v1/dispatch/auto-assign/preview', { date: board.date });
  } catch (e) {
    drawer.lastChild.replaceWith(h('p', { class: 'error', text: t('failed', { message: e.message }) }));
    return;
  }
  const km = (x) => new Intl.NumberFormat(current_language(), { maximumFractionDigits: 1 }).format(x);
  const boxes = plan.assignments.map((a) => h('input', { type: 'checkbox', checked: true, value: a.job_id }));
  const apply = async () => {
    const job_ids = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!job_ids.length) { drawer.remove(); return; }
    try {
      const result = await api('POST', `/api/v1/dispatch/auto-assign/${encodeURIComponent(plan.id)}/apply`, { job_ids });
      toast(t('auto_applied', { assigned: result.assigned, refused: result.refused }));
      const refused = result.results.filter((r) => r.status === 'refused');
      drawer.replaceChildren(h('h2', {}, h('span', { text: t('auto_assign') }), close),
        h('p', { id: 'auto-assign-result', text: t('auto_applied', { assigned: result.assigned, refused: result.refused }) }),
        refused.length ? h('ul', {}, refused.map((r) => h('li', { text: `${r.ticket_no}: ${r.reason}` }))) : null);
      board.days.clear();
      await refresh({ loads: true });
    } catch (e) { toast(t('failed', { message: e.message })); }
  };
  drawer.lastChild.replaceWith(...[
    h('p', { class: 'hint', id: 'auto-assign-totals', text: t('auto_totals', { assigned: plan.totals.assigned, unassigned: plan.totals.unassigned,
      km: km(plan.totals.travel_km), greedy_km: km(plan.greedy.travel_km), late: Math.round(plan.totals.late_minutes),
      greedy_late: Math.round(plan.greedy.late_minutes) }) }),
    plan.assignments.length ? h('table', { class: 'report proposal' },
      h('thead', {}, h('tr', {}, h('th', {}, h('input', { type: 'checkbox', checked: true, 'aria-label': t('all'),
        onchange: (e) => boxes.forEach((b) => { b.checked = e.target.checked; }) })),
        h('th', { text: t('details') }), h('th', { text: t('assignee') }), h('th', { text: t('visit') }), h('th', { text: t('late') }))),
      h('tbody', {}, plan.assignments.map((a, i) => h('tr', { 'data-job-id': a.job_id },
        h('td', {}, boxes[i]), h('td', { text: a.ticket_no }), h('td', { text: a.technician_name }),
        h('td', { text: `${clock(new Date(a.start))}–${clock(new Date(a.end))}` }), h('td', { text: a.late_minutes ? duration(a.late_minutes) : '' })))))
      : h('p', { class: 'hint', text: t('auto_nothing') }),
    plan.unassigned.length ? [h('h3', { text: t('auto_unassigned') }),
      h('ul', { class: 'unassigned' }, plan.unassigned.map((u) => h('li', { text: `${u.ticket_no}: ${u.text}` })))] : null,
    h('div', { class: 'actions' }, h('button', { class: 'btn', text: t('auto_none'), onclick: () => drawer.remove() }),
      plan.assignments.length ? h('button', { class: 'btn primary', id: 'auto-assign-apply', text: t('auto_apply'), onclick: apply }) : null),
  ].flat().filter(Boolean));
}

// ---------------------------------------------------------------------------------------------- reports

// Each report's headline column (the bars) and how its values read.
const REPORTS = {
  'sla-compliance': { column: 'resolution_compliance', kind: 'rate' },
  mttr: { column: 'mean_repair_hours', kind: 'hours' },
  'first-time-fix': { column: 'first_time_fix_rate', kind: 'rate' },
  rework: { column: 'rework_rate', kind: 'rate' },
  'repeat-repairs': { column: 'repeat_rate', kind: 'rate' },
  satisfaction: { column: 'mean_rating', kind: 'rating' },
  jobs: { column: 'jobs', kind: 'count' },
};

function report_value(value, column) {
  if (value === null || value === undefined) return '–';
  const lang = current_language();
  if (/(_rate|_compliance)$/.test(column)) return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(value);
  if (column === 'mean_repair_hours') return t('hours', { hours: new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value) });
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value);
}

// Service-quality reports as bar charts with their table, per technician, category, model or month; CSV export.
function open_reports() {
  const state = open_reports.state || (open_reports.state = { name: 'sla-compliance', group_by: 'technician', from: '', to: '' });
  const close = h('button', { class: 'btn small', text: t('close'), onclick: () => drawer.remove() });
  const body = h('div', { id: 'report-body' });
  const query = (format) => {
    const p = new URLSearchParams({ group_by: state.group_by });
    if (state.from) p.set('from', state.from);
    if (state.to) p.set('to', state.to);
    if (format) p.set('format', format);
    return `/api/v1/reports/${state.name}?${p}`;
  };
  const load = async () => {
    body.replaceChildren(h('p', { class: 'hint', text: t('loading') }));
    try {
      const report = await api('GET', query());
      const { column } = REPORTS[state.name];
      const columns = report.columns.filter((c) => c !== 'group' && c !== 'name');
      const label = (r) => r.name || (r.group && r.group !== 'none' ? r.group : t(state.group_by === 'technician' ? 'unassigned' : 'no_group'));
      const max = Math.max(...report.rows.map((r) => r[column] ?? 0), state.name === 'satisfaction' ? 5 : 0, /_rate|_compliance/.test(column) ? 1 : 0, 1e-9);
      const chart = h('div', { class: 'chart', 'data-report': state.name, 'data-column': column },
        h('div', { class: 'chart-title', text: t(`col_${column}`) }),
        report.rows.map((r) => {
          const bar = h('span', { class: 'fill' });
          bar.style.width = `${((r[column] ?? 0) / max) * 100}%`;
          return h('div', { class: 'bar', 'data-group': r.group },
            h('span', { class: 'label', title: label(r), text: label(r) }),
            h('span', { class: 'track' }, bar), h('span', { class: 'value', text: report_value(r[column], column) }));
        }));
      if (!report.rows.length) chart.append(h('p', { class: 'hint', text: t('empty') }));
      const table = h('table', { class: 'report' },
        h('thead', {}, h('tr', {}, h('th', { text: t(`g_${state.group_by}`) }), columns.map((c) => h('th', { text: t(`col_${c}`) })))),
        h('tbody', {}, report.rows.map((r) => h('tr', {}, h('td', { text: label(r) }), columns.map((c) => h('td', { text: report_value(r[c], c) })))),
          h('tr', { class: 'total' }, h('td', { text: t('total') }), columns.map((c) => h('td', { text: report_value(report.total[c], c) })))));
      body.replaceChildren(chart, table);
    } catch (e) {
      body.replaceChildren(h('p', { class: 'error', text: t('failed', { message: e.message }) }));
    }
  };
  // The CSV comes with the bearer token, so it is fetched and handed to the browser as a file.
  const export_csv = async () => {
    try {
      const res = await fetch(query('csv'), { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const url = URL.createObjectURL(await res.blob());
      const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || `${state.name}.csv`;
      h('a', { href: url, download: name }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) { toast(t('failed', { message: e.message })); }
  };
  const pick = (name, options) => h('select', { name, onchange: (e) => { state[name] = e.target.value; load(); } },
    options.map((v) => h('option', { value: v, selected: v === state[name], text: t(`${name === 'name' ? 'r_' : 'g_'}${v}`) })));
  const date = (name) => h('input', { type: 'date', name, value: state[name], onchange: (e) => { state[name] = e.target.value; load(); } });
  const drawer = h('aside', { class: 'drawer wide', id: 'reports-drawer' }, h('h2', {}, h('span', { text: t('reports') }), close),
    h('div', { class: 'filters' }, pick('name', Object.keys(REPORTS)), pick('group_by', ['technician', 'category', 'model', 'month']),
      h('button', { class: 'btn', id: 'export-csv', text: t('export_csv'), onclick: export_csv }),
      h('label', {}, t('from'), date('from'), t('to'), date('to'))),
    body);
  document.getElementById('reports-drawer')?.remove();
  document.body.append(drawer);
  load();
}

// ---------------------------------------------------------------------------------------------- live updates

let poll_timer = null;

// Reloads what is on screen: the queue pages in view, the visible technicians' days, the conflict count.
// Technicians' loads (booked/capacity) cover every technician, so they are reloaded less often than what is on
// screen, and at once after the dispatcher's own bookings.
const LOADS_MS = 30_000;
let loads_at = 0;

async function refresh({ loads = false } = {}) {
  const sc = ui.queue_scroller;
  const first_page = Math.floor(sc.scrollTop / ROW / PAGE), last_page = Math.floor((sc.scrollTop + sc.clientHeight) / ROW / PAGE);
  const pages = [...new Set([first_page, last_page])];
  for (const key of [...queue.pages.keys()]) if (!pages.includes(key)) queue.pages.delete(key);
  await Promise.all(pages.map((p) => load_page(p, { force: true }).catch(() => {})));
  if (loads || Date.now() - loads_at > LOADS_MS) await load_technicians().catch(() => {});
  const { first, last } = visible_techs();
  for (let i = first; i < last; i++) load_day(board.technicians[i].id, { force: true });
  const c = await api('GET', '/api/v1/sync/conflicts?status=open&limit=1').catch(() => null);
  if (c) {
    ui.conflicts_badge.textContent = c.total ? String(c.total) : '';
    ui.conflicts_badge.hidden = !c.total;
  }
  ui.live.textContent = t('updated', { time: clock(new Date()) });
}

function start_polling() {
  stop_polling();
  poll_timer = setInterval(() => { if (document.visibilityState === 'visible' && !drag.job) refresh().catch(() => {}); }, POLL_MS);
}
function stop_polling() { clearInterval(poll_timer); poll_timer = null; }

// ---------------------------------------------------------------------------------------------- layout

const ui = {};

function toggle_language() { set_language(current_language() === 'en' ? 'zh-CN' : 'en'); }

function build_layout() {
  const select = (name, options) => h('select', { name, onchange: (e) => { queue.filters[name] = e.target.value; reset_queue(); } },
    options.map(([value, label]) => h('option', { value, text: label })));
  const tech_options = [['', t('any_assignee')], ['none', t('unassigned')], ...board.technicians.map((x) => [x.id, x.name])];
  ui.queue_count = h('small');
  ui.queue_spacer = h('div', { class: 'spacer-rows' });
  ui.queue_scroller = h('div', { class: 'scroller', id: 'queue', onscroll: () => requestAnimationFrame(render_queue) }, ui.queue_spacer);
  ui.tech_count = h('small', { text: t('technicians_count', { count: board.technicians.length }) });
  ui.tech_spacer = h('div', { class: 'spacer-rows' });
  ui.tech_scroller = h('div', { class: 'scroller', id: 'technicians', onscroll: () => requestAnimationFrame(render_timeline) }, ui.tech_spacer);
  ui.hours = h('div', { class: 'hours' });
  ui.lane_width = () => Math.max(300, ui.tech_scroller.clientWidth - 190);
  ui.live = h('span', { class: 'live', text: t('live') });
  ui.conflicts_badge = h('span', { class: 'badge', hidden: true });
  ui.conflicts_button = h('button', { class: 'btn', id: 'conflicts', onclick: () => open_conflicts() }, t('conflicts'), ui.conflicts_badge);
  const reports_button = h('button', { class: 'btn', id: 'reports', text: t('reports'), onclick: open_reports });
  const auto_button = h('button', { class: 'btn', id: 'auto-assign', text: t('auto_assign'), onclick: open_auto_assign });
  const date_input = h('input', { type: 'date', value: board.date, onchange: async (e) => {
    board.date = e.target.value || local_date();
    board.days.clear();
    await load_technicians();
    render_timeline();
  } });
  const search = h('input', { type: 'search', name: 'q', placeholder: t('search'),
    oninput: debounce((e) => { queue.filters.q = e.target.value.trim(); reset_queue(); }, 250) });
  root.replaceChildren(
    h('header', { class: 'bar' }, h('h1', { text: t('title') }), ui.live, h('span', { class: 'spacer' }), auto_button, reports_button, ui.conflicts_button,
      h('span', { id: 'user-name', text: board.user?.name || '' }),
      h('span', { class: 'zone', id: 'time-zone', title: t('time_zone'), text: zone.name }),
      h('button', { class: 'btn', id: 'language', text: t('language'), onclick: () => { toggle_language(); start_board(); } }),
      h('button', { class: 'btn', text: t('sign_out'), onclick: async () => {
        try { await api('POST', '/api/v1/auth/logout'); } catch { /* signed out either way */ }
        sessionStorage.removeItem(TOKEN_KEY);
        board.user = null;
        render_login();
      } })),
    h('div', { class: 'layout' },
      h('section', { class: 'panel' },
        h('div', { class: 'panel-head' }, h('h2', {}, h('span', { text: t('queue') }), ui.queue_count),
          h('div', { class: 'filters' },
            select('state', [['', t('all_open')], ...OPEN_STATES.map((s) => [s, t(`s_${s}`)])]),
            select('priority', [['', t('any_priority')], ...['urgent', 'high', 'normal', 'low'].map((p) => [p, t(`p_${p}`)])]),
            select('assignee_id', tech_options), search)),
        ui.queue_scroller),
      h('section', { class: 'timeline' },
        h('div', { class: 'panel-head' }, h('h2', {}, h('span', { text: t('timeline') }), ui.tech_count),
          h('div', { class: 'filters' }, h('label', {}, `${t('date')} `, date_input))),
        ui.hours, ui.tech_scroller, h('div', { class: 'hint', text: t('drop_hint') }))));
}

let started = 0;
async function start_board() {
  const run = ++started;
  for (const key of Object.keys(ui)) delete ui[key];
  document.title = `${t('title')} · fieldrepair`;
  try {
    const [me] = await Promise.all([api('GET', '/api/v1/auth/me'), load_page(0, { force: true })]);
    // A new sign-in opens on today in the user's zone; a restart (language switch) keeps the chosen day.
    if (board.user?.id !== me.id) {
      set_zone(me.time_zone);
      board.date = local_date();
      board.days.clear();
    }
    board.user = me;
    await load_technicians();
  } catch (e) {
    if (e.status === 401) return render_login();
    throw e;
  }
  if (run !== started) return;
  build_layout();
  render_hours();
  render_queue();
  render_timeline();
  window.onresize = debounce(() => { render_hours(); render_queue(); render_timeline(); }, 100);
  // The board answers input from here on; the benchmark measures up to this mark.
  performance.mark('board-interactive');
  document.body.dataset.ready = 'true';
  start_polling();
  refresh().catch(() => {});
}

set_language(current_language());
if (sessionStorage.getItem(TOKEN_KEY)) start_board(); else render_login();
