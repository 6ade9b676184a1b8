// The hand-over screen the customer sees: the signed summary in readable form (local times, yuan, state names in
// the interface language), a signature pad for finger or stylus, a rating with nothing preset and a comment,
// recorded through the core as the acceptance with the summary's hash.
import { h } from '../board/lib.js';
import { t, current_language } from './i18n.js';
import { when, clock, yuan_of_cents, state_name, field_label, error_text } from './format.js';
import { load_job } from './job.js';

// The summary's "中文 English: value" lines as [label, value, items], labels in the interface language.
function summary_rows(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('  - ') && rows.length) {
      // The lines after the time spent are the parts used: a row of their own.
      if (rows[rows.length - 1][3] === 'Time spent') rows.push([field_label('parts_used'), '', [], 'parts']);
      rows[rows.length - 1][2].push(line.slice(4));
      continue;
    }
    const colon = line.indexOf(':');
    const label = colon < 0 ? '' : line.slice(0, colon);
    const space = label.indexOf(' ');
    const zh = space < 0 ? label : label.slice(0, space);
    const en = space < 0 ? label : label.slice(space + 1);
    rows.push([current_language() === 'en' ? en : zh, colon < 0 ? line : line.slice(colon + 1).trim(), [], en]);
  }
  return rows;
}

// Amounts of the summary ("12.50", "120.00 CNY") in yuan, plan modes and minutes in words.
function readable(value) {
  return value.replace(/(\d+\.\d\d)( CNY)?/g, (_, n) => yuan_of_cents(Math.round(Number(n) * 100)))
    .replace(/\((on_site|depot)\)/, (_, m) => `(${t(`mode_${m}`)})`)
    .replace(/^(\d+) min$/, (_, n) => t('minutes', { n }));
}

// A canvas that records pen strokes ([[[x, y], ...], ...] in canvas pixels) from pointer events, or shows a typed
// name: the keyboard alternative, kept as the strokes [{typed: name}] that the core and the server check against the
// signer's name.
function signature_pad() {
  const canvas = h('canvas', { class: 'signature', width: 900, height: 300, role: 'img', 'aria-label': t('sign_here'), id: 'signature', tabindex: '-1' });
  const strokes = [];
  let typed = null;
  const ctx = canvas.getContext('2d');
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [Math.round(((e.clientX - r.left) * canvas.width) / r.width), Math.round(((e.clientY - r.top) * canvas.height) / r.height)];
  };
  const draw = () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 4;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    if (typed !== null) {
      ctx.fillStyle = '#111';
      ctx.font = 'italic 96px "Kaiti SC", KaiTi, "Brush Script MT", cursive, serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(typed, canvas.width / 2, canvas.height / 2, canvas.width - 40);
      return;
    }
    for (const s of strokes) {
      ctx.beginPath();
      s.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (s.length === 1) ctx.lineTo(s[0][0] + 0.5, s[0][1]);
      ctx.stroke();
    }
  };
  let current = null;
  canvas.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    if (typed !== null) return;
    canvas.setPointerCapture(e.pointerId);
    current = [point(e)];
    strokes.push(current);
    draw();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!current) return;
    for (const ev of e.getCoalescedEvents?.() || [e]) current.push(point(ev));
    draw();
  });
  const end = () => { current = null; canvas.dispatchEvent(new Event('signed')); };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  draw();
  return {
    canvas,
    signed: () => (typed !== null ? typed.length > 0 : strokes.length > 0),
    strokes: () => (typed !== null ? [{ typed }] : strokes),
    type: (name) => { typed = name; draw(); },
    clear: () => { strokes.length = 0; draw(); },
    png: () => new Promise((resolve) => canvas.toBlob((b) => resolve(b.arrayBuffer()), 'image/png')),
  };
}

export async function render_handover(app, id) {
  const d = await load_job(app, id);
  const summary = await app.core.jobSummary(id);
  const visit = d.visits.filter((v) => v.status === 'booked').sort((a, b) => b.starts_at.localeCompare(a.starts_at))[0];
  const pad = signature_pad();
  const name = h('input', { id: 'signer-name', name: 'signer_name', autocomplete: 'name', value: d.customer?.name || '' });
  const comment = h('textarea', { id: 'accept-comment', name: 'comment', rows: 2, maxlength: 2000 });
  const rating = h('fieldset', { class: 'rating' }, h('legend', { text: t('rating') }),
    [1, 2, 3, 4, 5].map((n) => h('label', { class: 'star' },
      h('input', { type: 'radio', name: 'rating', value: n, required: true }),
      h('span', { 'aria-hidden': 'true', text: '★'.repeat(n) }), h('span', { class: 'visually-hidden', text: t('stars', { n }) }))));
  const by_typing = h('input', { type: 'checkbox', id: 'sign-typed', name: 'sign_typed' });
  const show_typed = () => pad.type(by_typing.checked ? name.value.trim() : null);
  by_typing.addEventListener('change', show_typed);
  name.addEventListener('input', () => { if (by_typing.checked) show_typed(); });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const fail = (message, focus) => { error.textContent = message; error.hidden = false; focus?.focus(); };
  const form = h('form', { class: 'handover card', id: 'handover', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'signer-name', text: t('signer_name') }), name),
    h('div', { class: 'field' }, h('p', { class: 'label', id: 'signature-label', text: t('signature') }), pad.canvas,
      h('button', { type: 'button', class: 'btn small', text: t('clear'), onclick: () => pad.clear() }),
      h('label', { class: 'check', for: 'sign-typed' }, by_typing, h('span', { text: t('sign_typed') }))),
    rating,
    h('div', { class: 'field' }, h('label', { for: 'accept-comment', text: t('comment') }), comment),
    error,
    h('div', { class: 'buttons' }, h('a', { class: 'btn', href: `#/job/${id}`, text: t('cancel') }),
      h('button', { type: 'submit', class: 'btn primary big', text: t('accept') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = form.querySelector('input[name=rating]:checked');
    if (!name.value.trim()) return fail(`${t('signer_name')}: ${t('v_required')}`, name);
    if (!pad.signed()) return fail(t('signature_missing'), by_typing);
    if (!chosen) return fail(t('rating_missing'), form.querySelector('input[name=rating]'));
    try {
      await app.core.recordAcceptance({ jobId: id, signerName: name.value.trim(), signaturePng: await pad.png(), strokes: pad.strokes(),
        rating: Number(chosen.value), comment: comment.value.trim() || undefined });
      app.toast(t('accepted'));
      location.hash = `#/job/${id}`;
    } catch (err) { fail(error_text(err)); }
  });
  return h('article', { class: 'handover-page' },
    h('header', { class: 'job-head' }, h('h1', { tabindex: '-1', text: t('handover_title', { ticket: d.job.ticket_no }) }),
      h('p', { text: t('state_now', { state: state_name(d.job.state) }) }),
      visit ? h('p', { text: t('visit_window', { from: when(visit.starts_at), to: clock(visit.ends_at) }) }) : null),
    h('section', { class: 'card summary', 'aria-labelledby': 'summary-h' }, h('h2', { id: 'summary-h', text: t('summary') }),
      h('dl', {}, summary_rows(summary.text).map(([label, value, items]) => [h('dt', { text: label }),
        h('dd', {}, readable(value), items.length ? h('ul', {}, items.map((i) => h('li', { text: readable(i) }))) : null)])),
      h('p', { class: 'hint hash', text: t('summary_hash', { hash: summary.sha256.slice(0, 16) }) })),
    form);
}
