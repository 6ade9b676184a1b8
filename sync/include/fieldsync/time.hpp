// UTC timestamps and dates in ISO 8601, the only time formats on the wire and in storage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fieldsync {

// Milliseconds since the Unix epoch, from the system clock.
std::int64_t now_ms();
// "2026-11-21T08:30:00.000Z"
std::string format_utc(std::int64_t unix_ms);
// Parses an ISO 8601 date-time with a zone (Z or ±hh:mm); nullopt if it is not one.
std::optional<std::int64_t> parse_date_time(const std::string& text);
// True for a calendar date "YYYY-MM-DD" that exists.
bool is_date(const std::string& text);
// "YYYY-MM-DD" of a Unix time in UTC.
std::string format_date(std::int64_t unix_ms);
// Adds days to a "YYYY-MM-DD" date.
std::string add_days(const std::string& date, int days);

}  // namespace fieldsync
