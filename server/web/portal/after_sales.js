// The portal's after-sales part: purchase facts on the report form, and on a repair the deadlines, withdrawal
// with its fee, the counter-offer to a plan, and the customer's exchange / return / refund requests with their
// status and refund. Kept apart from app.js; its texts extend the portal's dictionary.
import { dictionary, t, current_language } from './i18n.js';

Object.assign(dictionary.en, {
  purchase: 'Purchase (for warranty and returns)', purchase_date: 'Date of purchase', purchase_channel: 'Bought at',
  purchase_channel_hint: 'e.g. JD.com, Suning store', purchase_price: 'Price paid', received_on: 'Date received (if later)',
  proof: 'Proof of purchase (invoice or receipt photo, optional)',
  deadlines: 'What happens when', dl_case_response: 'The merchant must answer your request by',
  dl_plan_reminder: 'We remind you about the plan on', dl_plan_decision: 'Without your decision the plan lapses on',
  dl_hold_until: 'The pause ends on', dl_hold_reminder: 'We follow up the pause on',
  withdraw: 'Withdraw my repair', withdraw_reason: 'Why do you withdraw?', withdraw_free: 'Withdrawing now is free.',
  withdraw_fee: 'Withdrawing now costs the inspection fee of {fee}.', withdraw_confirm: 'Pay {fee} and withdraw',
  counter: 'Make a counter-offer (协商)', counter_message: 'Your message', counter_cost: 'The price you would accept',
  counter_send: 'Send counter-offer', countered_msg: 'You made a counter-offer; the technician revises the plan.',
  requests: 'Exchange, return or refund', request_kind: 'What do you ask for?', kind_exchange: 'Exchange',
  kind_return_refund: 'Return and refund', kind_refund_only: 'Refund only', request_reason: 'Reason',
  request_amount: 'Amount to refund', request_send: 'Send request', no_requests: 'No requests yet.',
  cs_requested: 'Waiting for the merchant', cs_approved: 'Approved', cs_refused: 'Refused', cs_goods_returned: 'Goods sent back',
  cs_goods_received: 'Goods received', cs_refunded: 'Refunded', cs_replacement_shipped: 'Replacement shipped',
  cs_withdrawn: 'Withdrawn', cs_closed: 'Closed', answer_by: 'Answer due by {time} — otherwise approved automatically',
  refused_because: 'Reason: {reason}. You may appeal this decision.', refunded_as: 'Refunded {amount} ({route})',
  route_original: 'to the original payment method', route_other: 'by {method}', replacement: 'Replacement serial number {serial}',
  ship_back: 'I sent the goods back', carrier: 'Carrier', tracking_no: 'Tracking number',
  st_returned: 'Returned without repair',
  ev_triage: 'The service desk assessed your report', ev_counter_offer: 'You made a counter-offer',
  ev_withdraw: 'You withdrew the repair', ev_return_unrepaired: 'Returned without repair',
  ev_after_sales_request: 'You asked for an exchange, return or refund', ev_after_sales_approve: 'Your request was approved',
  ev_after_sales_refuse: 'Your request was refused', ev_after_sales_withdraw: 'Your request was withdrawn',
  ev_after_sales_ship_back: 'You sent the goods back', ev_after_sales_receive_goods: 'We received the goods',
  ev_after_sales_refund: 'You were refunded', ev_after_sales_ship_replacement: 'The replacement was shipped',
  ev_after_sales_close: 'The request was closed', ev_deadline_plan_reminder: 'We reminded you about the plan',
  ev_deadline_hold_reminder: 'We followed up the pause',
});
Object.assign(dictionary['zh-CN'], {
  purchase: '购买信息（用于保修和退换货）', purchase_date: '购买日期', purchase_channel: '购买渠道',
  purchase_channel_hint: '例如：京东、苏宁门店', purchase_price: '实付金额', received_on: '收货日期（如晚于购买日期）',
  proof: '购买凭证（发票或小票照片，可选）',
  deadlines: '时限提醒', dl_case_response: '商家须在此前答复您的申请', dl_plan_reminder: '方案待确认提醒时间',
  dl_plan_decision: '逾期未确认，方案将于此时失效', dl_hold_until: '暂停将于此时结束', dl_hold_reminder: '暂停跟进时间',
  withdraw: '撤销报修', withdraw_reason: '撤销原因', withdraw_free: '现在撤销不收费。',
  withdraw_fee: '现在撤销需支付检测费 {fee}。', withdraw_confirm: '支付 {fee} 并撤销',
  counter: '协商价格', counter_message: '您的留言', counter_cost: '您可接受的价格', counter_send: '提交协商',
  countered_msg: '您已提出协商，工程师将修改方案。',
  requests: '换货 / 退货退款 / 仅退款', request_kind: '申请类型', kind_exchange: '换货', kind_return_refund: '退货退款',
  kind_refund_only: '仅退款', request_reason: '申请原因', request_amount: '退款金额', request_send: '提交申请',
  no_requests: '暂无售后申请。',
  cs_requested: '等待商家处理', cs_approved: '已同意', cs_refused: '已拒绝', cs_goods_returned: '已寄回商品',
  cs_goods_received: '商家已收货', cs_refunded: '已退款', cs_replacement_shipped: '换货已发出', cs_withdrawn: '已撤销',
  cs_closed: '已完成', answer_by: '商家须在 {time} 前处理，逾期未处理系统将默认同意',
  refused_because: '原因：{reason}。如有异议可申诉。', refunded_as: '已退款 {amount}（{route}）',
  route_original: '原路退回', route_other: '{method}', replacement: '新机序列号 {serial}',
  ship_back: '我已寄回商品', carrier: '快递公司', tracking_no: '运单号',
  st_returned: '未维修已退回',
  ev_triage: '客服已评估您的报修', ev_counter_offer: '您提出了协商', ev_withdraw: '您撤销了报修',
  ev_return_unrepaired: '未维修已退回', ev_after_sales_request: '您提交了售后申请', ev_after_sales_approve: '售后申请已同意',
  ev_after_sales_refuse: '售后申请被拒绝', ev_after_sales_withdraw: '售后申请已撤销', ev_after_sales_ship_back: '您已寄回商品',
  ev_after_sales_receive_goods: '商家已收到商品', ev_after_sales_refund: '已退款', ev_after_sales_ship_replacement: '换货已发出',
  ev_after_sales_close: '售后申请已完成', ev_deadline_plan_reminder: '系统提醒您确认方案', ev_deadline_hold_reminder: '系统跟进暂停',
});

const fmt_time = (iso) => iso ? new Intl.DateTimeFormat(current_language(), { dateStyle: 'medium', timeStyle: 'short' })
  .format(new Date(iso)) : '';
const fmt_money = (amount, currency = 'CNY') => new Intl.NumberFormat(current_language(), { style: 'currency', currency })
  .format(amount);

const read_base64 = (file) => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(String(reader.result).split(',')[1]);
  reader.onerror = () => reject(reader.error);
  reader.readAsDataURL(file);
});

// The purchase section of the report form (h and field are app.js's element helpers).
export function purchase_section(h, field) {
  const today = new Date().toISOString().slice(0, 10);
  return h('section', { class: 'card', id: 'purchase' }, h('h2', { text: t('purchase') }),
    h('div', { class: 'row' },
      field('purchase_date', h('input', { name: 'purchase_date', type: 'date', max: today })),
      field('purchase_channel', h('input', { name: 'purchase_channel', maxlength: 200, placeholder: t('purchase_channel_hint') }))),
    h('div', { class: 'row' },
      field('purchase_price', h('input', { name: 'purchase_price', type: 'number', min: 0, step: '0.01' })),
      field('received_on', h('input', { name: 'received_on', type: 'date', max: today }))),
    field('proof', h('input', { name: 'proof_of_purchase', type: 'file', accept: 'image/png,image/jpeg,application/pdf' })));
}

// Adds the purchase facts the form holds to the report body.
export async function add_purchase(form, body) {
  const f = new FormData(form);
  if (f.get('purchase_date')) body.purchase_date = String(f.get('purchase_date'));
  if (String(f.get('purchase_channel') || '').trim()) body.purchase_channel = String(f.get('purchase_channel')).trim();
  if (f.get('purchase_price')) body.purchase_price = Number(f.get('purchase_price'));
  if (f.get('received_on')) body.received_on = String(f.get('received_on'));
  const proof = form.elements.proof_of_purchase?.files?.[0];
  if (proof) body.proof_of_purchase = await read_base64(proof);
}

function deadlines_card(h, job) {
  if (!job.deadlines?.length) return null;
  return h('section', { class: 'card', id: 'deadlines' }, h('h2', { text: t('deadlines') }),
    h('dl', { class: 'facts' }, job.deadlines.flatMap((d) => [h('dt', { text: t(`dl_${d.rule}`) }),
      h('dd', { 'data-rule': d.rule, text: fmt_time(d.due_at) })])));
}

function withdraw_card(h, job, act) {
  if (!(job.available_actions || []).includes('withdraw')) return null;
  const fee = job.withdrawal_fee || 0;
  const reason = h('textarea', { name: 'withdraw_reason', placeholder: t('withdraw_reason') });
  const body = () => Object.assign({ reason: reason.value.trim() || t('withdraw') }, fee > 0 ? { accepted_fee: fee } : {});
  return h('section', { class: 'card', id: 'withdraw' }, h('h2', { text: t('withdraw') }),
    h('p', { id: 'withdraw-fee', text: fee > 0 ? t('withdraw_fee', { fee: fmt_money(fee) }) : t('withdraw_free') }), reason,
    h('div', { class: 'actions' }, h('button', { class: 'button danger', id: 'withdraw-button',
      text: fee > 0 ? t('withdraw_confirm', { fee: fmt_money(fee) }) : t('withdraw'), onclick: () => act(job, 'withdraw', body()) })));
}

function counter_card(h, job, act) {
  const plan = job.plan;
  if (plan?.status === 'countered') return h('section', { class: 'card', id: 'counter' }, h('p', { class: 'success', text: t('countered_msg') }));
  if (!plan || !(job.available_actions || []).includes('counter_offer')) return null;
  const message = h('textarea', { name: 'counter_message', maxlength: 2000 });
  const cost = h('input', { name: 'counter_cost', type: 'number', min: 0, step: '0.01' });
  return h('section', { class: 'card', id: 'counter' }, h('h2', { text: t('counter') }),
    h('label', { class: 'field' }, h('span', { text: t('counter_message') }), message),
    h('label', { class: 'field' }, h('span', { text: t('counter_cost') }), cost),
    h('div', { class: 'actions' }, h('button', { class: 'button', id: 'counter-send', text: t('counter_send'), onclick: () => {
      const body = { plan_version: plan.version, message: message.value.trim() || t('counter') };
      if (cost.value) body.proposed_cost = Number(cost.value);
      act(job, 'counter_offer', body);
    } })));
}

function case_item(h, c, api, refresh, error) {
  const lines = [h('strong', { text: `${t(`kind_${c.kind}`)} · ` }), h('span', { class: 'case-state', 'data-state': c.state, text: t(`cs_${c.state}`) })];
  if (c.amount) lines.push(h('span', { text: ` · ${fmt_money(c.amount, c.currency)}` }));
  if (c.state === 'requested') lines.push(h('br'), h('span', { class: 'hint', text: t('answer_by', { time: fmt_time(c.respond_by) }) }));
  if (c.refusal_reason) lines.push(h('br'), h('span', { class: 'error', text: t('refused_because', { reason: c.refusal_reason }) }));
  if (c.refund) {
    const route = c.refund.original_route ? t('route_original') : t('route_other', { method: c.refund.method });
    lines.push(h('br'), h('span', { class: 'success refund', text: t('refunded_as', { amount: fmt_money(c.refund.amount, c.refund.currency), route }) }));
  }
  if (c.replacement_serial_no) lines.push(h('br'), h('span', { text: t('replacement', { serial: c.replacement_serial_no }) }));
  if ((c.available_actions || []).includes('ship_back')) {
    const carrier = h('input', { name: 'ship_carrier', placeholder: t('carrier'), maxlength: 100 });
    const tracking = h('input', { name: 'ship_tracking', placeholder: t('tracking_no'), maxlength: 100 });
    lines.push(h('div', { class: 'row' }, carrier, tracking), h('button', { class: 'button', text: t('ship_back'), onclick: async () => {
      try {
        await api('POST', `/api/v1/after-sales/cases/${encodeURIComponent(c.id)}/actions/ship_back`,
          { carrier: carrier.value.trim(), tracking_no: tracking.value.trim() });
        await refresh();
      } catch (err) { error(err); }
    } }));
  }
  return h('li', { 'data-case': c.id }, lines);
}

async function requests_card(h, job, api, refresh, message_of) {
  const list = await api('GET', `/api/v1/after-sales/cases?job_id=${encodeURIComponent(job.id)}`);
  const error_box = h('div', { class: 'error', hidden: true });
  const error = (err) => { error_box.textContent = message_of(err); error_box.hidden = false; };
  const kind = h('select', { name: 'request_kind' }, ['exchange', 'return_refund', 'refund_only'].map((k) => h('option', { value: k, text: t(`kind_${k}`) })));
  const reason = h('textarea', { name: 'request_reason', maxlength: 2000 });
  const amount = h('input', { name: 'request_amount', type: 'number', min: 0, step: '0.01' });
  const open = list.items.some((c) => !['refused', 'withdrawn', 'closed'].includes(c.state));
  return h('section', { class: 'card', id: 'requests' }, h('h2', { text: t('requests') }),
    list.items.length ? h('ul', { class: 'cases' }, list.items.map((c) => case_item(h, c, api, refresh, error)))
      : h('p', { class: 'hint', text: t('no_requests') }),
    open ? null : [h('label', { class: 'field' }, h('span', { text: t('request_kind') }), kind),
      h('label', { class: 'field' }, h('span', { text: t('request_reason') }), reason),
      h('label', { class: 'field' }, h('span', { text: t('request_amount') }), amount),
      h('div', { class: 'actions' }, h('button', { class: 'button primary', id: 'request-send', text: t('request_send'), onclick: async () => {
        const body = { kind: kind.value, reason: reason.value.trim() || t(`kind_${kind.value}`) };
        if (kind.value !== 'exchange' && amount.value) body.amount = Number(amount.value);
        try {
          await api('POST', `/api/v1/jobs/${encodeURIComponent(job.id)}/after-sales`, body);
          await refresh();
        } catch (err) { error(err); }
      } }))],
    error_box);
}

// The after-sales cards of a repair, in page order.
export async function after_sales_cards(h, job, { act, api, refresh, message_of }) {
  return [deadlines_card(h, job), counter_card(h, job, act), withdraw_card(h, job, act),
    await requests_card(h, job, api, refresh, message_of)];
}
