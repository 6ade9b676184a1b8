// Every string of the dispatcher board, in English and Simplified Chinese; the language follows the browser
// until the dispatcher picks one.
export const dictionary = {
  en: {
    title: 'Dispatch board', language: '中文', login_title: 'Dispatcher sign-in', username: 'Username', password: 'Password',
    sign_in: 'Sign in', sign_out: 'Sign out', staff_only: 'The board is for dispatchers and admins.',
    bad_login: 'Wrong username or password.', rate_limited: 'Too many attempts; wait {seconds} s.',
    queue: 'Open jobs', jobs_count: '{count} jobs', all_open: 'All open states', any_priority: 'Any priority',
    any_assignee: 'Anyone', unassigned: 'Unassigned', search: 'Search ticket, customer, phone, serial…',
    timeline: 'Technicians’ day', technicians_count: '{count} technicians', date: 'Day', today: 'Today',
    load: '{booked}/{capacity} booked', day_off: 'day off', loading: 'Loading…', empty: 'Nothing matches.',
    drop_hint: 'Drag a job onto a technician’s day to assign and book it',
    assigned: '{ticket} assigned to {name}', scheduled: '{ticket} booked with {name}, {from}–{to}',
    reassigned: '{ticket} moved to {name}', cannot_drop: '{ticket} cannot be booked in state “{state}”.',
    depot_drop: '{ticket} is a depot repair: book its shipment instead of a visit.',
    failed: 'Failed: {message}', live: 'Live', paused: 'Paused', updated: 'Updated {time}',
    conflicts: 'Sync conflicts', no_conflicts: 'No conflicts to resolve.', keep_server: 'Keep server', apply_device: 'Apply device',
    resolved: 'Conflict resolved', close: 'Close', details: 'Job', suggestions: 'Suggested technicians',
    no_suggestions: 'No suggestions.', assign_to: 'Assign', customer: 'Customer', address: 'Address', product: 'Product',
    fault: 'Fault', state: 'State', priority: 'Priority', assignee: 'Technician', sla: 'SLA', reported: 'Reported',
    visit: 'Visit', photos: 'Photos from the customer', due: 'due {time}', overdue: 'overdue {time}',
    sla_paused: 'paused', km: '{km} km',
    p_low: 'Low', p_normal: 'Normal', p_high: 'High', p_urgent: 'Urgent',
    s_reported: 'Reported', s_assessing: 'Assessing', s_plan_proposed: 'Plan proposed', s_approved: 'Approved',
    s_scheduled: 'Scheduled', s_in_repair: 'In repair', s_on_hold: 'On hold', s_awaiting_acceptance: 'Awaiting acceptance',
    s_accepted: 'Accepted', s_closed: 'Closed', s_cancelled: 'Cancelled',
  },
  'zh-CN': {
    title: '调度台', language: 'English', login_title: '调度员登录', username: '用户名', password: '密码',
    sign_in: '登录', sign_out: '退出', staff_only: '调度台仅供调度员和管理员使用。',
    bad_login: '用户名或密码错误。', rate_limited: '尝试次数过多，请 {seconds} 秒后再试。',
    queue: '待处理工单', jobs_count: '共 {count} 单', all_open: '全部未完成', any_priority: '全部优先级',
    any_assignee: '全部师傅', unassigned: '未分配', search: '搜索工单号、客户、电话、序列号…',
    timeline: '师傅日程', technicians_count: '{count} 位师傅', date: '日期', today: '今天',
    load: '已约 {booked}/{capacity}', day_off: '休息', loading: '加载中…', empty: '没有符合条件的工单。',
    drop_hint: '把工单拖到师傅的日程上即可派单并预约',
    assigned: '{ticket} 已派给 {name}', scheduled: '{ticket} 已预约 {name}，{from}–{to}',
    reassigned: '{ticket} 已改派给 {name}', cannot_drop: '{ticket} 当前状态“{state}”不能预约。',
    depot_drop: '{ticket} 为返厂维修，请安排物流而不是上门。',
    failed: '操作失败：{message}', live: '实时', paused: '已暂停', updated: '更新于 {time}',
    conflicts: '同步冲突', no_conflicts: '没有待处理的冲突。', keep_server: '保留服务器', apply_device: '采用设备',
    resolved: '冲突已处理', close: '关闭', details: '工单', suggestions: '推荐师傅',
    no_suggestions: '暂无推荐。', assign_to: '派单', customer: '客户', address: '地址', product: '产品',
    fault: '故障', state: '状态', priority: '优先级', assignee: '师傅', sla: '时效', reported: '报修时间',
    visit: '上门时间', photos: '客户上传的照片', due: '{time} 到期', overdue: '已超时 {time}',
    sla_paused: '暂停计时', km: '{km} 公里',
    p_low: '低', p_normal: '普通', p_high: '高', p_urgent: '紧急',
    s_reported: '已报修', s_assessing: '检测中', s_plan_proposed: '方案待确认', s_approved: '方案已确认',
    s_scheduled: '已预约', s_in_repair: '维修中', s_on_hold: '暂停', s_awaiting_acceptance: '待验收',
    s_accepted: '已验收', s_closed: '已关闭', s_cancelled: '已取消',
  },
};

const stored = () => { try { return localStorage.getItem('board.lang'); } catch { return null; } };

function initial_language() {
  const chosen = stored();
  if (chosen && dictionary[chosen]) return chosen;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  return wanted.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

let language = initial_language();

export function set_language(lang) {
  language = lang;
  try { localStorage.setItem('board.lang', lang); } catch { /* private mode: the choice lasts for this page */ }
  document.documentElement.lang = lang;
}

export function current_language() { return language; }

// The string for key with {name} placeholders filled in; the English text when a translation is missing.
export function t(key, params = {}) {
  const text = dictionary[language][key] ?? dictionary.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}
