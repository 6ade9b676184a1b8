// The portal's customer-care parts: signing in with a customer account to see every job of the customer, the
// expected finish date of a repair, messages with the service desk on a job, the satisfaction survey, and a
// complaint or appeal with evidence files. Kept apart from app.js; its strings are here in both languages.
import { current_language } from './i18n.js';
import { reader_headers } from '../board/language.js';
import { h } from '../board/dom.js';

const SESSION_KEY = 'portal.session';

const strings = {
  en: {
    tab_account: 'My account', account_title: 'Sign in with your customer account', username: 'Username', password: 'Password',
    sign_in: 'Sign in', bad_login: 'Wrong username or password.', customers_only: 'This sign-in is for customer accounts.',
    my_jobs: 'My repairs', no_jobs: 'No repairs yet.', expected_finish: 'Expected finish', finish_unknown: 'We will tell you once the repair is planned.',
    messages: 'Messages with the service desk', no_messages: 'No messages yet.', message_hint: 'Your question (plain text, up to 2000 characters)',
    send: 'Send', sent: 'Sent', you: 'You', desk: 'Service desk', survey: 'How satisfied are you?', rating: 'Overall rating',
    comment: 'Comment (optional)', send_survey: 'Send rating', thanks: 'Thank you for your rating.', email: 'Email (optional)',
    sms_consent: 'Send me SMS updates about this repair', failed: 'Failed: {message}', sign_out: 'Sign out',
    complaints: 'My complaints', appeals: 'My appeals',
    care_request: 'Complain or appeal', care_kind: 'What is it about?', k_service_attitude: 'Complaint: service attitude',
    k_timeliness: 'Complaint: delays', k_quality_of_repair: 'Complaint: quality of the repair', k_price: 'Complaint: price',
    k_other: 'Complaint: something else', a_warranty_refused: 'Appeal: warranty cover refused',
    a_customer_caused: 'Appeal: fault found customer-caused', care_text: 'Tell us what happened (plain text)',
    evidence: 'Evidence: photos (JPEG, PNG) or PDF, up to 5 files of 4 MB each', care_send: 'Send',
    care_sent: 'Received — we will contact you.', too_many: 'At most 5 files.', too_big: '{name} is larger than 4 MB.',
    bad_type: '{name} is not a JPEG, PNG or PDF file.',
  },
  'zh-CN': {
    tab_account: '我的账户', account_title: '客户账户登录', username: '用户名', password: '密码', sign_in: '登录',
    bad_login: '用户名或密码错误。', customers_only: '此处仅供客户账户登录。', my_jobs: '我的报修', no_jobs: '暂无报修。',
    expected_finish: '预计完成', finish_unknown: '维修安排确定后我们会通知您。', messages: '与客服的留言', no_messages: '暂无留言。',
    message_hint: '请输入您的问题（纯文本，最多 2000 字）', send: '发送', sent: '已发送', you: '您', desk: '客服',
    survey: '您对本次服务满意吗？', rating: '总体评分', comment: '意见（可选）', send_survey: '提交评分', thanks: '感谢您的评价。',
    email: '电子邮箱（可选）', sms_consent: '同意通过短信接收维修进度', failed: '失败：{message}', sign_out: '退出',
    complaints: '我的投诉', appeals: '我的申诉',
    care_request: '投诉或申诉', care_kind: '类别', k_service_attitude: '投诉：服务态度', k_timeliness: '投诉：不及时',
    k_quality_of_repair: '投诉：维修质量', k_price: '投诉：价格', k_other: '投诉：其他', a_warranty_refused: '申诉：不予保修',
    a_customer_caused: '申诉：判定为人为损坏', care_text: '请说明情况（纯文本）',
    evidence: '证据：照片（JPEG、PNG）或 PDF，最多 5 个文件，每个不超过 4 MB', care_send: '提交',
    care_sent: '已收到，我们会尽快与您联系。', too_many: '最多 5 个文件。', too_big: '{name} 超过 4 MB。',
    bad_type: '{name} 不是 JPEG、PNG 或 PDF 文件。',
  },
};

export function tc(key, params = {}) {
  const text = (strings[current_language()] || strings.en)[key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

const session = () => { try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch { return null; } };
const fmt = (iso, opts) => new Intl.DateTimeFormat(current_language(), opts).format(new Date(iso));

async function api(method, path, body) {
  const headers = { Accept: 'application/json', ...reader_headers(current_language()) };
  if (session()?.token) headers.Authorization = `Bearer ${session().token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(data?.error?.message || `HTTP ${res.status}`), { status: res.status });
  return data;
}

// The date a repair should be done: the end of the booked visit, else the SLA's resolution deadline.
export function expected_finish(job) {
  if (['accepted', 'closed', 'cancelled'].includes(job.state)) return null;
  return job.schedule?.window_end || job.sla?.resolution?.deadline || null;
}

export function finish_card(job) {
  if (['accepted', 'closed', 'cancelled'].includes(job.state)) return null;
  const at = expected_finish(job);
  return h('section', { class: 'card', id: 'expected-finish' }, h('h2', { text: tc('expected_finish') }),
    h('p', { class: 'finish', text: at ? fmt(at, { dateStyle: 'full', timeStyle: 'short' }) : tc('finish_unknown') }));
}

// The email and SMS-consent fields of the report form, and the values they add to the report body.
export function contact_fields() {
  return h('div', { class: 'row consent' },
    h('label', {}, h('span', { text: tc('email') }), h('input', { name: 'email', type: 'email', maxlength: 254, autocomplete: 'email' })),
    h('label', { class: 'check' }, h('input', { name: 'sms_consent', type: 'checkbox' }), h('span', { text: tc('sms_consent') })));
}
export function contact_values(form) {
  const out = { sms_consent: form.elements.sms_consent.checked };
  const email = form.elements.email.value.trim();
  if (email) out.email = email;
  return out;
}

export async function messages_card(job) {
  const card = h('section', { class: 'card', id: 'messages' });
  const draw = async () => {
    const thread = await api('GET', `/api/v1/jobs/${encodeURIComponent(job.id)}/messages`);
    const box = h('textarea', { name: 'message', maxlength: 2000, placeholder: tc('message_hint'), 'aria-label': tc('message_hint') });
    const error = h('div', { class: 'error', hidden: true });
    card.replaceChildren(h('h2', { text: tc('messages') }),
      thread.items.length ? h('ol', { class: 'messages' }, thread.items.map((m) => h('li', { class: m.author_role === 'customer' ? 'mine' : 'desk' },
        h('small', { text: `${m.author_role === 'customer' ? tc('you') : `${tc('desk')} ${m.author_name}`} · ${fmt(m.created_at, { dateStyle: 'short', timeStyle: 'short' })}` }),
        h('p', { text: m.body })))) : h('p', { class: 'hint', text: tc('no_messages') }),
      box, error, h('div', { class: 'actions' }, h('button', { class: 'button primary', id: 'send-message', text: tc('send'), onclick: async () => {
        if (!box.value.trim()) return box.focus();
        try {
          await api('POST', `/api/v1/jobs/${encodeURIComponent(job.id)}/messages`, { body: box.value.trim() });
          await draw();
        } catch (err) { error.textContent = tc('failed', { message: err.message }); error.hidden = false; }
      } })));
  };
  await draw();
  return card;
}

export async function survey_card(job) {
  const due = await api('GET', `/api/v1/followups?state=due&job_id=${encodeURIComponent(job.id)}`).catch(() => null);
  const followup = due?.items?.[0];
  if (!followup) return null;
  const form = h('form', { class: 'card', id: 'survey' }, h('h2', { text: tc('survey') }),
    h('label', {}, h('span', { text: tc('rating') }), h('select', { name: 'rating' }, [5, 4, 3, 2, 1].map((n) => h('option', { value: n, text: '★'.repeat(n) })))),
    h('label', {}, h('span', { text: tc('comment') }), h('textarea', { name: 'comment', maxlength: 2000 })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: tc('send_survey') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { rating: Number(form.elements.rating.value) };
    if (form.elements.comment.value.trim()) body.comment = form.elements.comment.value.trim();
    await api('POST', `/api/v1/followups/${encodeURIComponent(followup.id)}/survey`, body);
    form.replaceChildren(h('p', { text: tc('thanks') }));
  });
  return form;
}

const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'application/pdf'];
const COMPLAINT_TYPES = ['service_attitude', 'timeliness', 'quality_of_repair', 'price', 'other'];

// The chosen files as evidence_files ([{file_name, content_base64}]); throws a readable message when one is of a
// kind or size the server refuses (it checks again by the bytes).
async function evidence_files(input) {
  const files = [...input.files];
  if (files.length > 5) throw new Error(tc('too_many'));
  return Promise.all(files.map((file) => {
    if (!EVIDENCE_TYPES.includes(file.type)) throw new Error(tc('bad_type', { name: file.name }));
    if (file.size > 4 * 1024 * 1024) throw new Error(tc('too_big', { name: file.name }));
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve({ file_name: file.name, content_base64: String(reader.result).split(',')[1] });
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }));
}

// A complaint about the repair, or an appeal against its assessment, with evidence files (投诉 / 申诉).
export function care_request_card(job) {
  const kinds = [...COMPLAINT_TYPES.map((k) => `k_${k}`), 'a_warranty_refused', 'a_customer_caused'];
  const error = h('div', { class: 'error', id: 'care-request-error', hidden: true });
  const form = h('form', { class: 'card', id: 'care-request' }, h('h2', { text: tc('care_request') }),
    h('label', {}, h('span', { text: tc('care_kind') }), h('select', { name: 'kind' }, kinds.map((k) => h('option', { value: k, text: tc(k) })))),
    h('label', {}, h('span', { text: tc('care_text') }), h('textarea', { name: 'text', maxlength: 4000, required: true })),
    h('label', {}, h('span', { text: tc('evidence') }), h('input', { type: 'file', name: 'evidence', multiple: true, accept: EVIDENCE_TYPES.join(',') })),
    error, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: tc('care_send') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const kind = form.elements.kind.value, text = form.elements.text.value.trim();
    if (!text) return form.elements.text.focus();
    try {
      const files = await evidence_files(form.elements.evidence);
      const extra = files.length ? { evidence_files: files } : {};
      if (kind.startsWith('k_')) {
        await api('POST', '/api/v1/complaints', { type: kind.slice(2), description: text, job_id: job.id, ...extra });
      } else {
        await api('POST', '/api/v1/appeals', { decision: kind.slice(2), reason: text, job_id: job.id, ...extra });
      }
      form.replaceChildren(h('p', { id: 'care-request-sent', text: tc('care_sent') }));
    } catch (err) {
      error.textContent = tc('failed', { message: err.message });
      error.hidden = false;
    }
  });
  return form;
}

async function render_my_jobs(app, tabs) {
  const [jobs, complaints, appeals] = await Promise.all([api('GET', '/api/v1/jobs?limit=100'),
    api('GET', '/api/v1/complaints?limit=50'), api('GET', '/api/v1/appeals?limit=50')]);
  const list = jobs.items.length ? h('ul', { class: 'my-jobs' }, jobs.items.map((j) => h('li', {},
    h('a', { href: `#/jobs/${encodeURIComponent(j.id)}`, text: `${j.ticket_no} · ${j.asset_model || ''}` }),
    h('span', { class: `badge ${j.state}`, text: j.state }),
    expected_finish(j) ? h('small', { text: `${tc('expected_finish')}: ${fmt(expected_finish(j), { dateStyle: 'medium' })}` }) : null)))
    : h('p', { text: tc('no_jobs') });
  const records = (title, page, text) => (page.items.length ? h('section', { class: 'card' }, h('h2', { text: tc(title) }),
    h('ul', {}, page.items.map((r) => h('li', { text: text(r) })))) : null);
  app.replaceChildren(...[tabs, h('section', { class: 'card', id: 'my-jobs' }, h('h2', { text: tc('my_jobs') }), list),
    records('complaints', complaints, (k) => `${k.ticket_no || ''} ${k.description} · ${k.state}`),
    records('appeals', appeals, (p) => `${p.ticket_no} ${p.reason} · ${p.state}`),
    h('div', { class: 'actions' }, h('button', { class: 'button', id: 'account-sign-out', text: tc('sign_out'), onclick: async () => {
      try { await api('POST', '/api/v1/auth/logout'); } catch { /* the session ends here either way */ }
      sessionStorage.removeItem(SESSION_KEY);
      render_account(app, tabs);
    } }))].filter(Boolean));
}

// The account page: the sign-in form, or the signed-in customer's repairs and records.
export async function render_account(app, tabs) {
  if (session()?.account) return render_my_jobs(app, tabs);
  const error = h('div', { class: 'error', hidden: true });
  const form = h('form', { class: 'card', id: 'account-form' }, h('h2', { text: tc('account_title') }),
    h('label', {}, h('span', { text: tc('username') }), h('input', { name: 'username', required: true, autocomplete: 'username' })),
    h('label', {}, h('span', { text: tc('password') }), h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' })),
    error, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: tc('sign_in') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const login = await api('POST', '/api/v1/auth/login', { username: form.elements.username.value.trim(), password: form.elements.password.value });
      if (login.user.role !== 'customer') {
        await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${login.token}` } });
        error.textContent = tc('customers_only');
        error.hidden = false;
        return;
      }
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: login.token, account: true, name: login.user.name }));
      await render_my_jobs(app, tabs);
    } catch {
      error.textContent = tc('bad_login');
      error.hidden = false;
    }
  });
  app.replaceChildren(...[tabs, form].filter(Boolean));
}
