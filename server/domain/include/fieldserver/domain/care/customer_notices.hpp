// The job steps a customer is told of beyond the outbox's own events: a technician assigned, the repair on hold
// (with the reason) and the job cancelled, by email and SMS.
#pragma once

#include "fieldserver/domain/jobs/job_change.hpp"

namespace fieldserver {

// Listener of job changes (services.cpp), in the change's transaction.
void notify_customer_of_step(Db& db, const JobChange& change);

}  // namespace fieldserver
