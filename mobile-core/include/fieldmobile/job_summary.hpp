// The job summary a customer signs, gathered from the replica's rows so acceptance works offline. The text is
// fieldsync's (fieldsync/job_summary.hpp), the same function the server uses, so the hashes agree.
#pragma once

#include <string>

#include "fieldmobile/replica.hpp"

namespace fieldmobile {

// The summary text of a visible job: ticket, customer, product, fault, the approved (else latest) plan and the
// repair record, including one completed offline. Throws Error(not_found) when the device has no such job.
std::string job_summary_text(const Replica& replica, const std::string& job_id);
// SHA-256 hex of job_summary_text: the summary_sha256 of record_acceptance.
std::string job_summary_sha256(const Replica& replica, const std::string& job_id);

}  // namespace fieldmobile
