// Auto-assignment: the optimiser beats the greedy baseline on a crafted line, and no plan ever breaks a hard
// constraint (skills, days off, capacity, working hours, booked visits, travel time) on a random day.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fieldserver/dispatch/auto_assign.hpp>
#include <fieldserver/dispatch/scenario.hpp>
#include <fieldsync/time.hpp>
#include <map>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>

using namespace fieldserver::dispatch;

namespace {

const std::int64_t kMonday8am = fieldsync::parse_date_time("2026-11-23T08:00:00Z").value();
const double kKmPerDegree = kEarthRadiusKm * std::numbers::pi / 180;

// A point on the equator, x km east of 0,0: distances along it are exact.
GeoPoint on_line(double x_km) { return {0, x_km / kKmPerDegree}; }

Technician technician(const std::string& id, double x_km, int capacity) {
    Technician t;
    t.id = id;
    t.name = id;
    t.skills = {{"air_conditioner", 3}};
    t.home = on_line(x_km);
    t.capacity_per_day = capacity;
    t.hours = BusinessCalendar(0, BusinessCalendar::weekdays({9 * 60, 18 * 60}));
    return t;
}

Job job(const std::string& id, double x_km, const std::string& category = "air_conditioner") {
    Job j;
    j.id = id;
    j.category = category;
    j.location = on_line(x_km);
    j.duration_minutes = 30;
    return j;
}

std::int64_t travel_ms(const GeoPoint& a, const GeoPoint& b) {
    return std::llround(travel_minutes(haversine_km(a, b), TravelModel{}) * kMinuteMs);
}

// Checks every hard constraint of a plan and that its totals add up; returns the number of assigned jobs.
std::size_t check_plan(const Plan& plan, const Scenario& scenario) {
    std::map<std::string, const Job*> jobs;
    for (const auto& j : scenario.jobs) jobs[j.id] = &j;
    std::map<std::string, const Technician*> technicians;
    for (const auto& t : scenario.technicians) technicians[t.id] = &t;

    // Every job exactly once: assigned or unassigned with a reason.
    std::set<std::string> seen;
    for (const auto& [id, a] : plan.assignments) CHECK(seen.insert(id).second);
    for (const auto& u : plan.unassigned) {
        CHECK(seen.insert(u.job_id).second);
        CHECK_FALSE(u.message.empty());
        CHECK(
            std::set<std::string>{"no_skilled_technician", "no_technician_available", "no_capacity", "no_feasible_slot"}
                .count(u.code));
    }
    CHECK(seen.size() == scenario.jobs.size());

    double total_km = 0;
    std::size_t routed = 0;
    for (const auto& t : scenario.technicians) {
        struct Stop {
            std::int64_t start, end;
            GeoPoint where;
            bool fixed;
        };
        std::vector<Stop> day;
        for (const auto& v : t.booked_today) {
            if (v.start_ms >= scenario.start_ms) day.push_back({v.start_ms, v.end_ms, v.location, true});
        }
        auto route = std::find_if(plan.routes.begin(), plan.routes.end(),
                                  [&](const Route& r) { return r.technician_id == t.id; });
        std::size_t new_jobs = 0;
        if (route != plan.routes.end()) {
            new_jobs = route->job_ids.size();
            routed += new_jobs;
            CHECK_FALSE(t.days_off.count(t.hours.local_date(scenario.start_ms)));
            for (std::size_t k = 0; k < route->job_ids.size(); ++k) {
                const Job& j = *jobs.at(route->job_ids[k]);
                const Assignment& a = plan.assignments.at(j.id);
                CHECK(a.technician_id == t.id);
                CHECK(a.order == static_cast<int>(k) + 1);
                CHECK(t.skill_level(j.category) >= 1);
                CHECK(a.end_ms - a.start_ms == j.duration_minutes * kMinuteMs);
                CHECK(a.start_ms >= scenario.start_ms);
                CHECK(a.late_ms == (j.sla_deadline_ms ? std::max<std::int64_t>(0, a.end_ms - *j.sla_deadline_ms) : 0));
                const auto spans = t.hours.working_spans(t.hours.local_day(a.start_ms));
                CHECK(std::any_of(spans.begin(), spans.end(),
                                  [&](const TimeSpan& s) { return s.start_ms <= a.start_ms && a.end_ms <= s.end_ms; }));
                if (k > 0) CHECK(a.start_ms >= plan.assignments.at(route->job_ids[k - 1]).end_ms);
                day.push_back({a.start_ms, a.end_ms, j.location, false});
            }
        }
        CHECK(static_cast<int>(new_jobs + t.booked_today.size()) <=
              std::max<int>(t.capacity_per_day, t.booked_today.size()));

        // The day in time order: no overlaps, time to drive between stops, and the distance the plan reports.
        std::sort(day.begin(), day.end(), [](const Stop& a, const Stop& b) { return a.start < b.start; });
        GeoPoint position = t.last_check_in ? t.last_check_in->location : t.home;
        std::int64_t free_at = scenario.start_ms;
        bool fixed_before = true;
        double km = 0;
        for (const auto& stop : day) {
            if (!stop.fixed || !fixed_before) CHECK(stop.start >= free_at + travel_ms(position, stop.where) - 1);
            km += haversine_km(position, stop.where);
            position = stop.where;
            free_at = stop.end;
            fixed_before = stop.fixed;
        }
        if (route != plan.routes.end()) CHECK(route->travel_km == Approx(km));
        total_km += km;
    }
    CHECK(routed == plan.assignments.size());
    CHECK(plan.total_travel_km == Approx(total_km));
    return plan.assignments.size();
}

}  // namespace

TEST_CASE("the optimiser uncrosses what greedy assigns", "[dispatch][auto_assign]") {
    // A at km 0 and B at km 10, two visits each. Greedy gives J1 (5.5) and J2 (4.5) to B, whose last stop is
    // nearer each time, and sends A all the way out to J3 (9) and J4 (10): 15.5 km. The best plan is 6.5 km.
    const std::vector<Technician> technicians{technician("A", 0, 2), technician("B", 10, 2)};
    const std::vector<Job> jobs{job("J1", 5.5), job("J2", 4.5), job("J3", 9), job("J4", 10)};

    const Plan greedy = greedy_assign(jobs, technicians, kMonday8am);
    CHECK(greedy.assignments.at("J1").technician_id == "B");
    CHECK(greedy.assignments.at("J2").technician_id == "B");
    CHECK(greedy.assignments.at("J3").technician_id == "A");
    CHECK(greedy.assignments.at("J4").technician_id == "A");
    CHECK(greedy.total_travel_km == Approx(15.5));

    const Plan plan = auto_assign(jobs, technicians, kMonday8am);
    REQUIRE(plan.unassigned.empty());
    CHECK(plan.assignments.at("J2").technician_id == "A");
    CHECK(plan.assignments.at("J2").order == 1);
    CHECK(plan.assignments.at("J1").technician_id == "A");
    CHECK(plan.assignments.at("J1").order == 2);
    CHECK(plan.assignments.at("J4").technician_id == "B");
    CHECK(plan.assignments.at("J4").order == 1);
    CHECK(plan.assignments.at("J3").technician_id == "B");
    CHECK(plan.assignments.at("J3").order == 2);
    CHECK(plan.total_travel_km == Approx(6.5));
    CHECK(plan.total_travel_km < greedy.total_travel_km);
    CHECK(plan.objective < greedy.objective);
}

TEST_CASE("unassigned jobs say why", "[dispatch][auto_assign]") {
    auto fridge_expert = technician("off", 1, 4);
    fridge_expert.skills = {{"refrigerator", 5}};
    fridge_expert.days_off = {"2026-11-23"};
    const std::vector<Technician> technicians{technician("A", 0, 1), fridge_expert};
    const std::vector<Job> jobs{job("J1", 1), job("J2", 2, "refrigerator"), job("J3", 3, "television"), job("J4", 4)};
    const Plan plan = auto_assign(jobs, technicians, kMonday8am);
    CHECK(plan.assignments.size() == 1);
    CHECK(plan.assignments.at("J1").technician_id == "A");
    std::map<std::string, std::string> why;
    for (const auto& u : plan.unassigned) why[u.job_id] = u.code;
    CHECK(why == std::map<std::string, std::string>{
                     {"J2", "no_technician_available"}, {"J3", "no_skilled_technician"}, {"J4", "no_feasible_slot"}});
    CHECK(plan.objective == Approx(plan.total_travel_km + 3 * AssignParams{}.unassigned_cost));
}

TEST_CASE("urgent work wins scarce capacity and lateness is reported", "[dispatch][auto_assign]") {
    std::vector<Job> jobs{job("routine", 1), job("urgent", 8)};
    jobs[1].priority = Priority::urgent;
    jobs[1].sla_deadline_ms = kMonday8am + 90 * kMinuteMs;  // 09:30, before anyone could finish it
    const Plan plan = auto_assign(jobs, {technician("A", 0, 1)}, kMonday8am);
    REQUIRE(plan.assignments.count("urgent"));
    CHECK(plan.unassigned.size() == 1);
    const auto& a = plan.assignments.at("urgent");
    CHECK(a.late_ms == a.end_ms - *jobs[1].sla_deadline_ms);
    CHECK(a.late_ms > 0);
    CHECK(plan.total_late_minutes == Approx(a.late_ms / 60000.0));
}

TEST_CASE("a visit is planned inside the customer's preferred window when the day allows", "[dispatch][auto_assign]") {
    // Working 09:00-18:00. J1 wants 14:00-16:00 and is booked at 14:00, not at the first free moment.
    std::vector<Job> jobs{job("J1", 1), job("J2", 2)};
    jobs[0].preferred = TimeSpan{kMonday8am + 6 * 60 * kMinuteMs, kMonday8am + 8 * 60 * kMinuteMs};
    // J2 wants 20:00-21:00, after working hours: planned anyway, as early as it fits, and marked as a miss.
    jobs[1].preferred = TimeSpan{kMonday8am + 12 * 60 * kMinuteMs, kMonday8am + 13 * 60 * kMinuteMs};
    const Plan plan = auto_assign(jobs, {technician("A", 0, 4)}, kMonday8am);
    REQUIRE(plan.assignments.size() == 2);
    const auto& kept = plan.assignments.at("J1");
    CHECK(kept.start_ms == jobs[0].preferred->start_ms);
    CHECK(kept.in_window == true);
    const auto& missed = plan.assignments.at("J2");
    CHECK(missed.in_window == false);
    CHECK(missed.end_ms <= kMonday8am + 10 * 60 * kMinuteMs);
    CHECK(plan.objective == Approx(plan.total_travel_km + AssignParams{}.window_miss_cost));
    // Without a window nothing is said.
    const Plan plain = auto_assign({job("J3", 1)}, {technician("A", 0, 4)}, kMonday8am);
    CHECK_FALSE(plain.assignments.at("J3").in_window.has_value());
    CHECK(plain.assignments.at("J3").start_ms < kMonday8am + 2 * 60 * kMinuteMs);
}

TEST_CASE("no hard constraint is broken on a random day of 200 jobs and 30 technicians", "[dispatch][auto_assign]") {
    const Scenario scenario = make_scenario({200, 30, 7});
    REQUIRE(std::any_of(scenario.technicians.begin(), scenario.technicians.end(),
                        [](const Technician& t) { return !t.booked_today.empty(); }));
    REQUIRE(std::any_of(scenario.technicians.begin(), scenario.technicians.end(),
                        [](const Technician& t) { return !t.days_off.empty(); }));

    const Plan plan = auto_assign(scenario.jobs, scenario.technicians, scenario.start_ms);
    const Plan greedy = greedy_assign(scenario.jobs, scenario.technicians, scenario.start_ms);
    CHECK(check_plan(plan, scenario) > 100);
    CHECK(check_plan(greedy, scenario) > 100);
    CHECK(plan.objective <= greedy.objective);
    CHECK(plan.moves > 0);

    // Same seed, same plan.
    const Plan again = auto_assign(scenario.jobs, scenario.technicians, scenario.start_ms);
    CHECK(again.total_travel_km == plan.total_travel_km);
    for (const auto& [id, a] : plan.assignments) {
        CHECK(again.assignments.at(id).technician_id == a.technician_id);
        CHECK(again.assignments.at(id).order == a.order);
    }
}

TEST_CASE("duplicate ids are rejected", "[dispatch][auto_assign]") {
    CHECK_THROWS_AS(auto_assign({job("J1", 1), job("J1", 2)}, {technician("A", 0, 2)}, kMonday8am),
                    std::invalid_argument);
    CHECK_THROWS_AS(greedy_assign({job("J1", 1)}, {technician("A", 0, 2), technician("A", 5, 2)}, kMonday8am),
                    std::invalid_argument);
}
