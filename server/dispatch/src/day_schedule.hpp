// One technician's working day as both schedulers see it, and the timeline simulation that fits new jobs
// between the visits already booked. Private to fielddispatch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "fieldserver/dispatch/geo.hpp"
#include "fieldserver/dispatch/technician.hpp"

namespace fieldserver::dispatch::detail {

inline constexpr std::int64_t kNoDeadline = std::numeric_limits<std::int64_t>::max();

// A position as a unit vector. The optimiser simulates millions of legs; from vectors a great-circle distance
// takes one sqrt and one asin instead of haversine's four trigonometric calls, and gives the same result.
struct Position {
    double x = 0;
    double y = 0;
    double z = 0;
};

Position to_position(const GeoPoint& point);

inline double distance_km(const Position& a, const Position& b) {
    const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
    return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(dx * dx + dy * dy + dz * dz) / 2));
}

struct TechnicianDay {
    std::int64_t day = 0;         // local day number
    bool day_off = false;         // one of the technician's days off
    std::vector<TimeSpan> spans;  // working spans of the day; empty on weekends and holidays
    std::vector<Visit> upcoming;  // booked visits starting at or after the plan start, by start time
    std::vector<Position> upcoming_positions;
    GeoPoint start_location;  // the freshest of: last check-in, last finished visit, home
    Position start_position;
    std::int64_t start_ms = 0;  // free from: plan start, shift start, or the end of a visit in progress
    int booked = 0;             // visits booked today
    int capacity_left = 0;

    bool working() const { return !day_off && !spans.empty() && start_ms < spans.back().end_ms; }
};

// The technician's day that contains now_ms, in their own UTC offset.
TechnicianDay prepare_day(const Technician& technician, std::int64_t now_ms);

// A job reduced to what the timeline needs.
struct Stop {
    Position position;
    std::int64_t duration_ms = 0;
    std::int64_t deadline_ms = kNoDeadline;
    double late_cost_per_minute = 0;
    // The customer's preferred window (none: 0 to kNoDeadline): the stop waits for its start when it then still
    // fits the day; a stop outside it costs window_miss_cost.
    std::int64_t window_start_ms = 0;
    std::int64_t window_end_ms = kNoDeadline;
    double window_miss_cost = 0;
};

// Where one stop landed.
struct Placement {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    double leg_km = 0;  // from the stop before it (a job, a booked visit, or the start location)
};

struct RouteResult {
    bool feasible = true;
    int window_misses = 0;  // stops placed outside their preferred window (their cost is in late_cost)
    double km = 0;          // the whole day: start location, new jobs and booked visits in time order
    double late_cost = 0;   // sum of late minutes x cost per minute
    std::int64_t late_ms = 0;
};

std::int64_t travel_ms(double km, const TravelModel& model);

// Visits stops[order[0..count)] in that order, each at the earliest moment that fits inside one working span
// and still reaches the next booked visit on time; a booked visit that comes first is visited first.
// Infeasible when a stop fits nowhere before the day's last working span ends. placements may be null.
RouteResult simulate_route(const TechnicianDay& day, const TravelModel& travel, const Stop* stops, const int* order,
                           std::size_t count, Placement* placements);

}  // namespace fieldserver::dispatch::detail
