// Job events to outbox rows: one email per recipient and one webhook call per matching subscription, their text
// and JSON rendered now, from the transaction's view of the job, so later changes cannot alter what is sent.
#include "fieldserver/domain/notifications/notification_outbox.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/String.h>

#include <algorithm>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "fieldserver/domain/jobs/plan.hpp"
#include "fieldserver/domain/notifications/tracking_links.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldserver/util/seal.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {
namespace {

// Where a tracking link goes in a stored body; the sender puts the link in when it sends (with_tracking_link).
constexpr const char* kLinkPlaceholder = "{tracking_link}";

std::mutex link_key_mutex;
std::string link_key_bytes;

std::string link_key() {
    std::lock_guard<std::mutex> lock(link_key_mutex);
    // Without a configured key (a test of the domain alone) one for this process: links sealed and opened here.
    if (link_key_bytes.empty()) link_key_bytes = random_key();
    return link_key_bytes;
}

struct EventRule {
    const char* action;
    const char* event;
};

// Workflow actions; escalate (by the SLA checker) is sla_at_risk or sla_breached by the escalation's sla_status.
constexpr EventRule kRules[] = {
    {"report", "ticket_created"},
    {"submit_assessment", "plan_proposed"},
    {"schedule", "visit_booked"},
    {"reschedule", "visit_booked"},
    {"complete_repair", "repair_completed"},
    {"record_acceptance", "warranty_issued"},
    {"deadline_plan_reminder", "plan_reminder"},
    {"deadline_hold_reminder", "hold_reminder"},
    {"after_sales_request", "after_sales_requested"},
    {"after_sales_approve", "after_sales_update"},
    {"after_sales_refuse", "after_sales_update"},
    {"after_sales_refund", "refund_made"},
    {"after_sales_ship_replacement", "after_sales_update"},
};

// Events for the dispatchers rather than the customer.
bool for_dispatchers(const std::string& event) {
    return event == "sla_at_risk" || event == "sla_breached" || event == "hold_reminder" || event == "hold_ended" ||
           event == "after_sales_requested";
}

const char* kFooter =
    "\n--\n此邮件由系统自动发送，请勿直接回复。\nThis message was sent automatically by fieldrepair; please do not "
    "reply.\n";

struct Message {
    std::string subject;
    std::string body;
};

// A field of the event's after-snapshot or of the action input it records (after.fields).
std::string event_value(const Poco::JSON::Object::Ptr& after, const std::string& key) {
    if (has_value(after, key)) return text(after, key);
    return text(after ? after->getObject("fields") : nullptr, key);
}

// The customer's notices of waits and after-sales requests.
Message after_sales_customer_message(Db& db, const std::string& event, const Poco::JSON::Object::Ptr& job) {
    std::string ticket = text(job, "ticket_no");
    std::ostringstream body;
    body << text(job, "customer_name") << "，您好：\n\n";
    Message m;
    if (event == "plan_reminder") {
        m.subject = "维修方案仍待您确认：工单 " + ticket + " / Reminder: a repair plan awaits you: ticket " + ticket;
        body << "您的维修方案仍在等待确认，请登录客户门户同意、拒绝或提出协商。\n\n"
             << "A repair plan is still waiting for your decision; approve, decline or make a counter-offer in the "
                "customer portal.\n";
    } else {
        auto c = db.query_one(
            "SELECT kind, state, refusal_reason FROM after_sales_cases WHERE job_id = ? ORDER BY updated_at DESC LIMIT "
            "1",
            {text(job, "id")});
        m.subject = "售后申请进度更新：工单 " + ticket + " / After-sales request update: ticket " + ticket;
        body << "您的售后申请（" << text(c, "kind") << "）状态：" << text(c, "state")
             << (has_value(c, "refusal_reason") ? "。原因：" + text(c, "refusal_reason") + "，如有异议可申诉" : "")
             << "。\n\nYour after-sales request (" << text(c, "kind") << ") is now " << text(c, "state") << ".\n";
    }
    m.body = body.str() + kFooter;
    return m;
}

Message customer_message(Db& db, const std::string& event, const Poco::JSON::Object::Ptr& job,
                         const std::string& tracking_link = {}) {
    if (event == "plan_reminder" || event == "after_sales_update" || event == "refund_made")
        return after_sales_customer_message(db, event, job);
    std::string ticket = text(job, "ticket_no");
    std::string greeting = text(job, "customer_name") + "，您好：\n\n";
    std::ostringstream body;
    Message m;
    if (event == "ticket_created") {
        m.subject = "报修已受理：工单 " + ticket + " / Repair request received: ticket " + ticket;
        body << greeting << "我们已收到您的报修，工单号 " << ticket << "。\n产品：" << text(job, "asset_model")
             << "\n故障：" << text(job, "description") << "\n我们会尽快安排工程师与您联系。\n\n"
             << "We have received your repair request; your ticket number is " << ticket << ".\n";
        if (!tracking_link.empty())
            body << "\n随时查看维修进度（请勿转发此链接）：" << kLinkPlaceholder
                 << "\nFollow your repair at this link (keep it to yourself): " << kLinkPlaceholder << "\n";
    } else if (event == "plan_proposed") {
        auto row = plan_row(db, text(job, "id"), integer(job, "plan_version"));
        auto plan = row ? plan_from_row(row) : Plan{};
        std::string cost = row ? fieldsync::format_cents(plan.cost_to_customer_cents) + " " + plan.currency : "";
        m.subject = "维修方案待您确认：工单 " + ticket + " / Repair plan awaiting your approval: ticket " + ticket;
        body << greeting << "工程师已提交维修方案（第 " << integer(job, "plan_version") << " 版），您需支付的费用为 "
             << cost << "。\n检测结果：" << plan.findings << "\n请登录客户门户查看方案并确认或拒绝。\n\n"
             << "A repair plan costing you " << cost << " is waiting for your approval in the customer portal.\n";
    } else if (event == "visit_booked") {
        auto schedule = job->getObject("schedule");
        if (text(job, "mode") == "depot") {
            m.subject = "送修物流已安排：工单 " + ticket + " / Depot repair arranged: ticket " + ticket;
            body << greeting << "您的产品送修物流已安排：" << text(schedule, "carrier") << "，运单号 "
                 << text(schedule, "tracking_no") << "。\n\n"
                 << "The shipment of your product to our depot is arranged: " << text(schedule, "carrier") << ", "
                 << text(schedule, "tracking_no") << ".\n";
        } else {
            std::string window = text(schedule, "window_start") + " – " + text(schedule, "window_end");
            m.subject = "上门服务已预约：工单 " + ticket + " / Visit booked: ticket " + ticket;
            body << greeting << "工程师 " << text(job, "assignee_name") << " 将于 " << window << " 上门维修。\n\n"
                 << "A technician will visit you between " << window << ".\n";
        }
    } else if (event == "repair_completed") {
        auto repair = job->getObject("repair");
        m.subject = "维修已完成，请验收：工单 " + ticket + " / Repair done, awaiting your acceptance: ticket " + ticket;
        body << greeting << "维修已完成：" << text(repair, "work_summary") << "\n请确认维修结果并签字验收。\n\n"
             << "The repair is done; please check it and sign the acceptance.\n";
    } else if (event == "warranty_issued") {
        auto warranty = db.query_one("SELECT covers, ends_on FROM warranties WHERE job_id = ?", {text(job, "id")});
        m.subject = "保修已生效：工单 " + ticket + " / Warranty issued: ticket " + ticket;
        body << greeting << "感谢您的验收。本次维修保修至 " << text(warranty, "ends_on") << "，保修范围："
             << text(warranty, "covers") << "。\n\n"
             << "Thank you for your acceptance. The repair is under warranty until " << text(warranty, "ends_on")
             << ".\n";
    }
    m.body = body.str() + kFooter;
    return m;
}

// The dispatchers' notices of waits that ended or need them.
Message waiting_message(const std::string& event, const Poco::JSON::Object::Ptr& job) {
    std::string ticket = text(job, "ticket_no");
    Message m;
    if (event == "after_sales_requested") {
        m.subject = "新的售后申请待处理（48 小时内答复）：工单 " + ticket +
                    " / After-sales request to answer: ticket " + ticket;
        m.body = "客户就工单 " + ticket +
                 " 提出了售后申请，请在时限内同意或拒绝，逾期系统将默认同意。\n\nThe customer of ticket " + ticket +
                 " asked for an exchange, return or refund; answer it in time or it is approved by default.\n";
    } else if (event == "hold_ended") {
        m.subject = "挂起已到期并恢复：工单 " + ticket + " / Hold ended, job resumed: ticket " + ticket;
        m.body = "工单 " + ticket + " 的挂起期限已到，系统已恢复处理（状态 " + text(job, "state") + "）。\n\nTicket " +
                 ticket + ": the hold reached its end date and the job is back in " + text(job, "state") + ".\n";
    } else {
        m.subject = "工单挂起已久，请跟进：工单 " + ticket + " / Job on hold for long: ticket " + ticket;
        m.body = "工单 " + ticket + " 已挂起较长时间且无恢复日期，请跟进。\n\nTicket " + ticket +
                 " has been on hold without an end date for long; please follow it up.\n";
    }
    m.body += kFooter;
    return m;
}

Message dispatcher_message(const std::string& event, const Poco::JSON::Object::Ptr& job,
                           const Poco::JSON::Object::Ptr& after) {
    if (event != "sla_at_risk" && event != "sla_breached") return waiting_message(event, job);
    std::string ticket = text(job, "ticket_no");
    bool breached = event == "sla_breached";
    std::string clock = event_value(after, "clock"), deadline = event_value(after, "deadline");
    std::string clock_zh = clock == "response" ? "响应时限" : clock == "resolution" ? "解决时限" : "服务时限";
    Message m;
    m.subject = std::string(breached ? "SLA 已超时：工单 " : "SLA 即将超时：工单 ") + ticket +
                (breached ? " / SLA breached: ticket " : " / SLA at risk: ticket ") + ticket;
    std::ostringstream body;
    body << "工单 " << ticket << "（优先级 " << text(job, "priority") << "，状态 " << text(job, "state") << "）"
         << clock_zh << (breached ? "已超时" : "即将到期") << (deadline.empty() ? "" : "（截止 " + deadline + "）")
         << "，请尽快处理。\n客户：" << text(job, "customer_name") << "\n\nTicket " << ticket << ": the "
         << (clock.empty() ? std::string("SLA") : clock) << " deadline" << (deadline.empty() ? "" : " " + deadline)
         << (breached ? " has passed" : " is near") << "; please act on it.\n"
         << kFooter;
    m.body = body.str();
    return m;
}

// The webhook body: what happened, to which job, when. Customer contact details stay out of it.
std::string webhook_body(const std::string& event, const Poco::JSON::Object::Ptr& job,
                         const Poco::JSON::Object::Ptr& after, const std::string& at) {
    Poco::JSON::Object::Ptr j = new Poco::JSON::Object;
    for (const char* key : {"id", "ticket_no", "state", "previous_state", "priority", "category", "customer_id",
                            "asset_id", "assignee_id", "mode", "plan_version", "approved_plan_version",
                            "is_warranty_repair", "created_at", "updated_at"})
        j->set(key, job->has(key) ? job->get(key) : Poco::Dynamic::Var());
    if (event == "visit_booked" && job->getObject("schedule")) {
        Poco::JSON::Object::Ptr schedule = new Poco::JSON::Object(*job->getObject("schedule"));
        schedule->remove("history");
        j->set("schedule", schedule);
    }
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("event", event);
    out->set("job", j);
    out->set("at", at);
    if (event == "sla_at_risk" || event == "sla_breached") out->set("escalation", or_null(after));
    return to_json(out);
}

// Dispatchers to tell of a breach: the one the escalation names, else every active dispatcher with an email.
std::vector<std::string> dispatcher_addresses(Db& db, const Poco::JSON::Object::Ptr& after) {
    std::vector<std::string> out;
    for (const char* key : {"escalated_to", "dispatcher_id"}) {
        std::string id = event_value(after, key);
        if (id.empty()) continue;
        auto user = db.query_one("SELECT email FROM users WHERE id = ? AND is_active = 1", {id});
        if (user && is_mailbox(text(user, "email"))) return {text(user, "email")};
    }
    // Held in a variable: ranging over *db.query(…) would free the rows before the loop reads them.
    auto dispatchers = db.query(
        "SELECT email FROM users WHERE role = 'dispatcher' AND is_active = 1 "
        "AND email IS NOT NULL ORDER BY username");
    for (const auto& v : *dispatchers) {
        std::string email = text(v.extract<Poco::JSON::Object::Ptr>(), "email");
        if (is_mailbox(email)) out.push_back(email);
    }
    return out;
}

// One outbox row; an empty job_id is a notice tied to no job (a complaint filed without one).
std::string insert(Db& db, const std::string& event, const std::string& job_id, const std::string& channel,
                   const std::string& recipient, const Value& webhook_id, const Value& subject, const std::string& body,
                   const std::string& now) {
    std::string id = fieldsync::uuid_v7();
    db.execute(
        "INSERT INTO notifications (id, event, job_id, channel, recipient, webhook_id, subject, body, status, "
        "attempts, "
        "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        {id, event, text_or_null(job_id), channel, recipient, webhook_id, subject, body, now, now});
    return id;
}

// The tracking link of a notice whose body holds the placeholder, sealed beside it (notification_links).
void attach_link(Db& db, const std::string& notification_id, const std::string& tracking_link) {
    db.execute("INSERT INTO notification_links (notification_id, sealed_link) VALUES (?, ?)",
               {notification_id, seal(link_key(), tracking_link)});
}

// The customer's phone when they agreed to SMS notices (customer_contact_prefs), else empty.
std::string sms_phone(Db& db, const std::string& customer_id) {
    auto row = db.query_one(
        "SELECT c.phone FROM customers c JOIN customer_contact_prefs p ON p.customer_id = c.id "
        "WHERE c.id = ? AND p.sms_consent = 1",
        {customer_id});
    return text(row, "phone");
}

// The short SMS text of a customer notice: its subject's Chinese part and the ticket number.
std::string sms_text(const std::string& subject) {
    auto slash = subject.find(" / ");
    return "【fieldrepair】" + (slash == std::string::npos ? subject : subject.substr(0, slash));
}

// The webhook body of a customer notice: the event, the job it is about and the notice's subject; never the
// customer's contact details or the text addressed to them.
// Without a job (has_job false): {event, job: null, customer_id, subject, at}.
std::string notice_webhook_body(const std::string& event, const Poco::JSON::Object::Ptr& job, bool has_job,
                                const std::string& subject, const std::string& at) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("event", event);
    if (has_job) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object;
        for (const char* key : {"id", "ticket_no", "state", "customer_id"}) j->set(key, job->get(key));
        out->set("job", j);
    } else {
        out->set("job", Poco::Dynamic::Var());
        out->set("customer_id", job->get("customer_id"));
    }
    out->set("subject", subject);
    out->set("at", at);
    return to_json(out);
}

// The notice of enqueue_customer_notice to the customer of row (name, email, customer_id, ticket_no; a job's id,
// ticket_no and state when job_id is not empty).
void enqueue_notice(Db& db, const Poco::JSON::Object::Ptr& job, const std::string& job_id, const std::string& event,
                    const std::string& subject, const std::string& text_body) {
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    if (is_mailbox(text(job, "email")))
        insert(db, event, job_id, "email", text(job, "email"), std::monostate{}, subject,
               text(job, "name") + "，您好：\n\n" + text_body + "\n" + kFooter, now);
    if (auto phone = sms_phone(db, text(job, "customer_id")); !phone.empty())
        insert(db, event, job_id, "sms", phone, std::monostate{}, std::monostate{},
               sms_body(phone, sms_text(subject), event, text(job, "ticket_no")), now);
    enqueue_webhook_event(db, event, job_id, notice_webhook_body(event, job, !job_id.empty(), subject, now));
}

}  // namespace

void use_link_key(const std::string& key) {
    if (key.size() != 32) throw std::invalid_argument("the link key has 32 bytes");
    std::lock_guard<std::mutex> lock(link_key_mutex);
    link_key_bytes = key;
}

std::optional<std::string> with_tracking_link(const std::string& body, const std::string& sealed_link, bool json_body) {
    if (sealed_link.empty()) return body;
    auto link = unseal(link_key(), sealed_link);
    if (!link) return std::nullopt;
    std::string text = *link;
    // Inside a JSON string (the SMS gateway's body) the link's quotes and backslashes are escaped.
    if (json_body) text = Poco::replace(Poco::replace(text, "\\", "\\\\"), "\"", "\\\"");
    return Poco::replace(body, std::string(kLinkPlaceholder), text);
}

std::string sms_body(const std::string& to, const std::string& text, const std::string& event,
                     const std::string& ticket_no) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("to", to);
    out->set("text", text);
    out->set("event", event);
    out->set("ticket_no", ticket_no);
    return to_json(out);
}

void enqueue_customer_notice(Db& db, const std::string& job_id, const std::string& event, const std::string& subject,
                             const std::string& text_body) {
    auto job = db.query_one(
        "SELECT j.id, j.ticket_no, j.state, j.customer_id, c.name, c.email FROM jobs j "
        "JOIN customers c ON c.id = j.customer_id WHERE j.id = ?",
        {job_id});
    if (job) enqueue_notice(db, job, job_id, event, subject, text_body);
}

void enqueue_customer_notice_without_job(Db& db, const std::string& customer_id, const std::string& event,
                                         const std::string& subject, const std::string& text_body) {
    auto customer = db.query_one("SELECT id AS customer_id, name, email, '' AS ticket_no FROM customers WHERE id = ?",
                                 {customer_id});
    if (customer) enqueue_notice(db, customer, "", event, subject, text_body);
}

void enqueue_staff_notice(Db& db, const std::string& job_id, const std::string& event, Role role,
                          const std::string& subject, const std::string& text_body) {
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    auto users = db.query("SELECT email FROM users WHERE role = ? AND is_active = 1 AND email IS NOT NULL ORDER BY id",
                          {to_string(role)});
    for (const auto& v : *users) {
        std::string email = text(v.extract<Poco::JSON::Object::Ptr>(), "email");
        if (is_mailbox(email))
            insert(db, event, job_id, "email", email, std::monostate{}, subject, text_body + "\n" + kFooter, now);
    }
}

const std::vector<std::string>& notification_events() {
    static const std::vector<std::string> events = {
        "ticket_created", "plan_proposed", "visit_booked", "repair_completed", "warranty_issued", "sla_at_risk",
        "sla_breached", "plan_reminder", "hold_reminder", "hold_ended", "after_sales_requested", "after_sales_update",
        "audit_checkpoint", "refund_made",
        // Customer-care notices (enqueue_customer_notice), subscribable too.
        "job_assigned", "job_on_hold", "job_cancelled", "deadline_near", "complaint_received", "complaint_answered",
        "appeal_received", "appeal_decided"};
    return events;
}

std::string notification_event_of(const std::string& action, const Poco::JSON::Object::Ptr& after) {
    if (action == "escalate") return event_value(after, "sla_status") == "breached" ? "sla_breached" : "sla_at_risk";
    for (const auto& rule : kRules)
        if (action == rule.action) return rule.event;
    return {};
}

void enqueue_webhook_event(Db& db, const std::string& event, const std::string& job_id, const std::string& body) {
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    auto hooks = db.query("SELECT id, url, events_json FROM webhooks WHERE deleted_at IS NULL ORDER BY id");
    for (const auto& v : *hooks) {
        auto hook = v.extract<Poco::JSON::Object::Ptr>();
        auto events = hook->getArray("events");
        if (events && std::any_of(events->begin(), events->end(),
                                  [&](const Poco::Dynamic::Var& e) { return e.toString() == event; }))
            insert(db, event, job_id, "webhook", text(hook, "url"), text(hook, "id"), std::monostate{}, body, now);
    }
}

bool is_mailbox(const std::string& address) {
    static const std::regex pattern(R"([^\s@<>,;:"()\[\]\\]+@[^\s@<>,;:"()\[\]\\]+\.[^\s@<>,;:"()\[\]\\]+)");
    return address.size() <= 254 && std::regex_match(address, pattern);
}

void enqueue_notifications(Db& db, const std::string& job_id, const Actor& actor, const std::string& action,
                           const Poco::JSON::Object::Ptr& after, const std::string& tracking_link) {
    if (action == "approve_plan" && actor.role == Role::system) {
        // A plan approved automatically in the same change never waited for the customer: its "awaiting your
        // approval" notices are withdrawn before anything is sent.
        db.execute(
            "DELETE FROM notifications WHERE job_id = ? AND event = 'plan_proposed' AND status = 'pending' "
            "AND attempts = 0",
            {job_id});
        return;
    }
    // Only a hold's end date resumes a job as the system: the dispatchers are told.
    std::string event = action == "resume" && actor.role == Role::system ? std::string("hold_ended")
                                                                         : notification_event_of(action, after);
    if (event.empty()) return;
    auto job = db.query_one(
        "SELECT j.id, j.ticket_no, j.state, j.previous_state, j.priority, j.category, j.customer_id, j.asset_id, "
        "j.assignee_id, j.mode, j.plan_version, j.approved_plan_version, j.is_warranty_repair, j.description, "
        "j.schedule_json, j.repair_json, j.created_at, j.updated_at, c.name AS customer_name, c.email AS "
        "customer_email, "
        "a.model AS asset_model, u.name AS assignee_name FROM jobs j JOIN customers c ON c.id = j.customer_id "
        "LEFT JOIN assets a ON a.id = j.asset_id LEFT JOIN users u ON u.id = j.assignee_id WHERE j.id = ?",
        {job_id});
    if (!job) return;
    std::string now = fieldsync::format_utc(fieldsync::now_ms());

    if (for_dispatchers(event)) {
        auto message = dispatcher_message(event, job, after);
        for (const auto& address : dispatcher_addresses(db, after))
            insert(db, event, job_id, "email", address, std::monostate{}, message.subject, message.body, now);
    } else if (is_mailbox(text(job, "customer_email"))) {
        auto message = customer_message(db, event, job, tracking_link);
        std::string id = insert(db, event, job_id, "email", text(job, "customer_email"), std::monostate{},
                                message.subject, message.body, now);
        if (!tracking_link.empty()) attach_link(db, id, tracking_link);
    }
    if (event != "sla_at_risk" && event != "sla_breached") {
        std::string link = tracking_link.empty() ? "" : std::string(" ") + kLinkPlaceholder;
        if (auto phone = sms_phone(db, text(job, "customer_id")); !phone.empty()) {
            std::string id = insert(db, event, job_id, "sms", phone, std::monostate{}, std::monostate{},
                                    sms_body(phone, sms_text(customer_message(db, event, job).subject) + link, event,
                                             text(job, "ticket_no")),
                                    now);
            if (!tracking_link.empty()) attach_link(db, id, tracking_link);
        }
    }

    std::string body;
    auto hooks = db.query("SELECT id, url, events_json FROM webhooks WHERE deleted_at IS NULL ORDER BY id");
    for (const auto& v : *hooks) {
        auto hook = v.extract<Poco::JSON::Object::Ptr>();
        auto events = hook->getArray("events");
        if (!events || std::none_of(events->begin(), events->end(),
                                    [&](const Poco::Dynamic::Var& e) { return e.toString() == event; }))
            continue;
        if (body.empty()) body = webhook_body(event, job, after, now);
        insert(db, event, job_id, "webhook", text(hook, "url"), text(hook, "id"), std::monostate{}, body, now);
    }
}

}  // namespace fieldserver
