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
    conflicts: 'Sync conflicts', no_conflicts: 'No conflicts to resolve.', resolved: 'Conflict resolved',
    refused: 'Refused', why: 'Why', technician: 'Technician', device: 'Device', when: 'When', resolution: 'Resolution',
    note: 'Note', resolve_note: 'Note for the record (what you did, who you called)…', dismiss: 'Dismiss',
    applied_manually: 'Applied by hand', cs_open: 'Open', cs_dismissed: 'Dismissed', cs_applied_manually: 'Applied by hand', cs_superseded: 'Superseded by a newer edit',
    cs_all: 'All', c_action: 'Step “{action}” {fields}', c_insert: 'New {record}: {fields}', c_update: 'Edit of {record}: {fields}',
    c_delete: 'Deletion of {record}', time_zone: 'Times are shown in this time zone',
    t_jobs: 'job', t_customers: 'customer', t_assets: 'product', t_plans: 'plan', t_job_notes: 'job note', t_attachments: 'photo or file',
    t_parts: 'part', t_fault_categories: 'fault category', t_warranties: 'warranty',
    a_assign: 'assign', a_reassign: 'reassign', a_submit_assessment: 'submit assessment', a_revise_plan: 'revise plan',
    a_approve_plan: 'approve plan', a_decline_plan: 'decline plan', a_schedule: 'book visit', a_reschedule: 'reschedule',
    a_start_repair: 'start repair', a_complete_repair: 'complete repair', a_record_acceptance: 'record acceptance',
    a_reject_acceptance: 'reject acceptance', a_hold: 'put on hold', a_resume: 'resume', a_cancel: 'cancel', a_close: 'close',
    e_invalid_transition: 'Not allowed in the job’s state', e_conflict: 'Conflicts with a newer change', e_forbidden: 'Not allowed for this technician',
    e_not_found: 'Record not found or no longer assigned', e_invalid_field: 'Invalid value', e_missing_field: 'Missing value',
    e_unknown_action: 'Unknown step', e_stale_summary: 'The job changed before signing', e_internal: 'Server error', close: 'Close', details: 'Job', suggestions: 'Suggested technicians',
    no_suggestions: 'No suggestions.', assign_to: 'Assign', customer: 'Customer', address: 'Address', product: 'Product',
    fault: 'Fault', state: 'State', priority: 'Priority', assignee: 'Technician', sla: 'SLA', reported: 'Reported',
    visit: 'Visit', photos: 'Photos from the customer', due: 'due {time}', overdue: 'overdue {time}',
    sla_paused: 'paused', km: '{km} km',
    p_low: 'Low', p_normal: 'Normal', p_high: 'High', p_urgent: 'Urgent',
    s_reported: 'Reported', s_assessing: 'Assessing', s_plan_proposed: 'Plan proposed', s_approved: 'Approved',
    s_scheduled: 'Scheduled', s_in_repair: 'In repair', s_on_hold: 'On hold', s_awaiting_acceptance: 'Awaiting acceptance',
    s_accepted: 'Accepted', s_closed: 'Closed', s_cancelled: 'Cancelled',
    shipment: 'Shipment', ship_in_transit: 'Inbound', ship_received: 'At the depot', ship_returned: 'Shipped back',
    ship_received_at: 'received {time}', ship_returned_by: 'back by {carrier} {tracking}, {time}',
    escalation: 'Escalated', escalated: 'to {name}: {clock} {status}, {time}', all_dispatchers: 'all dispatchers',
    clock_response: 'response', clock_resolution: 'resolution', sla_at_risk: 'at risk', sla_breached: 'breached',
    auto_assign: 'Auto-assign', auto_apply: 'Accept ticked', auto_none: 'Accept none', all: 'All', late: 'Late',
    auto_applied: '{assigned} assigned, {refused} refused', auto_nothing: 'No job can be planned for this day.',
    auto_unassigned: 'Not planned', auto_totals: '{assigned} planned, {unassigned} not; travel {km} km (one greedy pass: {greedy_km} km), late {late} min (greedy: {greedy_late} min)',
    no_group: '(none)', reports: 'Reports', export_csv: 'Export CSV', from: 'From', to: 'to', total: 'Total', hours: '{hours} h',
    'r_sla-compliance': 'SLA compliance', r_mttr: 'Mean time to repair', 'r_first-time-fix': 'First-time fix',
    r_rework: 'Rework', 'r_repeat-repairs': 'Repeat repairs in warranty', r_satisfaction: 'Satisfaction', r_jobs: 'Jobs',
    g_technician: 'By technician', g_category: 'By fault category', g_model: 'By product model', g_month: 'By month',
    col_jobs: 'Jobs', col_resolved: 'Resolved', col_open: 'Open', col_response_measured: 'Responses measured',
    col_response_met: 'Responses in time', col_response_compliance: 'Response compliance',
    col_resolution_measured: 'Resolutions measured', col_resolution_met: 'Resolved in time',
    col_resolution_compliance: 'Resolution compliance', col_mean_repair_minutes: 'Mean minutes to repair',
    col_mean_repair_hours: 'Mean time to repair', col_first_time_fixes: 'First-time fixes', col_first_time_fix_rate: 'First-time-fix rate',
    col_reworked: 'Reworked', col_rework_rate: 'Rework rate', col_repeat_repairs: 'Repeat repairs', col_repeat_rate: 'Repeat rate',
    col_rated: 'Rated', col_mean_rating: 'Mean rating (1–5)',
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
    conflicts: '同步冲突', no_conflicts: '没有待处理的冲突。', resolved: '冲突已处理',
    refused: '被拒绝的操作', why: '原因', technician: '师傅', device: '设备', when: '时间', resolution: '处理结果',
    note: '备注', resolve_note: '处理备注（做了什么、联系了谁）…', dismiss: '忽略',
    applied_manually: '已手工处理', cs_open: '待处理', cs_dismissed: '已忽略', cs_applied_manually: '已手工处理', cs_superseded: '已被较新的修改取代',
    cs_all: '全部', c_action: '操作“{action}” {fields}', c_insert: '新建{record}：{fields}', c_update: '修改{record}：{fields}',
    c_delete: '删除{record}', time_zone: '时间按此时区显示',
    t_jobs: '工单', t_customers: '客户', t_assets: '产品', t_plans: '方案', t_job_notes: '工单备注', t_attachments: '照片或附件',
    t_parts: '配件', t_fault_categories: '故障类别', t_warranties: '保修',
    a_assign: '派单', a_reassign: '改派', a_submit_assessment: '提交检测方案', a_revise_plan: '修改方案',
    a_approve_plan: '确认方案', a_decline_plan: '拒绝方案', a_schedule: '预约上门', a_reschedule: '改约',
    a_start_repair: '开始维修', a_complete_repair: '完成维修', a_record_acceptance: '登记验收',
    a_reject_acceptance: '验收不通过', a_hold: '暂停', a_resume: '恢复', a_cancel: '取消', a_close: '关闭',
    e_invalid_transition: '工单当前状态不允许此操作', e_conflict: '与更新的修改冲突', e_forbidden: '该师傅无权操作',
    e_not_found: '记录不存在或已不再指派给该师傅', e_invalid_field: '数值无效', e_missing_field: '缺少必填项',
    e_unknown_action: '未知操作', e_stale_summary: '签字前工单已变更', e_internal: '服务器错误', close: '关闭', details: '工单', suggestions: '推荐师傅',
    no_suggestions: '暂无推荐。', assign_to: '派单', customer: '客户', address: '地址', product: '产品',
    fault: '故障', state: '状态', priority: '优先级', assignee: '师傅', sla: '时效', reported: '报修时间',
    visit: '上门时间', photos: '客户上传的照片', due: '{time} 到期', overdue: '已超时 {time}',
    sla_paused: '暂停计时', km: '{km} 公里',
    p_low: '低', p_normal: '普通', p_high: '高', p_urgent: '紧急',
    s_reported: '已报修', s_assessing: '检测中', s_plan_proposed: '方案待确认', s_approved: '方案已确认',
    s_scheduled: '已预约', s_in_repair: '维修中', s_on_hold: '暂停', s_awaiting_acceptance: '待验收',
    s_accepted: '已验收', s_closed: '已关闭', s_cancelled: '已取消',
    shipment: '物流', ship_in_transit: '寄修在途', ship_received: '已到维修中心', ship_returned: '已寄回',
    ship_received_at: '{time} 签收', ship_returned_by: '{carrier} {tracking} 寄回，{time}',
    escalation: '超时升级', escalated: '升级给 {name}：{clock}{status}，{time}', all_dispatchers: '全体调度员',
    clock_response: '响应时限', clock_resolution: '解决时限', sla_at_risk: '即将超时', sla_breached: '已超时',
    auto_assign: '自动派单', auto_apply: '采纳所选', auto_none: '全部不采纳', all: '全选', late: '迟到',
    auto_applied: '已派 {assigned} 单，{refused} 单未成功', auto_nothing: '这一天没有可安排的工单。',
    auto_unassigned: '未能安排', auto_totals: '安排 {assigned} 单，未安排 {unassigned} 单；路程 {km} 公里（逐单贪心：{greedy_km} 公里），迟到 {late} 分钟（贪心：{greedy_late} 分钟）',
    no_group: '（未填）', reports: '报表', export_csv: '导出 CSV', from: '从', to: '至', total: '合计', hours: '{hours} 小时',
    'r_sla-compliance': '时效达成率', r_mttr: '平均修复时长', 'r_first-time-fix': '一次修复率',
    r_rework: '返工率', 'r_repeat-repairs': '保修期内返修', r_satisfaction: '满意度', r_jobs: '工单量',
    g_technician: '按师傅', g_category: '按故障类别', g_model: '按产品型号', g_month: '按月份',
    col_jobs: '工单数', col_resolved: '已修复', col_open: '未完成', col_response_measured: '计响应数',
    col_response_met: '按时响应', col_response_compliance: '响应达成率',
    col_resolution_measured: '计解决数', col_resolution_met: '按时解决',
    col_resolution_compliance: '解决达成率', col_mean_repair_minutes: '平均修复分钟',
    col_mean_repair_hours: '平均修复时长', col_first_time_fixes: '一次修复数', col_first_time_fix_rate: '一次修复率',
    col_reworked: '返工数', col_rework_rate: '返工率', col_repeat_repairs: '返修数', col_repeat_rate: '返修率',
    col_rated: '评价数', col_mean_rating: '平均评分（1–5）',
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
