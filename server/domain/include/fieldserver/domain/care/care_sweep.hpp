// The customer-care deadline sweep: appeals not called back in time, complaints not contacted or not resolved in
// time are marked overdue once, audited on their job's trail, and reported to the supervisors by email; customers
// whose own deadline (a plan to decide on) is near are told once.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include "fieldserver/domain/care/care_records.hpp"
#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class CareSweep {
  public:
    CareSweep(Database& db, CarePolicy policy) : db_(db), policy_(policy) {}

    // One sweep at now_ms: {appeals: [ids newly past their call-back], complaints_contact: [...],
    // complaints_resolve: [...], deadline_near: [job ids whose customer was told]}. Each record is marked once
    // (its *_overdue_at; care_notices_sent), so a second sweep reports nothing new.
    Poco::JSON::Object::Ptr sweep(std::int64_t now_ms);
    // POST /api/v1/care/sweep: the sweep on request (admin, supervisor), as the periodic round runs it.
    Poco::JSON::Object::Ptr sweep_for(const Actor& actor);

  private:
    Database& db_;
    CarePolicy policy_;
};

// The sweep as a step of the periodic round (run under the periodic lease, server/app): logs what it marked, and
// a failure, which changed nothing since the sweep is one transaction.
void run_care_round(CareSweep& sweep, Poco::Logger& log);

}  // namespace fieldserver
