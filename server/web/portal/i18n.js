// Every string of the customer portal, in English and Simplified Chinese; the language follows the browser
// until the customer picks one.
export const dictionary = {
  en: {
    title: 'Repair service', subtitle: 'Report a fault, follow your repair, sign when it is done',
    tab_report: 'Report a fault', tab_track: 'Track my repair', language: '中文',
    product: 'Your product', model: 'Product model', model_hint: 'e.g. Haier EG100 washing machine',
    serial: 'Serial number', serial_hint: 'on the label at the back or bottom', category: 'Kind of product',
    cat_washer: 'Washing machine', cat_ac: 'Air conditioner', cat_fridge: 'Refrigerator', cat_tv: 'Television',
    cat_heater: 'Water heater', cat_other: 'Other',
    fault: 'What is wrong?', description: 'Describe the fault', description_hint: 'What happens, since when, any error code shown',
    photos: 'Photos (up to 4, optional)', photos_hint: 'A photo of the error display or the damage helps the technician',
    contact: 'How we reach you', name: 'Your name', phone: 'Mobile phone', address: 'Address of the visit',
    preferred: 'Preferred visit time (optional)', date: 'Date', slot: 'Time of day', slot_any: 'Any time',
    slot_morning: 'Morning 09:00–12:00', slot_afternoon: 'Afternoon 13:00–17:00', slot_evening: 'Evening 18:00–20:00',
    submit_report: 'Send report', sending: 'Sending…',
    reported_title: 'Thank you — your ticket number is', reported_note: 'Keep this link (or the ticket number and access key): it opens your repair here at any time. Anyone who has it can see the repair, so share it only with people you trust.',
    tracking_link: 'Your tracking link', access_key: 'Access key',
    view_progress: 'Follow my repair',
    track_title: 'Find your repair', ticket_no: 'Ticket number', ticket_hint: 'e.g. FR-20261121-0042', find: 'Find',
    lookup_failed: 'No repair matches this ticket number and access key.',
    not_found: 'This repair cannot be shown. Open your tracking link, or enter the ticket number and access key.',
    rate_limited: 'Too many attempts. Please wait {seconds} seconds and try again.',
    error: 'Something went wrong: {message}', 
    progress: 'Progress', state: 'Status', reported_on: 'Reported', product_label: 'Product', your_report: 'Your report',
    plan: 'Repair plan and price', plan_version: 'Plan version {version}', findings: 'Findings', item: 'Item',
    qty: 'Qty', unit_price: 'Unit price', total: 'Total', you_pay: 'You pay', warranty_covered: 'Covered by warranty',
    approve: 'Approve plan', decline: 'Decline', decline_reason: 'Why do you decline? (optional)',
    approved_msg: 'You approved this plan. We will contact you to book the visit.',
    declined_msg: 'You declined this plan. The repair is cancelled.',
    mode_on_site: 'Repair at your address', mode_depot: 'Repair at our workshop',
    visit: 'Visit', technician: 'Technician', shipment: 'Shipment',
    acceptance: 'Acceptance', acceptance_intro: 'Please read what was done, then sign to accept the repair.',
    summary: 'Job summary', signer: 'Name of the person signing', sign_here: 'Sign in the box',
    clear: 'Clear', rating: 'How satisfied are you?', comment: 'Comment (optional)', sign_accept: 'Sign and accept',
    signature_needed: 'Please sign in the box first.', not_fixed: 'Not fixed yet',
    not_fixed_reason: 'What is still wrong?', accepted_msg: 'Thank you! The repair is accepted and under warranty.',
    warranties: 'Warranty', no_warranties: 'No warranty records for this product yet.', covers: 'Covers',
    valid: 'Valid {from} – {to}', rating_given: 'Your rating', logout: 'Sign out', session_expired: 'Your session ended. Look up your repair again.',
    cancel_report: 'Cancel this report', cancel_reason: 'Why do you cancel?',
    st_reported: 'We received your report', st_assessing: 'A technician is looking into it',
    st_plan_proposed: 'A repair plan waits for your approval', st_approved: 'Plan approved — booking the repair',
    st_scheduled: 'Repair booked', st_in_repair: 'Repair in progress', st_awaiting_acceptance: 'Repaired — please check and sign',
    st_accepted: 'Accepted — thank you', st_closed: 'Completed', st_cancelled: 'Cancelled', st_on_hold: 'Paused — waiting for parts or information',
    ev_report: 'You reported the fault', ev_assign: 'A technician was assigned', ev_reassign: 'Another technician took over',
    ev_submit_assessment: 'The technician proposed a repair plan', ev_approve_plan: 'The plan was approved',
    ev_decline_plan: 'The plan was declined', ev_revise_plan: 'The plan is being revised',
    ev_schedule: 'The repair was booked', ev_reschedule: 'The booking was changed', ev_start_repair: 'The repair started',
    ev_complete_repair: 'The repair was completed', ev_record_acceptance: 'You accepted the repair',
    ev_reject_acceptance: 'You asked for more work', ev_close: 'The service was completed', ev_hold: 'The repair was paused',
    ev_resume: 'The repair resumed', ev_cancel: 'The repair was cancelled',
    // Field checks, plain-word errors and texts that follow the repair's state.
    offline: 'We cannot reach the service right now. Check your internet connection and try again.', retry: 'Try again',
    v_required: 'Please fill this in.', bad_phone: 'Please enter a phone number with at least 5 digits.',
    v_past_date: 'Please pick today or a later day.', v_past_slot: 'That time of day is already over; please pick a later one.',
    date_hint: 'Leave empty if any day suits you', required_note: 'Fields marked * are required.',
    approved_booked_msg: 'You approved this plan. The visit is booked — see below.', approved_done_msg: 'You approved this plan.',
    stars: '{n} of 5 stars', rating_needed: 'Please choose how many stars you give.', signed_text: 'The exact text you sign',
    err_internal: 'Something went wrong on our side. Please try again later.', 
  },
  'zh-CN': {
    title: '报修服务', subtitle: '在线报修 · 查询进度 · 验收签字',
    tab_report: '我要报修', tab_track: '查询进度', language: 'English',
    product: '您的产品', model: '产品型号', model_hint: '例如：海尔 EG100 洗衣机',
    serial: '序列号', serial_hint: '见机身背面或底部的铭牌', category: '产品类别',
    cat_washer: '洗衣机', cat_ac: '空调', cat_fridge: '冰箱', cat_tv: '电视', cat_heater: '热水器', cat_other: '其他',
    fault: '出了什么问题？', description: '故障描述', description_hint: '现象、出现时间、显示的故障代码',
    photos: '照片（最多 4 张，可选）', photos_hint: '拍下故障代码或损坏部位，方便师傅准备',
    contact: '联系方式', name: '您的姓名', phone: '手机号码', address: '上门地址',
    preferred: '期望上门时间（可选）', date: '日期', slot: '时段', slot_any: '任意时段',
    slot_morning: '上午 09:00–12:00', slot_afternoon: '下午 13:00–17:00', slot_evening: '晚上 18:00–20:00',
    submit_report: '提交报修', sending: '正在提交…',
    reported_title: '报修成功，您的工单号是', reported_note: '请保存此查询链接（或工单号和查询码），凭它可随时在此查看维修进度。持有链接的人都能查看此工单，请勿随意转发。',
    tracking_link: '您的查询链接', access_key: '查询码',
    view_progress: '查看维修进度',
    track_title: '查询维修进度', ticket_no: '工单号', ticket_hint: '例如：FR-20261121-0042', find: '查询',
    lookup_failed: '没有与该工单号和查询码匹配的维修单。',
    not_found: '无法显示该维修单。请打开您的查询链接，或输入工单号和查询码。',
    rate_limited: '尝试次数过多，请 {seconds} 秒后再试。',
    error: '出错了：{message}', 
    progress: '维修进度', state: '当前状态', reported_on: '报修时间', product_label: '产品', your_report: '您的描述',
    plan: '维修方案与费用', plan_version: '方案第 {version} 版', findings: '检测结果', item: '项目',
    qty: '数量', unit_price: '单价', total: '合计', you_pay: '您需支付', warranty_covered: '保修范围内',
    approve: '同意方案', decline: '不同意', decline_reason: '不同意的原因（可选）',
    approved_msg: '您已同意该方案，我们将尽快与您预约上门时间。',
    declined_msg: '您已拒绝该方案，本次维修已取消。',
    mode_on_site: '上门维修', mode_depot: '返厂维修',
    visit: '上门时间', technician: '维修师傅', shipment: '物流',
    acceptance: '验收', acceptance_intro: '请阅读维修内容，确认无误后签字验收。',
    summary: '工单摘要', signer: '签字人姓名', sign_here: '请在框内签名',
    clear: '清除', rating: '您对本次服务满意吗？', comment: '评价（可选）', sign_accept: '签字确认验收',
    signature_needed: '请先在框内签名。', not_fixed: '还没修好',
    not_fixed_reason: '还有什么问题？', accepted_msg: '感谢您的验收！本次维修已进入保修期。',
    warranties: '保修记录', no_warranties: '该产品暂无保修记录。', covers: '保修内容',
    valid: '有效期 {from} 至 {to}', rating_given: '您的评分', logout: '退出', session_expired: '查询已过期，请重新查询。',
    cancel_report: '取消报修', cancel_reason: '取消原因',
    st_reported: '已收到您的报修', st_assessing: '师傅正在检测', st_plan_proposed: '维修方案待您确认',
    st_approved: '方案已确认，正在安排维修', st_scheduled: '已预约维修', st_in_repair: '正在维修',
    st_awaiting_acceptance: '维修完成，请验收签字', st_accepted: '已验收，感谢您的信任', st_closed: '服务已完成',
    st_cancelled: '已取消', st_on_hold: '暂停中（等待配件或信息）',
    ev_report: '您提交了报修', ev_assign: '已分配维修师傅', ev_reassign: '已更换维修师傅',
    ev_submit_assessment: '师傅提交了维修方案', ev_approve_plan: '维修方案已确认', ev_decline_plan: '维修方案被拒绝',
    ev_revise_plan: '维修方案正在修改', ev_schedule: '已预约维修时间', ev_reschedule: '预约时间已调整',
    ev_start_repair: '开始维修', ev_complete_repair: '维修完成', ev_record_acceptance: '您已验收签字',
    ev_reject_acceptance: '您要求返工', ev_close: '服务已完成', ev_hold: '维修暂停', ev_resume: '维修恢复',
    ev_cancel: '维修已取消',
    // 字段校验、通俗的错误说明、随维修进度变化的文字。
    offline: '暂时连不上服务，请检查网络后重试。', retry: '重试',
    v_required: '请填写此项。', bad_phone: '请填写至少 5 位数字的电话号码。',
    v_past_date: '请选择今天或以后的日期。', v_past_slot: '该时段今天已经过去，请选择更晚的时段。',
    date_hint: '哪天都可以就留空', required_note: '带 * 的为必填项。',
    approved_booked_msg: '您已同意该方案，上门时间已约好，见下方。', approved_done_msg: '您已同意该方案。',
    stars: '{n} 星（满分 5 星）', rating_needed: '请选择您给的星级。', signed_text: '您签署的原文',
    err_internal: '我们这边出了点问题，请稍后再试。', 
  },
};

const stored = () => { try { return localStorage.getItem('portal.lang'); } catch { return null; } };

export function initial_language() {
  const chosen = stored();
  if (chosen && dictionary[chosen]) return chosen;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  return wanted.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

let language = initial_language();

export function set_language(lang) {
  language = lang;
  try { localStorage.setItem('portal.lang', lang); } catch { /* private mode: the choice lasts for this page */ }
  document.documentElement.lang = lang;
}

export function current_language() { return language; }

// The string for key with {name} placeholders filled in; the English text when a translation is missing.
export function t(key, params = {}) {
  const text = dictionary[language][key] ?? dictionary.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}
