// The one mapping from a jobs row to the typed Job.
#include "fieldserver/domain/jobs/job.hpp"

#include "fieldserver/util/json.hpp"

namespace fieldserver {

Job job_from_row(const Poco::JSON::Object::Ptr& row) {
    Job job;
    job.id = text(row, "id");
    job.ticket_no = text(row, "ticket_no");
    job.customer_id = text(row, "customer_id");
    job.asset_id = text(row, "asset_id");
    job.state = text(row, "state");
    job.previous_state = text(row, "previous_state");
    job.assignee_id = text(row, "assignee_id");
    job.mode = text(row, "mode");
    job.close_reason = text(row, "close_reason");
    job.plan_version = integer(row, "plan_version");
    if (has_value(row, "approved_plan_version")) job.approved_plan_version = integer(row, "approved_plan_version");
    job.rework_count = integer(row, "rework_count");
    job.version = integer(row, "version");
    job.schedule = row->getObject("schedule");
    job.repair = row->getObject("repair");
    return job;
}

}  // namespace fieldserver
