// The dispatcher board: queues of jobs in every state (filtered, searched, virtualised, fetched page by page),
// each technician's day as a timeline, drag (or tap) a job onto a day to assign and book it at that time, the
// job's workflow actions as forms generated from the server's workflow table, SLA clocks, sync conflicts, and
// live updates by polling — fast with hundreds of technicians and tens of thousands of jobs.
import { t, set_language, current_language } from './i18n.js';
import {
  h, api, session, error_text, field_label, toast, dialog, confirm_dialog, TOKEN_KEY, zone, set_zone, zoned_instant, clock, when,
  local_date, debounce,
} from './lib.js';
import { action_bar, action_fields, action_label, workflow } from './actions.js';
import { all_queues } from './queues.js';
import { create_job_dialog } from './create_job.js';
import { open_admin } from './admin.js';
import { bar_chart } from './chart.js';

const root = document.getElementById('root');
const PAGE = 100;            // jobs per request
const ROW = 62, LANE = 46;   // px, as in style.css
const DAY_START = 7, DAY_END = 21, SNAP_MINUTES = 30, VISIT_MINUTES = 120;
const POLL_MS = 5000;

function duration(minutes) {
  const m = Math.abs(Math.round(minutes));
  if (m >= 2880) return t('dur_d', { n: Math.round(m / 1440) });
  if (m >= 60) return t(m % 60 ? 'dur_hm' : 'dur_h', { h: Math.floor(m / 60), m: m % 60 });
  return t('dur_m', { n: m });
}

// ---------------------------------------------------------------------------------------------- login

function render_login(error) {
  stop_polling();
  close_panels();
  const err = h('div', { class: 'error', role: 'alert', hidden: !error, text: error || '' });
  const form = h('form', { class: 'login', id: 'login' },
    h('div', { class: 'row' }, h('button', { type: 'button', class: 'btn small', lang: current_language() === 'en' ? 'zh-CN' : 'en',
      text: t('language'), onclick: () => { toggle_language(); render_login(); } })),
    h('h1', { text: t('login_title') }), err,
    h('label', {}, t('username'), h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, t('password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit', class: 'btn primary', text: t('sign_in') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      const s = await api('POST', '/api/v1/auth/login', { username: f.get('username'), password: f.get('password') });
      // Every office role may use the board (roles added to the workflow later too); technicians work on their
      // devices and customers in the portal.
      if (['technician', 'customer'].includes(s.user.role)) {
        await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${s.token}` } });
        return render_login(t('staff_only'));
      }
      sessionStorage.setItem(TOKEN_KEY, s.token);
      start_board();
    } catch (ex) {
      render_login(ex.code === 'rate_limited' ? t('rate_limited', { seconds: ex.retry_after || 60 })
        : ex.code === 'offline' ? t('offline') : t('bad_login'));
    }
  });
  root.replaceChildren(h('main', {}, form));
  form.elements.username.focus();
}
session.on_expired = () => render_login();

// ---------------------------------------------------------------------------------------------- the queue

// The jobs of the chosen queue under the current filters, fetched in pages of PAGE as rows scroll into view.
const queue = {
  filters: { queue: 'open', state: '', priority: '', assignee_id: '', q: '' },
  total: null,
  capped: false,        // total_capped: more jobs match than total
  pages: new Map(),     // page index -> items
  loading: new Set(),   // page indexes in flight
  generation: 0,        // bumps when filters change, so late answers for old filters are dropped
  by_id: new Map(),
};

const current_queue = () => all_queues().find((q) => q.id === queue.filters.queue) || all_queues()[0];
// The states a queue lists, from the workflow table when the queue defines them by it (null: every state).
const queue_states = (q = current_queue()) => (typeof q.states === 'function' ? q.states(board.workflow) : q.states);

function queue_params(page) {
  const q = current_queue();
  const p = new URLSearchParams({ limit: PAGE, offset: page * PAGE });
  const states = queue.filters.state || queue_states(q)?.join(',');
  if (states) p.set('state', states);
  for (const [k, v] of Object.entries(q.params || {})) p.set(k, v);
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
    queue.capped = data.total_capped === true;
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
  const who = [job.customer_name, job.asset_model, job.assignee_name ? `→ ${job.assignee_name}` : ''].filter(Boolean).join(' · ');
  const open = () => open_job(job.id);
  const row = h('div', {
    class: `job p-${job.priority}${panel.job_id === job.id ? ' selected' : ''}`, draggable: 'true', tabindex: '0', role: 'button',
    'data-job-id': job.id, 'data-ticket': job.ticket_no, 'data-state': job.state,
    ondragstart: (e) => {
      e.dataTransfer.setData('text/x-job-id', job.id);
      e.dataTransfer.effectAllowed = 'move';
      drag.job = job;
      row.classList.add('dragging');
    },
    ondragend: () => {
      row.classList.remove('dragging');
      if (!drag.armed) drag.job = null;
      clear_ghost();
      if (drag.stale) render_timeline();
    },
    onclick: open,
    onkeydown: (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); }
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); focus_row(index + (e.key === 'ArrowDown' ? 1 : -1)); }
    },
  },
  h('span', { class: 'ticket', text: job.ticket_no }),
  h('span', { class: 'meta' }, h('span', { class: 'chip', text: t(`s_${job.state}`) }),
    job.shipment ? h('span', { class: 'chip ship', 'data-shipment': job.shipment.status, text: t(`ship_${job.shipment.status}`) }) : null,
    sla_chip(job)),
  h('span', { class: 'who', text: who }),
  h('span', { class: `chip prio p-${job.priority}`, text: t(`p_${job.priority}`) }),
  h('span', { class: 'desc', text: job.description }));
  row.style.top = `${index * ROW}px`;
  return row;
}

function focus_row(index) {
  if (index < 0 || index >= (queue.total ?? 0)) return;
  const sc = ui.queue_scroller;
  if (index * ROW < sc.scrollTop) sc.scrollTop = index * ROW;
  if ((index + 1) * ROW > sc.scrollTop + sc.clientHeight) sc.scrollTop = (index + 1) * ROW - sc.clientHeight;
  render_queue();
  ui.queue_spacer.querySelector(`.job[style*="top: ${index * ROW}px"]`)?.focus({ preventScroll: true });
}

// Re-rendering replaces elements; the keyboard focus goes back to the same job or visit afterwards.
function keep_focus(container, render) {
  const active = document.activeElement;
  const id = container.contains(active) ? active.dataset.jobId : null;
  const cls = active?.classList.contains('visit') ? '.visit' : '.job';
  render();
  if (id) container.querySelector(`${cls}[data-job-id="${CSS.escape(id)}"]`)?.focus({ preventScroll: true });
}

// Renders only the rows in view (plus a margin) and asks for the pages they need.
function render_queue() {
  const sc = ui.queue_scroller;
  if (!sc) return;
  const total = queue.total ?? 0;
  ui.queue_spacer.style.height = `${total * ROW}px`;
  // A search counts its matches up to 1,000 only (the server says when there are more).
  ui.queue_count.textContent = queue.total === null ? t('loading')
    : t(queue.capped ? 'jobs_more' : 'jobs_count', { count: total.toLocaleString(current_language()) });
  const first = Math.max(0, Math.floor(sc.scrollTop / ROW) - 5);
  const last = Math.min(total, Math.ceil((sc.scrollTop + sc.clientHeight) / ROW) + 5);
  const rows = [];
  for (let i = first; i < last; i++) {
    const page = Math.floor(i / PAGE);
    const job = queue.pages.get(page)?.[i % PAGE];
    if (job) rows.push(job_row(job, i));
    else {
      load_page(page);
      const ph = h('div', { class: 'job', 'aria-hidden': 'true' }, h('span', { class: 'placeholder', text: '…' }));
      ph.style.top = `${i * ROW}px`;
      rows.push(ph);
    }
  }
  if (queue.total === 0) rows.push(h('div', { class: 'hint', text: t('empty') }));
  keep_focus(ui.queue_spacer, () => ui.queue_spacer.replaceChildren(...rows));
}

// ---------------------------------------------------------------------------------------------- the timeline

const board = {
  date: local_date(),
  user: null,          // the signed-in user (GET /auth/me)
  technicians: [],
  days: new Map(),     // technician id -> {visits, working_hours, day_off} for board.date
  loading: new Set(),
  users: new Map(),    // user id -> name, for the job history
  workflow: null,      // GET /api/v1/workflow: states and actions
};

// A job being dragged, or picked in its drawer to be placed with a tap on a lane (armed).
// stale: the timeline was due a redraw while a row was dragged over it (see render_timeline).
const drag = { job: null, armed: false, stale: false };

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
  ui.tech_scroller?.setAttribute('aria-busy', 'true');
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

// Hour labels every hour where they fit, else every second or third hour, so they never run into each other.
function render_hours() {
  const lane_width = ui.lane_width();
  const per_hour = lane_width / (DAY_END - DAY_START);
  const step = per_hour >= 56 ? 1 : per_hour >= 28 ? 2 : 3;
  const ticks = [h('div', { class: 'label-col' })];
  for (let hour = DAY_START; hour <= DAY_END; hour += step) {
    const tick = h('span', { class: 'tick', text: `${String(hour).padStart(2, '0')}:00` });
    tick.style.left = `${ui.label_width() + ((hour - DAY_START) / (DAY_END - DAY_START)) * lane_width}px`;
    if (hour === DAY_START) tick.classList.add('first');
    if (hour + step > DAY_END) tick.classList.add('last');
    ticks.push(tick);
  }
  ui.hours.replaceChildren(...ticks);
}

function visit_block(v) {
  const start = new Date(v.starts_at), end = new Date(v.ends_at);
  const label = `${clock(start)} ${v.ticket_no} ${v.customer_name || ''}`;
  const block = h('button', { type: 'button', class: `visit p-${v.priority}`, 'data-job-id': v.job_id,
    title: `${v.ticket_no} ${v.customer_name || ''} ${clock(start)}–${clock(end)}`,
    text: label, onclick: (e) => { e.stopPropagation(); open_job(v.job_id); } });
  const left = Math.max(0, hour_x(start));
  block.style.left = `${left}px`;
  block.style.width = `${Math.max(24, hour_x(end) - left)}px`;
  return block;
}

function tech_row(tech, index) {
  const day = board.days.get(tech.id);
  const load = tech.load;
  const off = load && (load.day_off || !load.working);
  const full = load && !off && load.capacity > 0 && load.booked >= load.capacity;
  const lane = h('div', { class: `lane${off ? ' off' : ''}${full ? ' full' : ''}`, 'data-tech-id': tech.id });
  lane.style.backgroundSize = `${ui.lane_width() / (DAY_END - DAY_START)}px 100%`;
  if (off) lane.append(h('span', { class: 'off-label', text: load.day_off ? t('day_off_lane') : t('not_working_lane') }));
  for (const v of day?.visits || []) lane.append(visit_block(v));
  const now_x = hour_x(new Date());
  if (board.date === local_date() && now_x >= 0 && now_x <= ui.lane_width()) {
    const now = h('div', { class: 'now-line' });
    now.style.left = `${now_x}px`;
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
  // Tap to assign: a job picked in its drawer goes where the lane is tapped.
  lane.addEventListener('click', (e) => {
    if (!drag.armed || !drag.job) return;
    const rect = lane.getBoundingClientRect();
    const job = drag.job;
    disarm();
    drop_job(job, tech, time_at(e.clientX - rect.left, rect.width));
  });
  const sub = load ? (load.day_off ? t('day_off') : !load.working ? t('not_working') : t('load', { booked: load.booked, capacity: load.capacity }))
    : tech.region || '';
  const row = h('div', { class: `tech${drag.armed ? ' armed' : ''}`, 'data-tech-name': tech.name, 'data-tech-id': tech.id },
    h('div', { class: 'name' }, h('strong', { text: tech.name }),
      h('small', { class: off || full ? 'warn-text' : '', text: [tech.region, sub].filter(Boolean).join(' · ') })), lane);
  row.style.top = `${index * LANE}px`;
  return row;
}

function render_timeline() {
  if (!ui.tech_spacer) return;
  // Lanes are not swapped under a row being dragged (a day's answer landing mid-drag would lose the drop on the new
  // lane, which saw no dragover); they are drawn when the drag ends.
  drag.stale = Boolean(drag.job && !drag.armed);
  if (drag.stale) return;
  ui.tech_spacer.style.height = `${board.technicians.length * LANE}px`;
  const { first, last } = visible_techs();
  const rows = [];
  for (let i = first; i < last; i++) {
    const tech = board.technicians[i];
    rows.push(tech_row(tech, i));
    if (!board.days.has(tech.id)) load_day(tech.id);
  }
  keep_focus(ui.tech_spacer, () => ui.tech_spacer.replaceChildren(...rows));
  // Busy while a shown lane's day is still on its way.
  if (board.loading.size) ui.tech_scroller.setAttribute('aria-busy', 'true');
  else ui.tech_scroller.removeAttribute('aria-busy');
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

function arm(job) {
  drag.job = job;
  drag.armed = true;
  document.body.classList.add('armed');
  ui.armed_hint.hidden = false;
  ui.armed_hint.querySelector('span').textContent = t('tap_hint', { ticket: job.ticket_no });
  render_timeline();
  ui.tech_scroller.querySelector('.lane')?.scrollIntoView({ block: 'nearest' });
}
function disarm() {
  drag.job = null;
  drag.armed = false;
  document.body.classList.remove('armed');
  if (ui.armed_hint) ui.armed_hint.hidden = true;
  render_timeline();
}

// Booking where the technician does not work, or beyond their capacity, needs an explicit yes.
async function confirm_booking(tech, names) {
  const load = tech.load;
  if (!load) return true;
  let message = null;
  if (load.day_off) message = t('warn_day_off', names);
  else if (!load.working) message = t('warn_not_working', names);
  else if (load.capacity > 0 && load.booked >= load.capacity) message = t('warn_full', { ...names, booked: load.booked, capacity: load.capacity });
  return !message || confirm_dialog(t('warn_title'), message, t('book_anyway'));
}

// The move a drop makes, read off the workflow table: of the actions the server allows on the job now, one that
// names a technician, preferably one that also takes a visit window (assign, schedule, reschedule); its other
// required text fields get a note saying it was moved on the board. Null when no such action is open.
function drop_move(job, tech, start, end) {
  const moves = (job.available_actions || []).map((action) => ({ action, fields: action_fields(board.workflow, job, board.user.role, action) }))
    .filter((m) => m.fields.some(([name]) => name === 'technician_id'));
  const move = moves.find((m) => m.fields.some(([name]) => name === 'window_start')) || moves[0];
  if (!move) return null;
  const body = { technician_id: tech.id };
  const timed = move.fields.some(([name]) => name === 'window_start');
  if (timed) Object.assign(body, { window_start: start.toISOString(), window_end: end.toISOString() });
  for (const [name, spec, required] of move.fields)
    if (required && !(name in body) && spec.type === 'string' && !spec.enum) body[name] = t('moved_on_board');
  const complete = move.fields.every(([name, , required]) => !required || name in body);
  return complete ? { action: move.action, body, timed } : null;
}

// A job dropped (or tapped) on a technician's day at a time: the workflow move that fits it now — a new report is
// assigned with its assessment visit there, an approved plan's visit is booked, a booked one moved, a job in work
// handed over. The job is read afresh, so the move follows its current state.
async function drop_job(listed, tech, start) {
  const end = new Date(start.getTime() + VISIT_MINUTES * 60000);
  const names = { ticket: listed.ticket_no, name: tech.name, from: clock(start), to: clock(end), date: board.date };
  let job;
  try {
    job = await api('GET', `/api/v1/jobs/${encodeURIComponent(listed.id)}`);
  } catch (e) {
    return toast(t('failed', { message: error_text(e) }));
  }
  const move = drop_move(job, tech, start, end);
  if (!move) return toast(job.mode === 'depot' ? t('depot_drop', names) : t('cannot_drop', { ticket: job.ticket_no, state: t(`s_${job.state}`) }));
  if (move.timed && !(await confirm_booking(tech, names))) return toast(t('not_booked', names));
  try {
    await api('POST', `/api/v1/jobs/${encodeURIComponent(job.id)}/actions/${encodeURIComponent(move.action)}`, move.body);
  } catch (e) {
    return toast(t('failed', { message: error_text(e) }));
  }
  toast(t(move.timed ? 'dropped_at' : 'dropped', { ...names, action: action_label(move.action) }));
  await refresh({ loads: true });
  if (job.assignee_id && job.assignee_id !== tech.id) load_day(job.assignee_id, { force: true });
  load_day(tech.id, { force: true });
  if (panel.job_id === job.id) open_job(job.id);
}

// ---------------------------------------------------------------------------------------------- panels

// The job and conflict panels open over the queue, so the timeline stays in view for booking; report and
// auto-assign panels are wider and open from the right. Esc closes the one on top.
const panel = { job_id: null };

function open_panel(id, { wide = false, label } = {}) {
  document.getElementById(id)?.remove();
  const close = h('button', { type: 'button', class: 'btn small', text: t('close'), 'data-close': '', onclick: () => close_panel(el) });
  const title = h('span', { text: t('loading') });
  const el = h('aside', { class: `drawer${wide ? ' wide' : ' docked'}`, id, role: 'region', 'aria-label': label || id, tabindex: '-1' },
    h('h2', {}, title, close));
  el.return_focus = document.activeElement;
  (wide ? document.body : ui.dock).append(el);
  if (!wide) ui.dock.hidden = false;
  return { el, title, close };
}

function close_panel(el) {
  if (!el) return;
  const back = el.return_focus;
  el.remove();
  if (el.id === 'job-drawer') { panel.job_id = null; render_queue(); }
  if (ui.dock && !ui.dock.children.length) ui.dock.hidden = true;
  if (back?.isConnected) back.focus({ preventScroll: true });
}

function close_panels() { document.querySelectorAll('aside.drawer').forEach((el) => close_panel(el)); }

document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
  const admin = document.getElementById('admin-console');
  if (admin) { admin.querySelector('#admin-close').click(); return; }
  if (drag.armed) { disarm(); return; }
  const panels = [...document.querySelectorAll('aside.drawer')];
  if (panels.length) { e.preventDefault(); close_panel(panels[panels.length - 1]); }
});

// ---------------------------------------------------------------------------------------------- details

// A depot job's shipment in words: carrier and tracking number each way, and where the device is.
function shipment_text(s) {
  if (!s) return '';
  const lines = [`${t(`ship_${s.status}`)} · ${s.carrier} ${s.tracking_no}`];
  if (s.received_at) lines.push(t('ship_received_at', { time: when(s.received_at) }));
  if (s.return_tracking_no) lines.push(t('ship_returned_by', { carrier: s.return_carrier || '', tracking: s.return_tracking_no, time: when(s.returned_at) }));
  return lines.join('\n');
}

async function user_names() {
  if (board.users.size) return board.users;
  const data = await api('GET', '/api/v1/users?limit=200').catch(() => ({ items: [] }));
  for (const u of data.items) board.users.set(u.id, u.name);
  for (const x of board.technicians) board.users.set(x.id, x.name);
  return board.users;
}

// The customer's preferred time from the portal report: a window, or a day with "any time".
function preferred_text(report) {
  if (!report?.preferred_start) return '';
  const start = new Date(report.preferred_start), end = report.preferred_end ? new Date(report.preferred_end) : null;
  return end ? `${when(report.preferred_start)} – ${clock(end)}` : when(report.preferred_start);
}

function job_facts(job, report, events) {
  const escalations = (events?.items || []).filter((e) => e.action === 'escalate').map((e) => t('escalated', {
    name: e.after.escalated_to_name || t('all_dispatchers'), clock: t(`clock_${e.after.clock}`), status: t(`sla_${e.after.sla_status}`),
    time: when(e.at) })).join('\n');
  const rework = job.rework_count ? t('rework_text', { count: job.rework_count, reason: job.repair?.rework_reason || '' }) : '';
  return [
    ['state', t(`s_${job.state}`)], ['priority', t(`p_${job.priority}`)], ['customer', `${job.customer_name} ${job.customer_phone || ''}`],
    ['address', job.customer_address || report?.address || ''], ['product', `${job.asset_model || ''} ${job.asset_serial_no || ''}`],
    ['fault', job.description], ['assignee', job.assignee_name || t('unassigned')], ['reported', when(job.created_at)],
    ['preferred', preferred_text(report)],
    ['visit', job.schedule?.window_start ? `${when(job.schedule.window_start)} – ${clock(new Date(job.schedule.window_end))}` : ''],
    ['shipment', shipment_text(job.shipment)], ['escalation', escalations], ['rework', rework],
    ['work_summary', job.repair?.work_summary || ''], ['close_reason', job.close_reason || ''],
  ].filter(([, v]) => v);
}

// Photos from the customer as thumbnails; each opens large in a dialog.
function photos_section(report) {
  if (!report?.photos?.length) return null;
  const thumbs = h('div', { class: 'thumbs' });
  for (const p of report.photos) {
    fetch(`/api/v1/portal/photos/${encodeURIComponent(p.id)}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` } })
      .then((r) => r.blob()).then((b) => {
        const src = URL.createObjectURL(b);
        const alt = t('photo_n', { n: p.seq });
        thumbs.append(h('button', { type: 'button', class: 'thumb', 'aria-label': t('enlarge', { name: alt }),
          onclick: () => dialog(alt, () => h('img', { class: 'large', src, alt }), { wide: true, id: 'photo-dialog' }) },
        h('img', { src, alt })));
      }).catch(() => {});
  }
  return [h('h3', { text: t('photos') }), thumbs];
}

function notes_section(notes) {
  if (!notes?.items?.length) return null;
  return [h('h3', { text: t('tech_notes') }), h('ul', { class: 'notes' }, notes.items.map((n) =>
    h('li', {}, h('div', { class: 'note-meta', text: `${n.author_name || ''} · ${when(n.created_at)}` }), h('div', { text: n.body }))))];
}

// The job's history in plain words: who did what when, with the fields they gave.
function history_section(events, names) {
  if (!events?.items?.length) return null;
  const shown = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? (Array.isArray(v) ? t('n_items', { n: v.length }) : '…')
    : typeof v === 'boolean' ? t(v ? 'yes' : 'no') : String(v));
  const detail = (e) => Object.entries(e.after?.fields || {})
    .map(([k, v]) => (k.endsWith('_id') ? [k, names.get(v) || ''] : /^window_/.test(k) ? [k, when(v)] : k === 'priority' ? [k, t(`p_${v}`)] : [k, shown(v)]))
    .filter(([, v]) => v).map(([k, v]) => `${field_label(k)}: ${v}`).join('；');
  return [h('h3', { text: t('history') }), h('ol', { class: 'history' }, events.items.slice().reverse().map((e) => h('li', {},
    h('div', { class: 'note-meta', text: `${when(e.at)} · ${names.get(e.actor_id) || t(`role_${e.actor_role}`)}` }),
    h('div', {}, h('strong', { text: e.action === 'report' ? t('a_report') : action_label(e.action) }),
      e.after?.state && e.before?.state !== e.after.state ? ` → ${t(`s_${e.after.state}`)}` : ''),
    detail(e) ? h('div', { class: 'note-meta', text: detail(e) }) : null)))];
}

// Why a technician ranks where they do: the server's reason, in the interface language.
function reason_text(r) { return r.text; }

const WINDOW_REASONS = ['in_window', 'outside_window'];

function suggestions_section(job, suggestions, report) {
  if (!suggestions) return null;
  const out = [h('h3', { text: t('suggestions_for', { date: board.date }) })];
  if (suggestions.located === false) out.push(h('p', { class: 'hint', text: t('why_no_location_note') }));
  const items = suggestions.items.filter((s) => s.eligible).slice(0, 5);
  if (!items.length) {
    // Nobody fits: say why, counted by the reason that rules each technician out.
    const counts = new Map();
    for (const s of suggestions.items) {
      const r = s.reasons.find((x) => x.disqualifying);
      if (r) counts.set(r.code, { n: (counts.get(r.code)?.n || 0) + 1, why: counts.get(r.code)?.why || r.text });
    }
    out.push(h('div', { class: 'no-suggestion', id: 'no-suggestion', role: 'note' }, h('strong', { text: t('no_suggestions') }),
      h('ul', {}, [...counts.values()].map(({ n, why }) => h('li', { text: t('excluded_n', { n, why }) }))),
      suggestions.items.length ? null : h('p', { text: t('no_technicians') })));
  }
  for (const s of items) {
    const tech = board.technicians.find((x) => x.id === s.technician_id) || { id: s.technician_id, name: s.name };
    const start = s.slot ? new Date(s.slot.start) : zoned_instant(board.date, 9 * 60);
    out.push(h('div', { class: 'suggestion', 'data-technician-id': s.technician_id },
      h('header', {}, h('strong', { text: `${s.name} · ${t('km', { km: s.travel_km })}` }),
        h('button', { type: 'button', class: 'btn small primary', text: s.slot ? t('book_at', { time: clock(start) }) : t('assign_to'),
          'aria-label': `${s.slot ? t('book_at', { time: clock(start) }) : t('assign_to')} ${s.name}`, onclick: () => drop_job(job, tech, start) })),
      h('ul', {}, (s.reasons || []).filter((r) => !WINDOW_REASONS.includes(r.code)).slice(0, 5)
        .map((r) => h('li', { class: r.weight < 0 ? 'minus' : '', text: reason_text(r) })),
        (s.reasons || []).filter((r) => WINDOW_REASONS.includes(r.code)).map((r) => h('li', { class: r.code === 'in_window' ? '' : 'minus',
          'data-preferred': String(r.code === 'in_window'), text: reason_text(r) })))));
  }
  return out;
}

// The suggestions for the board's day: from the customer's preferred start when it is on that day, else from the
// day's start, or from now when it is today.
function suggestions_at(report) {
  const preferred = report?.preferred_start ? new Date(report.preferred_start) : null;
  if (preferred && local_date(preferred) === board.date && preferred > new Date()) return `?at=${encodeURIComponent(preferred.toISOString())}`;
  if (board.date === local_date()) return '';
  return `?at=${encodeURIComponent(zoned_instant(board.date, DAY_START * 60).toISOString())}`;
}

async function open_job(id) {
  const { el, title, close } = open_panel('job-drawer', { label: t('details') });
  panel.job_id = id;
  render_queue();
  const enc = encodeURIComponent(id);
  let job;
  try {
    job = await api('GET', `/api/v1/jobs/${enc}`);
  } catch (e) {
    el.append(h('p', { class: 'error', text: error_text(e) }));
    return;
  }
  const open_states = ['reported', 'approved', 'scheduled'];
  // Jobs not reported on the portal have no report (404).
  const report = await api('GET', `/api/v1/portal/reports/${enc}`).catch(() => null);
  const [events, suggestions, notes, names] = await Promise.all([
    api('GET', `/api/v1/jobs/${enc}/events`).catch(() => null),
    open_states.includes(job.state) ? api('GET', `/api/v1/jobs/${enc}/suggestions${suggestions_at(report)}`).catch(() => null) : null,
    api('GET', `/api/v1/jobs/${enc}/notes`).catch(() => null),
    user_names(),
  ]);
  if (!el.isConnected || panel.job_id !== id) return;
  title.textContent = `${t('details')} ${job.ticket_no}`;
  const facts = job_facts(job, report, events);
  const bar = await action_bar(job, board.user.role, {
    technicians: board.technicians,
    done: async (action, after) => {
      toast(t('action_done', { action: action_label(action), ticket: job.ticket_no, state: t(`s_${after.state}`) }));
      await refresh({ loads: true });
      open_job(id);
    },
  });
  const placeable = (job.available_actions || []).some((a) => ['assign', 'schedule', 'reschedule', 'reassign'].includes(a)) && job.mode !== 'depot';
  el.replaceChildren(...[h('h2', {}, h('span', { text: `${t('details')} ${job.ticket_no}` }), close),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: t(k) }), h('dd', { 'data-fact': k, text: v })]),
      h('dt', { text: t('sla') }), h('dd', {}, sla_chip(job))),
    h('h3', { text: t('actions') }), bar,
    placeable ? h('button', { type: 'button', class: 'btn small', id: 'place-job', text: t('place_on_timeline'),
      onclick: () => arm(job) }) : null,
    suggestions_section(job, suggestions, report), photos_section(report), notes_section(notes), history_section(events, names)]
    .flat().filter(Boolean));
}

// A rejected op in words: what the device tried (a workflow step, an edit of some fields, a new record), with
// field names in the interface language and values readable (lists counted, objects left out).
function refused_text(c) {
  const op = c.op || {};
  const value = (v) => (Array.isArray(v) ? t('n_items', { n: v.length }) : v !== null && typeof v === 'object' ? null
    : typeof v === 'boolean' ? t(v ? 'yes' : 'no') : String(v));
  const fields = Object.entries(op.fields || {}).map(([k, v]) => [k, value(v)]).filter(([, v]) => v !== null)
    .map(([k, v]) => `${field_label(k)}：${v}`);
  const shown = fields.slice(0, 4).join('；') + (fields.length > 4 ? ' …' : '');
  const record = t(`t_${c.table_name}`);
  if (op.kind === 'action') return t('c_action', { action: action_label(op.action), fields: shown });
  if (op.kind === 'insert') return t('c_insert', { record, fields: shown });
  if (op.kind === 'update') return t('c_update', { record, fields: shown });
  return t('c_delete', { record });
}

// The sync conflicts: ops the server refused from technicians' devices, each with what was tried, on which
// job, by whom on which device, why it was refused and when; the dispatcher closes each with a note.
async function open_conflicts(status = 'open') {
  const { el, title, close } = open_panel('conflicts-drawer', { label: t('conflicts') });
  title.textContent = t('conflicts');
  const filter = h('select', { name: 'conflict_status', 'aria-label': t('cs_filter'), onchange: (e) => open_conflicts(e.target.value) },
    ['open', 'dismissed', 'applied_manually', 'superseded', ''].map((v) => h('option', { value: v, selected: v === status, text: t(v ? `cs_${v}` : 'cs_all') })));
  el.append(h('div', { class: 'filters one' }, filter));
  let data;
  try {
    data = await api('GET', `/api/v1/sync/conflicts?limit=100${status ? `&status=${status}` : ''}`);
  } catch (e) {
    el.append(h('p', { class: 'error', text: t('failed', { message: error_text(e) }) }));
    return;
  }
  if (!data.items.length) el.append(h('p', { class: 'hint', text: status === 'open' ? t('no_conflicts') : t('empty') }));
  for (const c of data.items) {
    const note = h('textarea', { name: 'note', maxlength: 2000, rows: 2, placeholder: t('resolve_note'), 'aria-label': t('note') });
    const resolve = async (resolution) => {
      const body = { resolution };
      if (note.value.trim()) body.note = note.value.trim();
      try {
        await api('POST', `/api/v1/sync/conflicts/${encodeURIComponent(c.id)}/resolve`, body);
        toast(t('resolved'));
        open_conflicts(status);
        refresh();
      } catch (e) { toast(t('failed', { message: error_text(e) })); }
    };
    const job = c.ticket_no
      ? h('button', { type: 'button', class: 'link ticket', text: c.ticket_no, onclick: () => open_job(c.job_id) })
      : h('span', { text: t(`t_${c.table_name}`) });
    const facts = [
      [t('refused'), refused_text(c)],
      [t('why'), c.error_message],
      [t('technician'), c.user_name || t('unknown_user')],
      [t('device'), c.device_name || t('unnamed_device')],
      [t('when'), when(c.created_at)],
    ];
    if (c.status !== 'open') {
      facts.push([t('resolution'), `${t(`cs_${c.status}`)} · ${c.resolved_by_name || ''} · ${when(c.resolved_at)}`]);
      if (c.resolution_note) facts.push([t('note'), c.resolution_note]);
    }
    el.append(h('div', { class: 'conflict', 'data-conflict-id': c.id, 'data-status': c.status },
      h('header', {}, job, h('span', { class: `chip ${c.status === 'open' ? 'breached' : 'ok'}`, text: t(`cs_${c.status}`) })),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      c.status === 'open' ? [note, h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn small', 'data-resolution': 'dismissed', text: t('dismiss'), onclick: () => resolve('dismissed') }),
        h('button', { type: 'button', class: 'btn small primary', 'data-resolution': 'applied_manually', text: t('applied_manually'),
          onclick: () => resolve('applied_manually') }))] : null));
  }
}

// ---------------------------------------------------------------------------------------------- auto-assign

// Auto-assign for the day on the timeline: the optimiser's plan for every unassigned new job (with one greedy
// pass's figures beside it), shown before anything changes; the dispatcher ticks the assignments to accept.
async function open_auto_assign() {
  const { el: drawer, title, close } = open_panel('auto-assign-drawer', { wide: true, label: t('auto_assign') });
  title.textContent = `${t('auto_assign')} · ${board.date}`;
  drawer.append(h('p', { class: 'hint', text: t('loading') }));
  let plan;
  try {
    plan = await api('POST', '/api/v1/dispatch/auto-assign/preview', { date: board.date });
  } catch (e) {
    drawer.lastChild.replaceWith(h('p', { class: 'error', text: t('failed', { message: error_text(e) }) }));
    return;
  }
  const km = (x) => new Intl.NumberFormat(current_language(), { maximumFractionDigits: 1 }).format(x);
  const boxes = plan.assignments.map((a) => h('input', { type: 'checkbox', checked: true, value: a.job_id, 'aria-label': a.ticket_no }));
  const apply = async () => {
    const job_ids = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!job_ids.length) { close_panel(drawer); return; }
    try {
      const result = await api('POST', `/api/v1/dispatch/auto-assign/${encodeURIComponent(plan.id)}/apply`, { job_ids });
      toast(t('auto_applied', { assigned: result.assigned, refused: result.refused }));
      const refused = result.results.filter((r) => r.status === 'refused');
      drawer.replaceChildren(h('h2', {}, h('span', { text: t('auto_assign') }), close),
        h('p', { id: 'auto-assign-result', text: t('auto_applied', { assigned: result.assigned, refused: result.refused }) }),
        h('ul', {}, refused.map((r) => h('li', { text: `${r.ticket_no}: ${error_text({ code: r.code, message: r.reason })}` }))));
      board.days.clear();
      await refresh({ loads: true });
    } catch (e) { toast(t('failed', { message: error_text(e) })); }
  };
  drawer.lastChild.replaceWith(...[
    h('p', { class: 'hint', id: 'auto-assign-totals', text: t('auto_totals', { assigned: plan.assignments.length, unassigned: plan.unassigned.length,
      km: km(plan.totals.travel_km), greedy_km: km(plan.greedy.travel_km), late: Math.round(plan.totals.late_minutes),
      greedy_late: Math.round(plan.greedy.late_minutes) }) }),
    plan.assignments.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'report proposal' },
      h('thead', {}, h('tr', {}, h('th', {}, h('input', { type: 'checkbox', checked: true, 'aria-label': t('all'),
        onchange: (e) => boxes.forEach((b) => { b.checked = e.target.checked; }) })),
        h('th', { text: t('details') }), h('th', { text: t('assignee') }), h('th', { text: t('visit') }), h('th', { text: t('late') }))),
      h('tbody', {}, plan.assignments.map((a, i) => h('tr', { 'data-job-id': a.job_id },
        h('td', {}, boxes[i]), h('td', { text: a.ticket_no }), h('td', { text: a.technician_name }),
        h('td', {}, `${clock(new Date(a.start))}–${clock(new Date(a.end))}`, a.window ? h('div', { class: `note-meta${a.window.kept ? '' : ' minus'}`,
          'data-window': a.window.code, text: a.window.text }) : null),
        h('td', { text: a.late_minutes ? duration(a.late_minutes) : '' }))))))
      : h('p', { class: 'hint', text: t('auto_nothing') }),
    plan.unassigned.length ? [h('h3', { text: t('auto_unassigned') }),
      h('ul', { class: 'unassigned', id: 'auto-assign-unassigned' }, plan.unassigned.map((u) => h('li', { 'data-code': u.code, text: `${u.ticket_no}: ${u.text}` })))] : null,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', text: t('auto_none'), onclick: () => close_panel(drawer) }),
      plan.assignments.length ? h('button', { type: 'button', class: 'btn primary', id: 'auto-assign-apply', text: t('auto_apply'), onclick: apply }) : null),
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
      const chart = bar_chart({ title: t(`col_${column}`), max, empty: t('empty'), attrs: { 'data-report': state.name, 'data-column': column },
        items: report.rows.map((r) => ({ key: r.group, label: label(r), value: r[column], text: report_value(r[column], column) })) });
      const table = h('table', { class: 'report' },
        h('thead', {}, h('tr', {}, h('th', { text: t(`g_${state.group_by}`) }), columns.map((c) => h('th', { text: t(`col_${c}`) })))),
        h('tbody', {}, report.rows.map((r) => h('tr', {}, h('td', { text: label(r) }), columns.map((c) => h('td', { text: report_value(r[c], c) })))),
          h('tr', { class: 'total' }, h('td', { text: t('total') }), columns.map((c) => h('td', { text: report_value(report.total[c], c) })))));
      body.replaceChildren(chart, table);
    } catch (e) {
      body.replaceChildren(h('p', { class: 'error', text: t('failed', { message: error_text(e) }) }));
    }
  };
  // The CSV is made here from the report as shown: headers in the interface language, names instead of ids,
  // values as formatted on screen; a BOM so Excel reads it as UTF-8.
  const export_csv = async () => {
    try {
      const report = await api('GET', query());
      const columns = report.columns.filter((c) => c !== 'group' && c !== 'name');
      const cell = (v) => { const s = String(v ?? ''); return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
      const label = (r) => r.name || (r.group && r.group !== 'none' ? r.group : t(state.group_by === 'technician' ? 'unassigned' : 'no_group'));
      const lines = [[t(`g_${state.group_by}`), ...columns.map((c) => t(`col_${c}`))],
        ...report.rows.map((r) => [label(r), ...columns.map((c) => report_value(r[c], c))]),
        [t('total'), ...columns.map((c) => report_value(report.total[c], c))]].map((row) => row.map(cell).join(','));
      const url = URL.createObjectURL(new Blob([`\ufeff${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' }));
      h('a', { href: url, download: `${t(`r_${state.name}`)}-${t(`g_${state.group_by}`)}.csv` }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) { toast(t('failed', { message: error_text(e) })); }
  };
  const pick = (name, options) => h('select', { name, 'aria-label': t(`pick_${name}`), onchange: (e) => { state[name] = e.target.value; load(); } },
    options.map((v) => h('option', { value: v, selected: v === state[name], text: t(`${name === 'name' ? 'r_' : 'g_'}${v}`) })));
  const date = (name) => h('input', { type: 'date', name, 'aria-label': t(name), value: state[name], onchange: (e) => { state[name] = e.target.value; load(); } });
  const { el: drawer, title } = open_panel('reports-drawer', { wide: true, label: t('reports') });
  title.textContent = t('reports');
  drawer.append(h('div', { class: 'filters' }, pick('name', Object.keys(REPORTS)), pick('group_by', ['technician', 'category', 'model', 'month']),
    h('button', { type: 'button', class: 'btn', id: 'export-csv', text: t('export_csv'), onclick: export_csv }),
    h('div', { class: 'range' }, t('from'), date('from'), t('to'), date('to'))),
  body);
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

async function new_job() {
  const job = await create_job_dialog(board.user.role);
  if (!job) return;
  toast(t('job_created', { ticket: job.ticket_no }));
  await refresh({ loads: true });
  open_job(job.id);
}

function queue_filters() {
  const select = (name, label, options) => h('select', { name, 'aria-label': label, onchange: (e) => { queue.filters[name] = e.target.value; reset_queue(); } },
    options.map(([value, text]) => h('option', { value, selected: queue.filters[name] === value, text })));
  const tech_options = [['', t('any_assignee')], ['none', t('unassigned')], ...board.technicians.map((x) => [x.id, x.name])];
  const state_select = () => select('state', t('state'), [['', t('any_state')],
    ...(queue_states() || board.workflow.states).map((s) => [s, t(`s_${s}`)])]);
  let states = state_select();
  const queue_select = h('select', { name: 'queue', 'aria-label': t('queue'), onchange: (e) => {
    queue.filters.queue = e.target.value;
    queue.filters.state = '';
    const next = state_select();
    states.replaceWith(next);
    states = next;
    ui.queue_title.textContent = t(current_queue().label);
    reset_queue();
  } }, all_queues().map((q) => h('option', { value: q.id, selected: q.id === queue.filters.queue, text: t(q.label) })));
  const search = h('input', { type: 'search', name: 'q', placeholder: t('search'), 'aria-label': t('search'), value: queue.filters.q,
    oninput: debounce((e) => { queue.filters.q = e.target.value.trim(); reset_queue(); }, 250) });
  return h('div', { class: 'filters' }, queue_select, states,
    select('priority', t('priority'), [['', t('any_priority')], ...['urgent', 'high', 'normal', 'low'].map((p) => [p, t(`p_${p}`)])]),
    select('assignee_id', t('assignee'), tech_options), search);
}

function header() {
  const sign_out = async () => {
    try { await api('POST', '/api/v1/auth/logout'); } catch { /* signed out either way */ }
    sessionStorage.removeItem(TOKEN_KEY);
    board.user = null;
    render_login();
  };
  ui.live = h('span', { class: 'live', role: 'status', text: t('live') });
  ui.conflicts_badge = h('span', { class: 'badge', hidden: true });
  ui.conflicts_button = h('button', { type: 'button', class: 'btn', id: 'conflicts', onclick: () => open_conflicts() }, t('conflicts'), ui.conflicts_badge);
  return h('header', { class: 'bar' }, h('h1', { text: t('title') }), ui.live, h('span', { class: 'spacer' }),
    h('nav', { class: 'tools', 'aria-label': t('tools') },
      h('button', { type: 'button', class: 'btn primary-light', id: 'new-job', text: t('new_job'), onclick: new_job }),
      h('button', { type: 'button', class: 'btn', id: 'auto-assign', text: t('auto_assign'), onclick: open_auto_assign }),
      h('button', { type: 'button', class: 'btn', id: 'reports', text: t('reports'), onclick: open_reports }),
      ui.conflicts_button,
      board.user?.role === 'admin' ? h('button', { type: 'button', class: 'btn', id: 'admin', text: t('admin'),
        onclick: () => open_admin({ technicians: board.technicians, user: board.user }) }) : null),
    h('span', { class: 'who-am-i' }, h('span', { id: 'user-name', text: board.user?.name || '' }),
      h('span', { class: 'zone', id: 'time-zone', title: t('time_zone'), text: zone.name })),
    h('button', { type: 'button', class: 'btn', id: 'language', lang: current_language() === 'en' ? 'zh-CN' : 'en', text: t('language'),
      onclick: () => { toggle_language(); start_board(); } }),
    h('button', { type: 'button', class: 'btn', id: 'sign-out', text: t('sign_out'), onclick: sign_out }));
}

function build_layout() {
  ui.queue_count = h('small');
  ui.queue_title = h('span', { text: t(current_queue().label) });
  ui.queue_spacer = h('div', { class: 'spacer-rows' });
  ui.queue_scroller = h('div', { class: 'scroller', id: 'queue', role: 'group', 'aria-label': t('queue'), onscroll: () => requestAnimationFrame(render_queue) }, ui.queue_spacer);
  ui.tech_count = h('small', { text: t('technicians_count', { count: board.technicians.length }) });
  ui.tech_spacer = h('div', { class: 'spacer-rows' });
  ui.tech_scroller = h('div', { class: 'scroller', id: 'technicians', role: 'group', 'aria-label': t('timeline'), onscroll: () => requestAnimationFrame(render_timeline) }, ui.tech_spacer);
  ui.hours = h('div', { class: 'hours', 'aria-hidden': 'true' });
  // The technicians' name column, as wide as style.css makes it at this screen size.
  ui.label_width = () => parseInt(getComputedStyle(document.documentElement).getPropertyValue('--label'), 10) || 190;
  ui.lane_width = () => Math.max(200, ui.tech_scroller.clientWidth - ui.label_width());
  ui.dock = h('div', { class: 'dock', hidden: true });
  ui.armed_hint = h('div', { class: 'armed-hint', role: 'status', hidden: true }, h('span'),
    h('button', { type: 'button', class: 'btn small', text: t('cancel_action'), onclick: disarm }));
  const date_input = h('input', { type: 'date', id: 'board-date', value: board.date, onchange: async (e) => {
    board.date = e.target.value || local_date();
    board.days.clear();
    ui.tech_scroller.setAttribute('aria-busy', 'true');
    try {
      await load_technicians();
    } finally {
      render_timeline();
    }
    if (panel.job_id) open_job(panel.job_id);
  } });
  root.replaceChildren(header(),
    h('main', { class: 'layout' },
      h('section', { class: 'panel', 'aria-labelledby': 'queue-title' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'queue-title' }, ui.queue_title, ui.queue_count), queue_filters()),
        ui.queue_scroller, ui.dock),
      h('section', { class: 'timeline', 'aria-labelledby': 'timeline-title' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'timeline-title' }, h('span', { text: t('timeline') }), ui.tech_count),
          h('div', { class: 'filters one' }, h('label', { for: 'board-date' }, `${t('date')} `, date_input))),
        ui.armed_hint, ui.hours, ui.tech_scroller, h('div', { class: 'hint', text: t('drop_hint') }))));
}

let started = 0;
async function start_board() {
  const run = ++started;
  for (const key of Object.keys(ui)) delete ui[key];
  document.title = `${t('title')} · fieldrepair`;
  try {
    // The open queue's states come from the workflow table, so its first page follows it; who is signed in is
    // asked at the same time.
    const [me] = await Promise.all([api('GET', '/api/v1/auth/me'), workflow().then((wf) => {
      board.workflow = wf;
      return load_page(0, { force: true });
    })]);
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
