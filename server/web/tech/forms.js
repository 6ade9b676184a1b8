// The action forms, built from the workflow table the core embeds (workflow()): one input per field with the
// table's rules checked as the technician types, and editors for the two structured fields, the plan of
// submit_assessment (lines from the parts catalog, totals) and the parts used of complete_repair.
import { h } from '../board/lib.js';
import { t } from './i18n.js';
import { cents, yuan_of_cents, field_label } from './format.js';

const spec_of = (spec) => (typeof spec === 'string' ? { type: spec } : spec);
let next_id = 0;
const uid = (name) => `f-${name}-${++next_id}`;

// The message for value against spec (null when it passes); value is the input's text, or a boolean.
export function check_value(value, spec, required) {
  const s = spec_of(spec);
  if (s.type === 'boolean') return null;
  const text = String(value ?? '').trim();
  if (text === '') return required ? t('v_required') : null;
  if (s.type === 'integer' || s.type === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n)) return t('v_number');
    if (s.type === 'integer' && !Number.isInteger(n)) return t('v_integer');
    if (s.min !== undefined && n < s.min) return t('v_min', { min: s.min });
    if (s.max !== undefined && n > s.max) return t('v_max', { max: s.max });
  }
  if (s.type === 'date-time' && Number.isNaN(Date.parse(text))) return t('v_datetime');
  if (s.max_length !== undefined && [...text].length > s.max_length) return t('v_length', { max: s.max_length });
  return null;
}

// A labelled input with its error line, wired for screen readers; check() shows and returns the message.
function labelled(label, input, hint) {
  const error = h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true });
  input.setAttribute('aria-describedby', error.id);
  const wrap = h('div', { class: `field${input.type === 'checkbox' ? ' check' : ''}` },
    input.type === 'checkbox' ? [input, h('label', { for: input.id, text: label })] : [h('label', { for: input.id, text: label }), input],
    hint ? h('p', { class: 'hint', text: hint }) : null, error);
  const show = (message) => {
    error.textContent = message || '';
    error.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return message;
  };
  return { wrap, show };
}

// One simple field of the workflow table: {wrap, name, read() → value or undefined, check() → message}.
export function simple_field(name, spec, required, initial) {
  const s = spec_of(spec);
  const id = uid(name);
  let input;
  if (s.type === 'boolean') input = h('input', { type: 'checkbox', id, name, checked: Boolean(initial) });
  else if (s.enum || s.allowed) {
    input = h('select', { id, name }, required ? null : h('option', { value: '', text: t('any') }),
      (s.enum || s.allowed).map((v) => h('option', { value: v, text: v, selected: v === initial })));
  } else if (s.type === 'string' && (s.max_length ?? 0) > 200) input = h('textarea', { id, name, rows: 3 });
  else if (s.type === 'date-time') input = h('input', { type: 'datetime-local', id, name });
  else {
    const numeric = s.type === 'integer' || s.type === 'number';
    input = h('input', { id, name, type: 'text', inputmode: numeric ? (s.type === 'integer' ? 'numeric' : 'decimal') : null, autocomplete: 'off' });
  }
  if (initial !== undefined && s.type !== 'boolean' && input.tagName !== 'SELECT') input.value = initial;
  if (required && s.type !== 'boolean') input.setAttribute('aria-required', 'true');
  const { wrap, show } = labelled(field_label(name) + (required || s.type === 'boolean' ? '' : ` (${t('optional')})`), input);
  const raw = () => (s.type === 'boolean' ? input.checked : input.value);
  const check = () => show(check_value(raw(), s, required));
  input.addEventListener('input', check);
  input.addEventListener('change', check);
  const read = () => {
    const v = raw();
    if (s.type === 'boolean') return v;
    if (String(v).trim() === '') return undefined;
    if (s.type === 'integer' || s.type === 'number') return Number(v);
    if (s.type === 'date-time') return new Date(v).toISOString();
    return String(v).trim();
  };
  return { wrap, name, read, check, show, input };
}

// ---------------------------------------------------------------------------------------------- item lines

const LINE_SPECS = {
  description: { type: 'string', max_length: 500 },
  quantity: { type: 'number', max: 100000 },
  unit_price: { type: 'number', min: 0, max: 10000000 },
};

// Editable lines of a plan or of parts used; each line may be picked from the parts catalog. with_kind: plan
// lines (part or labour); price_required: a plan needs every unit price.
function line_editor({ parts, lines, with_kind, price_required, on_change }) {
  const list = h('div', { class: 'lines' });
  const rows = [];
  const renumber = () => rows.forEach((r, i) => r.remove.setAttribute('aria-label', t('remove_item', { n: i + 1 })));
  function add(line = {}, notify = true) {
    const row = { fields: {} };
    const n = rows.length + 1;
    const kind = with_kind ? h('select', { id: uid('kind'), 'aria-label': `${t('item_kind')} ${n}` },
      h('option', { value: 'part', text: t('part'), selected: line.kind !== 'labour' }),
      h('option', { value: 'labour', text: t('labour'), selected: line.kind === 'labour' })) : null;
    const pick = h('select', { id: uid('part'), 'aria-label': `${t('from_catalog')} ${n}` },
      h('option', { value: '', text: t('pick_part') }),
      parts.map((p) => h('option', { value: p.sku, text: `${p.name} · ${yuan_of_cents(p.unit_price_cents)}`, selected: p.sku === line.part_no })));
    const input = (name, value) => {
      const el = h('input', { id: uid(name), type: 'text', name, autocomplete: 'off', inputmode: name === 'description' ? null : 'decimal',
        'aria-label': `${t(name)} ${n}` });
      if (value !== undefined && value !== null) el.value = value;
      const error = h('p', { class: 'field-error', id: `${el.id}-error`, hidden: true });
      el.setAttribute('aria-describedby', error.id);
      row.fields[name] = { el, error };
      return h('div', { class: `cell ${name}` }, el, error);
    };
    const total = h('output', { class: 'line-total', 'aria-label': `${t('line_total')} ${n}` });
    row.remove = h('button', { type: 'button', class: 'btn small', text: t('remove'), onclick: () => {
      rows.splice(rows.indexOf(row), 1); row.el.remove(); renumber(); on_change();
    } });
    row.part_no = line.part_no || '';
    pick.addEventListener('change', () => {
      const p = parts.find((x) => x.sku === pick.value);
      row.part_no = p?.sku || '';
      if (p) {
        row.fields.description.el.value = p.name;
        row.fields.unit_price.el.value = (p.unit_price_cents / 100).toFixed(2);
        if (!row.fields.quantity.el.value) row.fields.quantity.el.value = '1';
        if (kind) kind.value = 'part';
      }
      on_change();
    });
    const price = line.unit_price ?? (line.unit_price_cents !== undefined ? line.unit_price_cents / 100 : undefined);
    row.el = h('div', { class: 'line' }, kind, pick, input('description', line.description), input('quantity', line.quantity ?? 1),
      input('unit_price', price), total, row.remove);
    row.kind = kind;
    row.total = total;
    row.el.addEventListener('input', on_change);
    rows.push(row);
    list.append(row.el);
    if (notify) on_change();
    return row;
  }
  // The first lines come before the caller's editor exists, so they do not notify it.
  for (const line of lines) add(line, false);
  // Checks every line: shows each message at its input, returns {items, total_cents, errors}.
  function read() {
    let total_cents = 0;
    let errors = 0;
    const items = rows.map((row) => {
      const value = (name) => row.fields[name].el.value.trim();
      const show = (name, message) => {
        const { el, error } = row.fields[name];
        error.textContent = message || '';
        error.hidden = !message;
        if (message) { el.setAttribute('aria-invalid', 'true'); errors += 1; } else el.removeAttribute('aria-invalid');
      };
      show('description', check_value(value('description'), LINE_SPECS.description, true));
      const q = check_value(value('quantity'), LINE_SPECS.quantity, true) || (Number(value('quantity')) <= 0 ? t('v_positive') : null);
      show('quantity', q);
      show('unit_price', check_value(value('unit_price'), LINE_SPECS.unit_price, price_required));
      const item = { description: value('description'), quantity: Number(value('quantity')) };
      if (row.kind) item.kind = row.kind.value;
      if (value('unit_price') !== '') item.unit_price = Number(value('unit_price'));
      if (row.part_no) item.part_no = row.part_no;
      const line_cents = cents((item.quantity || 0) * (item.unit_price || 0));
      row.total.textContent = Number.isFinite(line_cents) ? yuan_of_cents(line_cents) : '';
      if (Number.isFinite(line_cents)) total_cents += line_cents;
      return item;
    });
    return { items, total_cents, errors };
  }
  const buttons = h('div', { class: 'line-buttons' },
    h('button', { type: 'button', class: 'btn', text: t('add_item'), onclick: () => add({ kind: 'part' }).fields.description.el.focus() }),
    with_kind ? h('button', { type: 'button', class: 'btn', text: t('add_labour'), onclick: () => add({ kind: 'labour', description: t('labour') }).fields.unit_price.el.focus() }) : null);
  return { el: h('div', { class: 'line-editor' }, list, buttons), read, count: () => rows.length };
}

// The plan of submit_assessment: mode, lines, their total as typed, and what the customer pays (never more than the
// total: the server's rule, checked here before anything is queued). previous: the plan being re-quoted.
export function plan_field(parts, previous, job) {
  const id = uid('plan');
  const mode = h('select', { id: `${id}-mode`, name: 'mode' },
    ['on_site', 'depot'].map((m) => h('option', { value: m, text: t(`mode_${m}`), selected: (previous?.mode || job.mode || 'on_site') === m })));
  const cost = h('input', { id: `${id}-cost`, type: 'text', inputmode: 'decimal', name: 'cost_to_customer', autocomplete: 'off' });
  const cost_error = h('p', { class: 'field-error', id: `${id}-cost-error`, hidden: true });
  cost.setAttribute('aria-describedby', cost_error.id);
  const total = h('output', { class: 'total', id: `${id}-total`, 'aria-live': 'polite' });
  const items_error = h('p', { class: 'field-error', hidden: true });
  let cost_touched = Boolean(previous);
  const lines = line_editor({ parts, lines: previous?.items || [], with_kind: true, price_required: true, on_change: () => check() });
  function check() {
    const r = lines.read();
    total.textContent = yuan_of_cents(r.total_cents);
    if (!cost_touched) cost.value = (r.total_cents / 100).toFixed(2);
    let message = check_value(cost.value, { type: 'number', min: 0, max: 10000000 }, true);
    if (!message && cents(cost.value) > r.total_cents) message = t('v_cost', { total: yuan_of_cents(r.total_cents) });
    cost_error.textContent = message || '';
    cost_error.hidden = !message;
    if (message) cost.setAttribute('aria-invalid', 'true'); else cost.removeAttribute('aria-invalid');
    items_error.textContent = lines.count() ? '' : t('v_items');
    items_error.hidden = lines.count() > 0;
    return { r, message: message || (lines.count() ? null : t('v_items')) || (r.errors ? t('v_required') : null) };
  }
  cost.addEventListener('input', () => { cost_touched = true; check(); });
  if (previous) cost.value = ((previous.cost_to_customer_cents ?? 0) / 100).toFixed(2);
  const wrap = h('fieldset', { class: 'plan-editor' }, h('legend', { text: t('plan') }),
    h('div', { class: 'field' }, h('label', { for: mode.id, text: t('mode') }), mode),
    lines.el, items_error,
    h('div', { class: 'totals' }, h('span', { text: t('total') }), total),
    h('div', { class: 'field' }, h('label', { for: cost.id, text: t('cost_to_customer') }), cost, cost_error));
  check();
  return {
    wrap, name: 'plan', check: () => check().message,
    read: () => ({ mode: mode.value, items: lines.read().items, cost_to_customer: Number(cost.value), currency: 'CNY' }),
    show: (message) => { cost_error.textContent = message; cost_error.hidden = false; },
  };
}

// The parts used of complete_repair, filled in from the approved plan's part lines.
export function parts_used_field(parts, plan) {
  const from_plan = (plan?.items || []).filter((i) => i.kind !== 'labour');
  const lines = line_editor({ parts, lines: from_plan, with_kind: false, price_required: false, on_change: () => {} });
  const error = h('p', { class: 'field-error', hidden: true });
  const wrap = h('fieldset', { class: 'parts-editor' }, h('legend', { text: field_label('parts_used') }),
    from_plan.length ? h('p', { class: 'hint', text: t('parts_from_plan') }) : null, lines.el, error);
  return {
    wrap, name: 'parts_used',
    check: () => (lines.read().errors ? t('v_required') : null),
    read: () => lines.read().items,
    show: (message) => { error.textContent = message; error.hidden = false; },
  };
}
