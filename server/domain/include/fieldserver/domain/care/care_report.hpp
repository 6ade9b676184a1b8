// The customer-care figures supervisors and agents watch: complaints by type, state and outcome with first-contact
// and resolution times against their deadlines, appeals called back in time and upheld or refused, follow-up
// completion, and satisfaction by technician and by product type (or technician) over time.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

struct CareReport {
    Poco::JSON::Object::Ptr json;  // set unless csv
    std::string csv;               // UTF-8 with a byte order mark, spreadsheet-safe (csv.hpp)
    std::string filename;
};

// {from, to, complaints: {by_type, by_state, by_outcome, contact_late, resolve_late, first_contact, resolution},
// appeals: {by_state, callback_late, callback, decided}, followups: {by_state, completion}, satisfaction: {count,
// average, by_technician, series}}; the timings are {count, within_deadline, late, waiting_overdue,
// average_minutes}. Filters: from, to (dates, whole days, or date-times; over the records' creation), period (month
// or day: the series' time bucket), group_by (product_type or technician: the series' group), format (json or
// csv). Admin, agent and supervisor.
CareReport care_report(Database& db, const Actor& actor, const Query& query);

}  // namespace fieldserver
