// Scenario generator: towns scattered over a square, jobs and homes clustered around them.
#include "fieldserver/dispatch/scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fieldsync/time.hpp>
#include <numbers>
#include <random>
#include <string>

namespace fieldserver::dispatch {
namespace {

// Uniform and normal draws written out, because std:: distributions differ between standard libraries.
class Draw {
  public:
    explicit Draw(std::uint64_t seed) : engine_(seed) {}
    double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    int between(int low, int high) {
        return low + static_cast<int>(engine_() % static_cast<std::uint64_t>(high - low + 1));
    }
    bool chance(double p) { return unit() < p; }
    double normal() {
        const double u = std::max(unit(), 1e-12);
        return std::sqrt(-2 * std::log(u)) * std::cos(2 * std::numbers::pi * unit());
    }

  private:
    std::mt19937_64 engine_;
};

constexpr std::array<const char*, 5> kCategories{"air_conditioner", "washing_machine", "refrigerator", "television",
                                                 "water_heater"};
constexpr int kModels = 12;
constexpr double kKmPerDegree = 111.195;
constexpr double kTownRadiusKm = 4;

GeoPoint offset(const GeoPoint& centre, double east_km, double north_km) {
    return {centre.lat + north_km / kKmPerDegree,
            centre.lng + east_km / (kKmPerDegree * std::cos(centre.lat * std::numbers::pi / 180))};
}

}  // namespace

Scenario make_scenario(const ScenarioParams& params) {
    Draw draw(params.seed);
    Scenario scenario;
    scenario.start_ms = *fieldsync::parse_date_time("2026-11-23T08:00:00+08:00");
    const BusinessCalendar calendar(480, BusinessCalendar::weekdays({9 * 60, 18 * 60}));
    const std::int64_t shift_start = *fieldsync::parse_date_time("2026-11-23T09:00:00+08:00");
    const double half = params.area_km / 2;

    const std::size_t towns = std::max<std::size_t>(1, params.towns);
    std::vector<std::pair<double, double>> town_xy;
    for (std::size_t i = 0; i < towns; ++i) {
        town_xy.emplace_back((draw.unit() - 0.5) * params.area_km * 0.8, (draw.unit() - 0.5) * params.area_km * 0.8);
    }
    // A point near a town, kept inside the square.
    auto near_town = [&](std::size_t town) {
        const double x = std::clamp(town_xy[town].first + draw.normal() * kTownRadiusKm, -half, half);
        const double y = std::clamp(town_xy[town].second + draw.normal() * kTownRadiusKm, -half, half);
        return offset(params.centre, x, y);
    };
    auto region = [](std::size_t town) { return "R" + std::to_string(town + 1); };
    auto model = [](int m) { return "M" + std::to_string(m + 1); };

    for (std::size_t i = 0; i < params.technicians; ++i) {
        Technician t;
        const std::size_t town = static_cast<std::size_t>(draw.between(0, static_cast<int>(towns) - 1));
        t.id = "T" + std::to_string(i + 1);
        t.name = "Technician " + std::to_string(i + 1);
        for (int skills = draw.between(2, 3); static_cast<int>(t.skills.size()) < skills;) {
            t.skills[kCategories[draw.between(0, kCategories.size() - 1)]] = draw.between(1, 5);
        }
        for (int m = 0; m < kModels; ++m) {
            if (draw.chance(0.4)) t.certified_models.insert(model(m));
        }
        t.region = region(town);
        t.home = near_town(town);
        if (draw.chance(0.3)) t.last_check_in = CheckIn{near_town(town), scenario.start_ms - 30 * kMinuteMs};
        t.hours = calendar;
        if (draw.chance(0.05)) t.days_off.insert("2026-11-23");
        t.capacity_per_day = draw.between(4, 8);
        if (draw.chance(0.25)) {
            // One or two visits on the hour, at 10:00-12:00 and 14:00-16:00, so they never overlap.
            t.booked_today.push_back({"B" + std::to_string(i + 1) + "a", near_town(town),
                                      shift_start + draw.between(1, 2) * 60 * kMinuteMs,
                                      shift_start + 3 * 60 * kMinuteMs});
            if (draw.chance(0.5)) {
                t.booked_today.push_back({"B" + std::to_string(i + 1) + "b", near_town(town),
                                          shift_start + 5 * 60 * kMinuteMs,
                                          shift_start + draw.between(6, 7) * 60 * kMinuteMs});
            }
        }
        scenario.technicians.push_back(std::move(t));
    }

    for (std::size_t i = 0; i < params.jobs; ++i) {
        Job job;
        const std::size_t town = static_cast<std::size_t>(draw.between(0, static_cast<int>(towns) - 1));
        job.id = "J" + std::to_string(i + 1);
        job.category = kCategories[draw.between(0, kCategories.size() - 1)];
        job.product_model = model(draw.between(0, kModels - 1));
        job.region = region(town);
        job.location = near_town(town);
        const double p = draw.unit();
        job.priority = p < 0.15   ? Priority::low
                       : p < 0.7  ? Priority::normal
                       : p < 0.92 ? Priority::high
                                  : Priority::urgent;
        if (draw.chance(0.5)) job.sla_deadline_ms = shift_start + draw.between(2, 10) * 60 * kMinuteMs;
        job.duration_minutes = 30 + 15 * draw.between(0, 6);
        scenario.jobs.push_back(std::move(job));
    }
    return scenario;
}

}  // namespace fieldserver::dispatch
