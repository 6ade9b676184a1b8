// A technician as a schedulable resource: skills, certifications, territory, where they are, when they work
// and what is already booked today.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fieldserver/dispatch/business_calendar.hpp"
#include "fieldserver/dispatch/geo.hpp"

namespace fieldserver::dispatch {

// A visit already on the technician's schedule; its times are fixed, new work goes around it.
struct Visit {
    std::string job_id;
    GeoPoint location;
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
};

// Where the technician's device last checked in.
struct CheckIn {
    GeoPoint location;
    std::int64_t at_ms = 0;
};

struct Technician {
    std::string id;
    std::string name;
    std::map<std::string, int> skills;  // fault category -> level, 1 (basic) to 5 (expert)
    std::set<std::string> certified_models;
    std::string region;
    GeoPoint home;
    std::optional<CheckIn> last_check_in;
    BusinessCalendar hours;          // working hours and public holidays, in the technician's UTC offset
    std::set<std::string> days_off;  // local dates "YYYY-MM-DD"
    int capacity_per_day = 6;        // visits a day, booked ones included
    std::vector<Visit> booked_today;

    // 0 when the technician has no skill in the category.
    int skill_level(const std::string& category) const {
        auto it = skills.find(category);
        return it == skills.end() ? 0 : it->second;
    }
};

}  // namespace fieldserver::dispatch
