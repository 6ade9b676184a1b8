// Technicians as schedulable resources: working hours, days off, capacity, certifications on top of the user's
// skills, region and home; where they are (last check-in); their load and their day's timeline with travel.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fieldserver/dispatch/technician.hpp"
#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Active technicians (only one when only_id is set) as the schedulers see them on the local day containing at_ms:
// settings, last check-in at or before at_ms, and the live visits booked that day.
std::vector<dispatch::Technician> load_technicians(Db& db, std::int64_t at_ms, const std::string& only_id = {});

// The instant a plan for date starts: now when date is today (in the SLA calendar's offset), else local midnight.
// Throws Error(invalid_field, field) for a bad or past date.
std::int64_t plan_start(Db& db, const std::string& date, const std::string& field);

class TechnicianService {
  public:
    explicit TechnicianService(Database& db) : db_(db) {}

    // Every active technician with today's (or ?date=) load: booked visits against capacity.
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr settings(const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr update_settings(const Actor& actor, const std::string& id,
                                            const Poco::JSON::Object::Ptr& body);
    // {lat, lng, job_id?}: the technician's device says where it is.
    Poco::JSON::Object::Ptr check_in(const Actor& actor, const std::string& id, const Poco::JSON::Object::Ptr& body);
    // The technician's visits on ?date= in order, with travel from the stop before each.
    Poco::JSON::Object::Ptr day(const Actor& actor, const std::string& id, const Query& query);

  private:
    Database& db_;
};

}  // namespace fieldserver
