// Assigning many open jobs to technicians for one day at once: a regret-insertion plus local-search
// optimiser, and the greedy baseline it is measured against.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fieldserver/dispatch/geo.hpp"
#include "fieldserver/dispatch/job.hpp"
#include "fieldserver/dispatch/technician.hpp"
#include "fieldsync/message.hpp"

namespace fieldserver::dispatch {

// Costs are in kilometre-equivalents, so one minute late for a normal job weighs like one km of driving.
struct AssignParams {
    TravelModel travel;
    int min_skill_level = 1;
    bool require_certification = false;
    bool same_region_only = false;
    // Technicians considered per job: the nearest eligible ones. Keeps the search linear in the job count.
    std::size_t candidates_per_job = 12;
    double late_cost_per_minute = 1.0;                     // x the job's priority weight
    double unassigned_cost = 1000.0;                       // x the job's priority weight
    double window_miss_cost = 60.0;                        // outside the preferred window; x the priority weight
    std::array<double, 4> priority_weights{0.5, 1, 2, 4};  // indexed by Priority
    std::uint64_t seed = 1;                                // orders the local search; equal seeds give equal plans
    int max_passes = 50;  // local-search passes over all jobs; the search also stops when a pass finds nothing
    // 0 for none. A run cut short by the clock depends on the machine's speed, so plans stop being reproducible.
    std::int64_t time_limit_ms = 0;
};

struct Assignment {
    std::string technician_id;
    int order = 0;  // 1-based position among the technician's new jobs
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::int64_t late_ms = 0;  // past the SLA deadline; 0 when on time or without a deadline
    // Whether the visit lies inside the job's preferred window; empty for a job without one.
    std::optional<bool> in_window;
};

// A technician's new jobs in visiting order; booked visits are kept where they are and driven to in between.
struct Route {
    std::string technician_id;
    std::vector<std::string> job_ids;
    double travel_km = 0;  // the technician's whole day, booked visits included
};

// Codes: no_skilled_technician, no_technician_available (day off, not working), no_capacity,
// no_feasible_slot (capacity or working time taken by other jobs).
struct UnassignedJob {
    std::string job_id;
    std::string code;
    fieldsync::Message message;  // "assign.<code>" in fieldsync's catalog
};

struct Plan {
    std::map<std::string, Assignment> assignments;  // by job id
    std::vector<Route> routes;                      // technicians with new jobs, in input order
    std::vector<UnassignedJob> unassigned;          // in input order
    double total_travel_km = 0;                     // all technicians' days, great-circle km
    double total_late_minutes = 0;
    double objective = 0;  // travel + lateness + unassigned costs: what auto_assign minimises
    int passes = 0;        // local-search passes run
    int moves = 0;         // improving moves applied
};

// Plans the local day containing start_ms (nothing starts before it). Hard constraints: skill level, day off
// and working hours, capacity per day, booked visits; certification and region when params require them.
// Throws std::invalid_argument for duplicate job or technician ids.
Plan auto_assign(const std::vector<Job>& jobs, const std::vector<Technician>& technicians, std::int64_t start_ms,
                 const AssignParams& params = {});

// Baseline: jobs by priority then deadline, each appended to the eligible technician whose last stop is
// nearest (smallest added distance), no lookahead and no revision. Same constraints as auto_assign.
Plan greedy_assign(const std::vector<Job>& jobs, const std::vector<Technician>& technicians, std::int64_t start_ms,
                   const AssignParams& params = {});

}  // namespace fieldserver::dispatch
