// The job summary a customer signs, computed on the device from the replica's rows, so acceptance works offline.
// The text must equal the server's (server/src/services/job_service.cpp, summary_text), because acceptance carries
// its SHA-256 and the server refuses a different one (stale_summary); an integration test compares the two.
#pragma once

#include <string>

#include "fieldmobile/replica.hpp"

namespace fieldmobile {

// The summary text of a visible job: ticket, customer, product, fault, the approved (else latest) plan and the
// repair record. Throws Error(not_found) when the device has no such job.
std::string job_summary_text(const Replica& replica, const std::string& job_id);
// SHA-256 hex of job_summary_text.
std::string job_summary_sha256(const Replica& replica, const std::string& job_id);

}  // namespace fieldmobile
