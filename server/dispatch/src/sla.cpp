// SLA evaluation: splits a job's history into running, paused and idle stretches and measures each.
#include "fieldserver/dispatch/sla.hpp"

#include <algorithm>
#include <stdexcept>

namespace fieldserver::dispatch {
namespace {

constexpr std::array<std::string_view, 4> kPriorityNames{"low", "normal", "high", "urgent"};
constexpr std::array<std::string_view, 3> kStatusNames{"ok", "at_risk", "breached"};

// Idle: the clock is not running and the deadline no longer matters (target reached, or job cancelled).
enum class Phase { running, paused, idle };

bool contains(const std::vector<std::string>& states, const std::string& state) {
    return std::find(states.begin(), states.end(), state) != states.end();
}

// Runs one clock over the first `count` history entries, the last of which lasts until now_ms.
template <typename Classify>
SlaClock run_clock(const std::vector<StateEntry>& history, std::size_t count, std::int64_t now_ms,
                   std::int64_t allowance_ms, const BusinessCalendar& calendar, Classify classify) {
    SlaClock clock;
    clock.allowance_ms = allowance_ms;
    // The clock's time ends where it last went idle for good; later time neither runs nor moves the deadline.
    std::size_t active_count = count;
    while (active_count > 0 && classify(active_count - 1) == Phase::idle) --active_count;
    const std::int64_t anchor_ms = active_count < count ? history[active_count].entered_at_ms : now_ms;

    std::optional<std::int64_t> deadline;
    for (std::size_t i = 0; i < active_count; ++i) {
        const std::int64_t from = history[i].entered_at_ms;
        const std::int64_t to = i + 1 < count ? history[i + 1].entered_at_ms : now_ms;
        const std::int64_t length = calendar.business_ms_between(from, to);
        if (classify(i) == Phase::running) {
            if (!deadline && clock.elapsed_ms + length >= allowance_ms) {
                deadline = calendar.add_business_ms(from, allowance_ms - clock.elapsed_ms);
            }
            clock.elapsed_ms += length;
        } else {
            clock.paused_ms += length;
        }
    }
    clock.deadline_ms = deadline ? *deadline : calendar.add_business_ms(anchor_ms, allowance_ms - clock.elapsed_ms);
    clock.remaining_ms = allowance_ms - clock.elapsed_ms;
    return clock;
}

// Decides met and status from the measured times; a reached target is only ever ok or breached.
void settle(SlaClock& clock, double at_risk_fraction) {
    const bool overdue = clock.elapsed_ms > clock.allowance_ms;
    if (clock.reached_at_ms) {
        clock.met = !overdue;
    } else if (overdue) {
        clock.met = false;
    }
    if (overdue) {
        clock.status = SlaStatus::breached;
    } else if (!clock.reached_at_ms &&
               static_cast<double>(clock.remaining_ms) < at_risk_fraction * static_cast<double>(clock.allowance_ms)) {
        clock.status = SlaStatus::at_risk;
    } else {
        clock.status = SlaStatus::ok;
    }
}

}  // namespace

std::string_view to_string(Priority priority) { return kPriorityNames[static_cast<int>(priority)]; }

std::optional<Priority> parse_priority(std::string_view text) {
    for (std::size_t i = 0; i < kPriorityNames.size(); ++i) {
        if (kPriorityNames[i] == text) return static_cast<Priority>(i);
    }
    return std::nullopt;
}

std::string_view to_string(SlaStatus status) { return kStatusNames[static_cast<int>(status)]; }

SlaReport evaluate_sla(const std::vector<StateEntry>& history, Priority priority, const SlaPolicy& policy,
                       const BusinessCalendar& calendar, std::int64_t now_ms) {
    if (history.empty()) throw std::invalid_argument("an SLA needs the job's state history");
    for (std::size_t i = 1; i < history.size(); ++i) {
        if (history[i].entered_at_ms < history[i - 1].entered_at_ms) {
            throw std::invalid_argument("state history is not in time order");
        }
    }
    now_ms = std::max(now_ms, history.front().entered_at_ms);
    std::size_t count = 0;
    while (count < history.size() && history[count].entered_at_ms <= now_ms) ++count;

    const SlaTerms& terms = policy.terms(priority);
    const BusinessCalendar wall_clock = BusinessCalendar::around_the_clock(calendar.utc_offset_minutes());
    const BusinessCalendar& time = terms.business_hours ? calendar : wall_clock;
    auto paused = [&](std::size_t i) { return contains(policy.paused_states, history[i].state); };
    auto stopped = [&](std::size_t i) { return contains(policy.stopped_states, history[i].state); };
    auto resolved = [&](std::size_t i) { return contains(policy.resolved_states, history[i].state); };

    // Responded on the first move out of the starting state that is not a cancellation.
    std::size_t responded = count;
    for (std::size_t i = 1; i < count; ++i) {
        if (history[i].state != history.front().state && !stopped(i)) {
            responded = i;
            break;
        }
    }

    SlaReport report;
    report.response = run_clock(history, count, now_ms, terms.response_minutes * kMinuteMs, time, [&](std::size_t i) {
        if (i >= responded || stopped(i)) return Phase::idle;
        return paused(i) ? Phase::paused : Phase::running;
    });
    if (responded < count) report.response.reached_at_ms = history[responded].entered_at_ms;

    auto resolution_phase = [&](std::size_t i) {
        if (stopped(i) || resolved(i)) return Phase::idle;
        return paused(i) ? Phase::paused : Phase::running;
    };
    report.resolution = run_clock(history, count, now_ms, terms.resolution_minutes * kMinuteMs, time, resolution_phase);
    if (resolved(count - 1)) {
        std::size_t first = count - 1;
        while (first > 0 && resolved(first - 1)) --first;
        report.resolution.reached_at_ms = history[first].entered_at_ms;
    }

    settle(report.response, policy.at_risk_fraction);
    settle(report.resolution, policy.at_risk_fraction);
    report.paused = paused(count - 1);
    report.stopped = stopped(count - 1);
    return report;
}

}  // namespace fieldserver::dispatch
