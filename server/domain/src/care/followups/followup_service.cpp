// Follow-ups: created by job changes, worked from the queue, closed by a survey or waived; low ratings become
// complaints in the same transaction.
#include "fieldserver/domain/care/followups/followup_service.hpp"

#include <Poco/String.h>

#include "fieldserver/domain/care/complaints/complaint_service.hpp"
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
    "f.id, f.job_id, j.ticket_no, j.state AS job_state, f.customer_id, cu.name AS customer_name, "
    "cu.phone AS customer_phone, f.reason, f.state, f.due_at, f.survey_channel, f.rating, f.technician_rating, "
    "f.timeliness_rating, f.price_rating, f.comment, f.waive_reason, f.complaint_id, f.done_by, f.done_at, "
    "f.technician_id, t.name AS technician_name, f.created_at";
const char* kFrom =
    "followups f JOIN jobs j ON j.id = f.job_id JOIN customers cu ON cu.id = f.customer_id "
    "LEFT JOIN users t ON t.id = f.technician_id";

// The job actions that end a job as far as the customer is concerned, and the follow-up reason each gives.
const char* reason_of(const std::string& action) {
    if (action == "record_acceptance") return "accepted";
    if (action == "decline_plan") return "declined";
    if (action == "cancel") return "cancelled";
    if (action == "withdraw") return "withdrawn";
    if (action == "return_unrepaired") return "returned";
    return nullptr;
}

// The record when actor may see it (care_record_visible); not_found otherwise.
Poco::JSON::Object::Ptr load_visible(Db& db, const Actor& actor, const std::string& id) {
    return load_visible_record(db, actor, std::string("SELECT ") + kColumns + " FROM " + kFrom + " WHERE f.id = ?",
                               "followup", id);
}

// The complaint type a low survey points at: the aspect rated lowest (2 or less), else the repair's quality.
std::string complaint_type(const Poco::JSON::Object::Ptr& body) {
    std::string type = "quality_of_repair";
    std::int64_t lowest = 3;
    for (const auto& [field, kind] : {std::pair<const char*, const char*>{"technician_rating", "service_attitude"},
                                      {"timeliness_rating", "timeliness"},
                                      {"price_rating", "price"}})
        if (has_value(body, field) && integer(body, field) < lowest) {
            lowest = integer(body, field);
            type = kind;
        }
    return type;
}

}  // namespace

bool followup_settled(Db& db, const std::string& job_id) {
    return db.scalar("SELECT COUNT(*) FROM followups WHERE job_id = ? AND state = 'due'", {job_id}) == 0;
}

void record_followup(Db& db, const JobChange& c, const CarePolicy& policy) {
    const char* reason = reason_of(c.action);
    if (!reason) return;
    auto job = db.query_one("SELECT customer_id, assignee_id FROM jobs WHERE id = ?", {c.job_id});
    if (!job) return;
    std::int64_t now_ms = fieldsync::now_ms();
    std::string now = fieldsync::format_utc(now_ms);
    db.execute(
        "INSERT INTO followups (id, job_id, customer_id, reason, state, due_at, technician_id, created_at) "
        "VALUES (?, ?, ?, ?, 'due', ?, ?, ?)",
        {fieldsync::uuid_v7(), c.job_id, text(job, "customer_id"), std::string(reason),
         care_due(now_ms, policy.followup_delay_minutes), text_or_null(text(job, "assignee_id")), now});
    auto fields = c.after ? c.after->getObject("fields") : nullptr;
    if (c.action == "record_acceptance" && has_value(fields, "rating") && integer(fields, "rating") <= 2) {
        std::string comment = Poco::trim(text(fields, "comment"));
        ComplaintService::open(db, Actor{.role = Role::system, .name = "low rating", .source = c.actor.source},
                               NewComplaint{.customer_id = text(job, "customer_id"),
                                            .job_id = c.job_id,
                                            .type = "quality_of_repair",
                                            .channel = "acceptance",
                                            .description = "验收评分 " + std::to_string(integer(fields, "rating")) +
                                                           " 星 / rated " + std::to_string(integer(fields, "rating")) +
                                                           " at acceptance" + (comment.empty() ? "" : ": " + comment)},
                               policy);
    }
}

Poco::JSON::Object::Ptr FollowupService::list(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    allow_filters(query, {"state", "job_id", "overdue"});
    if (auto state = filter(query, "state"); !state.empty() && state != "due" && state != "done" && state != "waived")
        throw Error(ErrorCode::invalid_field,
                    Message{"field.one_of", {{"field", "state"}, {"values", "due, done, waived"}}}, "state");
    Params params;
    std::string where = scoped_where(actor, "f", query, {"state", "job_id"}, params);
    if (overdue_only(query)) {
        where += " AND f.state = 'due' AND f.due_at <= ?";
        params.emplace_back(fieldsync::format_utc(fieldsync::now_ms()));
    }
    return db_.read(
        [&](Db& db) { return paged(db, kColumns, kFrom, where, params, "f.due_at, f.id", page_of(query)); });
}

Poco::JSON::Object::Ptr FollowupService::get(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) { return load_visible(db, actor, id); });
}

Poco::JSON::Object::Ptr FollowupService::survey(const Actor& actor, const std::string& id,
                                                const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    auto rating = [](const char* name) {
        return FieldSpec{.name = name, .type = FieldType::integer, .min = 1, .max = 5};
    };
    fieldsync::validate_fields({rating("rating")},
                               {rating("technician_rating"),
                                rating("timeliness_rating"),
                                rating("price_rating"),
                                {.name = "comment", .type = FieldType::string, .max_length = 2000}},
                               *body, "record a survey");
    return db_.write([&](Db& db) {
        auto row = load_visible(db, actor, id);
        if (text(row, "state") != "due")
            throw Error(ErrorCode::invalid_transition,
                        Message{"followup.settled", {{"followup_state", text(row, "state")}}});
        std::string complaint_id;
        std::string comment = Poco::trim(text(body, "comment"));
        if (integer(body, "rating") <= 2)
            complaint_id = ComplaintService::open(
                db, actor,
                NewComplaint{.customer_id = text(row, "customer_id"),
                             .job_id = text(row, "job_id"),
                             .type = complaint_type(body),
                             .channel = "survey",
                             .description = "回访评分 " + std::to_string(integer(body, "rating")) +
                                            " 星 / survey rating " + std::to_string(integer(body, "rating")) +
                                            (comment.empty() ? "" : ": " + comment)},
                policy_);
        auto opt = [&](const char* key) {
            return has_value(body, key) ? Value(integer(body, key)) : Value(std::monostate{});
        };
        db.execute(
            "UPDATE followups SET state = 'done', survey_channel = ?, rating = ?, technician_rating = ?, "
            "timeliness_rating = ?, price_rating = ?, comment = ?, complaint_id = ?, done_by = ?, done_at = ? "
            "WHERE id = ?",
            {std::string(actor.role == Role::customer ? "portal" : "phone"), integer(body, "rating"),
             opt("technician_rating"), opt("timeliness_rating"), opt("price_rating"), text_or_null(comment),
             text_or_null(complaint_id), text_or_null(actor.id), fieldsync::format_utc(fieldsync::now_ms()), id});
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
        after->set("followup_id", id);
        after->set("rating", integer(body, "rating"));
        after->set("complaint_id", complaint_id.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(complaint_id));
        audit_care(db, text(row, "job_id"), actor, "followup_done", after);
        return load_visible(db, actor, id);
    });
}

Poco::JSON::Object::Ptr FollowupService::waive(const Actor& actor, const std::string& id,
                                               const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    fieldsync::validate_fields({{.name = "reason", .type = FieldType::string, .max_length = 2000}}, {}, *body,
                               "waive a follow-up");
    std::string reason = plain_text(body, "reason", 2000);
    return db_.write([&](Db& db) {
        auto row = load_visible(db, actor, id);
        if (text(row, "state") != "due")
            throw Error(ErrorCode::invalid_transition,
                        Message{"followup.settled", {{"followup_state", text(row, "state")}}});
        db.execute("UPDATE followups SET state = 'waived', waive_reason = ?, done_by = ?, done_at = ? WHERE id = ?",
                   {reason, text_or_null(actor.id), fieldsync::format_utc(fieldsync::now_ms()), id});
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
        after->set("followup_id", id);
        after->set("reason", reason);
        audit_care(db, text(row, "job_id"), actor, "followup_waived", after);
        return load_visible(db, actor, id);
    });
}

}  // namespace fieldserver
