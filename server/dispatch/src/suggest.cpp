// Suggestion scoring: each criterion becomes a weighted, explained reason; the score is their sum.
#include "fieldserver/dispatch/suggest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "day_schedule.hpp"

namespace fieldserver::dispatch {
namespace {

std::string format(const char* pattern, auto... args) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, pattern, args...);
    return buffer;
}

std::string format_duration(std::int64_t ms) {
    const long long minutes = ms / kMinuteMs;
    if (minutes < 60) return format("%lld min", minutes);
    return format("%lld h %02lld min", minutes / 60, minutes % 60);
}

std::string format_clock(const BusinessCalendar& calendar, std::int64_t unix_ms) {
    const long long minutes = calendar.local_time_of_day_ms(unix_ms) / kMinuteMs;
    return format("%02lld:%02lld", minutes / 60, minutes % 60);
}

constexpr double kHourMs = 3'600'000.0;

Suggestion score(const Job& job, const Technician& technician, std::int64_t now_ms, const SuggestParams& params) {
    Suggestion out;
    out.technician_id = technician.id;
    std::vector<Reason> disqualifying;
    std::vector<Reason> reasons;
    auto exclude = [&](std::string code, std::string text) {
        disqualifying.push_back({std::move(code), std::move(text), 0, true});
    };

    const int level = technician.skill_level(job.category);
    if (level <= 0) {
        exclude("no_skill", "No skill in " + job.category);
    } else if (level < params.min_skill_level) {
        exclude("skill_too_low", format("Skill level %d in %s, below the required %d", level, job.category.c_str(),
                                        params.min_skill_level));
    } else {
        reasons.push_back({"skill_match", format("Skill level %d of 5 in %s", level, job.category.c_str()),
                           level * params.skill_points_per_level});
    }

    if (!job.product_model.empty()) {
        if (technician.certified_models.count(job.product_model)) {
            reasons.push_back({"model_certified", "Certified for " + job.product_model, params.certified_points});
        } else if (params.require_certification) {
            exclude("model_not_certified", "Not certified for " + job.product_model);
        } else {
            reasons.push_back(
                {"model_not_certified", "Not certified for " + job.product_model, params.uncertified_points});
        }
    }

    if (!job.region.empty()) {
        if (technician.region == job.region) {
            reasons.push_back({"same_region", "Works in " + job.region, params.same_region_points});
        } else {
            reasons.push_back({"other_region", "Works in " + technician.region + ", the job is in " + job.region,
                               params.other_region_points});
        }
    }

    const detail::TechnicianDay day = detail::prepare_day(technician, now_ms);
    const std::string date = date_of_day(day.day);
    if (day.day_off) {
        exclude("day_off", "Day off on " + date);
    } else if (!day.working()) {
        exclude("not_working_today", "No working hours left on " + date);
    }
    if (day.capacity_left == 0) {
        exclude("no_capacity",
                format("Fully booked: %d of %d visits on %s", day.booked, technician.capacity_per_day, date.c_str()));
    }
    if (technician.capacity_per_day > 0) {
        reasons.push_back({"load", format("%d of %d visits booked today", day.booked, technician.capacity_per_day),
                           params.full_load_points * day.booked / technician.capacity_per_day});
    }

    const detail::Stop stop{detail::to_position(job.location), job.duration_minutes * kMinuteMs,
                            job.sla_deadline_ms.value_or(detail::kNoDeadline), 0};
    const int only = 0;
    detail::Placement placement;
    const bool fits = day.working() && detail::simulate_route(day, params.travel, &stop, &only, 1, &placement).feasible;
    if (fits) {
        out.slot = TimeSpan{placement.start_ms, placement.end_ms};
        out.travel_km = placement.leg_km;
        reasons.push_back({"travel",
                           format("%.1f km from the previous stop, about %.0f min", placement.leg_km,
                                  travel_minutes(placement.leg_km, params.travel)),
                           placement.leg_km * params.points_per_km});
        reasons.push_back({"earliest_slot",
                           "Free " + format_clock(technician.hours, placement.start_ms) + "-" +
                               format_clock(technician.hours, placement.end_ms) + " today",
                           (placement.start_ms - now_ms) / kHourMs * params.points_per_hour_of_wait});
        if (job.sla_deadline_ms) {
            const std::int64_t slack = *job.sla_deadline_ms - placement.end_ms;
            if (slack >= 0) {
                reasons.push_back({"sla_on_time", "Done " + format_duration(slack) + " before the SLA deadline",
                                   params.on_time_points});
            } else {
                reasons.push_back({"sla_late", "Done " + format_duration(-slack) + " after the SLA deadline",
                                   params.late_points + -slack / kHourMs * params.points_per_hour_late});
            }
        }
    } else {
        out.travel_km = haversine_km(day.start_location, job.location);
        reasons.push_back({"travel",
                           format("%.1f km from where the technician is, about %.0f min", out.travel_km,
                                  travel_minutes(out.travel_km, params.travel)),
                           out.travel_km * params.points_per_km});
        if (day.working() && day.capacity_left > 0) {
            exclude("no_slot", "No free time left today for a " + format_duration(stop.duration_ms) + " job");
        }
    }

    out.eligible = disqualifying.empty();
    out.reasons = std::move(disqualifying);
    out.reasons.insert(out.reasons.end(), reasons.begin(), reasons.end());
    for (const auto& reason : out.reasons) out.score += reason.weight;
    return out;
}

}  // namespace

std::vector<Suggestion> suggest(const Job& job, const std::vector<Technician>& technicians, std::int64_t now_ms,
                                const SuggestParams& params) {
    std::vector<Suggestion> ranked;
    ranked.reserve(technicians.size());
    for (const auto& technician : technicians) ranked.push_back(score(job, technician, now_ms, params));
    std::sort(ranked.begin(), ranked.end(), [](const Suggestion& a, const Suggestion& b) {
        if (a.eligible != b.eligible) return a.eligible;
        if (a.score != b.score) return a.score > b.score;
        if (a.travel_km != b.travel_km) return a.travel_km < b.travel_km;
        return a.technician_id < b.technician_id;
    });
    return ranked;
}

}  // namespace fieldserver::dispatch
