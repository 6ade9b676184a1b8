// The message catalog in English and Simplified Chinese, its {name} substitution, labels for field, role, action
// and state names, and the choice of a language from Accept-Language.
#include "fieldsync/message.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <span>

#include "fieldsync/time.hpp"
#include "fieldsync/zone.hpp"

namespace fieldsync {
namespace {

struct Entry {
    std::string_view id, en, zh;
};

// clang-format off
constexpr Entry kCatalog[] = {
    // The fallback of an error that names no message: what the code means, in the reader's language.
    {"error.malformed_json", "the body is not valid JSON", "请求内容不是有效的 JSON"},
    {"error.missing_field", "a required field is missing", "缺少必填项"},
    {"error.missing_field.field", "{field} is required", "请填写{field}"},
    {"error.invalid_field", "a value in the request is not valid", "请求中有无效的值"},
    {"error.invalid_field.field", "{field} is not valid", "{field}无效"},
    {"error.payload_too_large", "the request is too large", "请求内容过大"},
    {"error.unauthenticated", "sign in first", "请先登录"},
    {"error.bad_credentials", "the username or password is wrong", "用户名或密码不正确"},
    {"error.rate_limited", "too many attempts; try again later", "尝试次数过多，请稍后再试"},
    {"error.forbidden", "your role may not do this", "您的角色无权执行此操作"},
    {"error.not_found", "it does not exist or is not visible to you", "不存在或您无权查看"},
    {"error.unknown_action", "there is no such action", "没有这个操作"},
    {"error.invalid_transition", "the job's state does not allow this", "工单当前状态不允许此操作"},
    {"error.conflict", "it was changed meanwhile or is taken already; reload and retry", "内容已被修改或已被占用，请刷新后重试"},
    {"error.conflict.field", "{field} conflicts with what is stored; reload and retry", "{field}与现有记录冲突，请刷新后重试"},
    {"error.stale_summary", "the summary changed since it was shown; sign the new one", "摘要已更新，请重新确认签名"},
    {"error.method_not_allowed", "this method is not allowed here", "此处不允许该请求方法"},
    {"error.unsupported_media", "send the body as JSON", "请以 JSON 格式发送"},
    {"error.unavailable", "the service is busy; try again shortly", "服务繁忙，请稍后再试"},
    {"error.internal", "the server failed to answer; the error is logged", "服务器出错，已记录错误"},

    // Validation of fields (the workflow's and every form's).
    {"field.required", "{field} is required to {action}", "请填写{field}"},
    {"field.not_a_field", "{field} is not a field of {action}", "{field}不是此操作可填写的项"},
    {"field.type.string", "{field} must be a string", "{field}必须是文字"},
    {"field.type.integer", "{field} must be an integer", "{field}必须是整数"},
    {"field.type.number", "{field} must be a number", "{field}必须是数字"},
    {"field.type.boolean", "{field} must be true or false", "{field}必须是“是”或“否”"},
    {"field.type.object", "{field} must be an object", "{field}格式不正确，应为对象"},
    {"field.type.array", "{field} must be an array", "{field}格式不正确，应为列表"},
    {"field.type.date_time", "{field} must be an ISO 8601 date-time with a time zone", "{field}必须是带时区的日期时间"},
    {"field.type.date", "{field} must be a date YYYY-MM-DD", "{field}必须是日期（年-月-日）"},
    {"field.empty", "{field} must not be empty", "{field}不能为空"},
    {"field.max_length", "{field} must be at most {max} characters", "{field}最多 {max} 个字"},
    {"field.not_allowed", "{field} is not one of the allowed values", "{field}不是可选的值"},
    {"field.min", "{field} must be at least {min}", "{field}不能小于 {min}"},
    {"field.max", "{field} must be at most {max}", "{field}不能大于 {max}"},
    {"field.out_of_range", "{field} is out of range", "{field}超出范围"},
    {"field.phone", "{field} must hold a phone number of at least 5 digits", "{field}应为至少 5 位数字的电话号码"},
    {"field.email", "{field} must be one mailbox such as name@example.com", "{field}应为一个邮箱地址，例如 name@example.com"},
    {"field.window_both", "give both {field} and {other}, or neither", "{field}和{other}要么都填，要么都不填"},
    {"field.window_order", "{field} must be after {other}", "{field}必须晚于{other}"},
    {"field.window_past", "the preferred visit time is in the past", "期望上门时间已经过去"},

    // The workflow's refusals.
    {"action.unknown", "there is no action '{action}'", "没有“{action}”这个操作"},
    {"action.forbidden", "a {role} may not {action} a job", "{role}不能对工单执行“{action}”"},
    {"action.invalid_transition", "cannot {action} a job that is {state}", "工单处于“{state}”状态，不能“{action}”"},
    {"action.invalid_transition.held", "cannot {action} a job that is on_hold (held from {previous})",
     "工单已挂起（挂起前为“{previous}”），不能“{action}”"},
    {"requirement.followup_settled",
     "cannot {action} this job yet: its follow-up call (回访) must be done or waived with a reason first",
     "工单的回访尚未完成，也未注明理由免除，暂不能“{action}”"},

    // Conflicts.
    {"conflict.job_changed", "the job was changed by someone else meanwhile; reload and retry",
     "工单刚被他人修改，请刷新后重试"},
    {"conflict.visit_clash", "the technician is already booked from {start} to {end} for job {ticket} ({job_id})",
     "该技术员在 {start} 至 {end} 已安排了工单 {ticket}"},
    {"conflict.plan_version", "plan version {given} is not the current plan (version {current})",
     "方案版本 {given} 不是当前方案（当前为第 {current} 版）"},
    {"conflict.username_taken", "username {username} is taken", "用户名 {username} 已被使用"},
    {"conflict.serial_taken", "serial number {serial} is registered already", "序列号 {serial} 已登记"},
    {"conflict.preview_stale", "the job changed since the preview (version {then}, now {now}); preview again",
     "预览后工单已变更（版本 {then}，现为 {now}），请重新预览"},
    {"conflict.already_applied", "this proposal already assigned the job", "此方案已为该工单派工"},
    {"conflict.last_admin", "the last active admin cannot lose the admin role", "不能取消最后一位在职管理员的管理员角色"},

    // Why a technician ranks where they do (suggestions).
    {"reason.no_skill", "No skill in {category}", "不具备“{category}”技能"},
    {"reason.skill_too_low", "Skill level {level} in {category}, below the required {required}",
     "“{category}”技能等级 {level}，低于要求的 {required}"},
    {"reason.skill_match", "Skill level {level} of 5 in {category}", "“{category}”技能等级 {level}/5"},
    {"reason.model_certified", "Certified for {model}", "具备 {model} 认证"},
    {"reason.model_not_certified", "Not certified for {model}", "没有 {model} 认证"},
    {"reason.same_region", "Works in {region}", "负责{region}区域"},
    {"reason.other_region", "Works in {own_region}, the job is in {region}", "负责{own_region}区域，工单在{region}"},
    {"reason.day_off", "Day off on {date}", "{date} 休息"},
    {"reason.not_working_today", "No working hours left on {date}", "{date} 已无工作时间"},
    {"reason.no_capacity", "Fully booked: {booked} of {capacity} visits on {date}",
     "已约满：{date} 已安排 {booked}/{capacity} 次上门"},
    {"reason.load", "{booked} of {capacity} visits booked today", "当天已安排 {booked}/{capacity} 次上门"},
    {"reason.travel_route", "{km} km from the previous stop, about {minutes} min", "距上一站 {km} 公里，约 {minutes} 分钟"},
    {"reason.travel_here", "{km} km from where the technician is, about {minutes} min",
     "距技术员所在地 {km} 公里，约 {minutes} 分钟"},
    {"reason.earliest_slot", "Free {from}-{to} today", "当天 {from}-{to} 有空"},
    {"reason.sla_on_time", "Done {duration} before the SLA deadline", "可在服务时限前 {duration} 完成"},
    {"reason.sla_late", "Done {duration} after the SLA deadline", "将超出服务时限 {duration}"},
    {"reason.no_slot", "No free time left today for a {duration} job", "当天没有足够的空闲时间完成 {duration} 的工作"},
    {"reason.no_location", "The customer has no location: travel is not counted", "客户没有位置信息：未计算路程"},
    {"reason.in_window", "Inside the customer's preferred window {from}-{to}", "在客户期望的 {from}-{to} 之内"},
    {"reason.outside_window", "Outside the customer's preferred window {from}-{to}", "不在客户期望的 {from}-{to} 之内"},

    // Why auto-assign left a job unplanned, or planned it as it did.
    {"assign.no_location", "The customer has no location", "客户没有位置信息"},
    {"assign.no_skilled_technician", "No qualified technician for {category}", "没有具备“{category}”技能的技术员"},
    {"assign.no_technician_available", "Every qualified technician is off or not working today",
     "具备技能的技术员今天都休息或不在工作时间"},
    {"assign.no_capacity", "Every qualified technician working today is fully booked", "今天上班的合格技术员都已约满"},
    {"assign.no_feasible_slot",
     "Qualified technicians' remaining capacity and working time went to other jobs, or the job does not fit in what is "
     "left of their day",
     "合格技术员剩余的名额和时间已分给其他工单，或当天剩余时间不够完成此工单"},
    {"assign.in_window", "Booked inside the customer's preferred window {from}-{to}", "已安排在客户期望的 {from}-{to} 之内"},
    {"assign.outside_window", "The customer's preferred window {from}-{to} could not be kept: booked {start}",
     "无法安排在客户期望的 {from}-{to} 之内，已安排在 {start}"},

    // Why a device's change was refused or lost (sync conflicts).
    {"sync.not_synced", "{table} is not a synced table", "{table} 不是同步的数据表"},
    {"sync.read_only", "{table} is read-only on devices", "{table} 在设备上只读"},
    {"sync.insert_only", "{table} is append-only: devices may only insert", "{table} 只能新增，设备不能修改"},
    {"sync.kind_forbidden", "devices may not {kind} {table}", "设备不能对 {table} 执行 {kind}"},
    {"sync.not_a_field", "{field} is not a field of {table}", "{field}不是 {table} 的字段"},
    {"sync.append_only", "{field} of {table} is append-only and cannot be changed", "{table} 的{field}写入后不能修改"},
    {"sync.server_field", "{field} of {table} is set by the server", "{table} 的{field}由服务器设置"},
    {"sync.server_field.jobs", "{field} of jobs is set by the server; devices change it through workflow actions",
     "工单的{field}由服务器设置，设备需通过工作流操作修改"},
    {"sync.superseded", "a newer edit of {fields} was kept; the device's value was not",
     "保留了对 {fields} 的较新修改，设备上的值未采用"},
    {"sync.op_reused", "op id {op_id} was used by another device", "操作编号 {op_id} 已被其他设备使用"},

    // Requests as HTTP sees them, and signing in.
    {"http.method_not_allowed", "{method} is not allowed on {path}", "{path} 不支持 {method} 请求"},
    {"http.no_endpoint", "no such endpoint: {method} {path}", "没有这个接口：{method} {path}"},
    {"http.bad_uri", "the request target is not a valid URI", "请求地址不是有效的 URI"},
    {"http.body_too_large", "the body is larger than the limit of {max} bytes", "请求内容超过了 {max} 字节的上限"},
    {"http.media_type", "send the body as {media_type}", "请以 {media_type} 格式发送请求内容"},
    {"http.version_09", "HTTP/0.9 requests are not served; send HTTP/1.1", "不支持 HTTP/0.9 请求，请使用 HTTP/1.1"},
    {"http.version", "only HTTP/1.1 and HTTP/1.0 are served", "只支持 HTTP/1.1 和 HTTP/1.0"},
    {"http.line_too_long", "the request line is longer than {max} bytes", "请求行超过了 {max} 字节"},
    {"http.head_too_large", "the request head is larger than {max} bytes", "请求头超过了 {max} 字节"},
    {"http.too_many_headers", "more than {max} header fields", "请求头字段超过了 {max} 个"},
    {"metrics.loopback", "/metrics answers only on the loopback address (metrics.access)",
     "/metrics 只在本机回环地址上提供（metrics.access）"},
    {"metrics.token", "send Authorization: Bearer <metrics.token> for /metrics",
     "访问 /metrics 需要 Authorization: Bearer <metrics.token>"},
    {"auth.no_token", "log in first: send Authorization: Bearer <token>", "请先登录（请求需带 Authorization: Bearer 令牌）"},
    {"auth.token_invalid", "the token is unknown, expired or revoked; log in again", "登录已失效（令牌未知、已过期或已撤销），请重新登录"},
    {"auth.portal_route", "a portal session may not use {method} {route}", "门户会话不能使用 {method} {route}"},
    {"auth.role_route", "a {role} may not use {method} {route}", "{role}无权使用 {method} {route}"},
    {"auth.too_many_failures", "too many failed logins; try again in {seconds} seconds", "登录失败次数过多，请在 {seconds} 秒后再试"},
    {"auth.wrong_password", "wrong username or password", "用户名或密码不正确"},

    // Records that are not there (or not visible to the reader), and what a job's fields must hold.
    {"job.not_found", "no job {id}", "工单 {id} 不存在或您无权查看"},
    {"customer.not_found", "no customer {id}", "客户 {id} 不存在或您无权查看"},
    {"asset.not_found", "no asset {id}", "产品 {id} 不存在或您无权查看"},
    {"asset.not_of_customer", "no asset {id} of this customer", "该客户名下没有产品 {id}"},
    {"warranty.not_found", "no warranty {id}", "保修记录 {id} 不存在或您无权查看"},
    {"user.no_technician", "no active technician {id}", "没有在职的技术员 {id}"},
    {"job.report_for_self", "a customer may report faults only for themselves", "客户只能为自己报修"},
    {"job.report_for_served", "a technician reports faults only for customers they serve", "技术员只能为自己服务的客户报修"},
    {"job.no_state", "no state {value}", "没有“{value}”这个状态"},
    {"job.triage_empty", "triage sets priority, product_type or fault_category", "分诊需设置优先级、产品类型或故障类别"},
    {"job.withdraw_fee", "withdrawing now costs the inspection fee of {fee}; confirm it with accepted_fee",
     "现在撤回需支付检测费 {fee} 元，请确认该费用"},
    {"job.inbound_depot_only", "an inbound shipment belongs to a depot repair only", "只有送修的工单才有寄入物流"},
    {"plan.cost_over_total", "plan.cost_to_customer ({cost}) is more than the plan's total ({total})",
     "客户需付费用（{cost}）超过了方案总价（{total}）"},
    {"plan.customer_caused", "damage the customer caused is not covered by warranty", "客户造成的损坏不在保修范围内"},
    {"plan.counter_too_high", "proposed_cost must be below the plan's cost to the customer ({cost})",
     "期望费用必须低于方案中客户需付的费用（{cost}）"},
    {"catalog.no_product_type", "no active product type {value} in the catalog", "目录中没有启用的产品类型“{value}”"},
    {"catalog.no_fault_category", "no active fault category {value} in the catalog", "目录中没有启用的故障类别“{value}”"},
    {"field.location", "{field} must hold just lat (−90…90) and lng (−180…180)", "{field}应为经纬度（纬度 −90…90，经度 −180…180）"},
    {"field.png", "{field} must be a base64-encoded PNG image", "{field}应为 base64 编码的 PNG 图片"},

    // Users.
    {"password.too_short", "password must be at least {min} characters", "密码至少需要 {min} 个字符"},
    {"password.guessable",
     "password is too easy to guess (a common password, repeated characters, or the user's own name); choose a longer, "
     "less predictable one",
     "密码太容易被猜到（常见密码、重复字符或包含用户名/姓名），请换一个更长、更不规则的密码"},
    {"user.role_unchanged", "the user has this role already", "该用户已是此角色"},
    {"user.customer_role", "a customer's account keeps the customer role", "客户账号不能更改角色"},

    // After-sales cases (exchange, return, refund) and purchase facts.
    {"case.no_purchase_date",
     "no purchase or receipt date is recorded for this product; add the purchase date and proof first",
     "该产品没有登记购买日期或签收日期，请先补充购买日期和购买凭证"},
    {"case.exchange_amount", "an exchange refunds nothing: leave amount out", "换货不退款，请不要填写金额"},
    {"case.amount_required", "a return or refund names the amount to refund", "退货退款或仅退款需填写退款金额"},
    {"case.override_role", "only a dispatcher, supervisor or admin may open a case outside its window",
     "超出售后期限时，只有调度员、主管或管理员可以发起售后申请"},
    {"case.open_already", "this job has an open after-sales case already", "该工单已有进行中的售后申请"},
    {"case.window_ended.exchange", "the exchange window of {days} days from {from} ended on {until}",
     "换货期限（自 {from} 起 {days} 天）已于 {until} 结束"},
    {"case.window_ended.return", "the return window of {days} days from {from} ended on {until}",
     "退货期限（自 {from} 起 {days} 天）已于 {until} 结束"},
    {"case.nothing_paid", "nothing was paid for this job or purchase, so nothing is refunded",
     "该工单和购买均无付款记录，没有可退的款项"},
    {"case.amount_over_paid", "amount is more than the {paid} paid", "退款金额超过了已付的 {paid} 元"},
    {"case.not_found", "no after-sales case {id}", "售后申请 {id} 不存在或您无权查看"},
    {"case.changed", "the case was changed by someone else meanwhile; reload and retry",
     "售后申请刚被他人修改，请刷新后重试"},
    {"case.no_goods", "a refund-only case has no goods to {action}", "仅退款的售后申请没有需要寄回或签收的商品"},
    {"case.exchange_refund", "an exchange is not refunded", "换货不退款"},
    {"case.goods_first", "the returned goods must be received before the refund", "须先签收退回的商品才能退款"},
    {"case.amount_over_asked", "amount is more than the {asked} the case asks to refund",
     "退款金额超过了售后申请的 {asked} 元"},
    {"case.refunded_already", "this case was refunded already", "该售后申请已退款"},
    {"case.exchange_only", "only an exchange ships a replacement", "只有换货才寄出新品"},
    {"field.future", "{field} must not be in the future", "{field}不能晚于今天"},
    {"field.before", "{field} must not be before {other}", "{field}不能早于{other}"},
    {"field.base64", "{field} is not valid base64", "{field}不是有效的 base64 编码"},
    {"file.too_large", "{field} is larger than {limit}", "{field}超过了 {limit}"},
    {"file.image_or_pdf", "{field} must be a PNG or JPEG image or a PDF", "{field}只能是 PNG、JPEG 图片或 PDF 文件"},

    // Customer care: complaints, appeals, follow-up calls and their evidence.
    {"care.evidence_list", "evidence is a list of at most {max} attachment ids", "证据最多可关联 {max} 个附件"},
    {"care.evidence_ids", "evidence holds attachment ids", "证据应为附件编号的列表"},
    {"care.evidence_of_job", "no attachment {id} of this job", "该工单没有附件 {id}"},
    {"care.evidence_files", "evidence_files is a list of at most {max} files", "证据文件最多 {max} 个"},
    {"care.evidence_base64", "each evidence file needs content_base64 in base64",
     "每个证据文件都需要 base64 编码的内容（content_base64）"},
    {"care.evidence_large", "an evidence file is larger than {limit}", "证据文件超过了 {limit}"},
    {"care.evidence_type", "evidence files must be JPEG or PNG images or PDF documents",
     "证据文件只能是 JPEG、PNG 图片或 PDF 文件"},
    {"care.evidence_not_found", "no evidence {id}", "证据 {id} 不存在或您无权查看"},
    {"care.overdue_true", "overdue must be true when given", "只能用 overdue=true 筛选已超时的记录"},
    {"complaint.not_found", "no complaint {id}", "投诉 {id} 不存在或您无权查看"},
    {"complaint.unknown_action", "no complaint action {complaint_action}", "投诉没有“{complaint_action}”这个操作"},
    {"complaint.forbidden", "a {role} may not {complaint_action} this complaint",
     "{role}不能对此投诉执行“{complaint_action}”"},
    {"complaint.invalid_transition", "a complaint that is {complaint_state} cannot be given {complaint_action}",
     "投诉处于“{complaint_state}”状态，不能“{complaint_action}”"},
    {"complaint.deadline_required", "give contact_due_at or resolve_due_at", "请填写联系期限或解决期限"},
    {"complaint.for_self", "a customer complains only for themselves", "客户只能为自己投诉"},
    {"complaint.portal_job", "a portal session complains about its own job", "门户会话只能投诉本工单"},
    {"complaint.job_of_other", "job {id} is not this customer's", "工单 {id} 不属于该客户"},
    {"complaint.customer_required", "name the customer", "请指定客户"},
    {"complaint.rerepair_other", "the re-repair job is another customer's", "返修工单属于其他客户"},
    {"appeal.not_found", "no appeal {id}", "申诉 {id} 不存在或您无权查看"},
    {"appeal.no_assessment", "this job has no assessment to appeal yet", "该工单还没有检测结论，无法申诉"},
    {"appeal.not_refused", "the assessment did not refuse warranty cover", "检测结论并未拒绝保修"},
    {"appeal.not_customer_caused", "the assessment did not find the fault customer-caused",
     "检测结论并未认定为人为损坏"},
    {"appeal.no_call_due", "an appeal that is {appeal_state} is not waiting for a call",
     "申诉处于“{appeal_state}”状态，无需回电"},
    {"appeal.no_escalation", "an appeal that is {appeal_state} cannot be escalated",
     "申诉处于“{appeal_state}”状态，不能转主管"},
    {"appeal.decided", "this appeal is decided already ({appeal_state})", "该申诉已裁定（{appeal_state}）"},
    {"appeal.unknown_action", "no appeal action {appeal_action}", "申诉没有“{appeal_action}”这个操作"},
    {"appeal.open_already", "an appeal against this decision is open already", "针对该决定的申诉正在处理中"},
    {"followup.not_found", "no follow-up {id}", "回访 {id} 不存在或您无权查看"},
    {"followup.settled", "this follow-up is {followup_state} already", "该回访已处理（{followup_state}）"},
    {"field.blank", "{field} must not be blank", "{field}不能为空"},
    {"field.max_bytes", "{field} is longer than {max} bytes", "{field}超过了 {max} 字节"},
    {"field.one_of", "{field} must be one of: {values}", "{field}只能是以下值之一：{values}"},
    {"field.type.date_or_time", "{field} must be a date or a date-time", "{field}必须是日期或日期时间"},

    // Jobs, searching, listing and dispatch.
    {"plan.warranty_none",
     "the product is not under warranty (no warranty date or purchase date recorded) and has no open repair warranty",
     "该产品没有登记保修截止日期或购买日期，也没有有效的维修保修，不能按保修处理"},
    {"plan.warranty_ended",
     "the product is not under warranty (product warranty until {until}) and has no open repair warranty",
     "该产品的保修已于 {until} 到期，也没有有效的维修保修，不能按保修处理"},
    {"plan.warranty_ended.purchase",
     "the product is not under warranty (purchased on {purchased}, {days} days of product warranty: until {until}) and has no open repair warranty",
     "该产品购于 {purchased}，{days} 天的产品保修已于 {until} 到期，也没有有效的维修保修，不能按保修处理"},
    {"search.no_product_type", "no product type {value} in the catalog", "目录中没有产品类型“{value}”"},
    {"search.no_fault_category", "no fault category {value} in the catalog", "目录中没有故障类别“{value}”"},
    {"search.no_terms", "search with q, product_type or fault_category", "请输入搜索词，或选择产品类型或故障类别"},
    {"query.unknown_parameter", "unknown query parameter {name}", "不支持查询参数 {name}"},
    {"field.whole_number", "{field} must be a whole number from {min} to {max}",
     "{field}必须是 {min} 到 {max} 之间的整数"},
    {"field.past", "{field} is in the past", "{field}已经过去"},
    {"field.strings", "{field} must hold non-empty strings", "{field}的每一项都必须是非空文字"},
    {"field.item_not_date", "{field}: '{value}' is not a date YYYY-MM-DD", "{field}中的“{value}”不是日期（年-月-日）"},
    {"hours.invalid", "{field}: {detail}", "{field}无效：每天的时段须非空、按先后排列且不跨天，每周须有工作时间"},
    {"technician.not_found", "no technician {id}", "技术员 {id} 不存在或您无权查看"},
    {"technician.job_not_assigned", "job_id must name a job assigned to the technician", "所选工单未派给该技术员"},
    {"dispatch.job_count", "job_ids must list 1 to {max} jobs", "请选择 1 到 {max} 个工单"},
    {"dispatch.job_ids", "job_ids must hold job ids", "工单列表只能包含工单编号"},
    {"dispatch.not_unassigned", "job {id} is not an unassigned job in state {state}",
     "工单 {id} 不是“{state}”状态的未派工工单"},
    {"dispatch.too_many", "more than {max} unassigned jobs; list job_ids",
     "未派工的工单超过 {max} 个，请指定要安排的工单"},
    {"dispatch.no_proposal", "no auto-assign proposal {id}", "自动派工方案 {id} 不存在"},
    {"dispatch.not_in_proposal", "job_ids must name jobs the proposal assigns", "所选工单不在此自动派工方案中"},

    // Attachments, notes and deadlines.
    {"attachment.name", "the name must be the SHA-256 of the bytes: 64 lower-case hex digits",
     "附件名称必须是内容的 SHA-256 值（64 位小写十六进制数字）"},
    {"attachment.not_described", "no attachment {id} (its metadata op may not be applied yet)",
     "附件 {id} 不存在（其登记信息可能尚未同步）"},
    {"attachment.offset", "offset must be the number of bytes received so far", "偏移量必须等于已接收的字节数"},
    {"attachment.empty_chunk", "the chunk is empty", "上传的分块是空的"},
    {"attachment.past_size", "the chunk goes past the attachment's size_bytes ({size})",
     "分块超出了附件的大小（{size} 字节）"},
    {"attachment.type", "the bytes are not an allowed type (JPEG, PNG, WebP, HEIC or PDF, told by their first bytes)",
     "附件只能是 JPEG、PNG、WebP、HEIC 图片或 PDF"},
    {"attachment.not_found", "no attachment {id} you may read", "附件 {id} 不存在或您无权查看"},
    {"attachment.resume_at", "the upload is at byte {offset}; send the chunk from there",
     "已上传到第 {offset} 字节，请从这里继续上传"},
    {"attachment.chunk_taken",
     "another instance took the chunk at byte {offset}; ask for the upload's status and continue from there",
     "第 {offset} 字节起的分块已由另一台服务器接收，请查询上传进度后继续"},
    {"attachment.hash_mismatch", "the bytes do not hash to {id}; upload them again from 0",
     "文件内容与 {id} 不符，请从头重新上传"},
    {"attachment.incomplete", "the bytes of {id} have not all arrived yet", "附件 {id} 尚未上传完整"},
    {"attachment.store_unwritable", "the attachment store cannot be written; retry later",
     "附件存储暂时无法写入，请稍后再试"},
    {"note.job_in_path", "the job is named by the path", "工单已由地址指定，请不要再填写"},
    {"field.before_now", "{field} must not be before now", "{field}不能早于当前时间"},

    // Users, the parts catalog and webhooks.
    {"user.not_found", "no user {id}", "用户 {id} 不存在"},
    {"user.skill_level", "skills.{category} must be a level from 1 to 5", "“{category}”的技能等级必须是 1 到 5"},
    {"user.username_chars", "username may hold only letters, digits, '.', '_' and '-'",
     "用户名只能包含字母、数字和 . _ -"},
    {"user.customer_id_role", "customer_id is required for, and only for, role customer",
     "只有客户角色需要（且必须）关联客户"},
    {"user.deactivate_self", "you cannot deactivate yourself", "不能停用自己的账号"},
    {"field.time_zone", "{field} must be an IANA time zone name such as Asia/Shanghai",
     "{field}必须是 IANA 时区名称，例如 Asia/Shanghai"},
    {"field.cannot_clear", "{field} cannot be cleared", "{field}不能清空"},
    {"catalog.sku_taken", "sku {sku} is taken already", "零件编号 {sku} 已被使用"},
    {"catalog.code_taken", "code {code} is taken already", "编码 {code} 已被使用"},
    {"catalog.no_parent", "no fault category {id}", "故障类别 {id} 不存在"},
    {"webhook.not_found", "no webhook {id}", "Webhook {id} 不存在"},
    {"webhook.url_invalid", "url is not a valid URL: {detail}", "网址无效"},
    {"webhook.url_scheme", "url must be an http:// or https:// URL", "网址必须以 http:// 或 https:// 开头"},
    {"webhook.url_host", "url must name a host", "网址必须包含主机名"},
    {"webhook.url_user_info", "url must not carry user info; authenticate with the signature",
     "网址不能包含用户名或密码，请用签名验证身份"},
    {"webhook.url_fragment", "url must not have a #fragment", "网址不能包含 # 片段"},
    {"webhook.url_spaces", "url must not contain spaces or line breaks", "网址不能包含空格或换行"},
    {"webhook.unknown_event", "events holds '{value}', not one of {values}",
     "事件“{value}”不在可订阅的事件中：{values}"},
    {"webhook.event_not_text", "events holds a value that is not text, not one of {values}",
     "事件列表中有非文字的值，可订阅的事件为：{values}"},
    {"webhook.no_events", "events must name at least one event", "请至少订阅一个事件"},

    // Reports, the customer portal, search and service levels (SLA).
    {"report.not_found", "no report {name}", "没有报表“{name}”"},
    {"portal.photo_count", "photos holds at most {max} images", "最多上传 {max} 张照片"},
    {"portal.photo_text", "{photo} must be a base64 string", "照片（{photo}）必须是 base64 编码的文字"},
    {"portal.photo_large", "{photo} is larger than {limit}", "照片（{photo}）超过了 {limit}"},
    {"portal.photo_type", "{photo} must be a PNG or JPEG image", "照片（{photo}）只能是 PNG 或 JPEG 图片"},
    {"portal.purchase_date", "give the purchase date with the other purchase facts",
     "填写购买信息时请同时填写购买日期"},
    {"portal.too_many_reports", "too many fault reports from this address; try again in {seconds} seconds",
     "此地址报修次数过多，请在 {seconds} 秒后再试"},
    {"portal.too_many_lookups", "too many failed lookups; try again in {seconds} seconds",
     "查询失败次数过多，请在 {seconds} 秒后再试"},
    {"portal.no_ticket", "no ticket with that number and access key", "工单号或查询码不正确"},
    {"portal.not_reported", "job {id} was not reported on the portal", "工单 {id} 不是通过门户报修的"},
    {"portal.no_photo", "no photo {id}", "照片 {id} 不存在或您无权查看"},
    {"search.utf8", "{field} must be UTF-8 text", "{field}必须是 UTF-8 文字"},
    {"search.too_many_words", "{field} must hold at most {max} words", "{field}最多 {max} 个词"},
    {"http.no_page", "no page {path}", "页面 {path} 不存在"},
    {"hours.not_clock", "{field}: '{value}' is not a time HH:MM", "{field}中的“{value}”不是时间（时:分）"},
    {"hours.not_interval", "{field}: '{value}' is not HH:MM-HH:MM", "{field}中的“{value}”不是“时:分-时:分”格式的时段"},
    {"hours.week", "{field} must be 7 arrays of \"HH:MM-HH:MM\", Monday first",
     "{field}必须是 7 组“时:分-时:分”时段，从星期一开始"},
    {"field.type.string_list", "{field} must hold strings", "{field}的每一项都必须是文字"},
    {"sla.settings_missing", "the SLA settings row is missing", "缺少服务时限设置"},
    {"sla.priority_twice", "policies names priority {priority} twice", "服务时限策略中“{priority}”优先级重复"},
    {"sla.all_priorities", "policies must give terms for low, normal, high and urgent",
     "服务时限策略须为低、普通、高、紧急四个优先级都设定时限"},
    {"sla.contract_twice", "contracts lists a customer and priority twice", "合同中同一客户的同一优先级重复"},
    {"sla.escalate_to", "escalate_to must name an active dispatcher or admin", "升级对象必须是在职的调度员或管理员"},

    // The server's side of sync: devices, applied ops and their conflicts.
    {"sync.device_registers", "a device token cannot register devices; log in with your password",
     "设备令牌不能注册设备，请用密码登录"},
    {"sync.no_device", "no device {id}", "设备 {id} 不存在或您无权查看"},
    {"sync.job_left_device",
     "job {id} is no longer on this technician's device (reassigned to another technician, closed or cancelled): nothing of this change was applied",
     "工单 {id} 已不在该技术员的设备上（已改派、已关闭或已取消），此次修改均未生效"},
    {"sync.row_not_on_device", "no {table} row {id} on this technician's device",
     "该技术员的设备上没有 {table} 记录 {id}"},
    {"sync.no_row", "no {table} row {id}", "没有 {table} 记录 {id}"},
    {"sync.row_exists", "{table} row {id} exists already", "{table} 记录 {id} 已存在"},
    {"sync.device_token",
     "sync needs a device token: register the device with POST /api/v1/sync/devices and use its token",
     "同步需要设备令牌：请先用 POST /api/v1/sync/devices 注册设备，再使用其令牌"},
    {"sync.device_mismatch", "device_id {id} is not the device of this token", "设备 {id} 与令牌所属的设备不符"},
    {"sync.no_conflict", "no conflict {id}", "同步冲突 {id} 不存在"},
    {"sync.conflict_resolved", "conflict {id} is resolved already ({conflict_status})",
     "同步冲突 {id} 已处理（{conflict_status}）"},
    {"attachment.sha256", "sha256 must be 64 lower-case hex digits", "sha256 必须是 64 位小写十六进制数字"},
    {"attachment.content_type", "content_type must be a media type such as image/jpeg",
     "文件类型必须是媒体类型，例如 image/jpeg"},

    // The HTTP front end (connections and timeouts).
    {"http.too_many_connections", "too many connections from your address; retry later",
     "来自您地址的连接过多，请稍后再试"},
    {"http.slow_body", "the body arrived too slowly or not in full", "请求内容传输过慢或不完整"},
    {"http.slow_head", "the request head arrived too slowly", "请求头传输过慢"},

    // Plans and signatures (the workflow's action details).
    {"plan.quantity", "{item}: quantity must be more than 0", "第 {number} 项的数量必须大于 0"},
    {"signature.stroke",
     "signature_strokes[{index}] must be a pen stroke or an object holding just typed (the signer's name)",
     "签名笔迹第 {number} 项必须是一笔手写笔迹，或只含 typed（签名人姓名）的对象"},
    {"signature.typed", "a typed signature is the signer's name as given in signer_name, alone",
     "输入的签名必须与签名人姓名（signer_name）一致，且只能有这一项"},

    // The sync wire format, read by the devices' sync engine and shown with a failed sync.
    {"wire.unknown_field", "{field} is not a known field", "{field}不是已知的字段"},
    {"wire.uuid", "{field} must be a lower-case UUID", "{field}必须是小写的 UUID"},
    {"wire.not_synced", "{field} is not a synced table", "{field}不是同步的数据表"},
    {"wire.not_an_action", "{field} '{value}' is not a workflow action", "没有“{value}”这个工作流操作"},
    {"wire.action_table", "{field} must be jobs for an action op", "工作流操作只能用于 jobs 表"},
    {"wire.no_fields", "{field} must name at least one field", "{field}至少要包含一个字段"},
    {"wire.hlc", "{field} must be an HLC like 0000018c2a3b4c5d-00000000-node",
     "{field}必须是 HLC 时间戳，例如 0000018c2a3b4c5d-00000000-node"},
    {"wire.hlc_text", "hlc '{value}' {detail}", "HLC 时间戳“{value}”格式不正确"},
    {"wire.clock_ahead",
     "hlc of {node} is {ahead} ms ahead of this clock (at most {max} ms allowed); the device's clock is wrong",
     "设备 {node} 的时钟比服务器快 {ahead} 毫秒（最多允许 {max} 毫秒），请校准设备时间"},
    {"wire.only_action", "{field} is only allowed on action ops", "只有工作流操作才能带{field}"},
    {"wire.not_on_delete", "{field} is not allowed on a delete op", "删除操作不能带{field}"},
    {"wire.only_rejected", "{field} is only allowed on a rejected op", "只有被拒绝的操作才能带{field}"},
    {"wire.only_applied", "{field} is only allowed on an applied op", "只有已应用的操作才能带{field}"},
    {"wire.only_put", "{field} is only allowed on a put", "只有 put 变更才能带{field}"},
    {"wire.only_last_page", "{field} is only sent on the last page of a pull", "{field}只在拉取的最后一页发送"},
    {"wire.protocol_required", "{field} is required; this side speaks sync protocol {version}",
     "缺少同步协议版本（本端使用协议 {version}）"},
    {"wire.protocol_integer", "{field} must be an integer; this side speaks sync protocol {version}",
     "同步协议版本必须是整数（本端使用协议 {version}）"},
    {"wire.protocol_unsupported",
     "{field} {given} is not supported; this side speaks sync protocol {version}; update the app or the server",
     "不支持同步协议 {given}（本端使用协议 {version}），请更新应用或服务器"},
    {"wire.too_many", "{field} has {count} entries; at most {max} are allowed in one message",
     "{field}有 {count} 项，一条消息最多 {max} 项"},
    {"wire.op_repeated", "{field} repeats an earlier op in this message", "{field}与本消息中之前的操作重复"},
    {"wire.field_names", "{field} must hold field names", "{field}只能包含字段名"},
    {"wire.error_code", "{field} is not an error code", "{field}不是已知的错误代码"},
    {"wire.bucket", "{field} must be catalog or tech:<user_id>", "{field}必须是 catalog 或 tech:<用户编号>"},
    {"wire.bucket_name", "{field} is not a bucket name (catalog or tech:<user_id>)",
     "{field}不是分区名（应为 catalog 或 tech:<用户编号>）"},
    {"wire.bucket_value", "bucket '{value}' is neither catalog nor tech:<user_id>",
     "分区“{value}”既不是 catalog 也不是 tech:<用户编号>"},
    {"wire.wrong_bucket", "{field} {table} does not belong in bucket {bucket}", "数据表 {table} 不属于分区 {bucket}"},
    {"wire.user_id", "user_id must be 1 to 64 characters of [0-9A-Za-z._-]",
     "用户编号必须是 1 到 64 个字符，只能包含 0-9、A-Z、a-z 和 . _ -"},
    {"wire.node_id", "{field} must be 1 to 64 characters of [0-9A-Za-z._:-]",
     "{field}必须是 1 到 64 个字符，只能包含 0-9、A-Z、a-z 和 . _ : -"},
    {"wire.checksum", "{field} must be a checksum of 16 lower-case hex digits",
     "{field}必须是 16 位小写十六进制的校验和"},
    {"wire.cursor_behind", "{field} must not be before the last change's seq", "{field}不能早于最后一条变更的序号"},
    {"wire.reset_changes", "{field} must be empty on a reset", "重置时{field}必须为空"},
    {"wire.reset_more", "{field} must be false on a reset", "重置时{field}必须为 false"},
    {"wire.seq_order", "{field} must be greater than the one before", "{field}必须大于前一条的序号"},
    {"wire.not_object", "the body must be a JSON object", "请求内容必须是 JSON 对象"},
    {"wire.json", "the body is not valid JSON: {detail} at byte {offset}",
     "请求内容不是有效的 JSON（第 {offset} 字节）"},
    {"wire.gzip_too_large", "the gzip body expands past the limit of {max} bytes",
     "解压后的请求内容超过了 {max} 字节的上限"},
    {"wire.gzip", "the body is not valid gzip: {detail}", "请求内容不是有效的 gzip 数据"},

    // Malformed HTTP requests: a head that cannot be read is answered in English, a bad chunked body in the
    // language of the request.
    {"http.request_line", "the request line must be: METHOD /path HTTP/1.1", "请求行格式应为：METHOD /path HTTP/1.1"},
    {"http.method_token", "the method is not a token", "请求方法格式不正确"},
    {"http.target", "the target must be a path starting with / in printable ASCII",
     "请求地址必须是以 / 开头的可打印 ASCII 路径"},
    {"http.version_missing", "the request line must end in the HTTP version, e.g. HTTP/1.1",
     "请求行必须以 HTTP 版本结尾，例如 HTTP/1.1"},
    {"http.content_length", "Content-Length must be a number of bytes", "Content-Length 必须是字节数"},
    {"http.content_length_twice", "two different Content-Length values", "有两个不同的 Content-Length 值"},
    {"http.header_line", "a header line must be Name: value", "请求头的每一行应为“名称: 值”"},
    {"http.header_control", "a header value holds a control character", "请求头的值含有控制字符"},
    {"http.transfer_coding", "the only transfer coding accepted is chunked", "只接受 chunked 传输编码"},
    {"http.length_and_chunked", "send either Content-Length or chunked, not both",
     "Content-Length 和 chunked 只能二选一"},
    {"http.chunk_crlf", "a chunk must end in CRLF", "分块必须以 CRLF 结尾"},
    {"http.chunk_line", "a chunk size or trailer line is too long", "分块大小行或尾部行过长"},
    {"http.chunk_size", "a chunk size must be a hexadecimal number", "分块大小必须是十六进制数"},

    // Storage, audit and roles: what any request may meet.
    {"storage.full", "storage_full: {where} has no space left; nothing was written. Retry later (reads keep working)",
     "存储空间已满（storage_full），未写入任何内容，请稍后再试（查看不受影响）"},
    {"storage.busy", "the database is busy with concurrent changes to the same records; retry",
     "数据库正在处理对相同记录的并发修改，请重试"},
    {"conflict.key_taken", "another change took the same key first ({constraint}); reload and retry",
     "相同的值已被另一项修改抢先占用，请刷新后重试"},
    {"audit.journal_unwritable", "the audit journal cannot be written", "审计日志暂时无法写入"},
    {"auth.role_forbidden", "a {role} may not do this", "{role}无权执行此操作"},
    {"policies.plan_reminder", "plan_reminder_hours must not be after plan_decision_hours",
     "方案提醒时间不能晚于方案决定期限"},
};

// Names of fields, roles, actions and states (of jobs, complaints, appeals, follow-ups, after-sales cases) as the
// Chinese pages call them; English keeps the API's name.
constexpr Entry kLabels[] = {
    {"field.technician_id", "", "技术员"}, {"field.note", "", "备注"}, {"field.reason", "", "原因"},
    {"field.comment", "", "备注"}, {"field.message", "", "留言"}, {"field.window_start", "", "开始时间"},
    {"field.window_end", "", "结束时间"}, {"field.priority", "", "优先级"}, {"field.plan_version", "", "方案版本"},
    {"field.findings", "", "检测结果"}, {"field.plan", "", "维修方案"}, {"field.phone", "", "电话"},
    {"field.name", "", "姓名"}, {"field.email", "", "邮箱"}, {"field.address", "", "地址"},
    {"field.description", "", "故障描述"}, {"field.preferred_start", "", "期望开始时间"},
    {"field.preferred_end", "", "期望结束时间"}, {"field.role", "", "角色"}, {"field.username", "", "用户名"},
    {"field.password", "", "密码"}, {"field.serial_no", "", "序列号"}, {"field.model", "", "型号"},
    {"field.category", "", "类别"}, {"field.customer_id", "", "客户"}, {"field.asset_id", "", "产品"},
    {"field.warranty_covered", "", "保修范围内"}, {"field.customer_caused", "", "客户原因"},
    {"field.fault_category", "", "故障类别"}, {"field.proposed_cost", "", "期望费用"},
    {"field.accepted_fee", "", "确认的费用"}, {"field.close_reason", "", "关闭原因"}, {"field.rating", "", "评分"},
    {"field.date", "", "日期"}, {"field.job_ids", "", "工单"}, {"field.state", "", "状态"},
    {"field.active_on", "", "生效日期"}, {"field.warranty_until", "", "保修截止日期"},
    {"field.purchase_date", "", "购买日期"}, {"field.plan.items", "", "方案明细"},
    {"field.signature_png", "", "签名图片"}, {"field.signature_strokes", "", "签名笔迹"}, {"field.location", "", "位置"},
    {"role.admin", "", "管理员"}, {"role.dispatcher", "", "调度员"}, {"role.technician", "", "技术员"},
    {"role.customer", "", "客户"}, {"role.system", "", "系统"}, {"role.agent", "", "客服"},
    {"role.supervisor", "", "主管"},
    {"action.assign", "", "派工"}, {"action.reassign", "", "改派"}, {"action.submit_assessment", "", "提交检测"},
    {"action.approve_plan", "", "批准方案"}, {"action.decline_plan", "", "拒绝方案"},
    {"action.counter_offer", "", "还价"}, {"action.revise_plan", "", "修改方案"}, {"action.schedule", "", "预约上门"},
    {"action.reschedule", "", "改约"}, {"action.start_repair", "", "开始维修"}, {"action.hold", "", "挂起"},
    {"action.resume", "", "恢复"}, {"action.complete_repair", "", "完成维修"},
    {"action.record_acceptance", "", "记录验收"}, {"action.reject_acceptance", "", "验收不通过"},
    {"action.close", "", "关闭"}, {"action.cancel", "", "取消"}, {"action.set_priority", "", "调整优先级"},
    {"action.triage", "", "分诊"}, {"action.withdraw", "", "撤回"}, {"action.return_unrepaired", "", "未修退回"},
    {"state.reported", "", "已报修"}, {"state.assessing", "", "检测中"}, {"state.plan_proposed", "", "待批准方案"},
    {"state.approved", "", "方案已批准"}, {"state.scheduled", "", "已预约"}, {"state.in_repair", "", "维修中"},
    {"state.on_hold", "", "已挂起"}, {"state.awaiting_acceptance", "", "待验收"}, {"state.accepted", "", "已验收"},
    {"state.closed", "", "已关闭"}, {"state.cancelled", "", "已取消"}, {"state.returned", "", "已退回"},
    {"complaint_state.open", "", "待处理"},
    {"complaint_state.contacted", "", "已联系"},
    {"complaint_state.escalated", "", "已转主管"},
    {"complaint_state.resolved", "", "已解决"},
    {"complaint_state.closed", "", "已结案"},
    {"complaint_action.contact", "", "联系"},
    {"complaint_action.escalate", "", "转主管"},
    {"complaint_action.resolve", "", "解决"},
    {"complaint_action.close", "", "结案"},
    {"complaint_action.set_deadlines", "", "设置期限"},
    {"appeal_state.open", "", "待处理"},
    {"appeal_state.called_back", "", "已回电"},
    {"appeal_state.escalated", "", "已转主管"},
    {"appeal_state.upheld", "", "申诉成立"},
    {"appeal_state.refused", "", "申诉驳回"},
    {"appeal_action.call_back", "", "回电"},
    {"appeal_action.escalate", "", "转主管"},
    {"appeal_action.decide", "", "裁定"},
    {"appeal_action.set_deadline", "", "设置期限"},
    {"followup_state.due", "", "待回访"},
    {"followup_state.done", "", "已回访"},
    {"followup_state.waived", "", "免回访"},
    {"priority.low", "", "低"},
    {"priority.normal", "", "普通"},
    {"priority.high", "", "高"},
    {"priority.urgent", "", "紧急"},
    {"conflict_status.open", "", "待处理"},
    {"conflict_status.dismissed", "", "已忽略"},
    {"conflict_status.applied_manually", "", "已手动处理"},
    {"conflict_status.superseded", "", "已被取代"},
    {"field.received_on", "", "签收日期"},
    {"field.proof_base64", "", "购买凭证"},
    {"field.from", "", "开始日期"},
    {"field.to", "", "结束日期"},
    {"field.period", "", "时间粒度"},
    {"field.group_by", "", "分组方式"},
    {"field.format", "", "格式"},
    {"field.as_of", "", "检查时间"},
    {"field.days_off", "", "休息日"},
    {"field.weekly_hours", "", "每周工作时间"},
    {"field.holidays", "", "节假日"},
    {"field.time_zone", "", "时区"},
    {"field.is_active", "", "在职状态"},
    {"field.active", "", "启用状态"},
    {"field.status", "", "状态"},
    {"field.q", "", "搜索词"},
    {"field.at", "", "时间"},
    {"field.evidence", "", "证据"},
    {"field.evidence_files", "", "证据文件"},
    {"field.sku", "", "零件编号"},
    {"field.code", "", "编码"},
    {"field.parent_id", "", "上级类别"},
    {"field.amount", "", "金额"},
    {"field.kind", "", "类型"},
    {"field.skills", "", "技能"},
    {"field.job_id", "", "工单"},
    {"field.linked_job_id", "", "返修工单"},
    {"field.decision", "", "被申诉的决定"},
    {"field.contact_due_at", "", "联系期限"},
    {"field.resolve_due_at", "", "解决期限"},
    {"field.outcome", "", "处理方式"},
    {"field.answer", "", "答复"},
    {"field.override_reason", "", "超期理由"},
    {"field.url", "", "网址"},
    {"field.events", "", "事件"},
    {"field.policies", "", "服务时限策略"},
    {"field.contracts", "", "合同"},
    {"field.escalate_to", "", "升级对象"},
    {"field.utc_offset_minutes", "", "时区偏移"},
    {"field.capacity_per_day", "", "每日上门上限"},
    {"field.device_id", "", "设备"},
    {"field.platform", "", "平台"},
    {"field.offset", "", "偏移量"},
    {"field.resolution", "", "处理结果"},
    {"field.ticket_no", "", "工单号"},
    {"field.access_key", "", "查询码"},
    {"field.photos", "", "照片"},
    {"field.signer_name", "", "签名人姓名"},
    {"field.home_location", "", "常驻位置"},
    {"field.region", "", "区域"},
    {"field.unit", "", "单位"},
    {"field.unit_price", "", "单价"},
    {"field.quantity", "", "数量"},
    {"field.callback_due_at", "", "回电期限"},
    {"field.method", "", "方式"},
    {"field.carrier", "", "承运商"},
    {"field.tracking_no", "", "运单号"},
    {"field.replacement_serial_no", "", "新品序列号"},
    {"field.inspection", "", "检验结果"},
    {"field.plan_reminder_hours", "", "方案提醒时限"},
    {"field.plan_decision_hours", "", "方案决定时限"},
    {"field.plan.mode", "", "维修方式"},
    {"field.plan.cost_to_customer", "", "客户需付费用"},
    {"field.plan.currency", "", "币种"},
    {"field.product_type", "", "产品类型"},
};
// clang-format on

const Entry* find(std::span<const Entry> table, std::string_view id) {
    auto it = std::find_if(table.begin(), table.end(), [&](const Entry& e) { return e.id == id; });
    return it == table.end() ? nullptr : &*it;
}

// A duration in minutes as people say it: "1 h 05 min" / "1 小时 5 分钟".
std::string duration_text(const std::string& minutes_text, Locale locale) {
    long long minutes = std::atoll(minutes_text.c_str());
    std::string hours = std::to_string(minutes / 60), rest = std::to_string(minutes % 60);
    if (locale == Locale::zh_cn) return minutes < 60 ? rest + " 分钟" : hours + " 小时 " + rest + " 分钟";
    if (minutes < 60) return rest + " min";
    return hours + " h " + (rest.size() < 2 ? "0" : "") + rest + " min";
}

thread_local Locale t_locale = Locale::en;
thread_local ZoneOffset t_zone;

// An instant on the reader's clock: "Feb 5, 2027, 10:00" / "2027年2月5日 10:00", with " UTC" when no zone is in
// scope; a value that is not an instant stays as given.
std::string time_text(const std::string& value, Locale locale) {
    auto instant = parse_date_time(value);
    if (!instant) return value;
    std::int64_t local = *instant + (t_zone ? std::int64_t{t_zone(*instant)} * 60'000 : 0);
    std::string iso = format_utc(local);  // YYYY-MM-DDTHH:MM:SS.mmmZ, read as the local wall clock
    int month = std::atoi(iso.substr(5, 2).c_str()), day = std::atoi(iso.substr(8, 2).c_str());
    std::string year = iso.substr(0, 4), clock = iso.substr(11, 5), zone = t_zone ? "" : " UTC";
    if (locale == Locale::zh_cn)
        return year + "年" + std::to_string(month) + "月" + std::to_string(day) + "日 " + clock + zone;
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return std::string(kMonths[(month + 11) % 12]) + " " + std::to_string(day) + ", " + year + ", " + clock + zone;
}

// An argument as the reader sees it: a name the labels know (a field, role, action or state, a complaint's state …:
// the label "<argument>.<value>") through its label; a duration in the reader's words; an instant on the reader's
// clock; anything else as given.
std::string argument_text(const std::string& name, const std::string& value, Locale locale) {
    if (name == "duration") return duration_text(value, locale);
    if (name == "start" || name == "end" || name == "at") return time_text(value, locale);
    if (locale == Locale::en) return value;
    std::string kind = name == "other" ? "field" : name == "previous" ? "state" : name;
    const Entry* label = find(kLabels, kind + "." + value);
    return label ? std::string(label->zh) : value;
}

std::string substitute(std::string_view pattern, const Message& message, Locale locale) {
    std::string out;
    std::size_t i = 0;
    while (i < pattern.size()) {
        std::size_t open = pattern.find('{', i), close = pattern.find('}', open);
        if (open == std::string_view::npos || close == std::string_view::npos) break;
        out.append(pattern, i, open - i);
        std::string_view name = pattern.substr(open + 1, close - open - 1);
        auto arg =
            std::find_if(message.args.begin(), message.args.end(), [&](const auto& a) { return a.first == name; });
        if (arg != message.args.end()) out += argument_text(arg->first, arg->second, locale);
        i = close + 1;
    }
    out.append(pattern.substr(std::min(i, pattern.size())));
    return out;
}

}  // namespace

std::string render(const Message& message, Locale locale) {
    const Entry* entry = find(kCatalog, message.id);
    if (!entry) return message.id;
    return substitute(locale == Locale::zh_cn ? entry->zh : entry->en, message, locale);
}

bool has_message(std::string_view id) { return find(kCatalog, id) != nullptr; }

std::vector<std::string_view> message_ids() {
    std::vector<std::string_view> out;
    for (const auto& e : kCatalog) out.push_back(e.id);
    return out;
}

Locale locale_from_accept_language(std::string_view header) {
    Locale best = Locale::en;
    double best_q = -1;
    std::size_t start = 0;
    while (start <= header.size()) {
        std::size_t end = std::min(header.find(',', start), header.size());
        std::string_view item = header.substr(start, end - start);
        std::size_t semicolon = item.find(';');
        std::string tag(item.substr(0, semicolon));
        tag.erase(std::remove(tag.begin(), tag.end(), ' '), tag.end());
        std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
        double q = 1;
        if (auto at = item.find("q=", semicolon == std::string_view::npos ? item.size() : semicolon);
            at != std::string_view::npos)
            q = std::atof(std::string(item.substr(at + 2)).c_str());
        bool zh = tag == "zh" || tag.rfind("zh-", 0) == 0, en = tag == "en" || tag.rfind("en-", 0) == 0;
        if ((zh || en) && q > best_q) {
            best = zh ? Locale::zh_cn : Locale::en;
            best_q = q;
        }
        start = end + 1;
    }
    return best;
}

std::string_view to_string(Locale locale) noexcept { return locale == Locale::zh_cn ? "zh-CN" : "en"; }

Locale current_locale() noexcept { return t_locale; }

LocaleScope::LocaleScope(Locale locale) noexcept : previous_(t_locale) { t_locale = locale; }

LocaleScope::~LocaleScope() { t_locale = previous_; }

ZoneScope::ZoneScope(ZoneOffset offset) : previous_(std::move(t_zone)) { t_zone = std::move(offset); }

ZoneScope::~ZoneScope() { t_zone = std::move(previous_); }

std::string localize(const Message& message) { return render(message, t_locale); }

}  // namespace fieldsync
