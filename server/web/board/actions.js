// The workflow actions of a job as forms, built from the workflow table the server publishes (GET /api/v1/workflow)
// and the job's available_actions (which the server's workflow interpreter decides for the signed-in role): an
// action or field added to schemas/workflow.json shows here without a change to the board.
import { t } from './i18n.js';
import { h, api, field_label, error_text, from_local_input, local_input } from './lib.js';

let table = null;

export async function workflow() {
  if (!table) table = await api('GET', '/api/v1/workflow');
  return table;
}

// The row of the table the server resolves for this job, role and action (the first that allows it).
function transition(wf, job, role, action) {
  return wf.transitions.find((tr) => tr.action === action && tr.roles.includes(role) && tr.from.includes(job.state) &&
    (!tr.previous_in || tr.previous_in.includes(job.previous_state))) || wf.transitions.find((tr) => tr.action === action);
}

const spec_of = (spec) => (typeof spec === 'string' ? { type: spec } : spec);

// The fields of a transition for the job's repair mode: [name, spec, required].
function fields_of(tr, job) {
  const out = [];
  for (const [name, spec] of Object.entries(tr.fields || {})) out.push([name, spec_of(spec), true]);
  for (const [name, spec] of Object.entries(tr.by_mode?.[job.mode] || {})) out.push([name, spec_of(spec), true]);
  for (const [name, spec] of Object.entries(tr.optional || {})) out.push([name, spec_of(spec), false]);
  return out;
}

// The fields [name, spec, required] of an action for this job and role, as the workflow table gives them.
export function action_fields(wf, job, role, action) {
  return fields_of(transition(wf, job, role, action), job);
}

export const action_label = (action) => { const k = `a_${action}`; return t(k) === k ? action.replace(/_/g, ' ') : t(k); };

// What a field starts with: what the job already holds under that name, else nothing.
function initial(name, job, ctx) {
  if (name === 'plan_version') return job.plan_version || '';
  if (name === 'priority') return job.priority;
  if (name === 'technician_id') return job.assignee_id || '';
  if (name === 'window_start' && ctx.window) return local_input(ctx.window.start);
  if (name === 'window_end' && ctx.window) return local_input(ctx.window.end);
  return '';
}

// One input for a field spec: a select for enums and technicians, a date-time picker in the user's zone, a
// checkbox, a number, a text area for long text and for objects and lists (as JSON).
function input_for(name, spec, required, job, ctx) {
  const id = `act-${name}`;
  const common = { id, name, required, 'aria-required': required ? 'true' : null, 'aria-describedby': `${id}-error` };
  const value = initial(name, job, ctx);
  if (name === 'technician_id') {
    return h('select', common, h('option', { value: '', text: t('choose') }),
      ctx.technicians.map((x) => h('option', { value: x.id, selected: x.id === value, text: x.name })));
  }
  if (spec.enum) {
    return h('select', common, required ? null : h('option', { value: '', text: t('choose') }),
      spec.enum.map((v) => { const k = `p_${v}`; return h('option', { value: v, selected: v === value, text: t(k) === k ? v : t(k) }); }));
  }
  switch (spec.type) {
    case 'boolean': return h('input', { ...common, type: 'checkbox', required: false, value: 'true' });
    case 'integer': case 'number':
      return h('input', { ...common, type: 'number', min: spec.min, max: spec.max, step: spec.type === 'integer' ? 1 : 'any', value });
    case 'date-time': return h('input', { ...common, type: 'datetime-local', value });
    case 'date': return h('input', { ...common, type: 'date', value });
    case 'object': case 'array':
      return h('textarea', { ...common, rows: 3, 'data-json': spec.type, placeholder: spec.type === 'array' ? '[]' : '{}', text: spec.type === 'array' ? '[]' : '' });
    default:
      return (spec.max_length || 0) > 200
        ? h('textarea', { ...common, rows: 2, maxlength: spec.max_length })
        : h('input', { ...common, maxlength: spec.max_length });
  }
}

// The request body of a filled form; throws {field, message} for a value the form itself can tell is wrong.
function body_of(form, specs) {
  const body = {};
  for (const [name, spec, required] of specs) {
    const el = form.elements[name];
    if (spec.type === 'boolean') { body[name] = el.checked; continue; }
    const raw = el.value.trim();
    if (!raw) { if (required) throw { field: name, message: t('v_required') }; continue; }
    if (spec.type === 'integer' || spec.type === 'number') body[name] = Number(raw);
    else if (spec.type === 'date-time') body[name] = from_local_input(raw).toISOString();
    else if (el.dataset.json) {
      try { body[name] = JSON.parse(raw); } catch { throw { field: name, message: t('v_json') }; }
    } else body[name] = raw;
  }
  return body;
}

function show_field_error(form, field, message) {
  const name = String(field || '').split('.')[0].split('[')[0];
  const slot = form.querySelector(`[data-error-for="${name}"]`) || form.querySelector('.form-error');
  slot.textContent = message;
  slot.hidden = false;
  const el = form.elements[name];
  if (el) { el.setAttribute('aria-invalid', 'true'); el.focus(); el.scrollIntoView({ block: 'nearest' }); }
}

// The form of one action; on success calls ctx.done(action, job after).
export function action_form(wf, job, role, action, ctx) {
  const tr = transition(wf, job, role, action);
  const specs = fields_of(tr, job);
  const form = h('form', { class: 'action-form', 'data-action': action, novalidate: true },
    specs.map(([name, spec, required]) => {
      const input = input_for(name, spec, required, job, ctx);
      const label = h('label', { for: input.id },
        field_label(name), ['object', 'array'].includes(spec.type) ? t('json_hint') : '', required && spec.type !== 'boolean' ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null);
      return h('div', { class: `field${spec.type === 'boolean' ? ' check' : ''}` }, label, input,
        h('div', { class: 'field-error', id: `${input.id}-error`, 'data-error-for': name, role: 'alert', hidden: true }));
    }),
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', text: t('cancel_action'), onclick: () => ctx.cancel() }),
      h('button', { type: 'submit', class: `btn ${action === 'cancel' ? 'danger' : 'primary'}`, text: action_label(action) })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.querySelectorAll('.field-error, .form-error').forEach((el) => { el.hidden = true; });
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
    let body;
    try { body = body_of(form, specs); } catch (bad) { return show_field_error(form, bad.field, bad.message); }
    try {
      const after = await api('POST', `/api/v1/jobs/${encodeURIComponent(job.id)}/actions/${encodeURIComponent(action)}`, body);
      ctx.done(action, after);
    } catch (ex) {
      show_field_error(form, ex.field, error_text(ex));
    }
  });
  return form;
}

// The buttons of every action the server says the signed-in role may take now; each opens its form in place.
export async function action_bar(job, role, ctx) {
  const wf = await workflow();
  const slot = h('div', { class: 'action-slot' });
  const buttons = (job.available_actions || []).map((action) => h('button', {
    type: 'button', class: `btn small${action === 'cancel' ? ' danger-outline' : ''}`, 'data-action': action, text: action_label(action),
    onclick: () => {
      const form = action_form(wf, job, role, action, { ...ctx, cancel: () => slot.replaceChildren() });
      slot.replaceChildren(h('h4', { text: action_label(action) }), form);
      (form.querySelector('input, select, textarea') || form.querySelector('button[type=submit]')).focus();
    },
  }));
  if (!buttons.length) return h('p', { class: 'hint', text: t('no_actions') });
  return h('div', { class: 'action-bar' }, h('div', { class: 'action-buttons', role: 'group', 'aria-label': t('actions') }, buttons), slot);
}
