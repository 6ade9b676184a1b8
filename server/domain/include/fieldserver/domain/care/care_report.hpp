// The customer-care figures supervisors watch: complaints by type, state and outcome with their deadlines kept or
// missed, appeals by state, follow-up completion and satisfaction by technician.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// {complaints: {by_type, by_state, by_outcome, contact_late, resolve_late}, appeals: {by_state},
// followups: {by_state, overdue}, satisfaction: {count, average, by_technician: [...]}}; filters from, to
// (created_at range, date-times). Admin, dispatcher and supervisor.
Poco::JSON::Object::Ptr care_report(Database& db, const Actor& actor, const Query& query);

}  // namespace fieldserver
