// The audit trail: every change of a job as an event (who, when, from where, what), hash-chained per job
// so that editing or deleting a stored event shows.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Appends an event to job_id's chain inside the caller's transaction (for a job action, as a listener of the
// published change: job_change.hpp).
void append_event(Db& db, const std::string& job_id, const Actor& actor, const std::string& action,
                  const Poco::JSON::Object::Ptr& before, const Poco::JSON::Object::Ptr& after);

// {job_id, ok, events, broken_at (seq of the first bad event, or null), reason}.
Poco::JSON::Object::Ptr verify_chain(Db& db, const std::string& job_id);

// Events of a job in order, with before and after as objects.
Poco::JSON::Array::Ptr list_events(Db& db, const std::string& job_id);

}  // namespace fieldserver
