// Scheduling deadlines from job changes and firing them: default approval of unanswered after-sales requests,
// reminders and expiry of plans waiting for the customer, the end of holds.
#include "fieldserver/domain/deadlines/deadline_service.hpp"

#include "fieldserver/domain/aftersales/policies.hpp"
#include "fieldserver/domain/deadlines/deadline_store.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

std::string after_hours(const std::string& now, double hours) {
    return fieldsync::format_utc(*fieldsync::parse_date_time(now) + static_cast<std::int64_t>(hours * 3'600'000));
}

Actor system_actor(const std::string& rule) {
    return Actor{.role = Role::system, .name = "deadline " + rule, .source = "deadline:" + rule};
}

// A deadline that only tells someone: an event on the job's chain, which the notification listener turns into the
// reminder ("deadline_plan_reminder" to the customer, "deadline_hold_reminder" to the dispatchers).
void remind(Db& db, JobChangeListeners& listeners, const Poco::JSON::Object::Ptr& d) {
    std::string job_id = text(d, "job_id"), action = "deadline_" + text(d, "rule");
    Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
    after->set("rule", text(d, "rule"));
    after->set("due_at", text(d, "due_at"));
    Actor actor = system_actor(text(d, "rule"));
    listeners.publish(db, JobChange{job_id, action, actor, new Poco::JSON::Object, after});
}

}  // namespace

void DeadlineService::on_job_change(Db& db, const JobChange& c) {
    if (c.action.rfind("after_sales_", 0) == 0 || c.action.rfind("deadline_", 0) == 0) return;
    std::string before = text(c.before, "state"), after = text(c.after, "state");
    if (before == after && c.action != "submit_assessment") return;
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    if (before == "plan_proposed" || c.action == "submit_assessment")
        cancel_deadlines(db, c.job_id, "", {deadline_rule::plan_reminder, deadline_rule::plan_decision}, now);
    if (before == "on_hold")
        cancel_deadlines(db, c.job_id, "", {deadline_rule::hold_until, deadline_rule::hold_reminder}, now);
    if (after == "plan_proposed") {
        auto limits = load_time_limits(db);
        schedule_deadline(db, c.job_id, "", deadline_rule::plan_reminder, after_hours(now, limits.plan_reminder_hours),
                          now);
        if (limits.plan_on_expiry == "decline")
            schedule_deadline(db, c.job_id, "", deadline_rule::plan_decision,
                              after_hours(now, limits.plan_decision_hours), now);
    }
    if (after == "on_hold" && before != "on_hold") {
        auto fields = c.after->getObject("fields");
        if (has_value(fields, "until"))
            schedule_deadline(db, c.job_id, "", deadline_rule::hold_until,
                              fieldsync::format_utc(*fieldsync::parse_date_time(text(fields, "until"))), now);
        else
            schedule_deadline(db, c.job_id, "", deadline_rule::hold_reminder,
                              after_hours(now, load_time_limits(db).hold_reminder_hours), now);
    }
}

Poco::JSON::Object::Ptr DeadlineService::sweep(std::int64_t as_of_ms) {
    std::string as_of = fieldsync::format_utc(as_of_ms);
    auto due = db_.read([&](Db& db) {
        return db.query(
            "SELECT id FROM deadlines WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT 500", {as_of});
    });
    Poco::JSON::Array::Ptr fired = new Poco::JSON::Array;
    for (const auto& v : *due)
        if (auto outcome = fire(text(v.extract<Poco::JSON::Object::Ptr>(), "id"), as_of)) fired->add(outcome);
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("as_of", as_of);
    out->set("checked", static_cast<std::int64_t>(due->size()));
    out->set("fired", fired);
    return out;
}

Poco::JSON::Object::Ptr DeadlineService::sweep(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    fieldsync::validate_fields({}, {{.name = "as_of", .type = fieldsync::FieldType::date_time}}, *body,
                               "sweep the deadlines");
    std::int64_t now = fieldsync::now_ms();
    // Earlier than now would only hold back what is due; a later time fires early what an admin could do by hand.
    std::int64_t as_of = has_value(body, "as_of") ? *fieldsync::parse_date_time(text(body, "as_of")) : now;
    if (as_of < now) throw Error(ErrorCode::invalid_field, Message{"field.before_now", {{"field", "as_of"}}}, "as_of");
    return sweep(as_of);
}

Poco::JSON::Object::Ptr DeadlineService::fire(const std::string& id, const std::string& now) {
    try {
        return db_.write([&](Db& db) -> Poco::JSON::Object::Ptr {
            // The claim: of all sweeps that read this row as pending, exactly one moves it on.
            if (db.execute("UPDATE deadlines SET state = 'fired', fired_at = ?, outcome = 'done' WHERE id = ? AND "
                           "state = 'pending'",
                           {now, id}) != 1)
                return nullptr;
            auto d = db.query_one("SELECT id, job_id, case_id, rule, due_at, state FROM deadlines WHERE id = ?", {id});
            perform(db, d);
            return db.query_one("SELECT id, job_id, case_id, rule, due_at, state, outcome FROM deadlines WHERE id = ?",
                                {id});
        });
    } catch (const Error& e) {
        // The job or case moved on before the deadline fired (a person acted first): nothing of the firing stays,
        // and the deadline records why it did nothing.
        if (e.code() != ErrorCode::invalid_transition && e.code() != ErrorCode::conflict &&
            e.code() != ErrorCode::invalid_field)
            throw;
        return db_.write([&](Db& db) -> Poco::JSON::Object::Ptr {
            if (db.execute("UPDATE deadlines SET state = 'void', fired_at = ?, outcome = ? WHERE id = ? AND state = "
                           "'pending'",
                           {now, std::string(e.what()), id}) != 1)
                return nullptr;
            return db.query_one("SELECT id, job_id, case_id, rule, due_at, state, outcome FROM deadlines WHERE id = ?",
                                {id});
        });
    }
}

void DeadlineService::perform(Db& db, const Poco::JSON::Object::Ptr& d) {
    std::string rule = text(d, "rule"), job_id = text(d, "job_id");
    Actor actor = system_actor(rule);
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
    if (rule == deadline_rule::case_response) {
        auto c =
            db.query_one("SELECT id, kind, amount_cents FROM after_sales_cases WHERE id = ?", {text(d, "case_id")});
        fields->set("note", "approved by default: no answer by " + text(d, "due_at") + " (rule case_response)");
        cases_.act_in(db, actor, text(c, "id"), "approve", fields);
        // 仅退款 approved by default is refunded at once, by the original route.
        if (text(c, "kind") == "refund_only") {
            Poco::JSON::Object::Ptr refund = new Poco::JSON::Object;
            refund->set("amount", integer(c, "amount_cents") / 100.0);
            refund->set("method", "original_route");
            refund->set("reference", "auto-refund " + text(d, "id"));
            cases_.act_in(db, actor, text(c, "id"), "refund", refund);
        }
    } else if (rule == deadline_rule::plan_decision) {
        auto job = db.query_one("SELECT plan_version FROM jobs WHERE id = ?", {job_id});
        fields->set("plan_version", integer(job, "plan_version"));
        fields->set("reason", "declined by the system: no decision by " + text(d, "due_at") + " (rule plan_decision)");
        jobs_.act_in(db, actor, job_id, "decline_plan", fields);
    } else if (rule == deadline_rule::hold_until) {
        fields->set("note", "hold ended at " + text(d, "due_at") + " (rule hold_until)");
        jobs_.act_in(db, actor, job_id, "resume", fields);
    } else {
        remind(db, jobs_.listeners(), d);
    }
}

void run_deadline_round(DeadlineService& deadlines, Poco::Logger& log) {
    try {
        auto result = deadlines.sweep(fieldsync::now_ms());
        auto n = result->getArray("fired")->size();
        if (n > 0) log.notice("deadlines: %z fired", n);
    } catch (const std::exception& e) {
        log.error("deadline sweep failed: %s", std::string(e.what()));
    }
}

}  // namespace fieldserver
