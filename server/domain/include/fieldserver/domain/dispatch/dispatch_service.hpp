// Who should do a job: ranked suggestions for one job, and auto-assign for many — previewed as a stored proposal,
// then applied (all or some jobs) through the workflow's assign action, each job on its own and checked for staleness.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class DispatchService {
  public:
    DispatchService(Database& db, JobService& jobs) : db_(db), jobs_(jobs) {}

    // Every technician for the job, best first, with the reasons; ?at= plans as of that instant (default now).
    Poco::JSON::Object::Ptr suggestions(const Actor& actor, const std::string& job_id, const Query& query);
    // {date, job_ids?}: the optimiser's plan for the unassigned reported jobs, with greedy's for comparison.
    Poco::JSON::Object::Ptr preview(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // {job_ids?}: assigns and books the proposal's jobs (all when job_ids is absent); per job assigned or refused.
    Poco::JSON::Object::Ptr apply(const Actor& actor, const std::string& proposal_id,
                                  const Poco::JSON::Object::Ptr& body);

  private:
    Database& db_;
    JobService& jobs_;
};

}  // namespace fieldserver
