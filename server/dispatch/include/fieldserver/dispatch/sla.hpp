// SLA clocks of a repair job: response and resolution deadlines per priority, paused while the job waits
// on the customer (plan_proposed) or on parts (on_hold), measured in business or wall-clock time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fieldserver/dispatch/business_calendar.hpp"

namespace fieldserver::dispatch {

enum class Priority { low, normal, high, urgent };

std::string_view to_string(Priority priority);
std::optional<Priority> parse_priority(std::string_view text);

// What one priority promises. Business-hours terms count only the calendar's working time.
struct SlaTerms {
    std::int64_t response_minutes = 0;
    std::int64_t resolution_minutes = 0;
    bool business_hours = true;
};

// State names are data, like the workflow table, so a changed workflow needs no change here.
struct SlaPolicy {
    std::array<SlaTerms, 4> terms_by_priority;  // indexed by Priority
    // The clock stops while the job waits on someone outside the service (customer's approval, parts).
    std::vector<std::string> paused_states{"plan_proposed", "on_hold"};
    // Resolution is reached while the job is in one of these; a rejected acceptance (back to in_repair)
    // restarts the clock, because the customer did not get a working device.
    std::vector<std::string> resolved_states{"awaiting_acceptance", "accepted", "closed"};
    // Terminal states that are not a resolution: the clocks freeze.
    std::vector<std::string> stopped_states{"cancelled"};
    // At risk once less than this fraction of the allowance remains.
    double at_risk_fraction = 0.2;

    const SlaTerms& terms(Priority priority) const { return terms_by_priority[static_cast<int>(priority)]; }
};

// One entry of a job's state history: the state it entered, and when.
struct StateEntry {
    std::string state;
    std::int64_t entered_at_ms = 0;
};

enum class SlaStatus { ok, at_risk, breached };

std::string_view to_string(SlaStatus status);

// One clock (response or resolution). Durations are in the clock's time (business or wall-clock), in ms.
struct SlaClock {
    std::int64_t allowance_ms = 0;
    std::int64_t elapsed_ms = 0;  // running time so far, pauses excluded
    // Time the clock stood still (pauses, and the wait before a rejected acceptance); the deadline has moved
    // out by exactly this much.
    std::int64_t paused_ms = 0;
    std::int64_t remaining_ms = 0;  // allowance - elapsed; negative once overdue
    // When the allowance runs out (ran out): reported time + allowance + pauses. While the job is paused the
    // deadline assumes the clock resumes now, so it keeps moving out as the pause goes on.
    std::int64_t deadline_ms = 0;
    SlaStatus status = SlaStatus::ok;
    std::optional<std::int64_t> reached_at_ms;  // when the target was reached (responded / resolved)
    // Decided once the target is reached (in time or not) or the allowance has run out; unknown before.
    std::optional<bool> met;

    std::int64_t elapsed_minutes() const { return elapsed_ms / kMinuteMs; }
    std::int64_t remaining_minutes() const { return remaining_ms / kMinuteMs; }
};

struct SlaReport {
    SlaClock response;     // reported -> assessing
    SlaClock resolution;   // reported -> awaiting_acceptance
    bool paused = false;   // in a paused state now
    bool stopped = false;  // in a stopped state now (cancelled)
};

// Evaluates both clocks at now_ms. history is in time order and starts with the state the clock starts in
// (reported); entries after now_ms are ignored. Throws std::invalid_argument for an empty or unordered history.
SlaReport evaluate_sla(const std::vector<StateEntry>& history, Priority priority, const SlaPolicy& policy,
                       const BusinessCalendar& calendar, std::int64_t now_ms);

}  // namespace fieldserver::dispatch
