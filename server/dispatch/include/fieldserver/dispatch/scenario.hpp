// Random but reproducible dispatch days (jobs and technicians around a few towns), for the optimiser's
// constraint tests and the benchmark. The sequence depends only on the seed, not on the standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fieldserver/dispatch/geo.hpp"
#include "fieldserver/dispatch/job.hpp"
#include "fieldserver/dispatch/technician.hpp"

namespace fieldserver::dispatch {

struct ScenarioParams {
    std::size_t jobs = 200;
    std::size_t technicians = 30;
    std::uint64_t seed = 42;
    GeoPoint centre{31.23, 121.47};  // Shanghai
    double area_km = 100;            // side of the square everything lies in
    std::size_t towns = 8;           // clusters of jobs and homes; each town is a region "R1", "R2", ...
};

struct Scenario {
    std::vector<Job> jobs;
    std::vector<Technician> technicians;
    std::int64_t start_ms = 0;  // Monday 2026-11-23 08:00 +08:00, before the shifts start
};

// Technicians work Mon-Fri 09:00-18:00 at +08:00 with 4-8 visits a day; about 1 in 20 has the day off and
// 1 in 4 already has booked visits. Jobs take 30-120 minutes; about half carry an SLA deadline that day.
Scenario make_scenario(const ScenarioParams& params);

}  // namespace fieldserver::dispatch
