// On-site visits on technicians' timelines (no double booking), check-ins that say where a technician is, and
// the shipment status of depot jobs. Called inside the transaction of the job action that causes them.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Books [start_ms, end_ms) for the job on the technician's timeline, replacing the job's earlier booked visit of
// the same kind (assessment or repair). Throws Error(conflict, naming the clashing job, field "window_start") when
// the technician has another live visit overlapping it.
void book_visit(Db& db, const Actor& actor, const std::string& job_id, const std::string& technician_id,
                const std::string& kind, std::int64_t start_ms, std::int64_t end_ms);

// Records that the technician is at location {lat, lng} now (field names the input, for errors).
void record_check_in(Db& db, const std::string& technician_id, const std::string& job_id,
                     const Poco::JSON::Object::Ptr& location, const std::string& field);

// {carrier, tracking_no, status: in_transit|received|returned, ...} of a depot job row (mode, schedule, repair),
// or null for on-site jobs and depot jobs not yet shipped.
Poco::Dynamic::Var shipment_view(const Poco::JSON::Object::Ptr& job);

// Adds "sla" (the SLA clocks now) and "shipment" to each job row of the API in jobs.
void add_dispatch_views(Db& db, const Poco::JSON::Array::Ptr& jobs);

}  // namespace fieldserver
