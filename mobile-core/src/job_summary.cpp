// The signed job summary from the replica: this file only gathers the rows; fieldsync formats and hashes them.
#include "fieldmobile/job_summary.hpp"

#include "fieldsync/error.hpp"
#include "fieldsync/job_summary.hpp"

namespace fieldmobile {
namespace {

using Poco::JSON::Object;

// A row the device may not have (a customer or asset outside its buckets) reads as empty.
std::string text(const Object::Ptr& row, const std::string& key) {
    return row ? row->optValue<std::string>(key, {}) : "";
}

fieldsync::JobSummaryInput summary_input(const Replica& replica, const std::string& job_id) {
    auto job = replica.row("jobs", job_id);
    if (!job) throw fieldsync::Error(fieldsync::ErrorCode::not_found, "no job " + job_id + " on this device");
    auto customer = replica.row("customers", text(job, "customer_id"));
    auto asset = replica.row("assets", text(job, "asset_id"));
    fieldsync::JobSummaryInput in{.ticket_no = text(job, "ticket_no"),
                                  .customer_name = text(customer, "name"),
                                  .asset_model = text(asset, "model"),
                                  .asset_serial_no = text(asset, "serial_no"),
                                  .description = text(job, "description"),
                                  .plan_version = fieldsync::summary_plan_version(*job),
                                  .repair = job->getObject("repair")};
    // Device plan rows carry their version as plan_version (the server's column is version).
    for (const auto& plan : replica.rows_of_job("plans", job_id))
        if (plan->optValue<std::int64_t>("plan_version", 0) == in.plan_version) in.plan = plan;
    return in;
}

}  // namespace

std::string job_summary_text(const Replica& replica, const std::string& job_id) {
    return fieldsync::job_summary_text(summary_input(replica, job_id));
}

std::string job_summary_sha256(const Replica& replica, const std::string& job_id) {
    return fieldsync::job_summary_sha256(summary_input(replica, job_id));
}

}  // namespace fieldmobile
