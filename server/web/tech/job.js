// One job on the technician's tablet: who and where (tap to call, tap for a map), the product and fault, photos
// (the customer's and the ones taken here, full screen), the plan, notes, history, and the workflow's actions
// for a technician in the job's state, each a form from the workflow table.
import { h } from '../board/lib.js';
import { t } from './i18n.js';
import { when, clock, yuan_of_cents, parsed, state_name, action_name, error_text } from './format.js';
import { simple_field, plan_field, parts_used_field } from './forms.js';

// Everything the job screen shows, read from the replica.
export async function load_job(app, id) {
  const job = await app.core.getRow('jobs', id);
  const [customer, asset, plans, notes, visits, attachments] = await Promise.all([
    job.customer_id ? app.core.getRow('customers', job.customer_id).catch(() => null) : null,
    job.asset_id ? app.core.getRow('assets', job.asset_id).catch(() => null) : null,
    app.core.rows('plans', id), app.core.rows('job_notes', id), app.core.rows('visits', id), app.core.listAttachments(id),
  ]);
  plans.sort((a, b) => (a.plan_version ?? 0) - (b.plan_version ?? 0));
  for (const p of plans) p.items = parsed(p.items, []);
  return { job, customer, asset, plans, notes, visits, attachments, repair: parsed(job.repair, {}) };
}

export const latest_plan = (d) => d.plans[d.plans.length - 1] || null;
const approved_plan = (d) => d.plans.find((p) => p.plan_version === d.job.approved_plan_version) || latest_plan(d);

function contact(d) {
  const name = d.job.site_contact || d.customer?.name || '';
  const phone = d.job.site_phone || d.customer?.phone || '';
  const address = d.job.site_address || d.customer?.address || '';
  return h('section', { class: 'card contact', 'aria-labelledby': 'contact-h' },
    h('h2', { id: 'contact-h', text: t('customer') }),
    h('p', { class: 'customer-name', text: name }),
    phone ? h('a', { class: 'btn link tel', href: `tel:${phone.replace(/[^\d+]/g, '')}`, 'aria-label': t('call', { phone }) }, phone) : null,
    address ? h('a', { class: 'btn link map', href: `https://uri.amap.com/search?keyword=${encodeURIComponent(address)}`, target: '_blank',
      rel: 'noopener', 'aria-label': t('open_map', { address }) }, address) : null,
    d.job.access_notes ? h('p', { class: 'hint', text: d.job.access_notes }) : null);
}

function product(d) {
  const a = d.asset || {};
  return h('section', { class: 'card', 'aria-labelledby': 'product-h' },
    h('h2', { id: 'product-h', text: t('product') }),
    h('p', { text: [a.model, a.serial_no ? t('serial', { serial: a.serial_no }) : null, a.warranty_until ? t('warranty_until', { date: a.warranty_until }) : null].filter(Boolean).join(' · ') }),
    h('h2', { text: t('fault') }), h('p', { class: 'fault', text: d.job.description || '' }),
    d.job.notes ? h('p', { class: 'hint', text: d.job.notes }) : null);
}

// A photo's thumbnail: the bytes from the device's store, or from the server when online; tap for full screen.
function thumbnail(app, a) {
  const label = t('photo_of', { name: a.file_name || a.id.slice(0, 8) });
  const button = h('button', { type: 'button', class: 'thumb', 'aria-label': label, 'data-attachment': a.id, text: '…' });
  app.core.readAttachment(a.id).then(({ bytes, type }) => {
    const url = URL.createObjectURL(new Blob([bytes], { type: type || a.content_type || 'image/jpeg' }));
    button.textContent = '';
    button.append(h('img', { src: url, alt: '' }));
    button.addEventListener('click', () => full_screen(url, label));
  }).catch(() => { button.textContent = t('photo_unavailable'); button.disabled = true; });
  return h('li', {}, button, a.uploaded === false ? h('span', { class: 'hint', text: t('photo_waiting') }) : null);
}

function full_screen(url, label) {
  const close_button = h('button', { type: 'button', class: 'btn', text: t('close') });
  const el = h('dialog', { class: 'photo-view', 'aria-label': label }, h('img', { src: url, alt: label }), close_button);
  close_button.addEventListener('click', () => el.close());
  el.addEventListener('close', () => el.remove());
  el.addEventListener('click', (e) => { if (e.target === el) el.close(); });
  document.body.append(el);
  el.showModal();
  close_button.focus();
}

function photos(app, d, rerender) {
  const shown = d.attachments.filter((a) => a.kind === 'photo');
  const mine = (a) => !a.author_id || a.author_id === d.job.assignee_id;
  const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: 'photo-input', class: 'visually-hidden' });
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      await app.core.addAttachment(d.job.id, 'photo', await file.arrayBuffer(), file.name || 'photo.jpg');
      app.toast(t('photo_added'));
      rerender();
    } catch (e) { app.toast(error_text(e)); }
  });
  const list = (items) => (items.length ? h('ul', { class: 'thumbs' }, items.map((a) => thumbnail(app, a))) : h('p', { class: 'hint', text: t('nothing') }));
  return h('section', { class: 'card photos', 'aria-labelledby': 'photos-h' },
    h('h2', { id: 'photos-h', text: t('photos') }),
    h('h3', { text: t('customer_photos') }), list(shown.filter((a) => !mine(a))),
    h('h3', { text: t('my_photos') }), list(shown.filter(mine)),
    input, h('label', { for: 'photo-input', class: 'btn primary', text: t('take_photo') }));
}

function plan_view(d) {
  const p = latest_plan(d);
  const body = p ? [
    h('p', { text: `${t('plan_v', { version: p.plan_version })} · ${t(`ps_${p.status}`)} · ${t(`mode_${p.mode}`)}` }),
    p.findings ? h('p', { text: p.findings }) : null,
    h('table', { class: 'items' }, h('tbody', {}, p.items.map((i) => h('tr', {},
      h('td', { text: i.description }), h('td', { text: `× ${i.quantity}` }), h('td', { class: 'num', text: yuan_of_cents(Math.round(i.quantity * i.unit_price * 100)) }))),
    h('tr', {}, h('th', { scope: 'row', colspan: 2, text: t('total') }), h('td', { class: 'num', text: yuan_of_cents(p.total_cents) })),
    h('tr', {}, h('th', { scope: 'row', colspan: 2, text: t('cost_to_customer').replace(/[（(].*$/, '') }), h('td', { class: 'num strong', text: yuan_of_cents(p.cost_to_customer_cents) })))),
  ] : h('p', { class: 'hint', text: t('no_plan') });
  return h('section', { class: 'card', 'aria-labelledby': 'plan-h' }, h('h2', { id: 'plan-h', text: t('plan') }), body);
}

function notes_view(app, d, rerender) {
  const body = h('textarea', { id: 'note-body', rows: 2, name: 'body' });
  const form = h('form', { class: 'note-form' }, h('label', { for: 'note-body', text: t('note_text') }), body,
    h('button', { type: 'submit', class: 'btn', text: t('add_note') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!body.value.trim()) { body.focus(); return; }
    try {
      await app.core.insertRow('job_notes', { job_id: d.job.id, kind: 'note', body: body.value.trim() });
      app.toast(t('saved'));
      rerender();
    } catch (err) { app.toast(error_text(err)); }
  });
  const notes = [...d.notes].sort((a, b) => String(b.created_at || '￿').localeCompare(String(a.created_at || '￿')));
  return h('section', { class: 'card', 'aria-labelledby': 'notes-h' }, h('h2', { id: 'notes-h', text: t('notes') }),
    h('ul', { class: 'notes' }, notes.map((n) => h('li', {}, h('span', { class: 'hint', text: when(n.created_at) }), ' ', n.body))), form);
}

// What happened to the job, newest first, from the rows the tablet holds (the office's audit trail stays on the server).
function history_view(d) {
  const entries = [
    [d.job.created_at, t('h_reported', { description: d.job.description || '' })],
    ...d.plans.filter((p) => p.decided_at && (p.status === 'approved' || p.status === 'declined'))
      .map((p) => [p.decided_at, t('h_plan_decided', { version: p.plan_version, status: t(`ps_${p.status}`) })]),
    d.repair?.started_at ? [d.repair.started_at, t('h_started')] : null,
    ...d.plans.map((p) => [p.created_at, t('h_plan', { version: p.plan_version, status: t(`ps_${p.status}`), cost: yuan_of_cents(p.cost_to_customer_cents) })]),
    ...d.visits.map((v) => [v.created_at, t('h_visit', { kind: t(`vk_${v.kind}`), from: when(v.starts_at) }) + (v.status === 'replaced' ? ` (${t('visit_replaced')})` : '')]),
    d.repair?.completed_at ? [d.repair.completed_at, t('h_repair', { work: d.repair.work_summary || '' })] : null,
  ].filter(Boolean).sort((a, b) => String(b[0] || '').localeCompare(String(a[0] || '')));
  return h('section', { class: 'card', 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h', text: t('history') }),
    h('ol', { class: 'history' }, entries.map(([at, text]) => h('li', {}, h('span', { class: 'hint', text: when(at) }), ' ', text))));
}

// The technician's moves from the job's state, as the workflow table lists them.
export function technician_actions(workflow, job) {
  return workflow.transitions.filter((tr) => tr.roles.includes('technician') && tr.from.includes(job.state));
}

// The form of one action: its fields (required, optional and those of the job's mode) checked as typed.
function action_form(app, d, tr, done) {
  const by_mode = tr.by_mode?.[d.job.mode] || {};
  const fields = [];
  // Text and numbers first, then yes/no, then the plan or parts editor (the table's own order is alphabetical).
  const rank = ([name, spec]) => (name === 'plan' || name === 'parts_used' ? 2 : (spec.type || spec) === 'boolean' ? 1 : 0);
  const required = Object.entries({ ...(tr.fields || {}), ...by_mode }).sort((a, b) => rank(a) - rank(b));
  for (const [name, spec] of required) {
    if (name === 'plan') fields.push(plan_field(app.parts, latest_plan(d), d.job));
    else if (name === 'parts_used') fields.push(parts_used_field(app.parts, approved_plan(d)));
    else fields.push(simple_field(name, spec, true));
  }
  for (const [name, spec] of Object.entries(tr.optional || {})) {
    if (name === 'location') continue;  // a check-in position comes from the tablet's GPS, not typed
    if (name === 'fault_category') {
      const spec2 = { type: 'string', enum: app.categories.map((c) => c.name) };
      fields.push(simple_field(name, spec2, false));
    } else fields.push(simple_field(name, spec, false));
  }
  const form = h('form', { class: 'action-form card', 'data-action': tr.action, 'aria-labelledby': `form-${tr.action}-h`, novalidate: true },
    h('h2', { id: `form-${tr.action}-h`, text: action_name(tr.action) }), fields.map((f) => f.wrap),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'btn', text: t('cancel'), onclick: () => done(false) }),
      h('button', { type: 'submit', class: 'btn primary', text: action_name(tr.action) })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const bad = fields.filter((f) => f.check());
    if (bad.length) { (bad[0].input || bad[0].wrap.querySelector('[aria-invalid=true], input, select')).focus(); return; }
    const values = {};
    for (const f of fields) { const v = f.read(); if (v !== undefined) values[f.name] = v; }
    try {
      await app.core.takeAction(d.job.id, tr.action, values);
      app.toast(t('saved'));
      done(true);
    } catch (err) {
      const target = err.field && fields.find((f) => f.name === err.field.split('.')[0].replace(/\[\d+\]$/, ''));
      if (target) target.show(error_text(err));
      const line = form.querySelector('.form-error');
      line.textContent = error_text(err);
      line.hidden = false;
    }
  });
  return form;
}

function actions_view(app, d, rerender) {
  const area = h('div', { class: 'action-area' });
  const moves = technician_actions(app.workflow, d.job);
  const buttons = moves.map((tr) => {
    if (tr.action === 'record_acceptance')
      return h('a', { class: 'btn primary big', href: `#/handover/${d.job.id}`, 'data-action': tr.action, text: t('handover') });
    return h('button', { type: 'button', class: 'btn big', 'data-action': tr.action, text: action_name(tr.action), onclick: () => {
      area.replaceChildren(action_form(app, d, tr, (changed) => { area.replaceChildren(); if (changed) rerender(); }));
      area.querySelector('input, select, textarea')?.focus();
    } });
  });
  return h('section', { class: 'card actions', 'aria-labelledby': 'actions-h' }, h('h2', { id: 'actions-h', text: t('actions') }),
    buttons.length ? h('div', { class: 'action-buttons' }, buttons) : h('p', { class: 'hint', text: t('no_actions') }), area);
}

export async function render_job(app, id) {
  const d = await load_job(app, id);
  const rerender = () => app.route();
  const next = d.visits.filter((v) => v.status === 'booked').sort((a, b) => a.starts_at.localeCompare(b.starts_at))[0];
  return h('article', { class: 'job', 'data-job': d.job.id },
    h('header', { class: 'job-head' },
      h('a', { class: 'btn link', href: '#/', text: `‹ ${t('back')}` }),
      h('h1', { tabindex: '-1' }, h('span', { class: 'ticket', text: d.job.ticket_no || '' }), ' ',
        h('span', { class: `state s-${d.job.state}`, 'data-state': d.job.state, text: state_name(d.job.state) })),
      next ? h('p', { text: t('visit_window', { from: when(next.starts_at), to: clock(next.ends_at) }) }) : null,
      d.job.pending_ops ? h('p', { class: 'pending-badge', text: t('pending_ops', { count: d.job.pending_ops }) }) : null),
    h('div', { class: 'job-grid' },
      h('div', { class: 'col' }, contact(d), product(d), actions_view(app, d, rerender), plan_view(d)),
      h('div', { class: 'col' }, photos(app, d, rerender), notes_view(app, d, rerender), history_view(d))));
}
