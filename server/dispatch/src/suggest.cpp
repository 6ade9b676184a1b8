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

std::string minutes_of(std::int64_t ms) { return std::to_string(ms / kMinuteMs); }

std::string format_clock(const BusinessCalendar& calendar, std::int64_t unix_ms) {
    const long long minutes = calendar.local_time_of_day_ms(unix_ms) / kMinuteMs;
    return format("%02lld:%02lld", minutes / 60, minutes % 60);
}

fieldsync::Message reason(const std::string& code, std::vector<std::pair<std::string, std::string>> args = {}) {
    return {"reason." + code, std::move(args)};
}

constexpr double kHourMs = 3'600'000.0;

// The reasons found for one technician: those that rule them out, and those that weigh for or against.
struct Reasons {
    std::vector<Reason> disqualifying, weighed;
    void exclude(const std::string& code, std::vector<std::pair<std::string, std::string>> args = {}) {
        disqualifying.push_back({code, reason(code, std::move(args)), 0, true});
    }
    void weigh(const std::string& code, std::vector<std::pair<std::string, std::string>> args, double weight) {
        weighed.push_back({code, reason(code, std::move(args)), weight, false});
    }
};

void weigh_skill(const Job& job, const Technician& technician, const SuggestParams& params, Reasons& r) {
    const int level = technician.skill_level(job.category);
    if (level <= 0) {
        r.exclude("no_skill", {{"category", job.category}});
    } else if (level < params.min_skill_level) {
        r.exclude("skill_too_low", {{"level", std::to_string(level)},
                                    {"category", job.category},
                                    {"required", std::to_string(params.min_skill_level)}});
    } else {
        r.weigh("skill_match", {{"level", std::to_string(level)}, {"category", job.category}},
                level * params.skill_points_per_level);
    }
}

void weigh_model_and_region(const Job& job, const Technician& technician, const SuggestParams& params, Reasons& r) {
    if (!job.product_model.empty()) {
        if (technician.certified_models.count(job.product_model)) {
            r.weigh("model_certified", {{"model", job.product_model}}, params.certified_points);
        } else if (params.require_certification) {
            r.exclude("model_not_certified", {{"model", job.product_model}});
        } else {
            r.weigh("model_not_certified", {{"model", job.product_model}}, params.uncertified_points);
        }
    }

    if (!job.region.empty()) {
        if (technician.region == job.region) {
            r.weigh("same_region", {{"region", job.region}}, params.same_region_points);
        } else {
            r.weigh("other_region", {{"own_region", technician.region}, {"region", job.region}},
                    params.other_region_points);
        }
    }
}

void weigh_day(const Technician& technician, const detail::TechnicianDay& day, const SuggestParams& params,
               Reasons& r) {
    const std::string date = date_of_day(day.day);
    if (day.day_off) {
        r.exclude("day_off", {{"date", date}});
    } else if (!day.working()) {
        r.exclude("not_working_today", {{"date", date}});
    }
    if (day.capacity_left == 0) {
        r.exclude("no_capacity", {{"booked", std::to_string(day.booked)},
                                  {"capacity", std::to_string(technician.capacity_per_day)},
                                  {"date", date}});
    }
    if (technician.capacity_per_day > 0) {
        r.weigh("load",
                {{"booked", std::to_string(day.booked)}, {"capacity", std::to_string(technician.capacity_per_day)}},
                params.full_load_points * day.booked / technician.capacity_per_day);
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
                             {"reason.travel_route",
                              {{"km", format("%.1f", placement.leg_km)},
                               {"minutes", format("%.0f", travel_minutes(placement.leg_km, params.travel))}}},
                             placement.leg_km * params.points_per_km});
        r.weigh("earliest_slot",
                {{"from", format_clock(technician.hours, placement.start_ms)},
                 {"to", format_clock(technician.hours, placement.end_ms)}},
                (placement.start_ms - now_ms) / kHourMs * params.points_per_hour_of_wait);
        if (job.sla_deadline_ms) {
            const std::int64_t slack = *job.sla_deadline_ms - placement.end_ms;
            if (slack >= 0) {
                r.weigh("sla_on_time", {{"duration", minutes_of(slack)}}, params.on_time_points);
            } else {
                r.weigh("sla_late", {{"duration", minutes_of(-slack)}},
                        params.late_points + -slack / kHourMs * params.points_per_hour_late);
            }
        }
    } else {
        out.travel_km = haversine_km(day.start_location, job.location);
        r.weighed.push_back({"travel",
                             {"reason.travel_here",
                              {{"km", format("%.1f", out.travel_km)},
                               {"minutes", format("%.0f", travel_minutes(out.travel_km, params.travel))}}},
                             out.travel_km * params.points_per_km});
        if (day.working() && day.capacity_left > 0) {
            r.exclude("no_slot", {{"duration", minutes_of(stop.duration_ms)}});
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
