// Deadlines that decide by themselves: the listener that starts and ends the waits of jobs (a plan waiting for
// the customer, a hold), and the sweep that fires what is due, each deadline exactly once.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <cstdint>

#include "fieldserver/domain/aftersales/case_service.hpp"
#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/jobs/job_change.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class DeadlineService {
  public:
    DeadlineService(Database& db, JobService& jobs, CaseService& cases) : db_(db), jobs_(jobs), cases_(cases) {}

    // A JobChange listener: schedules the deadlines of the wait a change starts and cancels those of the wait it
    // ends, in the change's transaction.
    static void on_job_change(Db& db, const JobChange& change);

    // The periodic round's entry point: fires every pending deadline due at as_of_ms, each in its own transaction
    // and at most once, even with several server instances sweeping (the pending -> fired update is the claim).
    // A deadline whose job or case moved on first ends "void" with the reason. {checked, fired: [...]}.
    Poco::JSON::Object::Ptr sweep(std::int64_t as_of_ms);
    // sweep() for an admin through the API; as_of (a date-time, not before now) runs it as if it were then.
    Poco::JSON::Object::Ptr sweep(const Actor& actor, const Poco::JSON::Object::Ptr& body);

  private:
    // Fires one deadline; its outcome ("fired", "void" or "" when another sweep had it).
    Poco::JSON::Object::Ptr fire(const std::string& id, const std::string& now);
    void perform(Db& db, const Poco::JSON::Object::Ptr& deadline);

    Database& db_;
    JobService& jobs_;
    CaseService& cases_;
};

// The periodic round's deadline step (SlaChecker's after_check): sweeps what is due now and logs what fired; a
// failure is logged, and the next round retries (each deadline is its own transaction).
void run_deadline_round(DeadlineService& deadlines, Poco::Logger& log);

}  // namespace fieldserver
