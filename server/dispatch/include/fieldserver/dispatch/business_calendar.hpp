// Working time: weekly hours at a fixed UTC offset, minus holidays. SLA clocks and technicians' shifts
// are measured in it, so "4 business hours" reported Friday 17:00 lands on Monday morning.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fieldserver::dispatch {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kDayMs = 86'400'000;

// Absolute time [start_ms, end_ms), Unix milliseconds UTC.
struct TimeSpan {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
};

// Part of a local day in minutes after midnight, [start_minute, end_minute); 1440 is the next midnight.
struct WorkingInterval {
    int start_minute = 0;
    int end_minute = 0;
};

// Working intervals per weekday, Monday first; several per day allow a lunch break.
using WeeklyHours = std::array<std::vector<WorkingInterval>, 7>;

// Days since 1970-01-01 of a "YYYY-MM-DD" date; throws std::invalid_argument if it is not one.
std::int64_t day_number(const std::string& date);
// "YYYY-MM-DD" of a day number.
std::string date_of_day(std::int64_t day);
// 0 for Monday to 6 for Sunday.
int weekday_of_day(std::int64_t day);

// A fixed offset rather than a zone name: the first markets (China) have no daylight saving, and a fixed
// offset keeps this library free of a time-zone database.
class BusinessCalendar {
  public:
    // Monday to Friday 09:00–18:00 at UTC, no holidays: a plain office week, so a default value is usable.
    BusinessCalendar();
    // Throws std::invalid_argument for an offset beyond ±18 h, intervals empty, out of order, overlapping or
    // outside the day, a bad holiday date, or a week without working time (no deadline would ever come).
    BusinessCalendar(int utc_offset_minutes, WeeklyHours hours, const std::vector<std::string>& holidays = {});
    // Every minute counts: the calendar of 24x7 SLAs.
    static BusinessCalendar around_the_clock(int utc_offset_minutes = 0);
    // The same hours Monday to Friday, and optionally on Saturday.
    static WeeklyHours weekdays(WorkingInterval hours, std::optional<WorkingInterval> saturday = std::nullopt);

    int utc_offset_minutes() const { return utc_offset_minutes_; }
    const WeeklyHours& hours() const { return hours_; }

    // The local day (days since 1970-01-01) an instant falls on.
    std::int64_t local_day(std::int64_t unix_ms) const;
    // Local "YYYY-MM-DD" of an instant.
    std::string local_date(std::int64_t unix_ms) const;
    // Milliseconds after local midnight of an instant.
    std::int64_t local_time_of_day_ms(std::int64_t unix_ms) const;
    bool is_holiday(std::int64_t day) const { return holidays_.count(day) > 0; }
    // The working spans of a local day in absolute time, in order; empty on holidays and days without hours.
    std::vector<TimeSpan> working_spans(std::int64_t day) const;

    // The first instant by which `minutes` of working time have passed since start; start itself for 0.
    // Throws std::invalid_argument for a negative duration.
    std::int64_t add_business_minutes(std::int64_t start_ms, std::int64_t minutes) const;
    std::int64_t add_business_ms(std::int64_t start_ms, std::int64_t duration_ms) const;
    // Working time between two instants, negative when b is before a. Minutes are whole, truncated.
    std::int64_t business_minutes_between(std::int64_t a_ms, std::int64_t b_ms) const;
    std::int64_t business_ms_between(std::int64_t a_ms, std::int64_t b_ms) const;

  private:
    std::int64_t day_start_ms(std::int64_t day) const;

    int utc_offset_minutes_;
    WeeklyHours hours_;
    std::set<std::int64_t> holidays_;
};

}  // namespace fieldserver::dispatch
