// Complaints: their states (open → contacted → resolved → closed, or escalated to a supervisor on the way), who may
// move them, their deadlines and the customer notices at each step.
#include "fieldserver/domain/care/complaints/complaint_service.hpp"

#include <Poco/String.h>

#include <algorithm>

#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fieldsync::Message;

namespace {

const char* kColumns =
    "k.id, k.customer_id, cu.name AS customer_name, k.job_id, j.ticket_no, k.type, k.channel, k.description, "
    "k.evidence_json, k.state, k.owner_id, o.name AS owner_name, k.outcome, k.answer, k.followup_id, "
    "k.contact_due_at, k.resolve_due_at, k.contacted_at, k.resolved_at, k.escalated_at, k.closed_at, "
    "k.contact_overdue_at, k.resolve_overdue_at, k.history_json, k.created_by, k.created_at, k.updated_at, k.version";
const char* kFrom =
    "complaints k JOIN customers cu ON cu.id = k.customer_id LEFT JOIN jobs j ON j.id = k.job_id "
    "LEFT JOIN users o ON o.id = k.owner_id";

const std::vector<std::string> kTypes = {"service_attitude", "timeliness", "quality_of_repair", "price", "other"};
const std::vector<std::string> kChannels = {"phone", "web", "email", "wechat", "walk_in", "survey", "acceptance"};
const std::vector<std::string> kOutcomes = {"apology", "goodwill_credit", "re_repair",
                                            "refund",  "explained",       "no_action"};

// One move of a complaint: from which states, to which, by which roles.
struct Move {
    const char* action;
    std::vector<std::string> from;
    const char* to;           // "=": the state stays
    std::vector<Role> roles;  // a vector: an initializer_list member would outlive its array
};

const std::vector<Move>& moves() {
    static const std::vector<Move> table = {
        {"contact", {"open"}, "contacted", {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}},
        // The customer may ask for a supervisor (要求见上级主管) as well as the agent.
        {"escalate",
         {"open", "contacted"},
         "escalated",
         {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}},
        {"resolve", {"contacted"}, "resolved", {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}},
        {"resolve", {"escalated"}, "resolved", {Role::admin, Role::supervisor}},
        {"close", {"resolved"}, "closed", {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}},
        {"set_deadlines", {"open", "contacted", "escalated"}, "=", {Role::admin, Role::supervisor}},
    };
    return table;
}

// The move of action from state for actor; Error(unknown_action, forbidden or invalid_transition) otherwise. A role
// that could take the action from this state is refused as forbidden; a state that allows it to nobody, as
// invalid_transition.
const Move& resolve_move(const Actor& actor, const std::string& action, const std::string& state) {
    bool known = false, state_ok = false;
    for (const auto& m : moves()) {
        if (action != m.action) continue;
        known = true;
        if (std::find(m.from.begin(), m.from.end(), state) == m.from.end()) continue;
        state_ok = true;
        if (std::find(m.roles.begin(), m.roles.end(), actor.role) != m.roles.end()) return m;
    }
    if (!known)
        throw Error(ErrorCode::unknown_action, Message{"complaint.unknown_action", {{"complaint_action", action}}});
    bool role_ok = false;
    for (const auto& m : moves())
        role_ok =
            role_ok || (action == m.action && std::find(m.roles.begin(), m.roles.end(), actor.role) != m.roles.end());
    if (state_ok || !role_ok)
        throw Error(ErrorCode::forbidden,
                    Message{"complaint.forbidden", {{"role", actor.role_name()}, {"complaint_action", action}}});
    throw Error(ErrorCode::invalid_transition,
                Message{"complaint.invalid_transition", {{"complaint_state", state}, {"complaint_action", action}}});
}

void validate_move(const std::string& action, const Poco::JSON::Object::Ptr& body) {
    using Specs = std::vector<FieldSpec>;
    const FieldSpec note{.name = "note", .type = FieldType::string, .max_length = 2000};
    if (action == "contact" || action == "escalate" || action == "close")
        fieldsync::validate_fields({}, Specs{note}, *body, action + " a complaint");
    if (action == "resolve")
        fieldsync::validate_fields(Specs{{.name = "outcome", .type = FieldType::string, .allowed = kOutcomes},
                                         {.name = "answer", .type = FieldType::string, .max_length = 4000}},
                                   Specs{{.name = "linked_job_id", .type = FieldType::string}}, *body,
                                   "resolve a complaint");
    if (action == "set_deadlines") {
        fieldsync::validate_fields({},
                                   Specs{{.name = "contact_due_at", .type = FieldType::date_time},
                                         {.name = "resolve_due_at", .type = FieldType::date_time}},
                                   *body, "set a complaint's deadlines");
        if (!has_value(body, "contact_due_at") && !has_value(body, "resolve_due_at"))
            throw Error(ErrorCode::missing_field, Message{"complaint.deadline_required", {}}, "resolve_due_at");
    }
}

Poco::JSON::Object::Ptr load(Db& db, const std::string& id) {
    auto row = db.query_one(std::string("SELECT ") + kColumns + " FROM " + kFrom + " WHERE k.id = ?", {id});
    if (!row) throw Error(ErrorCode::not_found, Message{"complaint.not_found", {{"id", id}}});
    return row;
}

// The record when actor may see it (care_record_visible); not_found otherwise.
Poco::JSON::Object::Ptr load_visible(Db& db, const Actor& actor, const std::string& id) {
    return load_visible_record(db, actor, std::string("SELECT ") + kColumns + " FROM " + kFrom + " WHERE k.id = ?",
                               "complaint", id);
}

// What the customer is told of a step, in Chinese and English.
std::pair<std::string, std::string> notice_of(const std::string& action, const Poco::JSON::Object::Ptr& body) {
    if (action == "contact")
        return {"您的投诉已由专人跟进 / Your complaint is being handled", "我们已安排专人处理您的投诉。"};
    if (action == "escalate")
        return {"您的投诉已转交主管 / Your complaint went to a supervisor", "您的投诉已转交上级主管处理。"};
    if (action == "resolve")
        return {"您的投诉已有处理结果 / Your complaint is answered", "处理结果：" + text(body, "answer")};
    return {"您的投诉已结案 / Your complaint is closed", "感谢您的反馈，您的投诉已结案。"};
}

// The customer's notice about their complaint, about its job when it names one.
void tell_customer(Db& db, const std::string& customer_id, const std::string& job_id, const std::string& event,
                   const std::string& subject, const std::string& message) {
    if (job_id.empty())
        enqueue_customer_notice_without_job(db, customer_id, event, subject, message);
    else
        enqueue_customer_notice(db, job_id, event, subject, message);
}

}  // namespace

std::string ComplaintService::open(Db& db, const Actor& actor, const NewComplaint& c, const CarePolicy& policy) {
    std::string id = fieldsync::uuid_v7();
    std::int64_t now_ms = fieldsync::now_ms();
    std::string now = fieldsync::format_utc(now_ms);
    db.execute(
        "INSERT INTO complaints (id, customer_id, job_id, type, channel, description, evidence_json, state, "
        "contact_due_at, resolve_due_at, history_json, created_by, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, 1)",
        {id, c.customer_id, text_or_null(c.job_id), c.type, c.channel, c.description, c.evidence_json,
         care_due(now_ms, policy.complaint_contact_minutes), care_due(now_ms, policy.complaint_resolve_minutes),
         append_history(nullptr, actor, "open", "", now), text_or_null(actor.id), now, now});
    Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
    after->set("complaint_id", id);
    after->set("type", c.type);
    after->set("channel", c.channel);
    audit_care(db, c.job_id, actor, "complaint_opened", after);
    tell_customer(db, c.customer_id, c.job_id, "complaint_received", "您的投诉已受理 / Your complaint is recorded",
                  "我们已记录您的投诉，将尽快与您联系。\nWe have recorded your complaint and will contact you soon.");
    return id;
}

Poco::JSON::Object::Ptr ComplaintService::create(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    fieldsync::validate_fields({{.name = "type", .type = FieldType::string, .allowed = kTypes},
                                {.name = "description", .type = FieldType::string, .max_length = 4000}},
                               {{.name = "channel", .type = FieldType::string, .allowed = kChannels},
                                {.name = "customer_id", .type = FieldType::string},
                                {.name = "job_id", .type = FieldType::string},
                                {.name = "evidence", .type = FieldType::array},
                                {.name = "evidence_files", .type = FieldType::array}},
                               *body, "record a complaint");
    NewComplaint c{.customer_id = text(body, "customer_id"),
                   .job_id = text(body, "job_id"),
                   .type = text(body, "type"),
                   .channel = text(body, "channel", actor.role == Role::customer ? "web" : "phone"),
                   .description = plain_text(body, "description", 4000)};
    if (actor.role == Role::customer) {
        if (!c.customer_id.empty() && c.customer_id != actor.customer_id)
            throw Error(ErrorCode::forbidden, Message{"complaint.for_self", {}}, "customer_id");
        c.customer_id = actor.customer_id;
        if (!actor.job_scope.empty() && c.job_id != actor.job_scope)
            throw Error(ErrorCode::invalid_field, Message{"complaint.portal_job", {}}, "job_id");
    }
    auto files = read_evidence_files(body);
    // Who the complaint is about and for whom, checked before any evidence bytes are stored and again in the write.
    auto checked = [&](Db& db) {
        NewComplaint out = c;
        if (!out.job_id.empty()) {
            auto job = visible_job(db, actor, out.job_id, "job_id");
            if (out.customer_id.empty()) out.customer_id = text(job, "customer_id");
            if (text(job, "customer_id") != out.customer_id)
                throw Error(ErrorCode::invalid_field, Message{"complaint.job_of_other", {{"id", out.job_id}}},
                            "job_id");
        }
        if (out.customer_id.empty())
            throw Error(ErrorCode::missing_field, Message{"complaint.customer_required", {}}, "customer_id");
        if (db.scalar("SELECT COUNT(*) FROM customers WHERE id = ?", {out.customer_id}) == 0)
            throw Error(ErrorCode::invalid_field, Message{"customer.not_found", {{"id", out.customer_id}}},
                        "customer_id");
        out.evidence_json = checked_evidence(db, body, out.job_id);
        return out;
    };
    if (!files.empty()) {
        db_.read(checked);
        store_evidence_files(attachments_, files);
    }
    return db_.write([&](Db& db) {
        NewComplaint ok = checked(db);
        ok.evidence_json = attach_evidence(db, ok.evidence_json, files, ok.customer_id, ok.job_id, actor);
        return load(db, open(db, actor, ok, policy_));
    });
}

Poco::JSON::Object::Ptr ComplaintService::list(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    allow_filters(query, {"state", "type", "customer_id", "job_id", "overdue"});
    Params params;
    std::string where = scoped_where(actor, "k", query, {"state", "type", "customer_id", "job_id"}, params);
    if (overdue_only(query)) {
        std::string now = fieldsync::format_utc(fieldsync::now_ms());
        where +=
            " AND ((k.state = 'open' AND k.contact_due_at <= ?) OR (k.state IN ('open', 'contacted', "
            "'escalated') AND k.resolve_due_at <= ?))";
        params.emplace_back(now);
        params.emplace_back(now);
    }
    return db_.read([&](Db& db) {
        return paged(db, kColumns, kFrom, where, params, "k.created_at DESC, k.id DESC", page_of(query));
    });
}

Poco::JSON::Object::Ptr ComplaintService::get(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) { return load_visible(db, actor, id); });
}

Poco::JSON::Object::Ptr ComplaintService::act(const Actor& actor, const std::string& id, const std::string& action,
                                              const Poco::JSON::Object::Ptr& body) {
    return db_.write([&](Db& db) {
        auto row = load_visible(db, actor, id);
        const Move& move = resolve_move(actor, action, text(row, "state"));
        validate_move(action, body);
        std::string now = fieldsync::format_utc(fieldsync::now_ms());
        std::string state = std::string(move.to) == "=" ? text(row, "state") : move.to;
        std::string note = action == "resolve" ? text(body, "outcome") + ": " + Poco::trim(text(body, "answer"))
                                               : Poco::trim(text(body, "note"));
        if (action == "resolve") {
            plain_text(body, "answer", 4000);
            if (has_value(body, "linked_job_id")) {
                auto linked = visible_job(db, actor, text(body, "linked_job_id"), "linked_job_id");
                if (text(linked, "customer_id") != text(row, "customer_id"))
                    throw Error(ErrorCode::invalid_field, Message{"complaint.rerepair_other", {}}, "linked_job_id");
                note += " (job " + text(linked, "ticket_no") + ")";
            }
        }
        db.execute(
            "UPDATE complaints SET state = ?, history_json = ?, updated_at = ?, version = version + 1, "
            "owner_id = CASE WHEN ? = 'contact' THEN ? ELSE owner_id END, "
            "contacted_at = CASE WHEN ? = 'contact' THEN ? ELSE contacted_at END, "
            "escalated_at = CASE WHEN ? = 'escalate' THEN ? ELSE escalated_at END, "
            "resolved_at = CASE WHEN ? = 'resolve' THEN ? ELSE resolved_at END, "
            "outcome = CASE WHEN ? = 'resolve' THEN ? ELSE outcome END, "
            "answer = CASE WHEN ? = 'resolve' THEN ? ELSE answer END, "
            "closed_at = CASE WHEN ? = 'close' THEN ? ELSE closed_at END, "
            "contact_due_at = COALESCE(?, contact_due_at), resolve_due_at = COALESCE(?, resolve_due_at) "
            "WHERE id = ?",
            {state,
             append_history(row->getArray("history"), actor, action, note, now),
             now,
             action,
             text_or_null(actor.id),
             action,
             now,
             action,
             now,
             action,
             now,
             action,
             optional_text(body, "outcome"),
             action,
             text_or_null(Poco::trim(text(body, "answer"))),
             action,
             now,
             has_value(body, "contact_due_at")
                 ? Value(fieldsync::format_utc(*fieldsync::parse_date_time(text(body, "contact_due_at"))))
                 : Value(std::monostate{}),
             has_value(body, "resolve_due_at")
                 ? Value(fieldsync::format_utc(*fieldsync::parse_date_time(text(body, "resolve_due_at"))))
                 : Value(std::monostate{}),
             id});
        std::string job_id = text(row, "job_id");
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
        after->set("complaint_id", id);
        after->set("state", state);
        after->set("note", note);
        audit_care(db, job_id, actor, "complaint_" + action, after);
        if (action != "set_deadlines") {
            auto [subject, message] = notice_of(action, body);
            // Resolving is where the customer gets the answer: the notice webhooks subscribe to as complaint_answered.
            tell_customer(db, text(row, "customer_id"), job_id,
                          action == "resolve" ? "complaint_answered" : "complaint_" + action, subject, message);
        }
        return load(db, id);
    });
}

}  // namespace fieldserver
