// The customer-care desk: queues of complaints, appeals, follow-up calls (with the call script and the survey
// form) and customer messages, a "report from a phone call" form that finds or creates the customer and the
// product, and the care figures. Every text from the server is set as text, never parsed as HTML.
import { t, set_language, current_language } from './i18n.js';
import { bar_chart } from '../board/chart.js';
import { reader_headers } from '../board/language.js';
import { h } from '../board/dom.js';

const root = document.getElementById('root');
const TOKEN_KEY = 'care.token';
const STAFF = ['agent', 'supervisor', 'dispatcher', 'admin'];
const DECIDERS = ['supervisor', 'admin'];
const REPORT_READERS = ['agent', 'supervisor', 'admin'];
const desk = { tab: 'complaints', user: null, turn: 0 };

const when = (iso) => (iso ? new Intl.DateTimeFormat(current_language(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '');
const is_late = (iso) => iso && new Date(iso) <= new Date();

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.field = body?.error?.field;
  }
}

async function api(method, path, body) {
  // The server words its errors in the desk's language, with times on the desk's clock; code and field stay the same.
  const headers = { Accept: 'application/json', ...reader_headers(current_language()) };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && token) { sessionStorage.removeItem(TOKEN_KEY); render_login(); }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

// The server's message for a refusal next to the control of the field it names (the desk's control names, where
// they differ from the API's, in aliases), the control marked invalid and focused; a toast when no control shows it.
function show_refusal(scope, err, aliases = {}) {
  for (const old of scope.querySelectorAll('.field-error')) old.remove();
  for (const old of scope.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
  const control = err.field ? scope.querySelector(`[name="${CSS.escape(aliases[err.field] || err.field)}"]`) : null;
  if (!control) return toast(t('failed', { message: err.message }));
  const note = h('p', { class: 'field-error error', id: `${control.name}-error`, role: 'alert', text: err.message });
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', note.id);
  control.after(note);
  control.focus();
}

// Runs a change, tells the user, and redraws the current tab; a refusal is shown as the server worded it.
async function change(method, path, body) {
  try {
    await api(method, path, body);
    toast(t('saved'));
    await show(desk.tab);
  } catch (err) {
    toast(t('failed', { message: err.message }));
  }
}

const select = (name, values, label) => h('select', { name, 'aria-label': t(name) }, values.map((v) => h('option', { value: v, text: label(v) })));
const textbox = (name, attrs = {}) => h('input', { name, 'aria-label': t(name), placeholder: t(name), ...attrs });
const due_cell = (iso, done) => h('td', { class: !done && is_late(iso) ? 'late' : '', text: `${when(iso)}${!done && is_late(iso) ? ` · ${t('overdue')}` : ''}` });

// ---------------------------------------------------------------------------------------------- login

function render_login(error) {
  const err = h('div', { class: 'error', hidden: !error, text: error || '' });
  const form = h('form', { class: 'login', id: 'login' },
    h('button', { type: 'button', class: 'link', text: t('language'), onclick: () => { toggle_language(); render_login(); } }),
    h('h1', { text: t('login_title') }), err,
    h('label', {}, t('username'), h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, t('password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit', class: 'primary', text: t('sign_in') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      const session = await api('POST', '/api/v1/auth/login', { username: f.get('username'), password: f.get('password') });
      if (!STAFF.includes(session.user.role)) {
        await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${session.token}` } });
        return render_login(t('staff_only'));
      }
      sessionStorage.setItem(TOKEN_KEY, session.token);
      start();
    } catch {
      render_login(t('bad_login'));
    }
  });
  root.replaceChildren(form);
}

// ---------------------------------------------------------------------------------------------- complaints

const COMPLAINT_TYPES = ['service_attitude', 'timeliness', 'quality_of_repair', 'price', 'other'];
const OUTCOMES = ['apology', 'goodwill_credit', 're_repair', 'refund', 'explained', 'no_action'];

function complaint_actions(k) {
  const path = (a) => `/api/v1/complaints/${encodeURIComponent(k.id)}/actions/${a}`;
  const note = textbox('note', { maxlength: 2000 });
  const buttons = [];
  if (k.state === 'open') buttons.push(h('button', { class: 'do-contact', text: t('do_contact'), onclick: () => change('POST', path('contact'), note.value.trim() ? { note: note.value.trim() } : {}) }));
  if (k.state === 'open' || k.state === 'contacted') buttons.push(h('button', { text: t('do_escalate'), onclick: () => change('POST', path('escalate'), note.value.trim() ? { note: note.value.trim() } : {}) }));
  if (k.state === 'resolved') buttons.push(h('button', { class: 'do-close', text: t('do_close'), onclick: () => change('POST', path('close'), {}) }));
  const can_resolve = k.state === 'contacted' || (k.state === 'escalated' && DECIDERS.includes(desk.user.role));
  const resolve = can_resolve ? h('span', { class: 'resolve' }, select('outcome', OUTCOMES, (o) => t(`oc_${o}`)),
    textbox('answer', { maxlength: 4000 }),
    h('button', { class: 'do-resolve', text: t('do_resolve'), onclick: (e) => {
      const box = e.target.closest('.resolve');
      change('POST', path('resolve'), { outcome: box.querySelector('[name=outcome]').value, answer: box.querySelector('[name=answer]').value.trim() });
    } })) : null;
  return h('td', { class: 'actions' }, buttons.length ? note : null, buttons, resolve);
}

function new_complaint_form() {
  const jobs = h('select', { name: 'job_id', 'aria-label': t('job_optional') }, h('option', { value: '', text: t('none') }));
  const who = h('span', { class: 'who' });
  let customer = null;
  const form = h('form', { class: 'inline', id: 'new-complaint' }, h('strong', { text: t('new_complaint') }),
    textbox('phone', { type: 'tel', required: true }),
    h('button', { type: 'button', text: t('find'), onclick: async () => {
      const phone = form.elements.phone.value.trim();
      const found = await api('GET', `/api/v1/customers?phone=${encodeURIComponent(phone)}`);
      customer = found.items[0] || null;
      who.textContent = customer ? customer.name : t('no_customer');
      jobs.replaceChildren(h('option', { value: '', text: t('none') }));
      if (!customer) return;
      const list = await api('GET', `/api/v1/jobs?customer_id=${encodeURIComponent(customer.id)}&limit=50`);
      for (const j of list.items) jobs.append(h('option', { value: j.id, text: `${j.ticket_no} · ${j.asset_model || ''}` }));
    } }), who, jobs, select('type', COMPLAINT_TYPES, (c) => t(`ct_${c}`)),
    textbox('description', { required: true, maxlength: 4000 }),
    h('button', { type: 'submit', class: 'primary', text: t('record') }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!customer) return toast(t('no_customer'));
    const body = { customer_id: customer.id, type: form.elements.type.value, description: form.elements.description.value.trim(), channel: 'phone' };
    if (jobs.value) body.job_id = jobs.value;
    change('POST', '/api/v1/complaints', body);
  });
  return form;
}

async function complaints_tab() {
  const page = await api('GET', '/api/v1/complaints?limit=100');
  const rows = page.items.map((k) => h('tr', { 'data-id': k.id },
    h('td', { text: k.customer_name }), h('td', { text: k.ticket_no || t('none') }), h('td', { text: t(`ct_${k.type}`) }),
    h('td', { class: 'body', text: k.description }), h('td', { class: `state ${k.state}`, text: t(`st_${k.state}`) }),
    due_cell(k.state === 'open' ? k.contact_due_at : k.resolve_due_at, k.state === 'resolved' || k.state === 'closed'),
    complaint_actions(k)));
  return [new_complaint_form(), table(['customer', 'ticket', 'type', 'description', 'state', 'due', ''], rows, 'complaints')];
}

// ---------------------------------------------------------------------------------------------- appeals

function appeal_actions(p) {
  const path = (a) => `/api/v1/appeals/${encodeURIComponent(p.id)}/actions/${a}`;
  const open = ['open', 'called_back', 'escalated'].includes(p.state);
  if (!open) return h('td', { text: p.decision_note || '' });
  const note = textbox('note', { maxlength: 2000 });
  const with_note = (a) => () => { if (!note.value.trim()) { note.focus(); return; } change('POST', path(a), { note: note.value.trim() }); };
  return h('td', { class: 'actions' }, note,
    !p.called_back_at ? h('button', { class: 'do-call-back', text: t('do_call_back'), onclick: with_note('call_back') }) : null,
    p.state !== 'escalated' ? h('button', { text: t('do_escalate'), onclick: () => change('POST', path('escalate'), note.value.trim() ? { note: note.value.trim() } : {}) }) : null,
    DECIDERS.includes(desk.user.role) ? [
      h('button', { class: 'do-uphold', text: t('upheld'), onclick: () => { if (!note.value.trim()) return note.focus(); change('POST', path('decide'), { outcome: 'upheld', note: note.value.trim() }); } }),
      h('button', { class: 'do-refuse', text: t('refused'), onclick: () => { if (!note.value.trim()) return note.focus(); change('POST', path('decide'), { outcome: 'refused', note: note.value.trim() }); } })] : null);
}

async function appeals_tab() {
  const page = await api('GET', '/api/v1/appeals?limit=100');
  const rows = page.items.map((p) => h('tr', { 'data-id': p.id },
    h('td', { text: `${p.customer_name} · ${p.customer_phone}` }), h('td', { text: p.ticket_no }),
    h('td', { text: t(`dec_${p.decision}`) }), h('td', { class: 'body', text: p.reason }),
    h('td', { class: `state ${p.state}`, text: t(`st_${p.state}`) }), due_cell(p.callback_due_at, !!p.called_back_at || !['open', 'escalated'].includes(p.state)),
    appeal_actions(p)));
  return [table(['customer', 'ticket', 'decision', 'reason', 'state', 'due', ''], rows, 'appeals')];
}

// ---------------------------------------------------------------------------------------------- follow-ups

function survey_form(f) {
  const stars = (name, required) => h('select', { name, 'aria-label': t(name) },
    required ? null : h('option', { value: '', text: t(name) }), [5, 4, 3, 2, 1].map((n) => h('option', { value: n, text: `${n} ★` })));
  const form = h('form', { class: 'survey' },
    h('p', { class: 'script', text: t('script', { name: f.customer_name, ticket: f.ticket_no }) }),
    h('label', {}, t('rating'), stars('rating', true)), h('label', {}, t('technician_rating'), stars('technician_rating')),
    h('label', {}, t('timeliness_rating'), stars('timeliness_rating')), h('label', {}, t('price_rating'), stars('price_rating')),
    textbox('comment', { maxlength: 2000 }), h('button', { type: 'submit', class: 'primary', text: t('do_survey') }),
    textbox('reason', { maxlength: 2000 }),
    h('button', { type: 'button', class: 'do-waive', text: t('do_waive'), onclick: () => {
      const reason = form.elements.reason.value.trim();
      if (!reason) return form.elements.reason.focus();
      change('POST', `/api/v1/followups/${encodeURIComponent(f.id)}/waive`, { reason });
    } }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { rating: Number(form.elements.rating.value) };
    for (const k of ['technician_rating', 'timeliness_rating', 'price_rating']) if (form.elements[k].value) body[k] = Number(form.elements[k].value);
    if (form.elements.comment.value.trim()) body.comment = form.elements.comment.value.trim();
    change('POST', `/api/v1/followups/${encodeURIComponent(f.id)}/survey`, body);
  });
  return form;
}

async function followups_tab() {
  const page = await api('GET', '/api/v1/followups?state=due&limit=100');
  const rows = page.items.map((f) => h('tr', { 'data-id': f.id },
    h('td', { text: `${f.customer_name} · ${f.customer_phone}` }), h('td', { text: f.ticket_no }),
    h('td', { text: t(`fr_${f.reason}`) }), due_cell(f.due_at, false), h('td', {}, survey_form(f))));
  return [table(['customer', 'ticket', 'reason', 'due', ''], rows, 'followups')];
}

// ---------------------------------------------------------------------------------------------- messages

async function open_thread(job_id, ticket, box) {
  const thread = await api('GET', `/api/v1/jobs/${encodeURIComponent(job_id)}/messages`);
  const reply = h('textarea', { name: 'reply', maxlength: 2000, placeholder: t('reply_hint'), 'aria-label': t('do_reply') });
  box.replaceChildren(h('h3', { text: `${t('thread')} · ${ticket}` }),
    h('ol', { class: 'thread' }, thread.items.map((m) => h('li', { class: m.author_role === 'customer' ? 'theirs' : 'ours' },
      h('small', { text: `${m.author_name} · ${when(m.created_at)}` }), h('p', { text: m.body })))),
    reply, h('button', { class: 'primary do-reply', text: t('do_reply'), onclick: () => {
      if (reply.value.trim()) change('POST', `/api/v1/jobs/${encodeURIComponent(job_id)}/messages`, { body: reply.value.trim() });
    } }));
}

async function messages_tab() {
  const page = await api('GET', '/api/v1/messages/waiting?limit=100');
  const box = h('div', { class: 'thread-box' });
  const rows = page.items.map((m) => h('tr', { 'data-id': m.job_id, class: 'clickable', onclick: () => open_thread(m.job_id, m.ticket_no, box) },
    h('td', { text: m.customer_name }), h('td', { text: m.ticket_no }), h('td', { class: 'body', text: m.body }), h('td', { text: when(m.created_at) })));
  return [h('h2', { text: t('waiting') }), table(['customer', 'ticket', 'description', 'due'], rows, 'messages'), box];
}

// ---------------------------------------------------------------------------------------------- a phone call

function phone_tab() {
  const assets = h('select', { name: 'asset_id', 'aria-label': t('product') });
  let customer = null;
  const form = h('form', { class: 'stack', id: 'phone-report' },
    h('fieldset', {}, h('legend', { text: t('caller') }), textbox('phone', { type: 'tel', required: true }),
      h('button', { type: 'button', id: 'find-caller', text: t('find'), onclick: async () => {
        const found = await api('GET', `/api/v1/customers?phone=${encodeURIComponent(form.elements.phone.value.trim())}`);
        const before = customer;
        customer = found.items[0] || null;
        // A new caller keeps what the agent typed meanwhile; only a customer found before is cleared away.
        if (customer || before) {
          form.elements.name.value = customer ? customer.name : '';
          form.elements.address.value = customer ? customer.address || '' : '';
        }
        assets.replaceChildren(h('option', { value: '', text: t('new_product') }));
        if (!customer) return toast(t('no_customer'));
        const list = await api('GET', `/api/v1/assets?customer_id=${encodeURIComponent(customer.id)}`);
        for (const a of list.items) assets.append(h('option', { value: a.id, text: `${a.model} · ${a.serial_no}` }));
      } }),
      textbox('name', { required: true, maxlength: 200 }), textbox('address', { maxlength: 500 })),
    h('fieldset', {}, h('legend', { text: t('product') }), assets, textbox('model', { maxlength: 200 }), textbox('serial', { maxlength: 100 })),
    h('fieldset', {}, h('legend', { text: t('fault') }), h('textarea', { name: 'description', required: true, maxlength: 5000, 'aria-label': t('fault') })),
    h('button', { type: 'submit', class: 'primary', text: t('report_job') }));
  assets.append(h('option', { value: '', text: t('new_product') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (k) => form.elements[k].value.trim();
    try {
      if (!customer) customer = await api('POST', '/api/v1/customers', { name: v('name'), phone: v('phone'), address: v('address') || undefined });
      const asset_id = assets.value || (await api('POST', '/api/v1/assets', { customer_id: customer.id, model: v('model'), serial_no: v('serial') })).id;
      const job = await api('POST', '/api/v1/jobs', { customer_id: customer.id, asset_id, description: v('description'), channel: 'phone' });
      toast(t('reported', { ticket: job.ticket_no }));
      root.querySelector('#phone-result').textContent = t('reported', { ticket: job.ticket_no });
    } catch (err) {
      show_refusal(form, err, { serial_no: 'serial' });
    }
  });
  return [form, h('p', { id: 'phone-result', role: 'status' })];
}

// ---------------------------------------------------------------------------------------------- figures

const report_filter = { from: '', to: '', period: 'month', group_by: 'product_type' };
const fmt = (n, digits = 0) => new Intl.NumberFormat(current_language(), { maximumFractionDigits: digits }).format(n);
const percent = (n) => (n === null || n === undefined ? t('none') : new Intl.NumberFormat(current_language(), { style: 'percent', maximumFractionDigits: 1 }).format(n));
const minutes_text = (m) => (m === null || m === undefined ? t('none') : m >= 120 ? t('hours', { n: fmt(m / 60, 1) }) : t('minutes', { n: fmt(m) }));

function report_query(format) {
  const p = new URLSearchParams({ period: report_filter.period, group_by: report_filter.group_by });
  if (report_filter.from) p.set('from', report_filter.from);
  if (report_filter.to) p.set('to', report_filter.to);
  if (format) p.set('format', format);
  return `/api/v1/care/report?${p}`;
}

// Counts of an object as bars, labelled through the dictionary (prefix + key).
const count_chart = (id, title, obj, prefix) => bar_chart({ title: t(title), empty: t('empty'), attrs: { id },
  items: Object.entries(obj || {}).map(([k, n]) => ({ key: k, label: t(`${prefix}${k}`), value: n, text: fmt(n) })) });

// A deadline kept or missed: within, late, still waiting past it; the mean time under the chart.
function timing_chart(id, title, timing) {
  return h('section', { class: 'figure' }, bar_chart({ title: t(title), attrs: { id },
    items: ['within_deadline', 'late', 'waiting_overdue'].map((k) => ({ key: k, label: t(`tm_${k}`), value: timing[k], text: fmt(timing[k]) })) }),
  h('p', { class: 'hint', text: `${t('average_time')}: ${minutes_text(timing.average_minutes)}` }));
}

// The server's CSV (spreadsheet-safe, UTF-8 with its byte order mark) fetched with the session and saved as a file.
async function download_csv() {
  const res = await fetch(report_query('csv'), { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`, ...reader_headers(current_language()) } });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || 'care-report.csv';
  h('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function report_filters() {
  const date = (name) => h('label', {}, t(`r_${name}`), h('input', { type: 'date', name, value: report_filter[name], onchange: (e) => { report_filter[name] = e.target.value; show('report'); } }));
  const pick = (name, values) => h('label', {}, t(`r_${name}`), h('select', { name, onchange: (e) => { report_filter[name] = e.target.value; show('report'); } },
    values.map((v) => h('option', { value: v, selected: v === report_filter[name], text: t(`r_${name}_${v}`) }))));
  return h('form', { class: 'inline report-filters', id: 'report-filters', onsubmit: (e) => e.preventDefault() },
    date('from'), date('to'), pick('period', ['month', 'day']), pick('group_by', ['product_type', 'technician']),
    h('button', { type: 'button', id: 'download-csv', text: t('download_csv'), onclick: () => download_csv().catch((err) => toast(t('failed', { message: err.message }))) }));
}

async function report_tab() {
  const r = await api('GET', report_query());
  const s = r.satisfaction, done = r.followups.completion, decided = r.appeals.decided;
  const series = s.series.map((x) => ({ key: `${x.group}|${x.period}`, label: `${x.name || t('none')} · ${x.period}`, value: x.average, text: `${fmt(x.average, 2)} (${fmt(x.count)})` }));
  return [report_filters(), h('div', { class: 'figures' },
    h('section', { class: 'figure' }, count_chart('chart-complaint-types', 'complaints_by_type', r.complaints.by_type, 'ct_'),
      count_chart('chart-complaint-outcomes', 'complaints_by_outcome', r.complaints.by_outcome, 'oc_')),
    timing_chart('chart-first-contact', 'first_contact', r.complaints.first_contact),
    timing_chart('chart-resolution', 'resolution', r.complaints.resolution),
    h('section', { class: 'figure' }, bar_chart({ title: t('appeals_decided'), attrs: { id: 'chart-appeals' },
      items: ['upheld', 'refused'].map((k) => ({ key: k, label: t(`st_${k}`), value: decided[k], text: fmt(decided[k]) })) }),
    h('p', { class: 'hint', text: `${t('upheld_rate')}: ${percent(decided.upheld_rate)}` })),
    timing_chart('chart-callback', 'callback', r.appeals.callback),
    h('section', { class: 'figure' }, bar_chart({ title: t('followup_completion'), attrs: { id: 'chart-followups' },
      items: ['done', 'waived', 'due', 'overdue'].map((k) => ({ key: k, label: t(k === 'overdue' ? 'fc_overdue' : `st_${k}`), value: done[k], text: fmt(done[k]) })) }),
    h('p', { class: 'hint', id: 'completion-rate', text: `${t('completion_rate')}: ${percent(done.completion_rate)}` })),
    h('section', { class: 'figure wide' }, bar_chart({ title: `${t('satisfaction')} · ${t(`r_group_by_${report_filter.group_by}`)}`, max: 5, empty: t('empty'), attrs: { id: 'chart-satisfaction' }, items: series }),
      h('p', { class: 'hint', text: `${t('average')}: ${s.average === null ? t('none') : fmt(s.average, 2)} · ${t('count')}: ${fmt(s.count)}` }))),
  DECIDERS.includes(desk.user.role) ? h('button', { id: 'sweep', text: t('sweep'), onclick: async () => {
    const out = await api('POST', '/api/v1/care/sweep');
    toast(t('swept', { count: out.appeals.length + out.complaints_contact.length + out.complaints_resolve.length }));
  } }) : null];
}

// ---------------------------------------------------------------------------------------------- layout

function table(columns, rows, id) {
  if (!rows.length) return h('p', { class: 'empty', id: `${id}-empty`, text: t('empty') });
  return h('table', { id: `${id}-table` }, h('thead', {}, h('tr', {}, columns.map((c) => h('th', { text: c ? t(c) : '' })))), h('tbody', {}, rows));
}

const TABS = { complaints: complaints_tab, appeals: appeals_tab, followups: followups_tab, messages: messages_tab, phone: phone_tab, report: report_tab };

// The tab asked for last wins: a slower answer for a tab left meanwhile is dropped, not drawn over the newer one.
// main is aria-busy until the tab's content is in.
async function show(tab) {
  const turn = ++desk.turn;
  desk.tab = tab;
  const main = root.querySelector('main');
  root.querySelectorAll('nav button').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === tab)));
  main.setAttribute('aria-busy', 'true');
  let content;
  try {
    content = [await TABS[tab]()].flat().filter(Boolean);
  } catch (err) {
    content = [h('div', { class: 'error', text: t('failed', { message: err.message }) })];
  }
  if (turn !== desk.turn) return;
  main.replaceChildren(...content);
  main.removeAttribute('aria-busy');
}

function toggle_language() { set_language(current_language() === 'en' ? 'zh-CN' : 'en'); }

async function start() {
  desk.user = await api('GET', '/api/v1/auth/me');
  await render_desk();
}

// The desk for the signed-in user; a change of language draws it again at once, without asking the server who it is.
function render_desk() {
  const tabs = Object.keys(TABS).filter((k) => k !== 'report' || REPORT_READERS.includes(desk.user.role));
  root.replaceChildren(
    h('header', {}, h('strong', { text: t('title') }), h('span', { class: 'user', text: `${desk.user.name} · ${desk.user.role}` }),
      h('button', { class: 'link', text: t('language'), onclick: () => { toggle_language(); render_desk(); } }),
      h('button', { class: 'link', id: 'sign-out', text: t('sign_out'), onclick: () => {
        // Signed out here at once, so a reload or another sign-in straight after cannot find the old session; the
        // server's end of it follows.
        const token = sessionStorage.getItem(TOKEN_KEY);
        sessionStorage.removeItem(TOKEN_KEY);
        render_login();
        fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${token}` } }).catch(() => {});
      } })),
    h('nav', { role: 'tablist' }, tabs.map((k) => h('button', { role: 'tab', 'data-tab': k, id: `tab-${k}`, text: t(`tab_${k}`), onclick: () => show(k) }))),
    h('main', {}));
  return show(desk.tab);
}

set_language(current_language());
if (sessionStorage.getItem(TOKEN_KEY)) start().catch(() => render_login());
else render_login();
