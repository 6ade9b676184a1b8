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
};

// Names of fields, roles, actions and states as the Chinese pages call them; English keeps the API's name.
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

// An argument as the reader sees it: a name of a field, role, action or state through its label; a duration in
// the reader's words; an instant on the reader's clock; anything else as given.
std::string argument_text(const std::string& name, const std::string& value, Locale locale) {
    if (name == "duration") return duration_text(value, locale);
    if (name == "start" || name == "end" || name == "at") return time_text(value, locale);
    bool labelled = name == "field" || name == "other" || name == "role" || name == "action" || name == "state" ||
                    name == "previous";
    if (!labelled || locale == Locale::en) return value;
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
