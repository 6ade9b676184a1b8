// Technician suggestions on hand-made cases: ranking, exclusions with their reasons, slots around bookings.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fieldserver/dispatch/suggest.hpp>
#include <fieldsync/time.hpp>
#include <numbers>
#include <string>

using namespace fieldserver::dispatch;

namespace {

std::int64_t at(const std::string& local) { return fieldsync::parse_date_time(local + "+08:00").value(); }

const GeoPoint kSite{31.22, 121.54};  // Pudong, Shanghai

// A point east_km east of the job site.
GeoPoint east(double km) {
    return {kSite.lat,
            kSite.lng + km / (kEarthRadiusKm * std::numbers::pi / 180 * std::cos(kSite.lat * std::numbers::pi / 180))};
}

Technician technician(const std::string& id, GeoPoint home, std::map<std::string, int> skills,
                      const std::string& region = "Pudong") {
    Technician t;
    t.id = id;
    t.name = id;
    t.skills = std::move(skills);
    t.certified_models = {"KFR-35"};
    t.region = region;
    t.home = home;
    t.hours = BusinessCalendar(480, BusinessCalendar::weekdays({9 * 60, 18 * 60}));
    return t;
}

Job air_conditioner_job() {
    Job job;
    job.id = "FR-20261123-0001";
    job.category = "air_conditioner";
    job.product_model = "KFR-35";
    job.region = "Pudong";
    job.location = kSite;
    job.priority = Priority::high;
    job.sla_deadline_ms = at("2026-11-23T17:00:00");
    job.duration_minutes = 60;
    return job;
}

const Suggestion& find(const std::vector<Suggestion>& ranked, const std::string& id) {
    auto it = std::find_if(ranked.begin(), ranked.end(), [&](const Suggestion& s) { return s.technician_id == id; });
    REQUIRE(it != ranked.end());
    return *it;
}

bool has_reason(const Suggestion& s, const std::string& code, bool disqualifying) {
    return std::any_of(s.reasons.begin(), s.reasons.end(), [&](const Reason& r) {
        return r.code == code && r.disqualifying == disqualifying && !r.message.empty();
    });
}

}  // namespace

TEST_CASE("the skilled nearby technician ranks first; day off, full and unskilled are excluded",
          "[dispatch][suggest]") {
    auto near = technician("near", east(2), {{"air_conditioner", 4}});
    auto far = technician("far", east(-25), {{"air_conditioner", 5}}, "Puxi");
    auto off = technician("off", east(1), {{"air_conditioner", 5}});
    off.days_off = {"2026-11-23"};
    auto full = technician("full", east(1), {{"air_conditioner", 5}});
    full.capacity_per_day = 2;
    full.booked_today = {{"A", east(3), at("2026-11-23T13:00:00"), at("2026-11-23T14:00:00")},
                         {"B", east(4), at("2026-11-23T15:00:00"), at("2026-11-23T16:00:00")}};
    auto unskilled = technician("unskilled", east(0.5), {{"washing_machine", 5}});

    const std::int64_t now = at("2026-11-23T09:30:00");
    const auto ranked = suggest(air_conditioner_job(), {off, unskilled, far, full, near}, now);
    REQUIRE(ranked.size() == 5);
    CHECK(ranked[0].technician_id == "near");
    CHECK(ranked[1].technician_id == "far");
    CHECK(ranked[0].eligible);
    CHECK(ranked[1].eligible);
    CHECK(ranked[0].score > ranked[1].score);
    for (std::size_t i = 2; i < ranked.size(); ++i) CHECK_FALSE(ranked[i].eligible);

    const auto& first = ranked[0];
    for (const char* code :
         {"skill_match", "model_certified", "same_region", "travel", "load", "earliest_slot", "sla_on_time"}) {
        CHECK(has_reason(first, code, false));
    }
    CHECK(first.travel_km == Approx(2).epsilon(0.01));
    REQUIRE(first.slot.has_value());
    CHECK(first.slot->start_ms ==
          at("2026-11-23T09:30:00") + std::llround(travel_minutes(first.travel_km, TravelModel{}) * kMinuteMs));
    CHECK(first.slot->end_ms == first.slot->start_ms + 60 * kMinuteMs);
    CHECK(has_reason(ranked[1], "other_region", false));

    CHECK(has_reason(find(ranked, "off"), "day_off", true));
    CHECK(has_reason(find(ranked, "full"), "no_capacity", true));
    CHECK(has_reason(find(ranked, "unskilled"), "no_skill", true));
    CHECK_FALSE(has_reason(find(ranked, "off"), "no_capacity", true));
    // Disqualifying reasons come first so the board can show why at a glance.
    CHECK(find(ranked, "off").reasons.front().disqualifying);
}

TEST_CASE("the earliest slot waits for a visit in progress and travels from it", "[dispatch][suggest]") {
    auto busy = technician("busy", east(0), {{"air_conditioner", 3}});
    const GeoPoint visit_site = east(6);
    busy.booked_today = {{"A", visit_site, at("2026-11-23T09:00:00"), at("2026-11-23T12:00:00")}};
    const auto ranked = suggest(air_conditioner_job(), {busy}, at("2026-11-23T10:00:00"));
    REQUIRE(ranked.size() == 1);
    const auto& s = ranked[0];
    CHECK(s.eligible);
    CHECK(s.travel_km == Approx(6).epsilon(0.01));
    REQUIRE(s.slot.has_value());
    CHECK(s.slot->start_ms ==
          at("2026-11-23T12:00:00") + std::llround(travel_minutes(s.travel_km, TravelModel{}) * kMinuteMs));
    CHECK(has_reason(s, "load", false));
}

TEST_CASE("a slot after the SLA deadline costs points; no slot left excludes", "[dispatch][suggest]") {
    auto job = air_conditioner_job();
    job.sla_deadline_ms = at("2026-11-23T10:00:00");
    const auto t = technician("t", east(1), {{"air_conditioner", 3}});
    const auto late = suggest(job, {t}, at("2026-11-23T09:30:00"));
    CHECK(late[0].eligible);
    CHECK(has_reason(late[0], "sla_late", false));

    const auto evening = suggest(job, {t}, at("2026-11-23T17:30:00"));
    CHECK_FALSE(evening[0].eligible);
    CHECK(has_reason(evening[0], "no_slot", true));
    CHECK_FALSE(evening[0].slot.has_value());

    const auto sunday = suggest(job, {t}, at("2026-11-22T10:00:00"));
    CHECK(has_reason(sunday[0], "not_working_today", true));
}

TEST_CASE("required skill level and certification exclude; otherwise they only cost points", "[dispatch][suggest]") {
    auto job = air_conditioner_job();
    job.product_model = "KFR-72";
    const auto novice = technician("novice", east(1), {{"air_conditioner", 1}});
    const std::int64_t now = at("2026-11-23T09:30:00");

    const auto lenient = suggest(job, {novice}, now);
    CHECK(lenient[0].eligible);
    CHECK(has_reason(lenient[0], "model_not_certified", false));

    SuggestParams strict;
    strict.min_skill_level = 3;
    strict.require_certification = true;
    const auto ranked = suggest(job, {novice}, now, strict);
    CHECK_FALSE(ranked[0].eligible);
    CHECK(has_reason(ranked[0], "skill_too_low", true));
    CHECK(has_reason(ranked[0], "model_not_certified", true));
}
