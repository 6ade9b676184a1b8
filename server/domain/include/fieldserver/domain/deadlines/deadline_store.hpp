// The durable timers of jobs and after-sales cases: rows in the deadlines table, scheduled and cancelled inside the
// transaction of the change that starts or ends the wait.
#pragma once

#include <initializer_list>
#include <string>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// The rules a deadline may fire by (each a time limit of the time-limits policy, or hold_until's date).
namespace deadline_rule {
inline const char* const case_response = "case_response";  // approve a request the merchant did not answer
inline const char* const plan_reminder = "plan_reminder";  // remind the customer of a plan waiting for them
inline const char* const plan_decision = "plan_decision";  // decline a plan the customer never answered
inline const char* const hold_until = "hold_until";        // resume a hold at its end date; tell the dispatcher
inline const char* const hold_reminder = "hold_reminder";  // remind the dispatcher of an open-ended hold
}  // namespace deadline_rule

// Adds a pending deadline (case_id empty for a job's own) due at due_at (UTC, format_utc); returns its id.
std::string schedule_deadline(Db& db, const std::string& job_id, const std::string& case_id, const std::string& rule,
                              const std::string& due_at, const std::string& now);

// Cancels the pending deadlines of a job (or, with case_id, of one case) under rules.
void cancel_deadlines(Db& db, const std::string& job_id, const std::string& case_id,
                      std::initializer_list<const char*> rules, const std::string& now);

}  // namespace fieldserver
