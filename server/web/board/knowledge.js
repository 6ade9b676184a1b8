// The board's knowledge search (知识共享, issue 14): how a fault was found and fixed before, from the findings, work
// summaries and notes of past repairs (GET /api/v1/knowledge), by words and by product type and fault cause, most
// relevant first. A module of its own beside app.js: once the board is drawn it adds its button to the tools.
import { dictionary, t } from './i18n.js';
import { h, api, dialog, error_text, when } from './lib.js';

Object.assign(dictionary.en, {
  kn_open: 'Past repairs', kn_title: 'Past repairs: how was it fixed before?', kn_q: 'Words (fault, part, symptom)',
  kn_q_ph: 'e.g. 温控器, 不制冷, seal', kn_product: 'Product type', kn_fault: 'Fault cause', kn_any: 'Any',
  kn_search: 'Search', kn_count: '{count} past repairs', kn_more: 'more than {count} past repairs: add words',
  kn_none: 'No past repair matches.', kn_findings: 'Findings', kn_work: 'Work done', kn_notes: 'Notes',
  kn_need: 'Type some words or pick a product type or fault cause.',
  jobs_more: 'more than {count} jobs',
});
Object.assign(dictionary['zh-CN'], {
  kn_open: '维修经验', kn_title: '维修经验：以前是怎么修好的？', kn_q: '关键词（故障、配件、现象）',
  kn_q_ph: '如 温控器、不制冷、密封圈', kn_product: '产品类型', kn_fault: '故障原因', kn_any: '全部',
  kn_search: '搜索', kn_count: '共 {count} 条维修记录', kn_more: '超过 {count} 条维修记录，请补充关键词',
  kn_none: '没有匹配的维修记录。', kn_findings: '检测结论', kn_work: '维修内容', kn_notes: '备注',
  kn_need: '请输入关键词，或选择产品类型、故障原因。',
  jobs_more: '超过 {count} 单',
});

function result(item) {
  const part = (label, text) => (text ? h('p', {}, h('strong', { text: `${label}：` }), h('span', { text })) : null);
  return h('li', { class: 'kn-item', 'data-job-id': item.job_id },
    h('div', { class: 'kn-head' }, h('strong', { text: item.ticket_no }),
      h('span', { text: [item.product_type, item.fault_category, item.asset_model].filter(Boolean).join(' · ') }),
      h('span', { class: 'kn-when', text: when(item.updated_at) })),
    part(t('kn_findings'), item.findings), part(t('kn_work'), item.work_summary), part(t('kn_notes'), item.notes));
}

function options(entries, label) {
  return [h('option', { value: '', text: label }), ...entries.map((e) => h('option', { value: e.code, text: e.name }))];
}

async function open_knowledge() {
  const catalog = await api('GET', '/api/v1/fault-categories?limit=200').catch(() => ({ items: [] }));
  const products = catalog.items.filter((e) => !e.parent_id);
  const q = h('input', { type: 'search', id: 'kn-q', name: 'q', maxlength: 200, placeholder: t('kn_q_ph') });
  const product = h('select', { id: 'kn-product', name: 'product_type' }, options(products, t('kn_any')));
  const fault = h('select', { id: 'kn-fault', name: 'fault_category' }, options(catalog.items, t('kn_any')));
  const status = h('p', { class: 'hint', id: 'kn-status', role: 'status' });
  const list = h('ol', { class: 'kn-results', id: 'kn-results' });
  const search = async (event) => {
    event?.preventDefault();
    const params = new URLSearchParams({ limit: 20 });
    for (const [key, el] of [['q', q], ['product_type', product], ['fault_category', fault]])
      if (el.value.trim()) params.set(key, el.value.trim());
    if (![...params.keys()].some((key) => key !== 'limit')) { status.textContent = t('kn_need'); list.replaceChildren(); return; }
    try {
      const page = await api('GET', `/api/v1/knowledge?${params}`);
      status.textContent = page.total === 0 ? t('kn_none')
        : t(page.total_capped ? 'kn_more' : 'kn_count', { count: page.total.toLocaleString() });
      list.replaceChildren(...page.items.map(result));
    } catch (err) {
      status.textContent = error_text(err);
      list.replaceChildren();
    }
  };
  const d = dialog(t('kn_title'), () => [
    h('form', { class: 'kn-form', id: 'kn-form', onsubmit: search },
      h('div', { class: 'field' }, h('label', { for: 'kn-q', text: t('kn_q') }), q),
      h('div', { class: 'field' }, h('label', { for: 'kn-product', text: t('kn_product') }), product),
      h('div', { class: 'field' }, h('label', { for: 'kn-fault', text: t('kn_fault') }), fault),
      h('button', { type: 'submit', class: 'btn primary', text: t('kn_search') })),
    status, list,
  ], { wide: true, id: 'knowledge-dialog' });
  q.focus();
  return d;
}

// The board redraws its header (a language change, a new sign-in): the button is added to each header drawn.
function add_button() {
  const tools = document.querySelector('header.bar nav.tools');
  if (!tools || tools.querySelector('#knowledge')) return;
  tools.append(h('button', { type: 'button', class: 'btn', id: 'knowledge', text: t('kn_open'), onclick: open_knowledge }));
}

new MutationObserver(add_button).observe(document.getElementById('root'), { childList: true });
add_button();
