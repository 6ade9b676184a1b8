// What every screen of the board shares: building elements, calling the API with the signed-in token, error
// messages in the interface language, toasts, modal dialogs and the user's time zone.
import { t, current_language } from './i18n.js';
import { reader_headers } from './language.js';
import { h } from './dom.js';

export { h };

export const TOKEN_KEY = 'board.token';


export class ApiError extends Error {
  constructor(status, body, retry_after) {
    super(body?.error?.message || `HTTP ${status}`);
    Object.assign(this, { status, code: body?.error?.code, field: body?.error?.field, retry_after });
  }
}

// Called when the server no longer knows the token (set by the app).
export const session = { on_expired: () => {} };

// Time-Zone names the zone the board shows times in (the user's, see set_zone).
export async function api(method, path, body) {
  const headers = { Accept: 'application/json', ...reader_headers(current_language(), zone.name) };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: { code: 'offline', message: t('offline') } });
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && token) { sessionStorage.removeItem(TOKEN_KEY); session.on_expired(); }
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('Retry-After'));
  return data;
}

// A field's label: the board's own word for it, else the name in words.
export function field_label(name) {
  const key = `f_${name}`;
  const text = t(key);
  return text === key ? name.replace(/_/g, ' ') : text;
}

// An API error as the server put it: its message comes in the interface language (the requests send
// Accept-Language), naming the field where there is one; the code and field stay for programs.
export function error_text(e) {
  if (!e?.code) return String(e?.message || e);
  if (e.code === 'offline') return t('offline');
  return e.message || t('e_internal');
}

export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 5000);
}

// A modal dialog (Esc closes it, focus stays inside); resolves with what close() was given, or null.
export function dialog(title, body, { wide = false, id } = {}) {
  const el = h('dialog', { class: `dialog${wide ? ' wide' : ''}`, id, 'aria-label': title });
  let done;
  const result = new Promise((resolve) => { done = resolve; });
  const close = (value = null) => { done(value); el.close(); el.remove(); };
  el.addEventListener('cancel', (e) => { e.preventDefault(); close(null); });
  el.append(h('header', {}, h('h2', { text: title }),
    h('button', { type: 'button', class: 'btn small', text: t('close'), onclick: () => close(null) })));
  el.append(...[body(close)].flat().filter(Boolean));
  document.body.append(el);
  el.showModal();
  return { el, result, close };
}

// Asks before something the dispatcher should think twice about; resolves true only on an explicit yes.
export function confirm_dialog(title, message, yes) {
  const d = dialog(title, (close) => [
    h('p', { class: 'warning', role: 'alert', text: message }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', text: t('cancel_action'), onclick: () => close(false) }),
      h('button', { type: 'button', class: 'btn danger', 'data-confirm': 'yes', text: yes, onclick: () => close(true) })),
  ], { id: 'confirm-dialog' });
  d.el.querySelector('[data-confirm]').focus();
  return d.result.then((v) => v === true);
}

// ------------------------------------------------------------------------------------------ time zone

// Times are shown in the signed-in user's time zone (their profile's, else the browser's), whatever the machine's.
export const zone = { name: Intl.DateTimeFormat().resolvedOptions().timeZone, parts: null };

export function set_zone(name) {
  const options = { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' };
  try {
    zone.parts = new Intl.DateTimeFormat('en-US', { timeZone: name || undefined, ...options });
  } catch {
    // A zone this browser does not know: the browser's own.
    zone.parts = new Intl.DateTimeFormat('en-US', options);
  }
  zone.name = zone.parts.resolvedOptions().timeZone;
}
set_zone(null);

// {year, month, day, hour, minute, second} of an instant on the zone's wall clock.
export function zoned(d) {
  const p = {};
  for (const { type, value } of zone.parts.formatToParts(d)) if (type !== 'literal') p[type] = Number(value);
  return p;
}
// The instant at minutes past midnight of date (YYYY-MM-DD) on the zone's wall clock.
export function zoned_instant(date, minutes) {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60000;
  const offset = (ms) => { const p = zoned(new Date(ms)); return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000; };
  const first = wall - offset(wall);
  return new Date(wall - offset(first));
}
export const clock = (d) => new Intl.DateTimeFormat(current_language(), { hour: '2-digit', minute: '2-digit', timeZone: zone.name }).format(d);
export const when = (iso) => iso ? new Intl.DateTimeFormat(current_language(), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone.name }).format(new Date(iso)) : '';
export const local_date = (d = new Date()) => { const p = zoned(d); return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`; };
// "YYYY-MM-DDTHH:MM" of an instant in the zone, for datetime-local inputs, and back.
export const local_input = (d) => { const p = zoned(d); return `${local_date(d)}T${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`; };
export const from_local_input = (v) => zoned_instant(v.slice(0, 10), Number(v.slice(11, 13)) * 60 + Number(v.slice(14, 16)));
export const debounce = (f, ms) => { let timer; return (...a) => { clearTimeout(timer); timer = setTimeout(() => f(...a), ms); }; };
