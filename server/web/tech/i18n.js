// Every string of the technician app in English and Simplified Chinese. State, action, field and error names are
// the dispatcher board's (one translation of the workflow); the language follows the tablet until one is picked.
import { dictionary as board } from '../board/i18n.js';

export const dictionary = {
  en: {
    title: 'Technician', language: '中文', sign_in_title: 'Technician sign-in', username: 'Username', password: 'Password',
    sign_in: 'Sign in', sign_out: 'Sign out', signing_in: 'Signing in and downloading your jobs…',
    sign_out_pending: '{count} changes have not reached the server yet. Signing out now deletes them from this tablet.',
    sign_out_anyway: 'Delete and sign out', cancel: 'Cancel', close: 'Close', save: 'Save', back: 'All visits',
    online: 'Online', offline: 'Offline', pending: '{count} changes waiting', all_sent: 'All changes sent',
    last_sync: 'Last sync {time}', never_synced: 'Not synced yet', sync_now: 'Sync now', syncing: 'Syncing…',
    synced: 'Synced: {pushed} sent, {pulled} received', sync_offline: 'Offline: your changes are kept on this tablet and sent when the network returns.',
    saved: 'Saved on this tablet', saved_sent: 'Saved and sent', today: 'Today', upcoming: 'Upcoming', no_visit: 'Not booked',
    nothing_today: 'No visits today.', nothing: 'Nothing here.', visits: 'My visits', conflicts: 'Changes the server refused',
    conflict_ticket: 'Ticket {ticket}', conflict_row: '{table} {id}', recorded: 'recorded {time}',
    customer: 'Customer', phone: 'Phone', call: 'Call {phone}', address: 'Address', open_map: 'Open {address} in a map',
    product: 'Product', serial: 'serial {serial}', warranty_until: 'warranty until {date}', fault: 'Fault',
    photos: 'Photos', customer_photos: 'Customer’s photos', my_photos: 'Photos taken here', take_photo: 'Take photo',
    photo_added: 'Photo saved', photo_of: 'Photo {name}', photo_waiting: 'not yet uploaded', photo_unavailable: 'Shown when online',
    plan: 'Plan', plan_v: 'Plan v{version}', no_plan: 'No plan yet.', notes: 'Notes', add_note: 'Add note', note_text: 'Note',
    history: 'History', visit: 'Visit', state: 'State', actions: 'Actions', no_actions: 'Nothing to do in this state.',
    item_kind: 'Kind', part: 'Part', labour: 'Labour', from_catalog: 'Part from the catalog', pick_part: 'Choose a part…',
    description: 'Description', quantity: 'Quantity', unit_price: 'Unit price (¥)', line_total: 'Line total', remove: 'Remove',
    remove_item: 'Remove line {n}', add_item: 'Add line', add_labour: 'Add labour', total: 'Total', cost_to_customer: 'Customer pays (¥)',
    mode: 'Where', mode_on_site: 'On site', mode_depot: 'At the depot', any: '—', submit: 'Save',
    v_required: 'Required', v_number: 'Enter a number', v_integer: 'Enter a whole number', v_min: 'At least {min}',
    v_max: 'At most {max}', v_length: 'At most {max} characters', v_positive: 'More than 0', v_items: 'Add at least one line',
    v_cost: 'More than the total ({total})', v_datetime: 'Enter a date and time',
    handover: 'Hand over to the customer', handover_title: 'Acceptance of ticket {ticket}', summary: 'What was done',
    summary_hash: 'Summary fingerprint (SHA-256) {hash}', signer_name: 'Your name', signature: 'Signature',
    sign_here: 'Sign here with your finger or a pen', clear: 'Clear', rating: 'How satisfied are you?', stars: '{n} of 5',
    comment: 'Comment (optional)', accept: 'Accept the repair', signature_missing: 'Please sign first',
    rating_missing: 'Please choose a rating', accepted: 'Thank you: the acceptance is recorded',
    state_now: 'State: {state}', visit_window: 'Visit {from}–{to}', full_screen: 'Photo', minutes: '{n} min',
    h_plan: 'Plan v{version} proposed ({status}): customer pays {cost}', h_note: 'Note', h_visit: '{kind} visit booked {from}',
    h_repair: 'Repair: {work}', ps_proposed: 'proposed', ps_approved: 'approved', ps_declined: 'declined',
    ps_superseded: 'superseded', ps_countered: 'counter-offer', vk_assessment: 'Assessment', vk_repair: 'Repair',
    core_failed: 'The app’s core could not start: {message}', loading: 'Loading…', pending_ops: '{count} waiting',
    a_return_unrepaired: 'return unrepaired', optional: 'optional', e_validation: 'Invalid value', e_unauthenticated: 'Sign in again',
    e_pending_work: 'Changes are still waiting to be sent', e_unavailable: 'Offline: kept on this tablet',
    parts_from_plan: 'Parts from the approved plan are filled in; change what was really used.',
  },
  'zh-CN': {
    title: '师傅', language: 'English', sign_in_title: '师傅登录', username: '用户名', password: '密码',
    sign_in: '登录', sign_out: '退出', signing_in: '正在登录并下载工单…',
    sign_out_pending: '还有 {count} 条修改没有送达服务器。现在退出会把它们从这台平板上删除。',
    sign_out_anyway: '删除并退出', cancel: '取消', close: '关闭', save: '保存', back: '全部上门',
    online: '在线', offline: '离线', pending: '{count} 条修改待发送', all_sent: '修改已全部发送',
    last_sync: '上次同步 {time}', never_synced: '尚未同步', sync_now: '立即同步', syncing: '正在同步…',
    synced: '已同步：发送 {pushed}，接收 {pulled}', sync_offline: '离线：修改保存在这台平板上，联网后自动发送。',
    saved: '已保存在本机', saved_sent: '已保存并发送', today: '今天', upcoming: '以后', no_visit: '未预约',
    nothing_today: '今天没有上门。', nothing: '暂无。', visits: '我的上门', conflicts: '服务器拒绝的修改',
    conflict_ticket: '工单 {ticket}', conflict_row: '{table} {id}', recorded: '记录于 {time}',
    customer: '客户', phone: '电话', call: '拨打 {phone}', address: '地址', open_map: '在地图中打开 {address}',
    product: '产品', serial: '序列号 {serial}', warranty_until: '保修至 {date}', fault: '故障',
    photos: '照片', customer_photos: '客户上传的照片', my_photos: '现场照片', take_photo: '拍照',
    photo_added: '照片已保存', photo_of: '照片 {name}', photo_waiting: '尚未上传', photo_unavailable: '联网后可查看',
    plan: '维修方案', plan_v: '方案 v{version}', no_plan: '尚无方案。', notes: '备注', add_note: '添加备注', note_text: '备注',
    history: '记录', visit: '上门', state: '状态', actions: '操作', no_actions: '当前状态下无需操作。',
    item_kind: '类型', part: '配件', labour: '人工', from_catalog: '从配件目录选择', pick_part: '选择配件…',
    description: '说明', quantity: '数量', unit_price: '单价（元）', line_total: '小计', remove: '删除',
    remove_item: '删除第 {n} 行', add_item: '添加配件', add_labour: '添加人工', total: '合计', cost_to_customer: '客户支付（元）',
    mode: '维修方式', mode_on_site: '上门维修', mode_depot: '返厂维修', any: '—', submit: '保存',
    v_required: '必填', v_number: '请输入数字', v_integer: '请输入整数', v_min: '不能小于 {min}',
    v_max: '不能大于 {max}', v_length: '最多 {max} 个字', v_positive: '必须大于 0', v_items: '至少添加一行',
    v_cost: '超过合计（{total}）', v_datetime: '请输入日期和时间',
    handover: '交给客户签收', handover_title: '工单 {ticket} 验收', summary: '维修内容',
    summary_hash: '摘要指纹（SHA-256）{hash}', signer_name: '签字人姓名', signature: '签名',
    sign_here: '请用手指或笔在此签名', clear: '清除', rating: '您对这次服务满意吗？', stars: '{n} 分（满分 5 分）',
    comment: '意见（可不填）', accept: '确认验收', signature_missing: '请先签名',
    rating_missing: '请选择评分', accepted: '谢谢！验收已记录',
    state_now: '状态：{state}', visit_window: '上门 {from}–{to}', full_screen: '照片', minutes: '{n} 分钟',
    h_plan: '方案 v{version}（{status}）：客户支付 {cost}', h_note: '备注', h_visit: '预约{kind}上门 {from}',
    h_repair: '维修：{work}', ps_proposed: '待确认', ps_approved: '已同意', ps_declined: '已拒绝',
    ps_superseded: '已替换', ps_countered: '客户还价', vk_assessment: '检测', vk_repair: '维修',
    core_failed: '应用核心无法启动：{message}', loading: '正在加载…', pending_ops: '{count} 条待发送',
    a_return_unrepaired: '不修退回', optional: '可不填', e_validation: '填写有误', e_unauthenticated: '请重新登录',
    e_pending_work: '还有修改未发送', e_unavailable: '离线：已保存在本机',
    parts_from_plan: '已按批准的方案填入配件，请按实际使用修改。',
  },
};

const stored = () => { try { return localStorage.getItem('tech.lang'); } catch { return null; } };

function initial_language() {
  const chosen = stored();
  if (chosen && dictionary[chosen]) return chosen;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  return wanted.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

let language = initial_language();
document.documentElement.lang = language;

export function set_language(lang) {
  language = lang;
  try { localStorage.setItem('tech.lang', lang); } catch { /* private mode: the choice lasts for this page */ }
  document.documentElement.lang = lang;
}

export function current_language() { return language; }

// The string for key with {name} placeholders filled in: the app's, else the board's, else the English text.
export function t(key, params = {}) {
  const text = dictionary[language][key] ?? board[language]?.[key] ?? dictionary.en[key] ?? board.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

// A known word for key, or null (field labels, state names: the caller falls back to the raw name).
export function known(key) {
  const text = t(key);
  return text === key ? null : text;
}
