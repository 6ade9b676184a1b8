// The board's panel of customer messages waiting for an answer (GET /api/v1/messages/waiting): a new customer
// message on any job shows here within seconds, and a dispatcher answers it in place. A module of its own beside
// app.js, like after_sales.js: it starts once the board is ready and reads the board's login token.
import { dictionary, t } from './i18n.js';
import { h, api, toast, error_text, when, TOKEN_KEY } from './lib.js';

Object.assign(dictionary.en, {
  msg_queue: 'Customer messages', msg_reply: 'Reply', msg_reply_ph: 'Your answer',
  msg_sent: '{ticket}: answer sent',
});
Object.assign(dictionary['zh-CN'], {
  msg_queue: '客户留言', msg_reply: '回复', msg_reply_ph: '回复内容',
  msg_sent: '{ticket}：已回复',
});

const POLL_MS = 5_000;

function item(m) {
  const answer = h('input', { name: 'reply', placeholder: t('msg_reply_ph'), maxlength: 2000 });
  const send = async (event) => {
    event.preventDefault();
    if (!answer.value.trim()) return;
    try {
      await api('POST', `/api/v1/jobs/${encodeURIComponent(m.job_id)}/messages`, { body: answer.value.trim() });
      toast(t('msg_sent', { ticket: m.ticket_no }));
    } catch (err) {
      toast(error_text(err));
    }
    await render();
  };
  return h('li', { class: 'msg-item', 'data-job-id': m.job_id },
    h('div', {}, h('strong', { text: `${m.ticket_no} · ${m.customer_name}` }),
      h('span', { class: 'msg-time', text: ` · ${when(m.created_at)}` })),
    h('div', { class: 'msg-body', text: m.body }),
    h('form', { class: 'msg-form', onsubmit: send }, answer, h('button', { class: 'btn primary', text: t('msg_reply') })));
}

let panel = null;
let open = false;  // the dispatcher's choice, kept across the polls' re-renders

async function render() {
  if (!panel || !sessionStorage.getItem(TOKEN_KEY)) return;
  if (panel.contains(document.activeElement) && document.activeElement.tagName === 'INPUT') return;  // typing
  let list;
  try {
    list = await api('GET', '/api/v1/messages/waiting?limit=50');
  } catch {
    panel.hidden = true;  // a technician's board, or a lost session: the board itself handles logins
    return;
  }
  // Nothing waiting: nothing on screen. Otherwise a small summary that opens into the list, so the panel never
  // covers the lanes until the dispatcher asks for it.
  panel.hidden = list.total === 0;
  const details = h('details', { open }, h('summary', { text: `${t('msg_queue')} (${list.total})` }),
    h('ul', {}, list.items.map(item)));
  details.addEventListener('toggle', () => { open = details.open; });
  panel.replaceChildren(details);
  panel.dataset.loaded = 'true';
}

function start() {
  if (panel) return;
  panel = h('aside', { id: 'board-messages', class: 'board-messages', 'aria-label': t('msg_queue'), hidden: true });
  document.body.append(panel);
  render();
  setInterval(render, POLL_MS);
}

if (document.body.dataset.ready === 'true') start();
new MutationObserver(() => { if (document.body.dataset.ready === 'true') start(); })
  .observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
