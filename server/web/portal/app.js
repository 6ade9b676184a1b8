// The customer portal: report a fault without an account, follow the repair with its tracking link (ticket number
// and access key),
// approve or decline the plan, sign acceptance on the screen, rate the service, see the warranty.
import { t, set_language, current_language } from './i18n.js';
import { reader_headers } from '../board/language.js';
import { h } from '../board/dom.js';
import { tc, render_account, finish_card, messages_card, survey_card, care_request_card, contact_fields, contact_values } from './account.js';
import { purchase_section, add_purchase, after_sales_cards } from './after_sales.js';

const app = document.getElementById('app');
const SESSION_KEY = 'portal.session';

// ---------------------------------------------------------------------------------------------- helpers

const fmt_time = (iso) => iso ? new Intl.DateTimeFormat(current_language(), { dateStyle: 'medium', timeStyle: 'short' })
  .format(new Date(iso)) : '';
const fmt_date = (date) => date ? new Intl.DateTimeFormat(current_language(), { dateStyle: 'medium' })
  .format(new Date(`${date}T12:00:00`)) : '';
const fmt_money = (amount, currency = 'CNY') => new Intl.NumberFormat(current_language(), { style: 'currency', currency })
  .format(amount);

function load_session() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch { return null; }
}
function save_session(s) { sessionStorage.setItem(SESSION_KEY, JSON.stringify(s)); }
function drop_session() { sessionStorage.removeItem(SESSION_KEY); }

class ApiError extends Error {
  constructor(status, body, retry_after) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.field = body?.error?.field;
    this.retry_after = retry_after;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json', ...reader_headers(current_language()) };
  const session = load_session();
  if (session?.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    // No answer at all: the network is down or the server unreachable.
    throw new ApiError(0, { error: { code: 'offline', message: t('offline') } });
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('Retry-After'));
  return data;
}

// What went wrong, as the server says it: its message comes in the page's language (the requests send
// Accept-Language) and names the field; only "no connection" and the wait before retrying are the page's words.
function message_of(err) {
  if (err.code === 'offline') return t('offline');
  if (err.code === 'rate_limited') return t('rate_limited', { seconds: err.retry_after || 60 });
  return err.message || t('err_internal');
}

function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 3500);
}

// A labelled control with its hint and an error slot beside it; required fields carry a marker.
let field_seq = 0;
function field(label_key, input, hint_key) {
  const id = input.id || `f-${input.name || label_key}-${++field_seq}`;
  input.id = id;
  const required = input.hasAttribute('required');
  if (required) input.setAttribute('aria-required', 'true');
  const described = [hint_key ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
  return h('div', { class: 'field' },
    h('label', { for: id }, h('span', { text: t(label_key) }),
      required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null),
    input, hint_key ? h('span', { class: 'hint', id: `${id}-hint`, text: t(hint_key) }) : null,
    h('span', { class: 'field-error', id: `${id}-error`, role: 'alert', 'data-error-for': input.name || '', hidden: true }));
}

// Shows message beside the named control (or in the form's general box), scrolled into view and focused.
function show_field_error(form, name, message) {
  const slot = form.querySelector(`[data-error-for="${name}"]`);
  const control = form.elements?.[name] || form.querySelector(`[name="${name}"]`);
  if (!slot) {
    const box = form.querySelector('.error');
    box.textContent = message;
    box.hidden = false;
    box.scrollIntoView({ block: 'center' });
    return;
  }
  slot.textContent = message;
  slot.hidden = false;
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    control.scrollIntoView({ block: 'center' });
    control.focus({ preventScroll: true });
  }
}
function clear_errors(form) {
  form.querySelectorAll('.field-error, .error').forEach((el) => { el.hidden = true; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

// A failure to reach the server, in plain words, with a way to try again.
function offline_box(retry) {
  return h('div', { class: 'error offline', role: 'alert', id: 'offline' }, h('p', { text: t('offline') }),
    h('button', { type: 'button', class: 'button', id: 'retry', text: t('retry'), onclick: retry }));
}

// ---------------------------------------------------------------------------------------------- pages

function tabs(active) {
  return h('nav', { class: 'tabs', role: 'tablist' },
    h('button', { role: 'tab', 'aria-selected': String(active === 'report'), onclick: () => { location.hash = '#/report'; }, text: t('tab_report') }),
    h('button', { role: 'tab', 'aria-selected': String(active === 'track'), onclick: () => { location.hash = '#/track'; }, text: t('tab_track') }),
    h('button', { role: 'tab', id: 'tab-account', 'aria-selected': String(active === 'account'), onclick: () => { location.hash = '#/account'; }, text: tc('tab_account') }));
}

// Photos are scaled down in the browser (longest side 1600 px, JPEG) so a phone picture fits the server's limit.
async function shrink_photo(file) {
  const url = URL.createObjectURL(file);
  try {
    const img = await new Promise((resolve, reject) => {
      const i = new Image();
      i.onload = () => resolve(i);
      i.onerror = reject;
      i.src = url;
    });
    const scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(img.naturalWidth * scale);
    canvas.height = Math.round(img.naturalHeight * scale);
    canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.85, 0.7, 0.55, 0.4]) {
      const data = canvas.toDataURL('image/jpeg', quality).split(',')[1];
      if (data.length * 3 / 4 < 900 * 1024) return data;
    }
    throw new Error('photo too large');
  } finally {
    URL.revokeObjectURL(url);
  }
}

// The preferred window of a day and a time of day; "any time" is the whole service day.
function slot_window(date, slot) {
  const hours = { any: [9, 20], morning: [9, 12], afternoon: [13, 17], evening: [18, 20] }[slot];
  if (!date || !hours) return null;
  const at = (hh) => new Date(`${date}T${String(hh).padStart(2, '0')}:00:00`).toISOString();
  return { preferred_start: at(hours[0]), preferred_end: at(hours[1]) };
}

function render_report() {
  const photos = [];
  const preview = h('div', { class: 'photos-preview' });
  const error = h('div', { class: 'error', role: 'alert', hidden: true });
  const input = (name, attrs = {}) => h('input', { name, ...attrs });
  const categories = ['washer', 'ac', 'fridge', 'tv', 'heater', 'other'];
  const file_input = h('input', { type: 'file', name: 'photos', accept: 'image/png,image/jpeg', multiple: true,
    onchange: async (e) => {
      for (const file of [...e.target.files]) {
        if (photos.length >= 4) break;
        try {
          photos.push(await shrink_photo(file));
          preview.append(h('img', { src: `data:image/jpeg;base64,${photos[photos.length - 1]}`, alt: file.name }));
        } catch { toast(t('error', { message: file.name })); }
      }
      e.target.value = '';
    } });
  const today = new Date();
  const min_date = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  const form = h('form', { id: 'report-form', novalidate: true }, h('p', { class: 'hint', text: t('required_note') }),
    h('section', { class: 'card' }, h('h2', { text: t('product') }),
      h('div', { class: 'row' },
        field('model', input('model', { required: true, maxlength: 200, placeholder: t('model_hint') })),
        field('serial', input('serial_no', { required: true, maxlength: 100 }), 'serial_hint')),
      field('category', h('select', { name: 'category' }, categories.map((c) => h('option', { value: t(`cat_${c}`), text: t(`cat_${c}`) }))))),
    h('section', { class: 'card' }, h('h2', { text: t('fault') }),
      field('description', h('textarea', { name: 'description', required: true, maxlength: 5000, placeholder: t('description_hint') })),
      field('photos', file_input, 'photos_hint'), preview),
    purchase_section(h, field),
    h('section', { class: 'card' }, h('h2', { text: t('contact') }),
      h('div', { class: 'row' },
        field('name', input('contact_name', { required: true, maxlength: 200, autocomplete: 'name' })),
        field('phone', input('phone', { required: true, type: 'tel', maxlength: 50, autocomplete: 'tel' }))),
      field('address', input('address', { required: true, maxlength: 500, autocomplete: 'street-address' })),
      contact_fields(),
      h('div', { class: 'row' },
        field('date', input('preferred_date', { type: 'date', min: min_date }), 'date_hint'),
        field('slot', h('select', { name: 'slot' }, ['any', 'morning', 'afternoon', 'evening'].map((s) => h('option', { value: s, text: t(`slot_${s}`) })))))),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'submit-report', text: t('submit_report') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = {};
    for (const key of ['contact_name', 'phone', 'address', 'model', 'serial_no', 'description', 'category']) body[key] = String(f.get(key) || '').trim();
    clear_errors(form);
    const problems = [];
    for (const k of ['model', 'serial_no', 'description', 'contact_name', 'phone', 'address']) if (!body[k]) problems.push([k, t('v_required')]);
    if (body.phone && body.phone.replace(/\D/g, '').length < 5) problems.push(['phone', t('bad_phone')]);
    const date = String(f.get('preferred_date') || '');
    if (date && date < min_date) problems.push(['preferred_date', t('v_past_date')]);
    const window_ = slot_window(date, f.get('slot'));
    if (window_ && new Date(window_.preferred_end) <= new Date()) problems.push(['preferred_date', t('v_past_slot')]);
    if (problems.length) {
      // Every problem beside its field; the first one is scrolled to and focused.
      for (const [k, message] of problems.slice().reverse()) show_field_error(form, k, message);
      return;
    }
    Object.assign(body, window_ || {}, contact_values(form));
    if (photos.length) body.photos = photos;
    await add_purchase(form, body);
    const button = form.querySelector('#submit-report');
    button.disabled = true;
    button.textContent = t('sending');
    try {
      const made = await api('POST', '/api/v1/portal/reports', body);
      save_session(made);
      render_reported(made);
    } catch (err) {
      button.disabled = false;
      button.textContent = t('submit_report');
      if (err.code === 'offline') {
        error.replaceChildren(offline_box(() => form.requestSubmit()));
        error.hidden = false;
        error.scrollIntoView({ block: 'center' });
        return;
      }
      const name = { preferred_start: 'preferred_date', preferred_end: 'preferred_date', category: 'category' }[err.field] || err.field;
      show_field_error(form, name || '', message_of(err));
    }
  });
  app.replaceChildren(tabs('report'), form);
}

// The tracking link is shown once (only its hash is kept): the customer bookmarks or copies it.
function render_reported(made) {
  const link = `${location.origin}${made.tracking_link}`;
  app.replaceChildren(tabs('report'), h('section', { class: 'card', id: 'reported' },
    h('h2', { text: t('reported_title') }), h('div', { class: 'ticket-no', id: 'ticket-no', text: made.ticket_no }),
    h('p', { text: t('reported_note') }),
    field('tracking_link', h('input', { id: 'tracking-link', readonly: true, value: link, onfocus: (e) => e.target.select() })),
    field('access_key', h('input', { id: 'access-key', readonly: true, value: made.access_key })),
    h('div', { class: 'actions' }, h('a', { class: 'button primary', href: `#/jobs/${encodeURIComponent(made.job_id)}`, text: t('view_progress') }))));
}

function render_track(prefill = {}, notice = null) {
  const error = h('div', { class: 'error', role: 'alert', hidden: !notice, text: notice || '' });
  const form = h('form', { id: 'track-form', class: 'card', novalidate: true }, h('h2', { text: t('track_title') }),
    h('div', { class: 'row' },
      field('ticket_no', h('input', { name: 'ticket_no', required: true, maxlength: 40, value: prefill.ticket_no || '', placeholder: t('ticket_hint') })),
      field('access_key', h('input', { name: 'access_key', required: true, maxlength: 100, autocomplete: 'off', value: prefill.access_key || '' }))),
    error, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: t('find') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    clear_errors(form);
    const missing = ['ticket_no', 'access_key'].filter((k) => !String(f.get(k) || '').trim());
    if (missing.length) { missing.reverse().forEach((k) => show_field_error(form, k, t('v_required'))); return; }
    try {
      await open_session(String(f.get('ticket_no')).trim(), String(f.get('access_key')).trim());
    } catch (err) {
      if (err.code === 'offline') error.replaceChildren(offline_box(() => form.requestSubmit()));
      else error.textContent = err.code === 'bad_credentials' ? t('lookup_failed') : message_of(err);
      error.hidden = false;
    }
  });
  app.replaceChildren(tabs('track'), form);
}

async function open_session(ticket_no, access_key) {
  const session = await api('POST', '/api/v1/portal/session', { ticket_no, access_key });
  save_session(session);
  location.hash = `#/jobs/${encodeURIComponent(session.job_id)}`;
}

// A tracking link (#ticket=…&key=…) opens its repair at once; the key leaves the address bar.
async function follow_tracking_link(hash) {
  const params = new URLSearchParams(hash.slice(1));
  const prefill = { ticket_no: params.get('ticket') || '', access_key: params.get('key') || '' };
  history.replaceState(null, '', `${location.pathname}#/track`);
  try {
    await open_session(prefill.ticket_no, prefill.access_key);
  } catch (err) {
    render_track(prefill, err.code === 'bad_credentials' ? t('lookup_failed') : message_of(err));
  }
}

// ---------------------------------------------------------------------------------------------- the repair

const DONE = new Set(['accepted', 'closed']);

function status_badge(state) {
  const cls = state === 'cancelled' ? 'status cancelled' : DONE.has(state) ? 'status done' : 'status';
  return h('span', { class: cls, id: 'job-state', 'data-state': state, text: t(`st_${state}`) });
}

function plan_card(job) {
  const plan = job.plan;
  if (!plan) return null;
  const acts = new Set(job.available_actions || []);
  const reason = h('textarea', { name: 'decline_reason', placeholder: t('decline_reason'), 'aria-label': t('decline_reason'), hidden: true });
  const items = h('table', { class: 'items' },
    h('thead', {}, h('tr', {}, h('th', { text: t('item') }), h('th', { class: 'num', text: t('qty') }), h('th', { class: 'num', text: t('unit_price') }))),
    h('tbody', {}, plan.items.map((i) => h('tr', {}, h('td', { text: i.description }), h('td', { class: 'num', text: String(i.quantity) }),
      h('td', { class: 'num', text: fmt_money(i.unit_price, plan.currency) })))));
  const card = h('section', { class: 'card', id: 'plan' }, h('h2', { text: t('plan') }),
    h('p', { class: 'hint', text: `${t('plan_version', { version: plan.version })} · ${t(`mode_${plan.mode}`)}` }),
    h('dl', { class: 'facts' }, h('dt', { text: t('findings') }), h('dd', { text: plan.findings })), items,
    h('dl', { class: 'facts' }, h('dt', { text: t('total') }), h('dd', { text: fmt_money(plan.total, plan.currency) }),
      h('dt', { text: t('you_pay') }), h('dd', { class: 'price', id: 'plan-price', text: fmt_money(plan.cost_to_customer, plan.currency) }),
      plan.is_warranty_covered ? [h('dt', {}), h('dd', { text: t('warranty_covered') })] : null));
  if (acts.has('approve_plan')) {
    card.append(reason, h('div', { class: 'actions' },
      h('button', { class: 'button primary', id: 'approve-plan', text: t('approve'),
        onclick: () => act(job, 'approve_plan', { plan_version: plan.version }) }),
      h('button', { class: 'button danger', id: 'decline-plan', text: t('decline'), onclick: () => {
        if (reason.hidden) { reason.hidden = false; reason.focus(); return; }
        const body = { plan_version: plan.version };
        if (reason.value.trim()) body.reason = reason.value.trim();
        act(job, 'decline_plan', body);
      } })));
  } else if (plan.status === 'approved') {
    // What happens next depends on how far the repair is: booking, booked, or done.
    const next = job.state === 'approved' ? 'approved_msg' : ['scheduled', 'in_repair', 'on_hold'].includes(job.state) ? 'approved_booked_msg'
      : 'approved_done_msg';
    card.append(h('p', { class: 'success', id: 'plan-note', text: t(next) }));
  } else if (plan.status === 'declined') {
    card.append(h('p', { class: 'error', text: t('declined_msg') }));
  }
  return card;
}

function visit_card(job) {
  const s = job.schedule;
  if (!s || !['scheduled', 'in_repair'].includes(job.state)) return null;
  const facts = s.mode === 'depot'
    ? [h('dt', { text: t('shipment') }), h('dd', { text: `${s.carrier || ''} ${s.tracking_no || ''}` })]
    : [h('dt', { text: t('visit') }), h('dd', { text: `${fmt_time(s.window_start)} – ${new Intl.DateTimeFormat(current_language(), { timeStyle: 'short' }).format(new Date(s.window_end))}` }),
      h('dt', { text: t('technician') }), h('dd', { text: job.assignee_name || '' })];
  return h('section', { class: 'card', id: 'visit' }, h('dl', { class: 'facts' }, facts));
}

// A signature pad: pointer strokes drawn on a canvas, kept as vectors too (the server stores both).
function signature_pad() {
  const canvas = h('canvas', { class: 'signature', id: 'signature', role: 'img', 'aria-label': t('sign_here') });
  const strokes = [];
  let current = null;
  const ctx = () => canvas.getContext('2d');
  const fit = () => {
    const ratio = window.devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    const c = ctx();
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    c.lineWidth = 2.5; c.lineCap = 'round'; c.lineJoin = 'round'; c.strokeStyle = '#102a43';
    c.fillStyle = '#fff'; c.fillRect(0, 0, rect.width, rect.height);
    for (const s of strokes) draw(s);
  };
  const draw = (s) => {
    const c = ctx();
    c.beginPath();
    s.forEach(([x, y], i) => (i ? c.lineTo(x, y) : c.moveTo(x, y)));
    if (s.length === 1) c.lineTo(s[0][0] + 0.1, s[0][1]);
    c.stroke();
  };
  const point = (e) => { const r = canvas.getBoundingClientRect(); return [Math.round(e.clientX - r.left), Math.round(e.clientY - r.top)]; };
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    current = [point(e)];
    strokes.push(current);
    draw(current);
  });
  canvas.addEventListener('pointermove', (e) => { if (!current) return; current.push(point(e)); draw(current.slice(-2)); });
  const end = () => { current = null; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  // Sized once it is on the page (and again when the page is resized), keeping what was drawn.
  new ResizeObserver(() => fit()).observe(canvas);
  return {
    canvas,
    strokes,
    clear: () => { strokes.length = 0; fit(); },
    png: () => canvas.toDataURL('image/png').split(',')[1],
  };
}

// The signed summary for reading: each "中文 English: value" line as a labelled row in the page's language, plan
// and parts as lists, the repair mode in words. The exact text that is hashed and signed stays one click away.
function summary_view(text) {
  const rows = [];
  let list = null;
  for (const line of text.split('\n')) {
    const item = /^\s+- (.*)$/.exec(line);
    if (item) { (list || (list = h('ul', {}))).append(h('li', { text: item[1] })); continue; }
    if (list) { rows.push(h('dt', {}), h('dd', {}, list)); list = null; }
    const m = /^(\S+) ([^:]*?)(?: v(\d+))?(?: \((on_site|depot)\))?:\s?(.*)$/.exec(line);
    if (!m) { if (line.trim()) rows.push(h('dt', {}), h('dd', { text: line })); continue; }
    const [, zh, en, version, mode, value] = m;
    const label = current_language() === 'en' ? en : zh;
    const extra = [version ? t('plan_version', { version }) : '', mode ? t(`mode_${mode}`) : ''].filter(Boolean).join(' · ');
    rows.push(h('dt', { text: label }), h('dd', { text: [value, extra].filter(Boolean).join(' ') }));
  }
  if (list) rows.push(h('dt', {}), h('dd', {}, list));
  return h('div', { class: 'summary' }, h('dl', { class: 'facts', id: 'summary-text' }, rows),
    h('details', {}, h('summary', { text: t('signed_text') }), h('pre', { class: 'summary-raw', text })));
}

async function acceptance_card(job) {
  const acts = new Set(job.available_actions || []);
  if (job.acceptance) {
    return h('section', { class: 'card', id: 'accepted' }, h('p', { class: 'success', text: t('accepted_msg') }),
      h('dl', { class: 'facts' }, h('dt', { text: t('rating_given') }), h('dd', { text: '★'.repeat(job.acceptance.rating) })));
  }
  if (!acts.has('record_acceptance')) return null;
  const summary = await api('GET', `/api/v1/jobs/${encodeURIComponent(job.id)}/summary`);
  const pad = signature_pad();
  // No rating until the customer gives one.
  let rating = 0;
  const stars = h('div', { class: 'stars', role: 'radiogroup', id: 'rating', 'aria-label': t('rating'), 'aria-describedby': 'rating-error' });
  const paint = () => [...stars.children].forEach((b, i) => {
    b.classList.toggle('on', i < rating);
    b.setAttribute('aria-checked', String(i + 1 === rating));
    b.tabIndex = (rating ? i + 1 === rating : i === 0) ? 0 : -1;
  });
  const choose = (i) => { rating = i; paint(); stars.children[i - 1].focus(); rating_error.hidden = true; };
  for (let i = 1; i <= 5; i++) {
    stars.append(h('button', { type: 'button', role: 'radio', 'data-rating': i, 'aria-label': t('stars', { n: i }), text: '★',
      onclick: () => choose(i),
      onkeydown: (e) => {
        if (e.key === 'ArrowRight' || e.key === 'ArrowUp') { e.preventDefault(); choose(Math.min(5, (rating || 0) + 1)); }
        if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') { e.preventDefault(); choose(Math.max(1, (rating || 2) - 1)); }
      } }));
  }
  const rating_error = h('span', { class: 'field-error', id: 'rating-error', role: 'alert', hidden: true, text: t('rating_needed') });
  paint();
  const signer = h('input', { name: 'signer_name', maxlength: 200, value: job.customer_name || '', autocomplete: 'name' });
  const comment = h('textarea', { name: 'comment', maxlength: 2000 });
  const error = h('div', { class: 'error', hidden: true });
  const reject_reason = h('textarea', { name: 'reject_reason', placeholder: t('not_fixed_reason'), 'aria-label': t('not_fixed_reason'), hidden: true });
  return h('section', { class: 'card', id: 'acceptance' }, h('h2', { text: t('acceptance') }), h('p', { text: t('acceptance_intro') }),
    h('h3', { class: 'hint', text: t('summary') }), summary_view(summary.text),
    field('signer', signer), h('p', { class: 'label', id: 'sign-label', text: t('sign_here') }), pad.canvas,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', text: t('clear'), onclick: pad.clear })),
    h('p', { class: 'label', text: t('rating') }), stars, rating_error, field('comment', comment), error, reject_reason,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button primary', id: 'sign-accept', text: t('sign_accept'), onclick: () => {
        if (!pad.strokes.length) { error.textContent = t('signature_needed'); error.hidden = false; pad.canvas.scrollIntoView({ block: 'center' }); return; }
        if (!rating) { rating_error.hidden = false; stars.scrollIntoView({ block: 'center' }); stars.children[0].focus({ preventScroll: true }); return; }
        const body = { signer_name: signer.value.trim(), signature_png: pad.png(), signature_strokes: pad.strokes,
          rating, summary_sha256: summary.sha256 };
        if (comment.value.trim()) body.comment = comment.value.trim();
        act(job, 'record_acceptance', body, error);
      } }),
      acts.has('reject_acceptance') ? h('button', { type: 'button', class: 'button danger', text: t('not_fixed'), onclick: () => {
        if (reject_reason.hidden) { reject_reason.hidden = false; reject_reason.focus(); return; }
        act(job, 'reject_acceptance', { reason: reject_reason.value.trim() || t('not_fixed') }, error);
      } }) : null));
}

async function warranty_card() {
  const list = await api('GET', '/api/v1/warranties');
  return h('section', { class: 'card', id: 'warranties' }, h('h2', { text: t('warranties') }),
    list.items.length ? h('ul', {}, list.items.map((w) => h('li', {},
      h('strong', { text: `${w.asset_model} · ${w.ticket_no}` }), h('br'),
      h('span', { text: `${t('covers')}: ${w.covers}` }), h('br'),
      h('span', { class: 'hint', text: t('valid', { from: fmt_date(w.starts_on), to: fmt_date(w.ends_on) }) }))))
      : h('p', { class: 'hint', text: t('no_warranties') }));
}

async function act(job, action, body, error_box) {
  try {
    await api('POST', `/api/v1/jobs/${encodeURIComponent(job.id)}/actions/${action}`, body);
    await render_job(job.id);
  } catch (err) {
    if (error_box) { error_box.textContent = message_of(err); error_box.hidden = false; } else toast(message_of(err));
  }
}

async function render_job(job_id) {
  const session = load_session();
  if (!session?.token) return render_track({}, t('not_found'));
  // The customer may have gone to another page while the answers came: a slower answer must not draw over it.
  const still_here = () => decodeURIComponent(location.hash.match(/^#\/jobs\/([^/?#]+)$/)?.[1] || '') === job_id;
  let job, events;
  try {
    [job, events] = await Promise.all([api('GET', `/api/v1/jobs/${encodeURIComponent(job_id)}`),
      api('GET', `/api/v1/jobs/${encodeURIComponent(job_id)}/events`)]);
  } catch (err) {
    if (!still_here()) return;
    if (err.status === 401) { drop_session(); return render_track({ ticket_no: session.ticket_no }, t('session_expired')); }
    if (err.status === 404 || err.status === 403) return render_track({}, t('not_found'));
    throw err;
  }
  const cancel_reason = h('textarea', { name: 'cancel_reason', placeholder: t('cancel_reason'), 'aria-label': t('cancel_reason'), hidden: true });
  const head = h('section', { class: 'card', id: 'job' },
    h('div', { class: 'ticket-no', text: job.ticket_no }), status_badge(job.state),
    h('dl', { class: 'facts' },
      h('dt', { text: t('product_label') }), h('dd', { text: `${job.asset_model || ''} · ${job.asset_serial_no || ''}` }),
      h('dt', { text: t('reported_on') }), h('dd', { text: fmt_time(job.created_at) }),
      h('dt', { text: t('your_report') }), h('dd', { text: job.description })),
    (job.available_actions || []).includes('cancel') && !(job.available_actions || []).includes('withdraw') ? [cancel_reason, h('div', { class: 'actions' },
      h('button', { class: 'button danger', text: t('cancel_report'), onclick: () => {
        if (cancel_reason.hidden) { cancel_reason.hidden = false; cancel_reason.focus(); return; }
        act(job, 'cancel', { reason: cancel_reason.value.trim() || t('cancel_report') });
      } }))] : null);
  const timeline = h('section', { class: 'card', id: 'progress' }, h('h2', { text: t('progress') }),
    h('ol', { class: 'timeline' }, events.items.map((e) => h('li', {}, h('time', { datetime: e.at, text: fmt_time(e.at) }),
      h('span', { text: t(`ev_${e.action}`) })))));
  const after_sales = await after_sales_cards(h, job, { act, api, refresh: () => render_job(job.id), message_of });
  const cards = [head, finish_card(job), timeline, plan_card(job), ...after_sales, visit_card(job),
    await acceptance_card(job), await warranty_card(), await survey_card(job), await messages_card(job),
    care_request_card(job)];
  if (!still_here()) return;
  app.replaceChildren(h('div', { class: 'actions end' },
    h('button', { class: 'button', id: 'logout', text: t('logout'), onclick: async () => {
      try { await api('POST', '/api/v1/auth/logout'); } catch { /* the session ends here either way */ }
      drop_session();
      location.hash = '#/track';
    } })), ...cards.filter(Boolean));
}

// ---------------------------------------------------------------------------------------------- routing

async function route() {
  const hash = location.hash || '#/report';
  const m = hash.match(/^#\/jobs\/([^/?#]+)$/);
  try {
    if (m) await render_job(decodeURIComponent(m[1]));
    else if (hash.startsWith('#ticket=')) await follow_tracking_link(hash);
    else if (hash === '#/account') await render_account(app, tabs('account'));
    else if (hash === '#/track') render_track({ ticket_no: load_session()?.ticket_no });
    else render_report();
  } catch (err) {
    app.replaceChildren(err.code === 'offline' ? offline_box(route) : h('div', { class: 'error', role: 'alert', text: message_of(err) }));
  }
}

function apply_language() {
  document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
  document.getElementById('language').textContent = t('language');
  document.title = `${t('title')} · fieldrepair`;
}

document.getElementById('language').addEventListener('click', () => {
  set_language(current_language() === 'en' ? 'zh-CN' : 'en');
  apply_language();
  route();
});
set_language(current_language());
apply_language();
window.addEventListener('hashchange', route);
route();
