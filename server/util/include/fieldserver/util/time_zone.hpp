// IANA time zone names (Asia/Shanghai), checked against the system's zone database (Debian's tzdata).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace fieldserver {

// Whether name is a zone of the tz database: the form Area/Location (or a single name such as UTC) and a zone
// file (TZif) of that name under /usr/share/zoneinfo. The form is checked first, so no name leaves that folder.
bool is_time_zone(const std::string& name);

// The minutes zone (a name is_time_zone accepts) is ahead of UTC at an instant (Unix milliseconds), from its zone
// file's transitions, read once per zone and kept. Past the file's last transition (2037 in Debian's tzdata) the last
// offset holds. Throws std::invalid_argument for a name that is not a zone.
std::function<int(std::int64_t unix_ms)> zone_offset(const std::string& zone);

}  // namespace fieldserver
