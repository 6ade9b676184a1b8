// Every string of the customer-care desk, in English and Simplified Chinese; the language follows the browser
// until the user picks one.
export const dictionary = {
  en: {
    title: 'Customer care desk', language: '中文', login_title: 'Care desk sign-in', username: 'Username', password: 'Password',
    sign_in: 'Sign in', sign_out: 'Sign out', staff_only: 'The care desk is for agents, supervisors and office staff.',
    bad_login: 'Wrong username or password.', failed: 'Failed: {message}', saved: 'Saved', loading: 'Loading…', empty: 'Nothing here.',
    tab_complaints: 'Complaints', tab_appeals: 'Appeals', tab_followups: 'Follow-ups', tab_messages: 'Messages',
    tab_phone: 'Report from a call', tab_report: 'Figures',
    customer: 'Customer', ticket: 'Ticket', type: 'Type', state: 'State', due: 'Due', description: 'Description', reason: 'Reason',
    overdue: 'overdue', note: 'Note', outcome: 'Outcome', answer: 'Answer to the customer', decision: 'Decision',
    new_complaint: 'New complaint', phone: 'Phone', find: 'Find', no_customer: 'No customer with this phone.',
    job_optional: 'Job (optional)', none: '—', record: 'Record', channel: 'Channel',
    ct_service_attitude: 'Service attitude', ct_timeliness: 'Timeliness', ct_quality_of_repair: 'Quality of repair',
    ct_price: 'Price', ct_other: 'Other',
    st_open: 'Open', st_contacted: 'Contacted', st_escalated: 'Escalated', st_resolved: 'Resolved', st_closed: 'Closed',
    st_called_back: 'Called back', st_upheld: 'Upheld', st_refused: 'Refused', st_due: 'Due', st_done: 'Done', st_waived: 'Waived',
    do_contact: 'Contacted', do_escalate: 'To supervisor', do_resolve: 'Resolve', do_close: 'Close', do_call_back: 'Called back',
    do_decide: 'Decide', do_survey: 'Save survey', do_waive: 'Waive', do_reply: 'Reply',
    oc_apology: 'Apology', oc_goodwill_credit: 'Goodwill credit', oc_re_repair: 'Re-repair', oc_refund: 'Refund',
    oc_explained: 'Explained', oc_no_action: 'No action',
    dec_warranty_refused: 'Warranty refused', dec_customer_caused: 'Customer-caused', upheld: 'Uphold', refused: 'Refuse',
    script: 'Call script: “Hello {name}, this is the service desk calling about ticket {ticket}. How satisfied are you with the service, from 1 to 5?”',
    rating: 'Overall', technician_rating: 'Technician', timeliness_rating: 'Timeliness', price_rating: 'Price', comment: 'Comment',
    fr_accepted: 'Repair accepted', fr_declined: 'Plan declined', fr_cancelled: 'Cancelled', fr_withdrawn: 'Withdrawn by the customer', fr_returned: 'Returned unrepaired',
    waiting: 'Waiting for an answer', thread: 'Conversation', reply_hint: 'Plain text, up to 2000 characters',
    caller: 'Caller', name: 'Name', address: 'Address', product: 'Product', model: 'Model', serial: 'Serial no.',
    new_product: 'New product', fault: 'Fault', report_job: 'Create the job', reported: 'Job {ticket} created',
    complaints_by_type: 'Complaints by type', complaints_by_state: 'Complaints by state', late_contact: 'Contacted late',
    late_resolve: 'Resolved late', appeals_by_state: 'Appeals by state', followups_by_state: 'Follow-ups by state',
    satisfaction: 'Satisfaction', average: 'Average rating', count: 'Surveys', sweep: 'Check deadlines now',
    swept: '{count} newly overdue',
  },
  'zh-CN': {
    title: '客服台', language: 'English', login_title: '客服台登录', username: '用户名', password: '密码',
    sign_in: '登录', sign_out: '退出', staff_only: '客服台仅供客服、主管和办公室人员使用。',
    bad_login: '用户名或密码错误。', failed: '失败：{message}', saved: '已保存', loading: '加载中…', empty: '暂无记录。',
    tab_complaints: '投诉', tab_appeals: '申诉', tab_followups: '回访', tab_messages: '留言',
    tab_phone: '电话报修', tab_report: '统计',
    customer: '客户', ticket: '工单', type: '类型', state: '状态', due: '期限', description: '内容', reason: '理由',
    overdue: '已超时', note: '备注', outcome: '处理方式', answer: '答复客户', decision: '被申诉的决定',
    new_complaint: '登记投诉', phone: '电话', find: '查找', no_customer: '没有此电话的客户。',
    job_optional: '工单（可选）', none: '—', record: '登记', channel: '渠道',
    ct_service_attitude: '服务态度', ct_timeliness: '时效', ct_quality_of_repair: '维修质量', ct_price: '价格', ct_other: '其他',
    st_open: '待处理', st_contacted: '已联系', st_escalated: '已转主管', st_resolved: '已解决', st_closed: '已结案',
    st_called_back: '已回电', st_upheld: '申诉成立', st_refused: '申诉驳回', st_due: '待回访', st_done: '已回访', st_waived: '免回访',
    do_contact: '已联系', do_escalate: '转主管', do_resolve: '解决', do_close: '结案', do_call_back: '已回电',
    do_decide: '裁定', do_survey: '保存回访', do_waive: '免回访', do_reply: '回复',
    oc_apology: '道歉', oc_goodwill_credit: '补偿', oc_re_repair: '返修', oc_refund: '退款', oc_explained: '解释说明', oc_no_action: '无需处理',
    dec_warranty_refused: '不予保修', dec_customer_caused: '人为损坏', upheld: '成立', refused: '驳回',
    script: '回访话术：“{name}您好，这里是售后服务中心，关于工单 {ticket} 给您做个回访。请问您对本次服务的满意度，1 到 5 分打几分？”',
    rating: '总体', technician_rating: '工程师', timeliness_rating: '时效', price_rating: '价格', comment: '意见',
    fr_accepted: '已验收', fr_declined: '方案被拒', fr_cancelled: '已取消', fr_withdrawn: '客户撤回', fr_returned: '未修复退回',
    waiting: '待回复', thread: '对话', reply_hint: '纯文本，最多 2000 字',
    caller: '来电人', name: '姓名', address: '地址', product: '产品', model: '型号', serial: '序列号',
    new_product: '新产品', fault: '故障', report_job: '生成工单', reported: '已生成工单 {ticket}',
    complaints_by_type: '投诉类型', complaints_by_state: '投诉状态', late_contact: '联系超时', late_resolve: '解决超时',
    appeals_by_state: '申诉状态', followups_by_state: '回访状态', satisfaction: '满意度', average: '平均评分', count: '回访数',
    sweep: '立即检查期限', swept: '新增超时 {count} 条',
  },
};

const stored = () => { try { return localStorage.getItem('care.lang'); } catch { return null; } };

function initial_language() {
  const chosen = stored();
  if (chosen && dictionary[chosen]) return chosen;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  return wanted.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

let language = initial_language();

export function set_language(lang) {
  language = lang;
  try { localStorage.setItem('care.lang', lang); } catch { /* private mode: the choice lasts for this page */ }
  document.documentElement.lang = lang;
}

export function current_language() { return language; }

// The string for key with {name} placeholders filled in; the English text when a translation is missing.
export function t(key, params = {}) {
  const text = dictionary[language][key] ?? dictionary.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}
