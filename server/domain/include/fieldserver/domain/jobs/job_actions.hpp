// The workflow actions of a job, one handler each, in a table by action name. JobService does the common part
// (load, resolve and validate against the workflow table, version-guarded save, publishing the change); a handler
// checks and records what its action adds and sets the job's next values in the context.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/jobs/job.hpp"
#include "fieldserver/domain/jobs/job_change.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/job_summary.hpp"

namespace fieldserver {

struct JobActionContext {
    Db& db;
    const Actor& actor;
    const Job& job;
    const Poco::JSON::Object::Ptr& row;     // the loaded row, with the joined names the signed summary shows
    const Poco::JSON::Object::Ptr& fields;  // the action's input, already validated against the workflow table
    const JobPolicy& policy;
    const JobChangeListeners& listeners;
    std::string now, today;
    // The job's values after the action, starting from the loaded ones.
    std::string assignee_id, mode, close_reason;
    std::int64_t plan_version = 0;
    std::optional<std::int64_t> approved_plan_version;
    std::int64_t rework_count = 0;
    Poco::JSON::Object::Ptr schedule, repair;
    bool auto_approve = false;  // approve the new plan as the system in the same transaction
};

using JobActionHandler = void (*)(JobActionContext&);

// Every workflow action's handler.
const std::map<std::string, JobActionHandler>& job_action_handlers();

// Throws std::logic_error naming every workflow action without a handler and every handler without a workflow
// action, so a server whose table and workflow disagree refuses to start.
void check_action_table(const std::vector<std::string>& workflow_actions, const std::vector<std::string>& handled);

// The distinct action names of a workflow table, in table order.
std::vector<std::string> workflow_actions(const fieldsync::Workflow& workflow);

// What a customer pays to withdraw the job now (withdraw action): 0 before inspection or for a warranty plan.
std::int64_t withdrawal_fee_cents(Db& db, const Job& job);

// The open repair-warranty record of an asset on a date, if any.
Poco::JSON::Object::Ptr open_warranty(Db& db, const std::string& asset_id, const std::string& today);

// What the signed summary shows of a job row: the text itself is fieldsync's, shared with the device.
fieldsync::JobSummaryInput summary_input(Db& db, const Poco::JSON::Object::Ptr& row);

}  // namespace fieldserver
