// The customer-care deadline sweep: appeals not called back in time, complaints not contacted or not resolved in
// time are marked overdue once, audited on their job's trail, and reported to the supervisors by email.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// One sweep at now_ms: {appeals: [ids newly past their call-back], complaints_contact: [...],
// complaints_resolve: [...]}. Each record is marked once (its *_overdue_at), so a second sweep reports nothing new.
Poco::JSON::Object::Ptr sweep_care_deadlines(Database& db, std::int64_t now_ms);

// POST /api/v1/care/sweep: the sweep on request (admin, supervisor), as the periodic round runs it.
Poco::JSON::Object::Ptr sweep_care_deadlines_for(Database& db, const Actor& actor);

// Runs the sweep every interval_seconds on its own thread (0: never; the endpoint still works).
class CareSweeper {
  public:
    CareSweeper(Database& db, int interval_seconds, Poco::Logger& log);
    ~CareSweeper();
    CareSweeper(const CareSweeper&) = delete;
    CareSweeper& operator=(const CareSweeper&) = delete;

  private:
    void run();

    Database& db_;
    int interval_seconds_;
    Poco::Logger& log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fieldserver
