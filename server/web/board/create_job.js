// A new job for a customer on the phone: find them by phone or name (or add them), pick their product (or add
// it), describe the fault and its priority; the job is reported by the dispatcher on the phone channel. Whether the
// caller agrees to SMS notices is asked here too and recorded (with who and when) before the job is made, so the
// "report received" SMS follows the answer.
import { t } from './i18n.js';
import { h, api, dialog, error_text, field_label, when } from './lib.js';

// Roles that may record a customer's consent (PUT /customers/{id}/sms-consent).
const CONSENT_ROLES = ['admin', 'dispatcher', 'agent'];

function field(name, input, required = false) {
  input.id = input.id || `new-${name}`;
  input.name = name;
  if (required) { input.required = true; input.setAttribute('aria-required', 'true'); }
  input.setAttribute('aria-describedby', `${input.id}-error`);
  return h('div', { class: 'field' },
    h('label', { for: input.id }, field_label(name), required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null),
    input, h('div', { class: 'field-error', id: `${input.id}-error`, 'data-error-for': name, role: 'alert', hidden: true }));
}

function show_error(form, name, message) {
  const slot = form.querySelector(`[data-error-for="${name}"]`) || form.querySelector('.form-error');
  slot.textContent = message;
  slot.hidden = false;
  const el = form.elements[name];
  if (el) { el.setAttribute('aria-invalid', 'true'); el.focus(); }
}

// The consent checkbox, with who recorded the current answer and when.
function consent_box() {
  const input = h('input', { type: 'checkbox', id: 'sms-consent', name: 'sms_consent', 'aria-describedby': 'sms-consent-note' });
  const note = h('p', { class: 'hint', id: 'sms-consent-note', 'aria-live': 'polite' });
  const box = h('div', { hidden: true },
    h('div', { class: 'field check' }, h('label', { for: 'sms-consent', text: t('sms_consent') }), input), note);
  const state = { was: false };
  return {
    box,
    async show(customer) {
      box.hidden = !customer;
      state.was = false;
      note.textContent = '';
      if (customer && customer !== 'new') {
        const c = await api('GET', `/api/v1/customers/${encodeURIComponent(customer.id)}/sms-consent`).catch(() => null);
        const last = c?.changes?.[0];
        state.was = Boolean(c?.sms_consent);
        if (last) note.textContent = t('sms_consent_by', { name: last.recorded_by_name || t('sms_consent_portal'), when: when(last.recorded_at) });
      }
      input.checked = state.was;
    },
    // Records the answer when it changed (for a new customer: when they agreed).
    async save(customer_id) {
      if (box.hidden || input.checked === state.was) return;
      await api('PUT', `/api/v1/customers/${encodeURIComponent(customer_id)}/sms-consent`, { sms_consent: input.checked, source: 'phone' });
      state.was = input.checked;
    },
  };
}

// Opens the dialog; resolves with the new job, or null. role: the signed-in user's (who may record consent).
export function create_job_dialog(role) {
  const state = { customer: null, assets: [] };
  const consent = consent_box();
  const search = h('input', { type: 'search', placeholder: t('caller_search') });
  const found = h('div', { class: 'found', role: 'group', 'aria-label': t('customers_found') });
  const customer_box = h('fieldset', {}, h('legend', { text: t('customer') }));
  const asset_select = h('select', {});
  const categories = h('select', {}, h('option', { value: '', text: t('choose') }));
  api('GET', '/api/v1/fault-categories?active=true&limit=200').then((d) => {
    for (const c of d.items) categories.append(h('option', { value: c.name, text: c.name }));
  }).catch(() => {});

  const new_customer = h('div', { class: 'grid2', hidden: true },
    field('name', h('input', { id: 'new-customer-name', maxlength: 200 }), true),
    field('phone', h('input', { id: 'new-customer-phone', type: 'tel', maxlength: 50 }), true),
    field('address', h('input', { id: 'new-customer-address', maxlength: 500 })));
  const new_asset = h('div', { class: 'grid2', hidden: true },
    field('model', h('input', { maxlength: 200 }), true), field('serial_no', h('input', { maxlength: 100 }), true));

  const pick = (c) => {
    state.customer = c;
    new_customer.hidden = c !== 'new';
    chosen.textContent = c && c !== 'new' ? `${c.name} · ${c.phone}${c.address ? ` · ${c.address}` : ''}` : '';
    found.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.id === (c?.id || c))));
    load_assets();
    if (CONSENT_ROLES.includes(role)) consent.show(c);
  };
  const chosen = h('p', { class: 'chosen', 'aria-live': 'polite' });
  const load_assets = async () => {
    const c = state.customer;
    state.assets = c && c !== 'new' ? (await api('GET', `/api/v1/assets?customer_id=${encodeURIComponent(c.id)}&limit=100`)).items : [];
    asset_select.replaceChildren(...state.assets.map((a) => h('option', { value: a.id, text: `${a.model} · ${a.serial_no}` })),
      h('option', { value: 'new', text: t('new_asset') }));
    new_asset.hidden = state.assets.length > 0;
  };
  asset_select.addEventListener('change', () => { new_asset.hidden = asset_select.value !== 'new'; });
  const run_search = async () => {
    const q = search.value.trim();
    if (!q) return found.replaceChildren();
    const data = await api('GET', `/api/v1/customers?q=${encodeURIComponent(q)}&limit=8`).catch(() => ({ items: [] }));
    found.replaceChildren(...data.items.map((c) => h('button', { type: 'button', class: 'btn small', 'data-id': c.id,
      'aria-pressed': 'false', text: `${c.name} · ${c.phone}`, onclick: () => pick(c) })),
    h('button', { type: 'button', class: 'btn small', 'data-id': 'new', id: 'new-customer', text: t('new_customer'), onclick: () => {
      pick('new');
      const digits = q.replace(/[^\d+]/g, '');
      if (digits.length >= 5) new_customer.querySelector('[name=phone]').value = q;
      else new_customer.querySelector('[name=name]').value = q;
    } }));
  };
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); run_search(); } });
  search.addEventListener('input', () => { clearTimeout(run_search.timer); run_search.timer = setTimeout(run_search, 250); });
  customer_box.append(h('div', { class: 'field' }, h('label', { for: 'caller-search', text: t('caller_search_label') }),
    Object.assign(search, { id: 'caller-search' })), found, chosen, new_customer, consent.box,
  h('div', { class: 'field-error', 'data-error-for': 'customer_id', role: 'alert', hidden: true }));

  const form = h('form', { id: 'create-job', novalidate: true }, customer_box,
    h('fieldset', {}, h('legend', { text: t('product') }), field('asset_id', asset_select), new_asset),
    field('description', h('textarea', { rows: 3, maxlength: 5000 }), true),
    h('div', { class: 'grid2' },
      field('priority', h('select', {}, ['normal', 'high', 'urgent', 'low'].map((p) => h('option', { value: p, text: t(`p_${p}`) })))),
      field('category', categories)),
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', text: t('create_job') })));

  const d = dialog(t('new_job'), () => form, { id: 'create-job-dialog' });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.querySelectorAll('.field-error, .form-error').forEach((el) => { el.hidden = true; });
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
    const v = (name) => form.elements[name]?.value.trim() || '';
    if (!state.customer) return show_error(form, 'customer_id', t('v_pick_customer'));
    for (const name of [...(state.customer === 'new' ? ['name', 'phone'] : []), ...(!new_asset.hidden ? ['model', 'serial_no'] : []), 'description'])
      if (!v(name)) return show_error(form, name, t('v_required'));
    try {
      let customer_id = state.customer.id;
      if (state.customer === 'new') {
        const body = { name: v('name'), phone: v('phone') };
        if (v('address')) body.address = v('address');
        const c = await api('POST', '/api/v1/customers', body).catch((ex) => { throw Object.assign(ex, { step: 'customer' }); });
        customer_id = c.id;
        await consent.save(customer_id);
        pick(c);
      } else {
        await consent.save(customer_id);
      }
      let asset_id = asset_select.value;
      if (!new_asset.hidden) {
        asset_id = (await api('POST', '/api/v1/assets', { customer_id, model: v('model'), serial_no: v('serial_no') })).id;
      }
      const body = { customer_id, asset_id, description: v('description'), priority: v('priority'), channel: 'phone' };
      if (v('category')) body.category = v('category');
      d.close(await api('POST', '/api/v1/jobs', body));
    } catch (ex) {
      show_error(form, ex.field, error_text(ex));
    }
  });
  search.focus();
  return d.result;
}
