// A technician's day: where they start, when they are free, and how new jobs fit around booked visits.
#include "day_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

namespace fieldserver::dispatch::detail {

TechnicianDay prepare_day(const Technician& technician, std::int64_t now_ms) {
    TechnicianDay day;
    day.day = technician.hours.local_day(now_ms);
    day.day_off = technician.days_off.count(date_of_day(day.day)) > 0;
    day.spans = technician.hours.working_spans(day.day);
    day.start_ms = day.spans.empty() ? now_ms : std::max(now_ms, day.spans.front().start_ms);
    day.start_location = technician.home;
    std::optional<std::int64_t> position_at;
    if (technician.last_check_in) {
        day.start_location = technician.last_check_in->location;
        position_at = technician.last_check_in->at_ms;
    }

    std::vector<Visit> visits = technician.booked_today;
    std::sort(visits.begin(), visits.end(), [](const Visit& a, const Visit& b) { return a.start_ms < b.start_ms; });
    for (const auto& visit : visits) {
        if (visit.start_ms >= now_ms) {
            day.upcoming.push_back(visit);
        } else if (visit.end_ms > now_ms) {
            // In progress: the technician is there and busy until it ends.
            day.start_location = visit.location;
            position_at = now_ms;
            day.start_ms = std::max(day.start_ms, visit.end_ms);
        } else if (!position_at || visit.end_ms > *position_at) {
            day.start_location = visit.location;
            position_at = visit.end_ms;
        }
    }
    day.start_position = to_position(day.start_location);
    for (const auto& visit : day.upcoming) day.upcoming_positions.push_back(to_position(visit.location));
    day.booked = static_cast<int>(visits.size());
    day.capacity_left = std::max(0, technician.capacity_per_day - day.booked);
    return day;
}

Position to_position(const GeoPoint& point) {
    constexpr double kRad = std::numbers::pi / 180.0;
    const double lat = point.lat * kRad, lng = point.lng * kRad;
    return {std::cos(lat) * std::cos(lng), std::cos(lat) * std::sin(lng), std::sin(lat)};
}

std::int64_t travel_ms(double km, const TravelModel& model) {
    return std::llround(travel_minutes(km, model) * static_cast<double>(kMinuteMs));
}

namespace {

// The earliest start at or after arrival that lets the whole job happen inside one working span.
std::optional<std::int64_t> earliest_fit(const std::vector<TimeSpan>& spans, std::int64_t arrival_ms,
                                         std::int64_t duration_ms) {
    for (const auto& span : spans) {
        const std::int64_t start = std::max(arrival_ms, span.start_ms);
        if (start + duration_ms <= span.end_ms) return start;
    }
    return std::nullopt;
}

// The earliest start for stop after arrival: inside its preferred window when the day still allows it there.
std::optional<std::int64_t> stop_start(const std::vector<TimeSpan>& spans, std::int64_t arrival_ms, const Stop& stop) {
    if (stop.window_start_ms > arrival_ms)
        if (auto waited = earliest_fit(spans, stop.window_start_ms, stop.duration_ms)) return waited;
    return earliest_fit(spans, arrival_ms, stop.duration_ms);
}

}  // namespace

RouteResult simulate_route(const TechnicianDay& day, const TravelModel& travel, const Stop* stops, const int* order,
                           std::size_t count, Placement* placements) {
    RouteResult result;
    Position position = day.start_position;
    std::int64_t now = day.start_ms;
    std::size_t next_visit = 0;
    for (std::size_t k = 0; k < count; ++k) {
        const Stop& stop = stops[order[k]];
        for (;;) {
            const double km = distance_km(position, stop.position);
            const auto start = stop_start(day.spans, now + travel_ms(km, travel), stop);
            if (next_visit < day.upcoming.size()) {
                const Visit& visit = day.upcoming[next_visit];
                const Position& visit_position = day.upcoming_positions[next_visit];
                if (!start ||
                    *start + stop.duration_ms + travel_ms(distance_km(stop.position, visit_position), travel) >
                        visit.start_ms) {
                    result.km += distance_km(position, visit_position);
                    position = visit_position;
                    now = std::max(now, visit.end_ms);
                    ++next_visit;
                    continue;
                }
            }
            if (!start) {
                result.feasible = false;
                return result;
            }
            const std::int64_t end = *start + stop.duration_ms;
            if (placements) placements[k] = {*start, end, km};
            result.km += km;
            if (end > stop.deadline_ms) {
                result.late_ms += end - stop.deadline_ms;
                result.late_cost += static_cast<double>(end - stop.deadline_ms) / kMinuteMs * stop.late_cost_per_minute;
            }
            if (*start < stop.window_start_ms || end > stop.window_end_ms) {
                ++result.window_misses;
                result.late_cost += stop.window_miss_cost;
            }
            position = stop.position;
            now = end;
            break;
        }
    }
    for (; next_visit < day.upcoming.size(); ++next_visit) {
        result.km += distance_km(position, day.upcoming_positions[next_visit]);
        position = day.upcoming_positions[next_visit];
    }
    return result;
}

}  // namespace fieldserver::dispatch::detail
