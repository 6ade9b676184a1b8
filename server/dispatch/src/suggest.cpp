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

// The reasons found for one technician: those that rule them out, and those that weigh for or against.
struct Reasons {
    std::vector<Reason> disqualifying, weighed;
    void exclude(std::string code, std::string text) {
        disqualifying.push_back({std::move(code), std::move(text), 0, true});
    }
};

void weigh_skill(const Job& job, const Technician& technician, const SuggestParams& params, Reasons& r) {
    const int level = technician.skill_level(job.category);
    if (level <= 0) {
        r.exclude("no_skill", "No skill in " + job.category);
    } else if (level < params.min_skill_level) {
        r.exclude("skill_too_low", format("Skill level %d in %s, below the required %d", level, job.category.c_str(),
                                          params.min_skill_level));
    } else {
        r.weighed.push_back({"skill_match", format("Skill level %d of 5 in %s", level, job.category.c_str()),
                             level * params.skill_points_per_level});
    }
}

void weigh_model_and_region(const Job& job, const Technician& technician, const SuggestParams& params, Reasons& r) {
    if (!job.product_model.empty()) {
        if (technician.certified_models.count(job.product_model)) {
            r.weighed.push_back({"model_certified", "Certified for " + job.product_model, params.certified_points});
        } else if (params.require_certification) {
            r.exclude("model_not_certified", "Not certified for " + job.product_model);
        } else {
            r.weighed.push_back(
                {"model_not_certified", "Not certified for " + job.product_model, params.uncertified_points});
        }
    }

    if (!job.region.empty()) {
        if (technician.region == job.region) {
            r.weighed.push_back({"same_region", "Works in " + job.region, params.same_region_points});
        } else {
            r.weighed.push_back({"other_region", "Works in " + technician.region + ", the job is in " + job.region,
                                 params.other_region_points});
        }
    }
}

void weigh_day(const Technician& technician, const detail::TechnicianDay& day, const SuggestParams& params,
               Reasons& r) {
    const std::string date = date_of_day(day.day);
    if (day.day_off) {
        r.exclude("day_off", "Day off on " + date);
    } else if (!day.working()) {
        r.exclude("not_working_today", "No working hours left on " + date);
    }
    if (day.capacity_left == 0) {
        r.exclude("no_capacity",
                  format("Fully booked: %d of %d visits on %s", day.booked, technician.capacity_per_day, date.c_str()));
    }
    if (technician.capacity_per_day > 0) {
        r.weighed.push_back({"load", format("%d of %d visits booked today", day.booked, technician.capacity_per_day),
                             params.full_load_points * day.booked / technician.capacity_per_day});
    }
}

// The slot and travel: where the job fits into the technician's route today, or how far away they are.
void weigh_route(const Job& job, const Technician& technician, const detail::TechnicianDay& day, std::int64_t now_ms,
                 const SuggestParams& params, Suggestion& out, Reasons& r) {
    const detail::Stop stop{detail::to_position(job.location), job.duration_minutes * kMinuteMs,
                            job.sla_deadline_ms.value_or(detail::kNoDeadline), 0};
    const int only = 0;
    detail::Placement placement;
    const bool fits = day.working() && detail::simulate_route(day, params.travel, &stop, &only, 1, &placement).feasible;
    if (fits) {
        out.slot = TimeSpan{placement.start_ms, placement.end_ms};
        out.travel_km = placement.leg_km;
        r.weighed.push_back({"travel",
                             format("%.1f km from the previous stop, about %.0f min", placement.leg_km,
                                    travel_minutes(placement.leg_km, params.travel)),
                             placement.leg_km * params.points_per_km});
        r.weighed.push_back({"earliest_slot",
                             "Free " + format_clock(technician.hours, placement.start_ms) + "-" +
                                 format_clock(technician.hours, placement.end_ms) + " today",
                             (placement.start_ms - now_ms) / kHourMs * params.points_per_hour_of_wait});
        if (job.sla_deadline_ms) {
            const std::int64_t slack = *job.sla_deadline_ms - placement.end_ms;
            if (slack >= 0) {
                r.weighed.push_back({"sla_on_time", "Done " + format_duration(slack) + " before the SLA deadline",
                                     params.on_time_points});
            } else {
                r.weighed.push_back({"sla_late", "Done " + format_duration(-slack) + " after the SLA deadline",
                                     params.late_points + -slack / kHourMs * params.points_per_hour_late});
            }
        }
    } else {
        out.travel_km = haversine_km(day.start_location, job.location);
        r.weighed.push_back({"travel",
                             format("%.1f km from where the technician is, about %.0f min", out.travel_km,
                                    travel_minutes(out.travel_km, params.travel)),
                             out.travel_km * params.points_per_km});
        if (day.working() && day.capacity_left > 0) {
            r.exclude("no_slot", "No free time left today for a " + format_duration(stop.duration_ms) + " job");
        }
    }
}

Suggestion score(const Job& job, const Technician& technician, std::int64_t now_ms, const SuggestParams& params) {
    Suggestion out;
    out.technician_id = technician.id;
    Reasons r;
    weigh_skill(job, technician, params, r);
    weigh_model_and_region(job, technician, params, r);
    const detail::TechnicianDay day = detail::prepare_day(technician, now_ms);
    weigh_day(technician, day, params, r);
    weigh_route(job, technician, day, now_ms, params, out, r);

    out.eligible = r.disqualifying.empty();
    out.reasons = std::move(r.disqualifying);
    out.reasons.insert(out.reasons.end(), r.weighed.begin(), r.weighed.end());
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
