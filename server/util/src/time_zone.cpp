// IANA time zone names, checked against /usr/share/zoneinfo (tzdata is a required package on Debian).
#include "fieldserver/util/time_zone.hpp"

#include <fstream>
#include <regex>

namespace fieldserver {

bool is_time_zone(const std::string& name) {
    // Parts of letters, digits, '_', '+' and '-', at most three deep (America/Argentina/Buenos_Aires); none starts
    // with '.' or '-', so ".." and option-like names are out before the file system is asked.
    static const std::regex form(R"([A-Za-z][A-Za-z0-9_+-]{0,29}(/[A-Za-z0-9][A-Za-z0-9_+-]{0,29}){0,2})");
    if (name.size() > 64 || !std::regex_match(name, form)) return false;
    // posix/ and right/ are copies of the zones under other rules, not zone names of their own.
    if (name.rfind("posix/", 0) == 0 || name.rfind("right/", 0) == 0) return false;
    // A zone file starts with "TZif"; the folder also holds tables (leapseconds, zone.tab) that are not zones.
    std::ifstream file("/usr/share/zoneinfo/" + name, std::ios::binary);
    char magic[4] = {};
    return file.read(magic, sizeof magic) && std::string(magic, sizeof magic) == "TZif";
}

}  // namespace fieldserver
