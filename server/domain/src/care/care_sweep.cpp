// The deadline sweep of customer care and the thread that runs it periodically.
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

}  // namespace

Poco::JSON::Object::Ptr sweep_care_deadlines(Database& database, std::int64_t now_ms) {
    std::string now = fieldsync::format_utc(now_ms);
    return database.write([&](Db& db) {
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        for (const auto& d : kDeadlines) out->set(d.key, sweep_one(db, d, now));
        return out;
    });
}

Poco::JSON::Object::Ptr sweep_care_deadlines_for(Database& db, const Actor& actor) {
    require_role(actor, {Role::admin, Role::supervisor});
    return sweep_care_deadlines(db, fieldsync::now_ms());
}

CareSweeper::CareSweeper(Database& db, int interval_seconds, Poco::Logger& log)
    : db_(db), interval_seconds_(interval_seconds), log_(log) {
    if (interval_seconds_ > 0) thread_ = std::thread([this] { run(); });
}

CareSweeper::~CareSweeper() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CareSweeper::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(interval_seconds_), [this] { return stopping_; })) {
        lock.unlock();
        try {
            auto result = sweep_care_deadlines(db_, fieldsync::now_ms());
            std::size_t n = 0;
            for (const auto& d : kDeadlines) n += result->getArray(d.key)->size();
            if (n > 0) log_.notice("care deadlines: %z record(s) overdue", n);
        } catch (const std::exception& e) {
            // The next round retries; the sweep is one transaction, so a failed one changed nothing.
            log_.error("care deadline sweep failed: %s", std::string(e.what()));
        }
        lock.lock();
    }
}

}  // namespace fieldserver
