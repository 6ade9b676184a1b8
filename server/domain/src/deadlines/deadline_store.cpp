// Scheduling and cancelling deadline rows; firing them is DeadlineService's.
#include "fieldserver/domain/deadlines/deadline_store.hpp"

#include "fieldsync/uuid.hpp"

namespace fieldserver {

std::string schedule_deadline(Db& db, const std::string& job_id, const std::string& case_id, const std::string& rule,
                              const std::string& due_at, const std::string& now) {
    std::string id = fieldsync::uuid_v7();
    db.execute(
        "INSERT INTO deadlines (id, job_id, case_id, rule, due_at, state, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'pending', ?)",
        {id, job_id, text_or_null(case_id), std::string(rule), due_at, now});
    return id;
}

void cancel_deadlines(Db& db, const std::string& job_id, const std::string& case_id,
                      std::initializer_list<const char*> rules, const std::string& now) {
    for (const char* rule : rules) {
        if (case_id.empty())
            db.execute(
                "UPDATE deadlines SET state = 'cancelled', fired_at = ?, outcome = 'the wait ended first' "
                "WHERE job_id = ? AND case_id IS NULL AND rule = ? AND state = 'pending'",
                {now, job_id, std::string(rule)});
        else
            db.execute(
                "UPDATE deadlines SET state = 'cancelled', fired_at = ?, outcome = 'the wait ended first' "
                "WHERE case_id = ? AND rule = ? AND state = 'pending'",
                {now, case_id, std::string(rule)});
    }
}

}  // namespace fieldserver
