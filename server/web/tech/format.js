// How the technician app shows values: times in the tablet's own time zone, money in yuan, workflow names in the
// interface language, and JSON columns of replica rows as objects.
import { t, known, current_language } from './i18n.js';

export const when = (iso) => (iso ? new Intl.DateTimeFormat(current_language(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '');
export const clock = (iso) => new Intl.DateTimeFormat(current_language(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
export const day = (iso) => new Intl.DateTimeFormat(current_language(), { weekday: 'short', month: 'long', day: 'numeric' }).format(new Date(iso));
export const yuan_of_cents = (cents) => new Intl.NumberFormat(current_language(), { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' }).format((Number(cents) || 0) / 100);
// Cents of an amount in yuan as the server rounds it (fieldsync::to_cents).
export const cents = (amount) => Math.round(Number(amount) * 100);

// The local calendar date (YYYY-MM-DD) of an instant, for grouping visits by day on the tablet's clock.
export function local_day(d) {
  const x = new Date(d);
  return `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`;
}

export const state_name = (state) => known(`s_${state}`) || state;
export const action_name = (action) => known(`a_${action}`) || action.replace(/_/g, ' ');
export const field_label = (name) => known(`f_${name}`) || known(name) || name.replace(/_/g, ' ');

// A JSON column as the replica hands it over: already parsed, or text.
export function parsed(value, fallback = null) {
  if (value === null || value === undefined || value === '') return fallback;
  if (typeof value !== 'string') return value;
  try { return JSON.parse(value); } catch { return fallback; }
}

// An error of the core in the interface language: the code's meaning, the field, and the core's own sentence in
// the English interface (it names the specifics).
export function error_text(e) {
  if (!e?.code) return String(e?.message || e);
  const meaning = known(`e_${e.code}`) || t('e_internal');
  const field = e.field ? `${field_label(e.field.split('.').pop().replace(/\[\d+\]$/, ''))}: ` : '';
  return current_language() === 'en' ? `${field}${e.message}` : `${field}${meaning}`;
}
