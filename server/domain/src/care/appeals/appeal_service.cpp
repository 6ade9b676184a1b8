// Appeals: the decision they dispute is read from the job's latest plan; call-back, escalation and the
// supervisor's decision are audited on the job's trail, and the customer is told of each.
#include "fieldserver/domain/care/appeals/appeal_service.hpp"

#include <Poco/String.h>

#include "fieldserver/domain/jobs/plan.hpp"
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
    "p.id, p.job_id, j.ticket_no, j.state AS job_state, p.customer_id, cu.name AS customer_name, "
    "cu.phone AS customer_phone, p.decision, p.plan_version, p.reason, p.evidence_json, p.state, p.callback_due_at, "
    "p.called_back_at, p.callback_note, p.escalated_at, p.callback_overdue_at, p.decided_by, d.name AS "
    "decided_by_name, p.decided_at, p.decision_note, p.history_json, p.created_by, p.created_at, p.updated_at, "
    "p.version";
const char* kFrom =
    "appeals p JOIN jobs j ON j.id = p.job_id JOIN customers cu ON cu.id = p.customer_id "
    "LEFT JOIN users d ON d.id = p.decided_by";
const char* kOpenStates = "('open', 'called_back', 'escalated')";

constexpr std::initializer_list<Role> kCare = {Role::admin, Role::dispatcher, Role::agent, Role::supervisor};
constexpr std::initializer_list<Role> kDeciders = {Role::admin, Role::supervisor};

// The record when actor may see it (care_record_visible); not_found otherwise.
Poco::JSON::Object::Ptr load_visible(Db& db, const Actor& actor, const std::string& id) {
    return load_visible_record(db, actor, std::string("SELECT ") + kColumns + " FROM " + kFrom + " WHERE p.id = ?",
                               "appeal", id);
}

// The plan version whose decision is appealed; Error(conflict) when the latest plan made no such decision.
std::int64_t appealed_plan(Db& db, const std::string& job_id, const std::string& decision) {
    auto row = db.query_one(
        std::string("SELECT ") + plan_columns() + " FROM plans WHERE job_id = ? ORDER BY version DESC LIMIT 1",
        {job_id});
    if (!row) throw Error(ErrorCode::conflict, Message{"appeal.no_assessment", {}}, "decision");
    Plan plan = plan_from_row(row);
    bool made = decision == "warranty_refused" ? !plan.is_warranty_covered : plan.is_customer_caused;
    if (!made)
        throw Error(ErrorCode::conflict,
                    Message{decision == "warranty_refused" ? "appeal.not_refused" : "appeal.not_customer_caused", {}},
                    "decision");
    return plan.version;
}

// Which roles may take action on an appeal in state, and the state after; Error(forbidden, invalid_transition).
std::string next_state(const Actor& actor, const std::string& action, const std::string& state) {
    bool open = state == "open" || state == "called_back" || state == "escalated";
    if (action == "call_back") {
        require_role(actor, kCare);
        if (!open || state == "called_back")
            throw Error(ErrorCode::invalid_transition, Message{"appeal.no_call_due", {{"appeal_state", state}}});
        return state == "escalated" ? state : "called_back";
    }
    if (action == "escalate") {
        if (!actor.is(kCare) && actor.role != Role::customer) require_role(actor, kCare);
        if (!open || state == "escalated")
            throw Error(ErrorCode::invalid_transition, Message{"appeal.no_escalation", {{"appeal_state", state}}});
        return "escalated";
    }
    if (action == "decide" || action == "set_deadline") {
        require_role(actor, kDeciders);
        if (!open) throw Error(ErrorCode::invalid_transition, Message{"appeal.decided", {{"appeal_state", state}}});
        return action == "decide" ? "" : state;
    }
    throw Error(ErrorCode::unknown_action, Message{"appeal.unknown_action", {{"appeal_action", action}}});
}

void validate_action(const std::string& action, const Poco::JSON::Object::Ptr& body) {
    const FieldSpec note{.name = "note", .type = FieldType::string, .max_length = 2000};
    if (action == "call_back") fieldsync::validate_fields({note}, {}, *body, "record the call-back");
    if (action == "escalate") fieldsync::validate_fields({}, {note}, *body, "escalate an appeal");
    if (action == "decide")
        fieldsync::validate_fields(
            {{.name = "outcome", .type = FieldType::string, .allowed = {"upheld", "refused"}}, note}, {}, *body,
            "decide an appeal");
    if (action == "set_deadline")
        fieldsync::validate_fields({{.name = "callback_due_at", .type = FieldType::date_time}}, {}, *body,
                                   "set the call-back deadline");
    if (action == "call_back" || action == "decide") plain_text(body, "note", 2000);
}

}  // namespace

Poco::JSON::Object::Ptr AppealService::create(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    fieldsync::validate_fields(
        {{.name = "job_id", .type = FieldType::string},
         {.name = "decision", .type = FieldType::string, .allowed = {"warranty_refused", "customer_caused"}},
         {.name = "reason", .type = FieldType::string, .max_length = 4000}},
        {{.name = "evidence", .type = FieldType::array}, {.name = "evidence_files", .type = FieldType::array}}, *body,
        "appeal a decision");
    std::string job_id = text(body, "job_id"), decision = text(body, "decision");
    std::string reason = plain_text(body, "reason", 4000);
    std::string id = fieldsync::uuid_v7();
    auto files = read_evidence_files(body);
    // The job, the decision appealed and no other open appeal of it: checked before any evidence bytes are stored
    // (a refused appeal leaves none behind) and again in the write.
    auto checked = [&](Db& db) {
        auto job = visible_job(db, actor, job_id, "job_id");
        std::int64_t plan_version = appealed_plan(db, job_id, decision);
        if (db.scalar(std::string("SELECT COUNT(*) FROM appeals WHERE job_id = ? AND decision = ? AND state IN ") +
                          kOpenStates,
                      {job_id, decision}) > 0)
            throw Error(ErrorCode::conflict, Message{"appeal.open_already", {}}, "decision");
        checked_evidence(db, body, job_id);
        return std::make_pair(job, plan_version);
    };
    if (!files.empty()) {
        db_.read(checked);
        store_evidence_files(attachments_, files);
    }
    return db_.write([&](Db& db) {
        auto [job, plan_version] = checked(db);
        std::int64_t now_ms = fieldsync::now_ms();
        std::string now = fieldsync::format_utc(now_ms);
        db.execute(
            "INSERT INTO appeals (id, job_id, customer_id, decision, plan_version, reason, evidence_json, state, "
            "callback_due_at, history_json, created_by, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, 1)",
            {id, job_id, text(job, "customer_id"), decision, plan_version, reason,
             attach_evidence(db, checked_evidence(db, body, job_id), files, text(job, "customer_id"), job_id, actor),
             care_due(now_ms, policy_.appeal_callback_minutes), append_history(nullptr, actor, "open", reason, now),
             text_or_null(actor.id), now, now});
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
        after->set("appeal_id", id);
        after->set("decision", decision);
        after->set("plan_version", plan_version);
        audit_care(db, job_id, actor, "appeal_opened", after);
        enqueue_customer_notice(db, job_id, "appeal_received", "您的申诉已受理 / Your appeal is recorded",
                                "我们已收到您的申诉，将在 " + std::to_string(policy_.appeal_callback_minutes / 60) +
                                    " 小时内与您电话联系。\nWe will call you back about your appeal.");
        return load_visible(db, actor, id);
    });
}

Poco::JSON::Object::Ptr AppealService::list(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    allow_filters(query, {"state", "job_id", "overdue"});
    Params params;
    std::string where = scoped_where(actor, "p", query, {"state", "job_id"}, params);
    if (overdue_only(query)) {
        where += " AND p.called_back_at IS NULL AND p.state IN ('open', 'escalated') AND p.callback_due_at <= ?";
        params.emplace_back(fieldsync::format_utc(fieldsync::now_ms()));
    }
    return db_.read(
        [&](Db& db) { return paged(db, kColumns, kFrom, where, params, "p.callback_due_at, p.id", page_of(query)); });
}

Poco::JSON::Object::Ptr AppealService::get(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) { return load_visible(db, actor, id); });
}

Poco::JSON::Object::Ptr AppealService::act(const Actor& actor, const std::string& id, const std::string& action,
                                           const Poco::JSON::Object::Ptr& body) {
    return db_.write([&](Db& db) {
        auto row = load_visible(db, actor, id);
        std::string state = next_state(actor, action, text(row, "state"));
        validate_action(action, body);
        if (action == "decide") state = text(body, "outcome");
        std::string now = fieldsync::format_utc(fieldsync::now_ms()), job_id = text(row, "job_id");
        std::string note = Poco::trim(text(body, "note"));
        std::string due = action == "set_deadline"
                              ? fieldsync::format_utc(*fieldsync::parse_date_time(text(body, "callback_due_at")))
                              : text(row, "callback_due_at");
        db.execute(
            "UPDATE appeals SET state = ?, callback_due_at = ?, history_json = ?, updated_at = ?, "
            "version = version + 1, "
            "called_back_at = CASE WHEN ? = 'call_back' THEN ? ELSE called_back_at END, "
            "callback_note = CASE WHEN ? = 'call_back' THEN ? ELSE callback_note END, "
            "escalated_at = CASE WHEN ? = 'escalate' THEN ? ELSE escalated_at END, "
            "decided_by = CASE WHEN ? = 'decide' THEN ? ELSE decided_by END, "
            "decided_at = CASE WHEN ? = 'decide' THEN ? ELSE decided_at END, "
            "decision_note = CASE WHEN ? = 'decide' THEN ? ELSE decision_note END WHERE id = ?",
            {state, due, append_history(row->getArray("history"), actor, action, note, now), now, action, now, action,
             note, action, now, action, text_or_null(actor.id), action, now, action, note, id});
        // An upheld appeal re-opens the assessment it disputes, through the workflow, in this transaction.
        if (state == "upheld" && text(row, "job_state") == "plan_proposed") {
            Poco::JSON::Object::Ptr revise = new Poco::JSON::Object;
            revise->set("reason", "申诉成立 / appeal upheld: " + note);
            jobs_.act_in(db, actor, job_id, "revise_plan", revise);
        }
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
        after->set("appeal_id", id);
        after->set("state", state);
        after->set("note", note);
        audit_care(db, job_id, actor, "appeal_" + action, after);
        if (action == "decide")
            enqueue_customer_notice(db, job_id, "appeal_decided",
                                    state == "upheld" ? "您的申诉成立 / Your appeal is upheld"
                                                      : "您的申诉未获支持 / Your appeal is refused",
                                    "主管意见：" + note);
        if (action == "escalate")
            enqueue_staff_notice(db, job_id, "appeal_escalated", Role::supervisor,
                                 "申诉转主管：工单 " + text(row, "ticket_no") + " / Appeal escalated",
                                 "客户 " + text(row, "customer_name") + " 的申诉已转交主管处理。" + note);
        return load_visible(db, actor, id);
    });
}

}  // namespace fieldserver
