// IANA time zone names (Asia/Shanghai), checked against the system's zone database (Debian's tzdata).
#pragma once

#include <string>

namespace fieldserver {

// Whether name is a zone of the tz database: the form Area/Location (or a single name such as UTC) and a zone
// file (TZif) of that name under /usr/share/zoneinfo. The form is checked first, so no name leaves that folder.
bool is_time_zone(const std::string& name);

}  // namespace fieldserver
