// The admin console: users and roles, technicians' skills, regions, working hours and days off, SLA policies and
// the business calendar their time limits run on, the parts and fault catalogs, webhooks with their deliveries,
// the notification log and the audit-chain check — each a screen over the JSON API, each form checked as the API
// checks it (the server's field errors show next to the field).
import { t, current_language } from './i18n.js';
import { h, api, error_text, field_label, toast, when } from './lib.js';

const ROLES = ['admin', 'dispatcher', 'technician', 'agent', 'supervisor', 'customer'];
const STAFF_ROLES = ROLES.filter((r) => r !== 'customer');
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const EVENTS = ['ticket_created', 'plan_proposed', 'visit_booked', 'repair_completed', 'warranty_issued', 'sla_at_risk', 'sla_breached'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// ------------------------------------------------------------------------------------------ building blocks

let uid = 0;
// A labelled input with its error slot; spec: {name, type, required, options: [[value, text]], value, label}.
function input(spec) {
  const id = `adm-${spec.name}-${++uid}`;
  const common = { id, name: spec.name, required: spec.required, 'aria-required': spec.required ? 'true' : null,
    'aria-describedby': `${id}-error`, maxlength: spec.max };
  let el;
  if (spec.options) {
    el = h('select', common, spec.required ? null : h('option', { value: '', text: t('choose') }),
      spec.options.map(([v, text]) => h('option', { value: v, selected: String(spec.value ?? '') === String(v), text })));
  } else if (spec.type === 'textarea') {
    el = h('textarea', { ...common, rows: spec.rows || 3, text: spec.value ?? '' });
  } else if (spec.type === 'checkbox') {
    el = h('input', { ...common, type: 'checkbox', checked: Boolean(spec.value) });
  } else {
    el = h('input', { ...common, type: spec.type || 'text', value: spec.value ?? '', min: spec.min, max: spec.max_value, step: spec.step });
  }
  return h('div', { class: `field${spec.type === 'checkbox' ? ' check' : ''}` },
    h('label', { for: id }, spec.label || field_label(spec.name), spec.required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null),
    el, h('div', { class: 'field-error', id: `${id}-error`, 'data-error-for': spec.name, role: 'alert', hidden: true }));
}

function show_error(form, field, message) {
  const name = String(field || '').split(/[.[]/)[0];
  const slot = (name && form.querySelector(`[data-error-for="${name}"]`)) || form.querySelector('.form-error');
  slot.textContent = message;
  slot.hidden = false;
  // A group of checkboxes comes back as a list: the first one takes the focus.
  const el = name && (form.elements[name]?.setAttribute ? form.elements[name] : form.elements[name]?.[0]);
  if (el) { el.setAttribute('aria-invalid', 'true'); el.focus(); }
}

// A form whose submit builds a body (throwing {field, message} for what the page can tell) and sends it.
function form_of(id, specs, submit_label, send) {
  const form = h('form', { class: 'admin-form', id, novalidate: true }, h('div', { class: 'grid2' }, specs.map(input)),
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', text: submit_label })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.querySelectorAll('.field-error, .form-error').forEach((x) => { x.hidden = true; });
    form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
    for (const spec of specs) {
      const el = form.elements[spec.name];
      if (spec.required && el.type !== 'checkbox' && !el.value.trim()) return show_error(form, spec.name, t('v_required'));
    }
    try {
      await send(form);
    } catch (ex) {
      show_error(form, ex.field, ex.code ? error_text(ex) : ex.message);
    }
  });
  return form;
}

const value = (form, name) => form.elements[name]?.value.trim() ?? '';
const or_null = (v) => (v === '' ? null : v);

function table(columns, rows, { id, row_attrs } = {}) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'report admin-table', id },
    h('thead', {}, h('tr', {}, columns.map(([, label]) => h('th', { scope: 'col', text: label })))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', row_attrs ? row_attrs(r) : {}, columns.map(([key]) => {
      const v = typeof key === 'function' ? key(r) : r[key];
      return h('td', {}, v instanceof Node ? v : String(v ?? ''));
    }))) : h('tr', {}, h('td', { colspan: columns.length, text: t('empty') })))));
}

// Each screen: its tab label and a function that fills the given element.
const SCREENS = [
  ['users', users_screen], ['skills', skills_screen], ['regions', regions_screen], ['hours', hours_screen],
  ['sla', sla_screen], ['calendar', calendar_screen], ['parts', parts_screen], ['faults', faults_screen],
  ['webhooks', webhooks_screen], ['notifications', notifications_screen], ['audit', audit_screen],
];

// ------------------------------------------------------------------------------------------ users and roles

async function users_screen(el, ctx) {
  const role = ctx.role_filter || '';
  const data = await api('GET', `/api/v1/users?limit=200${role ? `&role=${role}` : ''}`);
  const filter = h('select', { 'aria-label': t('role'), onchange: (e) => { ctx.role_filter = e.target.value; ctx.show('users'); } },
    h('option', { value: '', text: t('all_roles') }), ROLES.map((r) => h('option', { value: r, selected: r === role, text: t(`role_${r}`) })));
  const toggle = (u) => h('button', { type: 'button', class: 'btn small', 'data-user': u.username,
    text: u.is_active ? t('deactivate') : t('activate'), onclick: async () => {
      try {
        await api('PATCH', `/api/v1/users/${encodeURIComponent(u.id)}`, { is_active: !u.is_active });
        toast(t('saved'));
        ctx.show('users');
      } catch (ex) { toast(error_text(ex)); }
    } });
  const create = form_of('new-user', [
    { name: 'username', required: true, max: 100 }, { name: 'name', required: true, max: 200 },
    { name: 'password', type: 'password', required: true, max: 200 },
    { name: 'role', required: true, options: STAFF_ROLES.map((r) => [r, t(`role_${r}`)]), value: 'technician' },
    { name: 'phone', max: 50 }, { name: 'email', type: 'email', max: 200 }, { name: 'region', max: 200 },
    { name: 'time_zone', max: 64, label: `${field_label('time_zone')} (Asia/Shanghai)` },
  ], t('create_user'), async (form) => {
    if ([...new TextEncoder().encode(value(form, 'password'))].length < 10) throw { field: 'password', message: t('v_password') };
    const body = { username: value(form, 'username'), name: value(form, 'name'), password: value(form, 'password'), role: value(form, 'role') };
    for (const k of ['phone', 'email', 'region', 'time_zone']) if (value(form, k)) body[k] = value(form, k);
    await api('POST', '/api/v1/users', body);
    toast(t('saved'));
    ctx.show('users');
  });
  el.replaceChildren(h('div', { class: 'filters one' }, filter),
    table([['username', t('f_username')], ['name', field_label('name')], [(u) => t(`role_${u.role}`), t('role')],
      ['region', field_label('region')], ['phone', field_label('phone')],
      [(u) => (u.is_active ? t('active') : t('inactive')), t('status')], [toggle, t('actions')]], data.items, { id: 'users-table' }),
    h('h3', { text: t('create_user') }), create, ...role_form(data.items.filter((u) => u.role !== 'customer'), ctx));
}

// Another role for a staff member (the server records it, ends their sessions and keeps the last admin), with the
// chosen person's earlier changes below.
function role_form(staff, ctx) {
  const history = h('div', { id: 'role-changes', 'aria-live': 'polite' });
  let chosen = null;
  const show_history = async (id) => {
    chosen = id;
    const user = staff.find((u) => u.id === id);
    if (!user) return history.replaceChildren();
    const changes = (await api('GET', `/api/v1/users/${encodeURIComponent(id)}/role-changes`)).items;
    if (chosen !== id) return;  // another person was chosen meanwhile: their changes show, not this slower answer
    history.replaceChildren(h('h4', { text: t('role_changes', { name: user.name }) }), changes.length
      ? h('ul', {}, changes.map((c) => h('li', { text: t('role_change_row', { when: when(c.created_at), from: t(`role_${c.old_role}`),
        to: t(`role_${c.new_role}`), by: c.changed_by_name || '', reason: c.reason ? ` — ${c.reason}` : '' }) })))
      : h('p', { class: 'hint', text: t('no_role_changes') }));
  };
  const form = form_of('role-form', [
    { name: 'user_id', required: true, options: staff.map((u) => [u.id, `${u.name} (${t(`role_${u.role}`)})`]), label: t('staff_user') },
    { name: 'role', required: true, options: STAFF_ROLES.map((r) => [r, t(`role_${r}`)]) },
    { name: 'reason', type: 'textarea', max: 2000 },
  ], t('change_role'), async (f) => {
    const user = staff.find((u) => u.id === value(f, 'user_id'));
    const body = { role: value(f, 'role') };
    if (value(f, 'reason')) body.reason = value(f, 'reason');
    await api('PUT', `/api/v1/users/${encodeURIComponent(user.id)}/role`, body);
    toast(t('role_changed', { name: user.name }));
    ctx.show('users');
  });
  const load = (id) => show_history(id).catch((ex) => toast(error_text(ex)));
  form.elements.user_id.addEventListener('change', (e) => load(e.target.value));
  if (staff.length) load(staff[0].id);
  return [h('h3', { text: t('change_role') }), form, history];
}

// ------------------------------------------------------------------------------------------ technicians

async function technicians() {
  return (await api('GET', '/api/v1/users?role=technician&limit=200')).items;
}

function tech_picker(list, chosen, on_change) {
  return h('div', { class: 'filters one' }, h('label', {}, `${t('technician')} `,
    h('select', { name: 'technician', onchange: (e) => on_change(e.target.value) },
      list.map((x) => h('option', { value: x.id, selected: x.id === chosen, text: x.name })))));
}

// Skill levels 1–5 per fault category, one line "category: level" each.
async function skills_screen(el, ctx) {
  const list = await technicians();
  const tech = list.find((x) => x.id === ctx.tech) || list[0];
  if (!tech) return el.replaceChildren(h('p', { class: 'hint', text: t('empty') }));
  const lines = Object.entries(tech.skills || {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  const form = form_of('skills-form', [{ name: 'skills', type: 'textarea', rows: 6, value: lines, label: t('skills_help') }],
    t('save'), async (f) => {
      const skills = {};
      for (const line of value(f, 'skills').split('\n').map((l) => l.trim()).filter(Boolean)) {
        const m = /^(.+?)\s*[:：]\s*(\d+)$/.exec(line);
        if (!m || Number(m[2]) < 1 || Number(m[2]) > 5) throw { field: 'skills', message: t('v_skill_line', { line }) };
        skills[m[1]] = Number(m[2]);
      }
      await api('PATCH', `/api/v1/users/${encodeURIComponent(tech.id)}`, { skills: Object.keys(skills).length ? skills : null });
      toast(t('saved'));
      ctx.show('skills');
    });
  el.replaceChildren(tech_picker(list, tech.id, (id) => { ctx.tech = id; ctx.show('skills'); }), form,
    table([['name', field_label('name')], [(x) => Object.entries(x.skills || {}).map(([k, v]) => `${k} ${v}`).join('，'), t('skills')]],
      list, { id: 'skills-table' }));
}

// Regions: who works where; a technician is moved to another region (or a new one) here.
async function regions_screen(el, ctx) {
  const list = await technicians();
  const regions = new Map();
  for (const x of list) {
    const r = x.region || t('no_region');
    regions.set(r, [...(regions.get(r) || []), x.name]);
  }
  const form = form_of('region-form', [
    { name: 'technician_id', required: true, options: list.map((x) => [x.id, x.name]), label: t('technician') },
    { name: 'region', required: true, max: 200 },
  ], t('save'), async (f) => {
    await api('PATCH', `/api/v1/users/${encodeURIComponent(value(f, 'technician_id'))}`, { region: value(f, 'region') });
    toast(t('saved'));
    ctx.show('regions');
  });
  el.replaceChildren(table([[(r) => r[0], field_label('region')], [(r) => r[1].length, t('technicians')], [(r) => r[1].join('，'), t('names')]],
    [...regions], { id: 'regions-table' }), h('h3', { text: t('move_region') }), form);
}

// Working hours per weekday ("09:00-12:00, 13:00-18:00"), days off, capacity, certified models.
async function hours_screen(el, ctx) {
  const list = await technicians();
  const tech = list.find((x) => x.id === ctx.tech) || list[0];
  if (!tech) return el.replaceChildren(h('p', { class: 'hint', text: t('empty') }));
  const s = await api('GET', `/api/v1/technicians/${encodeURIComponent(tech.id)}/schedule-settings`);
  const specs = [
    ...WEEKDAYS.map((d, i) => ({ name: `day_${i}`, label: t(`wd_${d}`), value: s.weekly_hours[i].join(', ') })),
    { name: 'days_off', type: 'textarea', rows: 2, value: s.days_off.join('\n'), label: t('days_off_help') },
    { name: 'capacity_per_day', type: 'number', min: 0, max_value: 50, value: s.capacity_per_day, required: true },
    { name: 'certified_models', type: 'textarea', rows: 2, value: s.certified_models.join('\n'), label: t('models_help') },
  ];
  const form = form_of('hours-form', specs, t('save'), async (f) => {
    const weekly_hours = WEEKDAYS.map((_, i) => value(f, `day_${i}`).split(/[,，\s]+/).filter(Boolean));
    weekly_hours.forEach((spans, i) => spans.forEach((span) => {
      if (!/^\d{2}:\d{2}-\d{2}:\d{2}$/.test(span)) throw { field: `day_${i}`, message: t('v_hours', { value: span }) };
    }));
    const days_off = value(f, 'days_off').split(/[\s,，]+/).filter(Boolean);
    for (const d of days_off) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw { field: 'days_off', message: t('v_date', { value: d }) };
    const capacity = Number(value(f, 'capacity_per_day'));
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 50) throw { field: 'capacity_per_day', message: t('v_range', { min: 0, max: 50 }) };
    await api('PATCH', `/api/v1/technicians/${encodeURIComponent(tech.id)}/schedule-settings`, {
      weekly_hours, days_off, capacity_per_day: capacity, certified_models: value(f, 'certified_models').split('\n').map((x) => x.trim()).filter(Boolean) });
    toast(t('saved'));
    ctx.show('hours');
  });
  el.replaceChildren(tech_picker(list, tech.id, (id) => { ctx.tech = id; ctx.show('hours'); }),
    h('p', { class: 'hint', text: s.is_default ? t('default_hours') : '' }), form);
}

// ------------------------------------------------------------------------------------------ SLA and calendar

async function sla_screen(el, ctx) {
  const [data, staff] = await Promise.all([api('GET', '/api/v1/sla/policies'),
    api('GET', '/api/v1/users?limit=200').then((d) => d.items.filter((u) => ['dispatcher', 'admin'].includes(u.role) && u.is_active))]);
  const people = staff.map((u) => [u.id, u.name]);
  const by = Object.fromEntries(data.policies.map((p) => [p.priority, p]));
  const specs = [];
  for (const p of PRIORITIES) {
    specs.push({ name: `${p}_response`, type: 'number', min: 0, required: true, value: by[p]?.response_minutes, label: t('sla_response', { p: t(`p_${p}`) }) },
      { name: `${p}_resolution`, type: 'number', min: 0, required: true, value: by[p]?.resolution_minutes, label: t('sla_resolution', { p: t(`p_${p}`) }) },
      { name: `${p}_business`, type: 'checkbox', value: by[p]?.business_hours, label: t('sla_business', { p: t(`p_${p}`) }) },
      { name: `${p}_escalate`, options: people, value: by[p]?.escalate_to, label: t('sla_escalate', { p: t(`p_${p}`) }) });
  }
  specs.push({ name: 'escalate_to', options: people, value: data.escalate_to, label: t('sla_default_escalate') },
    { name: 'at_risk_fraction', type: 'number', step: '0.05', min: 0, max_value: 1, value: data.at_risk_fraction, label: t('sla_at_risk_fraction') });
  const form = form_of('sla-form', specs, t('save'), async (f) => {
    const policies = PRIORITIES.map((p) => {
      const minutes = (k) => {
        const n = Number(value(f, `${p}_${k}`));
        if (!Number.isInteger(n) || n < 0) throw { field: `${p}_${k}`, message: t('v_minutes') };
        return n;
      };
      return { priority: p, response_minutes: minutes('response'), resolution_minutes: minutes('resolution'),
        business_hours: f.elements[`${p}_business`].checked, escalate_to: or_null(value(f, `${p}_escalate`)) };
    });
    const body = { policies, escalate_to: or_null(value(f, 'escalate_to')) };
    if (value(f, 'at_risk_fraction')) body.at_risk_fraction = Number(value(f, 'at_risk_fraction'));
    try {
      await api('PUT', '/api/v1/sla/policies', body);
    } catch (ex) {
      // The API names the list entry (policies[2].response_minutes); the form has a field per priority.
      const m = /^policies\[(\d)\]\.(\w+?)(_minutes)?$/.exec(ex.field || '');
      if (m) ex.field = `${PRIORITIES[Number(m[1])]}_${m[2]}`;
      throw ex;
    }
    toast(t('saved'));
    ctx.show('sla');
  });
  form.classList.add('grid4');
  el.replaceChildren(h('p', { class: 'hint', text: t('sla_help') }), form);
}

// The business calendar the SLA time limits count in: working hours per weekday and public holidays.
async function calendar_screen(el, ctx) {
  const cal = await api('GET', '/api/v1/sla/calendar');
  const specs = [
    ...WEEKDAYS.map((d, i) => ({ name: `day_${i}`, label: t(`wd_${d}`), value: cal.weekly_hours[i].join(', ') })),
    { name: 'holidays', type: 'textarea', rows: 3, value: cal.holidays.join('\n'), label: t('holidays_help') },
    { name: 'utc_offset_minutes', type: 'number', required: true, value: cal.utc_offset_minutes },
  ];
  const form = form_of('calendar-form', specs, t('save'), async (f) => {
    const weekly_hours = WEEKDAYS.map((_, i) => value(f, `day_${i}`).split(/[,，\s]+/).filter(Boolean));
    weekly_hours.forEach((spans, i) => spans.forEach((span) => {
      if (!/^\d{2}:\d{2}-\d{2}:\d{2}$/.test(span)) throw { field: `day_${i}`, message: t('v_hours', { value: span }) };
    }));
    const holidays = value(f, 'holidays').split(/[\s,，]+/).filter(Boolean);
    for (const d of holidays) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw { field: 'holidays', message: t('v_date', { value: d }) };
    await api('PUT', '/api/v1/sla/calendar', { weekly_hours, holidays, utc_offset_minutes: Number(value(f, 'utc_offset_minutes')) });
    toast(t('saved'));
    ctx.show('calendar');
  });
  el.replaceChildren(h('p', { class: 'hint', text: t('calendar_help') }), form);
}

// ------------------------------------------------------------------------------------------ catalogs

async function parts_screen(el, ctx) {
  const data = await api('GET', '/api/v1/parts?limit=200');
  const form = form_of('part-form', [
    { name: 'sku', required: true, max: 64 }, { name: 'name', required: true, max: 200 },
    { name: 'unit_price', type: 'number', min: 0, step: '0.01', required: true }, { name: 'unit', max: 20 },
  ], t('save_part'), async (f) => {
    const price = Number(value(f, 'unit_price'));
    if (!(price >= 0)) throw { field: 'unit_price', message: t('v_price') };
    const body = { sku: value(f, 'sku'), name: value(f, 'name'), unit_price: price };
    if (value(f, 'unit')) body.unit = value(f, 'unit');
    await api('POST', '/api/v1/parts', body);
    toast(t('saved'));
    ctx.show('parts');
  });
  const money = (n) => new Intl.NumberFormat(current_language(), { style: 'currency', currency: 'CNY' }).format(n);
  el.replaceChildren(table([['sku', field_label('sku')], ['name', field_label('name')], [(p) => money(p.unit_price), field_label('unit_price')],
    ['unit', field_label('unit')]], data.items, { id: 'parts-table' }), h('h3', { text: t('save_part') }), form);
}

async function faults_screen(el, ctx) {
  const data = await api('GET', '/api/v1/fault-categories?limit=200');
  const form = form_of('fault-form', [
    { name: 'code', required: true, max: 64 }, { name: 'name', required: true, max: 200 },
    { name: 'parent_id', options: data.items.map((c) => [c.id, c.name]), label: t('parent_category') },
  ], t('save_fault'), async (f) => {
    const body = { code: value(f, 'code'), name: value(f, 'name') };
    if (value(f, 'parent_id')) body.parent_id = value(f, 'parent_id');
    await api('POST', '/api/v1/fault-categories', body);
    toast(t('saved'));
    ctx.show('faults');
  });
  const names = new Map(data.items.map((c) => [c.id, c.name]));
  el.replaceChildren(table([['code', field_label('code')], ['name', field_label('name')], [(c) => names.get(c.parent_id) || '', t('parent_category')]],
    data.items, { id: 'faults-table' }), h('h3', { text: t('save_fault') }), form);
}

// ------------------------------------------------------------------------------------------ notifications

async function webhooks_screen(el, ctx) {
  const data = await api('GET', '/api/v1/webhooks?limit=200');
  const deliveries = h('div', { id: 'deliveries' });
  const show_deliveries = async (w) => {
    const d = await api('GET', `/api/v1/webhooks/${encodeURIComponent(w.id)}/deliveries?limit=50`);
    deliveries.replaceChildren(h('h3', { text: t('deliveries_of', { url: w.url }) }), notifications_table(d.items));
  };
  const remove = async (w) => {
    try {
      await api('DELETE', `/api/v1/webhooks/${encodeURIComponent(w.id)}`);
      toast(t('saved'));
      ctx.show('webhooks');
    } catch (ex) { toast(error_text(ex)); }
  };
  const form = h('form', { class: 'admin-form', id: 'webhook-form', novalidate: true },
    input({ name: 'url', type: 'url', required: true, max: 2000 }), input({ name: 'description', max: 500 }),
    h('fieldset', {}, h('legend', {}, field_label('events'), h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' })),
      EVENTS.map((ev) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'events', value: ev }), ` ${t(`ev_${ev}`)}`)),
      h('div', { class: 'field-error', 'data-error-for': 'events', role: 'alert', hidden: true })),
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', text: t('add_webhook') })));
  const secret = h('p', { class: 'secret', role: 'status', hidden: true });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.querySelectorAll('.field-error, .form-error').forEach((x) => { x.hidden = true; });
    const events = [...form.querySelectorAll('input[name=events]:checked')].map((x) => x.value);
    if (!value(form, 'url')) return show_error(form, 'url', t('v_required'));
    if (!/^https?:\/\//i.test(value(form, 'url'))) return show_error(form, 'url', t('v_url'));
    if (!events.length) return show_error(form, 'events', t('v_events'));
    try {
      const body = { url: value(form, 'url'), events };
      if (value(form, 'description')) body.description = value(form, 'description');
      const w = await api('POST', '/api/v1/webhooks', body);
      await ctx.show('webhooks');
      ctx.body.prepend(Object.assign(secret, { hidden: false, textContent: t('webhook_secret', { secret: w.secret }) }));
    } catch (ex) { show_error(form, ex.field, error_text(ex)); }
  });
  el.replaceChildren(table([['url', field_label('url')], [(w) => w.events.map((ev) => t(`ev_${ev}`)).join('，'), field_label('events')],
    ['description', field_label('description')], [(w) => when(w.created_at), t('when')],
    [(w) => h('span', { class: 'row-actions' }, h('button', { type: 'button', class: 'btn small', text: t('deliveries'), onclick: () => show_deliveries(w) }),
      h('button', { type: 'button', class: 'btn small danger-outline', text: t('delete'), onclick: () => remove(w) })), t('actions')]],
  data.items, { id: 'webhooks-table' }), deliveries, h('h3', { text: t('add_webhook') }), form);
}

function notifications_table(items) {
  return table([[(n) => when(n.created_at), t('when')], [(n) => t(`ev_${n.event}`), t('event')], ['ticket_no', t('details')],
    [(n) => t(`ch_${n.channel}`), t('channel')], ['recipient', t('recipient')], [(n) => t(`ns_${n.status}`), t('status')],
    ['attempts', t('attempts')], ['last_error', t('last_error')]], items, { id: 'notifications-table' });
}

async function notifications_screen(el, ctx) {
  const f = ctx.notification_filter || (ctx.notification_filter = { status: '', channel: '' });
  const p = new URLSearchParams({ limit: 100 });
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  const data = await api('GET', `/api/v1/notifications?${p}`);
  const pick = (name, values) => h('select', { 'aria-label': t(name), onchange: (e) => { f[name] = e.target.value; ctx.show('notifications'); } },
    h('option', { value: '', text: t('all') }), values.map((v) => h('option', { value: v, selected: f[name] === v, text: t(`${name === 'status' ? 'ns' : 'ch'}_${v}`) })));
  el.replaceChildren(h('div', { class: 'filters' }, pick('status', ['pending', 'delivered', 'failed', 'skipped', 'cancelled']), pick('channel', ['email', 'webhook'])),
    h('p', { class: 'hint', text: t('n_total', { n: data.total }) }), notifications_table(data.items));
}

async function audit_screen(el) {
  const run = h('button', { type: 'button', class: 'btn primary', id: 'verify-audit', text: t('verify_audit'), onclick: async () => {
    result.textContent = t('loading');
    try {
      const r = await api('GET', '/api/v1/audit/verify');
      result.className = r.ok ? 'ok-box' : 'error';
      result.textContent = r.ok ? t('audit_ok', { n: r.jobs }) : t('audit_broken', { n: (r.broken || []).length });
    } catch (ex) { result.className = 'error'; result.textContent = error_text(ex); }
  } });
  const result = h('p', { id: 'audit-result', role: 'status' });
  el.replaceChildren(h('p', { class: 'hint', text: t('audit_help') }), run, result);
}

// ------------------------------------------------------------------------------------------ the console

export function open_admin() {
  document.getElementById('admin-console')?.remove();
  const back = document.activeElement;
  const body = h('div', { class: 'admin-body', id: 'admin-body', role: 'tabpanel', tabindex: '-1' });
  const tabs = SCREENS.map(([name]) => h('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'data-screen': name,
    'aria-selected': 'false', 'aria-controls': 'admin-body', text: t(`adm_${name}`), onclick: () => ctx.show(name),
    onkeydown: (e) => {
      const i = SCREENS.findIndex(([n]) => n === name);
      if (e.key === 'ArrowDown' || e.key === 'ArrowRight') { e.preventDefault(); tabs[(i + 1) % tabs.length].focus(); }
      if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') { e.preventDefault(); tabs[(i + tabs.length - 1) % tabs.length].focus(); }
    } }));
  const close = () => { el.remove(); if (back?.isConnected) back.focus(); };
  const ctx = {
    body,
    async show(name) {
      tabs.forEach((b) => b.setAttribute('aria-selected', String(b.dataset.screen === name)));
      body.setAttribute('aria-labelledby', `tab-${name}`);
      body.dataset.screen = name;
      const content = h('div', {}, h('p', { class: 'hint', text: t('loading') }));
      body.replaceChildren(h('h2', { text: t(`adm_${name}`) }), content);
      try {
        await SCREENS.find(([n]) => n === name)[1](content, ctx);
      } catch (ex) {
        content.replaceChildren(h('p', { class: 'error', text: error_text(ex) }));
      }
    },
  };
  // Esc leaves the console (the board's key handler clicks #admin-close).
  const el = h('section', { class: 'admin', id: 'admin-console', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('admin') },
  h('header', { class: 'bar' }, h('h1', { text: t('admin') }), h('span', { class: 'spacer' }),
    h('button', { type: 'button', class: 'btn', id: 'admin-close', text: t('back_to_board'), onclick: close })),
  h('div', { class: 'admin-main' }, h('nav', { class: 'admin-tabs', role: 'tablist', 'aria-orientation': 'vertical', 'aria-label': t('admin') }, tabs), body));
  document.body.append(el);
  ctx.show('users');
  tabs[0].focus();
  return ctx;
}
