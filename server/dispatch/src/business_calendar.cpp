// Business-time arithmetic: walks local days and their working intervals.
#include "fieldserver/dispatch/business_calendar.hpp"

#include <algorithm>
#include <fieldsync/time.hpp>
#include <stdexcept>

namespace fieldserver::dispatch {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::int64_t day_number(const std::string& date) {
    if (!fieldsync::is_date(date)) throw std::invalid_argument("not a date (YYYY-MM-DD): " + date);
    return *fieldsync::parse_date_time(date + "T00:00:00Z") / kDayMs;
}

std::string date_of_day(std::int64_t day) { return fieldsync::format_date(day * kDayMs); }

// 1970-01-01 was a Thursday.
int weekday_of_day(std::int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7); }

BusinessCalendar::BusinessCalendar() : BusinessCalendar(0, weekdays({9 * 60, 18 * 60})) {}

BusinessCalendar::BusinessCalendar(int utc_offset_minutes, WeeklyHours hours, const std::vector<std::string>& holidays)
    : utc_offset_minutes_(utc_offset_minutes), hours_(std::move(hours)) {
    if (utc_offset_minutes < -18 * 60 || utc_offset_minutes > 18 * 60) {
        throw std::invalid_argument("UTC offset beyond +-18 hours");
    }
    bool any = false;
    for (const auto& day : hours_) {
        int previous_end = 0;
        for (const auto& interval : day) {
            if (interval.start_minute < previous_end || interval.start_minute >= interval.end_minute ||
                interval.end_minute > 24 * 60) {
                throw std::invalid_argument("working intervals must be non-empty, ordered, within one day");
            }
            previous_end = interval.end_minute;
            any = true;
        }
    }
    if (!any) throw std::invalid_argument("a business calendar needs some working time in the week");
    for (const auto& date : holidays) holidays_.insert(day_number(date));
}

BusinessCalendar BusinessCalendar::around_the_clock(int utc_offset_minutes) {
    WeeklyHours hours;
    for (auto& day : hours) day.push_back({0, 24 * 60});
    return BusinessCalendar(utc_offset_minutes, std::move(hours));
}

WeeklyHours BusinessCalendar::weekdays(WorkingInterval hours, std::optional<WorkingInterval> saturday) {
    WeeklyHours week;
    for (int d = 0; d < 5; ++d) week[d].push_back(hours);
    if (saturday) week[5].push_back(*saturday);
    return week;
}

std::int64_t BusinessCalendar::local_day(std::int64_t unix_ms) const {
    return floor_div(unix_ms + utc_offset_minutes_ * kMinuteMs, kDayMs);
}

std::string BusinessCalendar::local_date(std::int64_t unix_ms) const { return date_of_day(local_day(unix_ms)); }

std::int64_t BusinessCalendar::local_time_of_day_ms(std::int64_t unix_ms) const {
    return unix_ms - day_start_ms(local_day(unix_ms));
}

std::int64_t BusinessCalendar::day_start_ms(std::int64_t day) const {
    return day * kDayMs - utc_offset_minutes_ * kMinuteMs;
}

std::vector<TimeSpan> BusinessCalendar::working_spans(std::int64_t day) const {
    std::vector<TimeSpan> spans;
    if (is_holiday(day)) return spans;
    const std::int64_t midnight = day_start_ms(day);
    for (const auto& interval : hours_[weekday_of_day(day)]) {
        spans.push_back({midnight + interval.start_minute * kMinuteMs, midnight + interval.end_minute * kMinuteMs});
    }
    return spans;
}

std::int64_t BusinessCalendar::add_business_minutes(std::int64_t start_ms, std::int64_t minutes) const {
    return add_business_ms(start_ms, minutes * kMinuteMs);
}

std::int64_t BusinessCalendar::add_business_ms(std::int64_t start_ms, std::int64_t duration_ms) const {
    if (duration_ms < 0) throw std::invalid_argument("negative business duration");
    if (duration_ms == 0) return start_ms;
    // Terminates: the constructor guarantees working time every week and holidays are finitely many.
    for (std::int64_t day = local_day(start_ms);; ++day) {
        for (const auto& span : working_spans(day)) {
            const std::int64_t from = std::max(span.start_ms, start_ms);
            if (from >= span.end_ms) continue;
            if (duration_ms <= span.end_ms - from) return from + duration_ms;
            duration_ms -= span.end_ms - from;
        }
    }
}

std::int64_t BusinessCalendar::business_minutes_between(std::int64_t a_ms, std::int64_t b_ms) const {
    return business_ms_between(a_ms, b_ms) / kMinuteMs;
}

std::int64_t BusinessCalendar::business_ms_between(std::int64_t a_ms, std::int64_t b_ms) const {
    if (b_ms < a_ms) return -business_ms_between(b_ms, a_ms);
    std::int64_t total = 0;
    for (std::int64_t day = local_day(a_ms), last = local_day(b_ms); day <= last; ++day) {
        for (const auto& span : working_spans(day)) {
            total += std::max<std::int64_t>(0, std::min(span.end_ms, b_ms) - std::max(span.start_ms, a_ms));
        }
    }
    return total;
}

}  // namespace fieldserver::dispatch
