// What a job change publishes, and the listeners that record it (audit trail, notification outbox, report facts,
// sync change log), registered by the composition root so the jobs code depends on none of them.
#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>
#include <vector>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// One committed-together change of a job: an action (or "report" for a new job) with the changed fields before
// and after; after also holds "fields", the action's input as the audit trail keeps it.
struct JobChange {
    const std::string& job_id;
    const std::string& action;
    const Actor& actor;
    Poco::JSON::Object::Ptr before;
    Poco::JSON::Object::Ptr after;
    // A new job's tracking link (with its access key) for the customer's notice; never recorded.
    std::string tracking_link = {};
};

// Another synced row an action wrote along with the job (the warranty of an acceptance).
struct RowChange {
    std::string table;
    std::string row_id;
};

class JobChangeListeners {
  public:
    using JobListener = std::function<void(Db&, const JobChange&)>;
    using RowListener = std::function<void(Db&, const RowChange&)>;

    // Registered at start, before any request; called in registration order.
    void on_job_change(JobListener listener) { job_listeners_.push_back(std::move(listener)); }
    void on_row_change(RowListener listener) { row_listeners_.push_back(std::move(listener)); }

    // Calls every listener inside db's transaction: a listener that throws rolls the whole change back.
    void publish(Db& db, const JobChange& change) const {
        for (const auto& listener : job_listeners_) listener(db, change);
    }
    void publish(Db& db, const RowChange& change) const {
        for (const auto& listener : row_listeners_) listener(db, change);
    }

  private:
    std::vector<JobListener> job_listeners_;
    std::vector<RowListener> row_listeners_;
};

// How a job's audit trail is read back (domain/audit), given by the composition root along with the listeners.
struct JobTrailReader {
    std::function<Poco::JSON::Array::Ptr(Db&, const std::string&)> events;   // in order
    std::function<Poco::JSON::Object::Ptr(Db&, const std::string&)> verify;  // the chain check of one job
};

}  // namespace fieldserver
