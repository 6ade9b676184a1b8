// Ranked technician suggestions for one job, each score explained by weighted reasons the board can show.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fieldserver/dispatch/business_calendar.hpp"
#include "fieldserver/dispatch/geo.hpp"
#include "fieldserver/dispatch/job.hpp"
#include "fieldserver/dispatch/technician.hpp"
#include "fieldsync/message.hpp"

namespace fieldserver::dispatch {

// One term of a score. code is stable for programs; message (fieldsync's catalog, id "reason.<code>") is what the
// server renders in the reader's language.
// Codes: skill_match, no_skill, skill_too_low, model_certified, model_not_certified, same_region,
// other_region, travel, load, earliest_slot, sla_on_time, sla_late, day_off, not_working_today,
// no_capacity, no_slot.
struct Reason {
    std::string code;
    fieldsync::Message message;
    double weight = 0;           // added to the score; 0 for disqualifying reasons
    bool disqualifying = false;  // the technician cannot take the job today
};

struct Suggestion {
    std::string technician_id;
    double score = 0;
    bool eligible = true;
    std::vector<Reason> reasons;   // disqualifying ones first
    std::optional<TimeSpan> slot;  // the earliest time the job fits in today's schedule
    double travel_km = 0;          // to the job from the stop before it (or from where the technician is)
};

// Weights are in "points"; one point is about one kilometre of travel.
struct SuggestParams {
    TravelModel travel;
    int min_skill_level = 1;
    bool require_certification = false;  // otherwise a missing certification only costs points
    double skill_points_per_level = 5;
    double certified_points = 10;
    double uncertified_points = -10;
    double same_region_points = 10;
    double other_region_points = -10;
    double points_per_km = -1;
    double full_load_points = -20;  // scaled by booked / capacity
    double points_per_hour_of_wait = -2;
    double on_time_points = 10;
    double late_points = -30;
    double points_per_hour_late = -5;
};

// Every technician, ranked: eligible ones by score (best first), then the excluded ones with eligible=false
// and their disqualifying reasons. Schedules are those of the local day containing now_ms.
std::vector<Suggestion> suggest(const Job& job, const std::vector<Technician>& technicians, std::int64_t now_ms,
                                const SuggestParams& params = {});

}  // namespace fieldserver::dispatch
