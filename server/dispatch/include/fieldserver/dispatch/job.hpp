// A repair job as the schedulers see it: what it needs, where, how long, and by when.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fieldserver/dispatch/business_calendar.hpp"
#include "fieldserver/dispatch/geo.hpp"
#include "fieldserver/dispatch/sla.hpp"

namespace fieldserver::dispatch {

struct Job {
    std::string id;
    std::string category;       // fault category; technicians need a skill in it
    std::string product_model;  // empty when unknown: no certification check
    std::string region;         // empty when unknown: no territory preference
    GeoPoint location;
    Priority priority = Priority::normal;
    std::optional<std::int64_t> sla_deadline_ms;  // resolution deadline, from evaluate_sla
    int duration_minutes = 60;                    // estimated time on site
    // The customer's preferred visit window: planned inside it when the day allows, else as early as it fits
    // (auto-assign weighs the miss; the server says so beside the assignment).
    std::optional<TimeSpan> preferred;
};

}  // namespace fieldserver::dispatch
