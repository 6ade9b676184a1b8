// The board's after-sales request queue: exchange / return / refund requests waiting for the merchant's answer,
// each with its answer-by time (after it the system approves by default) and approve / refuse. A module of its
// own beside app.js: it starts once the board is ready and reads the board's login token.
import { dictionary, t } from './i18n.js';
import { h, api, toast, error_text, when, TOKEN_KEY } from './lib.js';

Object.assign(dictionary.en, {
  as_queue: 'After-sales requests', as_empty: 'No requests waiting.', as_approve: 'Approve', as_refuse: 'Refuse',
  as_refuse_reason: 'Reason for the customer', as_answer_by: 'answer by {time}', as_kind_exchange: 'Exchange',
  as_kind_return_refund: 'Return and refund', as_kind_refund_only: 'Refund only', as_done: '{ticket}: {state}',
  s_returned: 'Returned unrepaired', a_triage: 'triage', a_counter_offer: 'counter-offer', a_withdraw: 'withdraw',
  a_return_unrepaired: 'return unrepaired',
});
Object.assign(dictionary['zh-CN'], {
  as_queue: '售后申请', as_empty: '暂无待处理的申请。', as_approve: '同意', as_refuse: '拒绝',
  as_refuse_reason: '拒绝原因（客户可见）', as_answer_by: '须在 {time} 前处理', as_kind_exchange: '换货',
  as_kind_return_refund: '退货退款', as_kind_refund_only: '仅退款', as_done: '{ticket}：{state}',
  s_returned: '未修退回', a_triage: '分级', a_counter_offer: '协商', a_withdraw: '撤销', a_return_unrepaired: '未修退回',
});

async function answer(c, action, body) {
  try {
    const after = await api('POST', `/api/v1/after-sales/cases/${encodeURIComponent(c.id)}/actions/${action}`, body);
    toast(t('as_done', { ticket: c.ticket_no, state: after.state }));
  } catch (err) {
    toast(error_text(err));
  }
  await render();
}

function item(c) {
  const reason = h('input', { name: 'refuse_reason', placeholder: t('as_refuse_reason'), maxlength: 2000, hidden: true });
  return h('li', { class: 'as-case', 'data-case-id': c.id },
    h('div', {}, h('strong', { text: `${c.ticket_no} · ${t(`as_kind_${c.kind}`)}` }),
      c.amount ? h('span', { text: ` · ${c.amount} ${c.currency}` }) : null),
    h('div', { class: 'as-reason', text: c.reason }),
    h('div', { class: 'as-due', text: t('as_answer_by', { time: when(c.respond_by) }) }), reason,
    h('div', { class: 'as-buttons' },
      h('button', { class: 'btn primary as-approve', text: t('as_approve'), onclick: () => answer(c, 'approve', {}) }),
      h('button', { class: 'btn as-refuse', text: t('as_refuse'), onclick: () => {
        if (reason.hidden) { reason.hidden = false; reason.focus(); return; }
        if (reason.value.trim()) answer(c, 'refuse', { reason: reason.value.trim() });
      } })));
}

let panel = null;

async function render() {
  if (!panel || !sessionStorage.getItem(TOKEN_KEY)) return;
  let list;
  try {
    list = await api('GET', '/api/v1/after-sales/cases?state=requested&limit=50');
  } catch {
    return;  // a technician's board, or a lost session: the board itself handles logins
  }
  panel.replaceChildren(h('h2', { text: `${t('as_queue')} (${list.total})` }),
    list.items.length ? h('ul', {}, list.items.map(item)) : h('p', { class: 'as-empty', text: t('as_empty') }));
  panel.dataset.loaded = 'true';
}

function start() {
  if (panel) return;
  panel = h('aside', { id: 'after-sales', class: 'after-sales' });
  document.body.append(panel);
  render();
  setInterval(render, 30_000);
}

if (document.body.dataset.ready === 'true') start();
new MutationObserver(() => { if (document.body.dataset.ready === 'true') start(); })
  .observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
