// SLA clocks: deadlines in business time, pauses in plan_proposed and on_hold, at-risk and breach.
#include <catch2/catch.hpp>
#include <fieldserver/dispatch/sla.hpp>
#include <fieldsync/time.hpp>
#include <stdexcept>
#include <string>
#include <vector>

using namespace fieldserver::dispatch;

namespace {

std::int64_t at(const std::string& local) { return fieldsync::parse_date_time(local + "+08:00").value(); }

// Mon-Fri 09:00-18:00 at +08:00; 2026-11-23 is a Monday.
BusinessCalendar calendar() { return BusinessCalendar(480, BusinessCalendar::weekdays({9 * 60, 18 * 60})); }

SlaPolicy policy() {
    SlaPolicy p;
    p.terms_by_priority[static_cast<int>(Priority::low)] = {480, 2400, true};
    p.terms_by_priority[static_cast<int>(Priority::normal)] = {120, 960, true};
    p.terms_by_priority[static_cast<int>(Priority::high)] = {60, 480, true};
    p.terms_by_priority[static_cast<int>(Priority::urgent)] = {60, 240, false};
    return p;
}

// Reported Monday 10:00; paused 14:00 Mon - 10:00 Tue (300 business minutes) in plan_proposed and
// 16:00 Tue - 11:00 Wed (240) on hold; running again since Wednesday 11:00.
std::vector<StateEntry> paused_history() {
    return {{"reported", at("2026-11-23T10:00:00")},      {"assessing", at("2026-11-23T11:00:00")},
            {"plan_proposed", at("2026-11-23T14:00:00")}, {"approved", at("2026-11-24T10:00:00")},
            {"scheduled", at("2026-11-24T11:00:00")},     {"in_repair", at("2026-11-24T15:00:00")},
            {"on_hold", at("2026-11-24T16:00:00")},       {"in_repair", at("2026-11-25T11:00:00")}};
}

}  // namespace

TEST_CASE("pauses move the resolution deadline out by exactly the paused business time", "[dispatch][sla]") {
    const auto cal = calendar();
    const auto report = evaluate_sla(paused_history(), Priority::normal, policy(), cal, at("2026-11-25T12:00:00"));
    const auto& resolution = report.resolution;

    CHECK(resolution.paused_ms == 540 * kMinuteMs);
    const std::int64_t unpaused_deadline = cal.add_business_minutes(at("2026-11-23T10:00:00"), 960);
    CHECK(unpaused_deadline == at("2026-11-24T17:00:00"));
    CHECK(resolution.deadline_ms == cal.add_business_ms(unpaused_deadline, resolution.paused_ms));
    CHECK(resolution.deadline_ms == at("2026-11-25T17:00:00"));
    // Running: Mon 10-14 (240), Tue 10-16 (360), Wed 11-12 (60).
    CHECK(resolution.elapsed_minutes() == 660);
    CHECK(resolution.remaining_minutes() == 300);
    CHECK(resolution.status == SlaStatus::ok);
    CHECK_FALSE(resolution.met.has_value());
    CHECK_FALSE(report.paused);

    const auto& response = report.response;
    CHECK(response.reached_at_ms == at("2026-11-23T11:00:00"));
    CHECK(response.elapsed_minutes() == 60);
    CHECK(response.deadline_ms == at("2026-11-23T12:00:00"));
    CHECK(response.met == true);
    CHECK(response.status == SlaStatus::ok);
}

TEST_CASE("while paused the deadline keeps moving out", "[dispatch][sla]") {
    const auto cal = calendar();
    auto history = paused_history();
    history.resize(7);  // still on hold
    const auto early = evaluate_sla(history, Priority::normal, policy(), cal, at("2026-11-24T17:00:00"));
    const auto later = evaluate_sla(history, Priority::normal, policy(), cal, at("2026-11-25T10:30:00"));
    CHECK(early.paused);
    CHECK(early.resolution.elapsed_ms == later.resolution.elapsed_ms);
    CHECK(later.resolution.deadline_ms - early.resolution.deadline_ms > 0);
    CHECK(cal.business_ms_between(early.resolution.deadline_ms, later.resolution.deadline_ms) ==
          cal.business_ms_between(at("2026-11-24T17:00:00"), at("2026-11-25T10:30:00")));
}

TEST_CASE("at risk when less than a fifth of the allowance remains, breached after the deadline", "[dispatch][sla]") {
    const auto cal = calendar();
    const auto history = paused_history();
    auto status_at = [&](const std::string& when) {
        return evaluate_sla(history, Priority::normal, policy(), cal, at(when)).resolution;
    };
    CHECK(status_at("2026-11-25T13:00:00").status == SlaStatus::ok);  // 240 of 960 left
    const auto risky = status_at("2026-11-25T15:00:00");              // 120 left < 192
    CHECK(risky.status == SlaStatus::at_risk);
    CHECK(risky.remaining_minutes() == 120);
    CHECK(status_at("2026-11-25T17:00:00").status == SlaStatus::at_risk);  // the deadline instant itself
    const auto late = status_at("2026-11-25T17:01:00");
    CHECK(late.status == SlaStatus::breached);
    CHECK(late.remaining_minutes() == -1);
    CHECK(late.met == false);
    CHECK(late.deadline_ms == at("2026-11-25T17:00:00"));
}

TEST_CASE("resolution stops at awaiting_acceptance and restarts on rework", "[dispatch][sla]") {
    const auto cal = calendar();
    auto history = paused_history();
    history.push_back({"awaiting_acceptance", at("2026-11-25T15:00:00")});
    auto resolved = evaluate_sla(history, Priority::normal, policy(), cal, at("2026-11-27T12:00:00")).resolution;
    CHECK(resolved.reached_at_ms == at("2026-11-25T15:00:00"));
    CHECK(resolved.elapsed_minutes() == 840);
    CHECK(resolved.met == true);
    CHECK(resolved.status == SlaStatus::ok);
    CHECK(resolved.deadline_ms == at("2026-11-25T17:00:00"));

    // The customer rejects on Thursday 10:00: the repair was not a resolution, the clock runs again and the
    // wait for acceptance (Wed 15:00 - Thu 10:00, 240 minutes) moves the deadline like a pause.
    history.push_back({"in_repair", at("2026-11-26T10:00:00")});
    auto rework = evaluate_sla(history, Priority::normal, policy(), cal, at("2026-11-26T11:00:00")).resolution;
    CHECK_FALSE(rework.reached_at_ms.has_value());
    CHECK(rework.elapsed_minutes() == 900);
    CHECK(rework.paused_ms == (540 + 240) * kMinuteMs);
    CHECK(rework.deadline_ms == at("2026-11-26T12:00:00"));
    CHECK(rework.status == SlaStatus::at_risk);
}

TEST_CASE("a response not given in time is breached", "[dispatch][sla]") {
    const std::vector<StateEntry> history{{"reported", at("2026-11-23T10:00:00")}};
    const auto report = evaluate_sla(history, Priority::normal, policy(), calendar(), at("2026-11-23T12:30:00"));
    CHECK(report.response.status == SlaStatus::breached);
    CHECK(report.response.met == false);
    CHECK(report.response.deadline_ms == at("2026-11-23T12:00:00"));
    CHECK(report.response.remaining_minutes() == -30);
    CHECK(report.resolution.status == SlaStatus::ok);
}

TEST_CASE("24x7 terms count nights and weekends", "[dispatch][sla]") {
    const std::vector<StateEntry> history{{"reported", at("2026-11-20T20:00:00")}};
    const auto report = evaluate_sla(history, Priority::urgent, policy(), calendar(), at("2026-11-21T01:00:00"));
    CHECK(report.response.deadline_ms == at("2026-11-20T21:00:00"));
    CHECK(report.resolution.deadline_ms == at("2026-11-21T00:00:00"));
    CHECK(report.resolution.elapsed_minutes() == 300);
    CHECK(report.resolution.status == SlaStatus::breached);
}

TEST_CASE("a cancelled job freezes its clocks", "[dispatch][sla]") {
    const std::vector<StateEntry> history{{"reported", at("2026-11-23T10:00:00")},
                                          {"cancelled", at("2026-11-23T11:00:00")}};
    const auto report = evaluate_sla(history, Priority::normal, policy(), calendar(), at("2026-11-30T10:00:00"));
    CHECK(report.stopped);
    CHECK(report.response.elapsed_minutes() == 60);
    CHECK_FALSE(report.response.reached_at_ms.has_value());
    CHECK_FALSE(report.response.met.has_value());
    CHECK(report.resolution.elapsed_minutes() == 60);
    CHECK(report.resolution.paused_ms == 0);
}

TEST_CASE("the paused states are an input", "[dispatch][sla]") {
    auto p = policy();
    p.paused_states = {"on_hold"};
    const auto report = evaluate_sla(paused_history(), Priority::normal, p, calendar(), at("2026-11-25T12:00:00"));
    CHECK(report.resolution.paused_ms == 240 * kMinuteMs);
    CHECK(report.resolution.elapsed_minutes() == 960);
}

TEST_CASE("bad histories and names", "[dispatch][sla]") {
    CHECK_THROWS_AS(evaluate_sla({}, Priority::normal, policy(), calendar(), 0), std::invalid_argument);
    const std::vector<StateEntry> unordered{{"reported", 1000}, {"assessing", 500}};
    CHECK_THROWS_AS(evaluate_sla(unordered, Priority::normal, policy(), calendar(), 2000), std::invalid_argument);
    CHECK(parse_priority("urgent") == Priority::urgent);
    CHECK_FALSE(parse_priority("URGENT").has_value());
    CHECK(to_string(Priority::high) == "high");
    CHECK(to_string(SlaStatus::at_risk) == "at_risk");
}
