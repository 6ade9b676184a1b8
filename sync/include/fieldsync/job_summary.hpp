// The job summary a customer signs at acceptance. Acceptance carries the SHA-256 of this text and the server
// refuses any other (stale_summary), so the server and the device (offline) both build it here, from their own rows.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

namespace fieldsync {

// What the summary shows of a job; the caller gathers it (the server from its tables, the device from its replica).
struct JobSummaryInput {
    std::string ticket_no;
    std::string customer_name;
    std::string asset_model;
    std::string asset_serial_no;
    std::string description;  // the reported fault
    // The plan of version summary_plan_version(job), or null: findings, mode, items [{description, quantity,
    // unit_price}], cost_to_customer_cents, currency.
    Poco::JSON::Object::Ptr plan = nullptr;
    std::int64_t plan_version = 0;
    // The job's repair record, or null: work_summary, time_spent_minutes, parts_used [{description, quantity}].
    Poco::JSON::Object::Ptr repair = nullptr;
};

// The plan version a job's summary shows: the approved one, else the latest proposed (0 when there is none).
// job is a job row (approved_plan_version, plan_version; absent or null count as none).
std::int64_t summary_plan_version(const Poco::JSON::Object& job);

// The summary text, bilingual (zh/en), one line per fact, UTF-8.
std::string job_summary_text(const JobSummaryInput& input);
// Lower-case hex SHA-256 of job_summary_text: what acceptance carries as summary_sha256.
std::string job_summary_sha256(const JobSummaryInput& input);

}  // namespace fieldsync
