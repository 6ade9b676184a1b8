// IANA time zone names, checked against /usr/share/zoneinfo (tzdata is a required package on Debian).
#include "fieldserver/util/time_zone.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <vector>

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

namespace {

// A zone's offsets: transition instants (seconds, ascending) and the offset (seconds) from each one on.
struct Transitions {
    std::vector<std::int64_t> at;
    std::vector<int> offset;
    int before = 0;  // before the first transition
};

std::int64_t big_endian(const std::string& bytes, std::size_t at, int width) {
    if (at + width > bytes.size()) throw std::invalid_argument("truncated zone file");
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    // Sign-extend the 32-bit fields (offsets, version 1 times).
    if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

// RFC 8536: a version 1 block with 32-bit times, then (version 2 on) a second header and block with 64-bit times,
// which is the one read when present.
Transitions read_tzif(const std::string& bytes) {
    auto counts = [&](std::size_t header) {
        std::vector<std::int64_t> c;
        for (int i = 0; i < 6; ++i) c.push_back(big_endian(bytes, header + 20 + 4 * i, 4));
        return c;  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    };
    if (bytes.size() < 44 || bytes.compare(0, 4, "TZif") != 0) throw std::invalid_argument("not a zone file");
    std::size_t header = 0;
    int width = 4;
    auto c = counts(0);
    if (bytes[4] >= '2') {
        header = 44 + c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
        width = 8;
        c = counts(header);
    }
    std::size_t times = header + 44, indices = times + c[3] * width, types = indices + c[3];
    Transitions t;
    auto type_offset = [&](std::int64_t type) {
        if (type >= c[4]) throw std::invalid_argument("bad zone file");
        return static_cast<int>(big_endian(bytes, types + 6 * type, 4));
    };
    t.before = type_offset(0);
    for (std::int64_t i = 0; i < c[3]; ++i) {
        t.at.push_back(big_endian(bytes, times + i * width, width));
        t.offset.push_back(type_offset(static_cast<unsigned char>(bytes.at(indices + i))));
    }
    return t;
}

}  // namespace

std::function<int(std::int64_t unix_ms)> zone_offset(const std::string& zone) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Transitions>> zones;
    if (!is_time_zone(zone)) throw std::invalid_argument(zone + " is not a time zone");
    std::shared_ptr<const Transitions> transitions;
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto& known = zones[zone];
        if (!known) {
            std::ifstream file("/usr/share/zoneinfo/" + zone, std::ios::binary);
            known = std::make_shared<const Transitions>(
                read_tzif(std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>())));
        }
        transitions = known;
    }
    return [transitions](std::int64_t unix_ms) {
        const auto& t = *transitions;
        std::int64_t seconds = unix_ms / 1000 - (unix_ms % 1000 < 0 ? 1 : 0);
        auto after = std::upper_bound(t.at.begin(), t.at.end(), seconds);
        int offset = after == t.at.begin() ? t.before : t.offset[after - t.at.begin() - 1];
        return offset / 60;
    };
}

}  // namespace fieldserver
