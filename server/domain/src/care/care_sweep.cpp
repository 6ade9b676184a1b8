// The deadline sweep of customer care, run by the periodic round and on request.
#include "fieldserver/domain/care/care_sweep.hpp"

#include <Poco/JSON/Array.h>

#include "fieldserver/domain/care/care_records.hpp"
#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {
namespace {

// One kind of deadline: the table, the due column, the column marking it overdue, the open states, and the
// supervisors' notice.
struct Deadline {
    const char* key;
    const char* table;
    const char* due_column;
    const char* mark_column;
    const char* states;  // SQL list
    const char* extra;   // further condition
    const char* subject;
};

const Deadline kDeadlines[] = {
    {"appeals", "appeals", "callback_due_at", "callback_overdue_at", "('open', 'escalated')",
     " AND called_back_at IS NULL", "申诉超过 48 小时未回电 / Appeal not called back in time"},
    {"complaints_contact", "complaints", "contact_due_at", "contact_overdue_at", "('open')", "",
     "投诉未按时联系客户 / Complaint not contacted in time"},
    {"complaints_resolve", "complaints", "resolve_due_at", "resolve_overdue_at", "('open', 'contacted', 'escalated')",
     "", "投诉未按时解决 / Complaint not resolved in time"},
};

Poco::JSON::Array::Ptr sweep_one(Db& db, const Deadline& d, const std::string& now) {
    Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
    Actor sweeper{.role = Role::system, .name = "care deadlines", .source = "care-sweep"};
    auto due = db.query(std::string("SELECT id, job_id, history_json FROM ") + d.table + " WHERE state IN " + d.states +
                            " AND " + d.mark_column + " IS NULL AND " + d.due_column + " <= ?" + d.extra +
                            " ORDER BY " + d.due_column + ", id",
                        {now});
    for (const auto& v : *due) {
        auto row = v.extract<Poco::JSON::Object::Ptr>();
        std::string id = text(row, "id"), job_id = text(row, "job_id");
        db.execute(
            std::string("UPDATE ") + d.table + " SET " + d.mark_column + " = ?, history_json = ? WHERE id = ?",
            {now, append_history(row->getArray("history"), sweeper, std::string(d.key) + "_overdue", "", now), id});
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
        after->set("record_id", id);
        after->set("deadline", d.due_column);
        audit_care(db, job_id, sweeper, std::string(d.table) + "_overdue", after);
        if (!job_id.empty())
            enqueue_staff_notice(db, job_id, std::string(d.key) + "_overdue", Role::supervisor, d.subject,
                                 std::string(d.subject) + "\n" + d.table + " " + id);
        ids->add(id);
    }
    return ids;
}

// Customers whose plan waits for their decision and whose decision deadline (deadlines rule plan_decision) is
// within near_minutes: told once, remembered in care_notices_sent (the insert is the claim).
Poco::JSON::Array::Ptr notify_deadlines_near(Db& db, std::int64_t now_ms, std::int64_t near_minutes) {
    Poco::JSON::Array::Ptr jobs = new Poco::JSON::Array;
    std::string now = fieldsync::format_utc(now_ms), horizon = care_due(now_ms, near_minutes);
    auto near = db.query(
        "SELECT d.id, d.job_id, d.due_at FROM deadlines d WHERE d.state = 'pending' AND d.rule = 'plan_decision' "
        "AND d.due_at <= ? AND NOT EXISTS (SELECT 1 FROM care_notices_sent s WHERE s.notice = 'deadline_near' "
        "AND s.record_id = d.id) ORDER BY d.due_at, d.id",
        {horizon});
    for (const auto& v : *near) {
        auto row = v.extract<Poco::JSON::Object::Ptr>();
        if (db.execute("INSERT INTO care_notices_sent (notice, record_id, sent_at) VALUES ('deadline_near', ?, ?) "
                       "ON CONFLICT DO NOTHING",
                       {text(row, "id"), now}) != 1)
            continue;
        std::string due = text(row, "due_at");
        enqueue_customer_notice(db, text(row, "job_id"), "deadline_near",
                                "维修方案确认即将截止 / Your decision on the repair plan is due soon",
                                "请在 " + due +
                                    " 前在客户门户同意、拒绝或协商维修方案，逾期将按规则处理（默认拒绝并取消）。\n" +
                                    "Please approve, decline or counter the repair plan in the portal before " + due +
                                    "; after that the time-limit policy decides (by default the plan is declined).");
        jobs->add(text(row, "job_id"));
    }
    return jobs;
}

}  // namespace

Poco::JSON::Object::Ptr CareSweep::sweep(std::int64_t now_ms) {
    std::string now = fieldsync::format_utc(now_ms);
    return db_.write([&](Db& db) {
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        for (const auto& d : kDeadlines) out->set(d.key, sweep_one(db, d, now));
        out->set("deadline_near", notify_deadlines_near(db, now_ms, policy_.deadline_near_minutes));
        return out;
    });
}

Poco::JSON::Object::Ptr CareSweep::sweep_for(const Actor& actor) {
    require_role(actor, {Role::admin, Role::supervisor});
    return sweep(fieldsync::now_ms());
}

void run_care_round(CareSweep& care, Poco::Logger& log) {
    try {
        auto result = care.sweep(fieldsync::now_ms());
        std::size_t n = 0;
        for (const auto& d : kDeadlines) n += result->getArray(d.key)->size();
        if (n > 0) log.notice("care deadlines: %z record(s) overdue", n);
        if (auto near = result->getArray("deadline_near")->size(); near > 0)
            log.notice("care deadlines: %z customer(s) told a deadline is near", near);
    } catch (const std::exception& e) {
        // The next round retries; the sweep is one transaction, so a failed one changed nothing.
        log.error("care deadline sweep failed: %s", std::string(e.what()));
    }
}

}  // namespace fieldserver
