// The HLC send and receive rules, and the sortable text form of a reading.
#include "fieldsync/hlc.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldsync {
namespace {

constexpr std::size_t kWallDigits = 16;
constexpr std::size_t kCounterDigits = 8;
constexpr std::size_t kNodeStart = kWallDigits + 1 + kCounterDigits + 1;
constexpr std::size_t kMaxNodeLength = 64;

// Lower-case only: upper-case digits would sort differently from the numbers they spell.
bool parse_hex(std::string_view digits, std::uint64_t& out) {
    out = 0;
    for (char c : digits) {
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else {
            return false;
        }
        out = out << 4 | static_cast<std::uint64_t>(v);
    }
    return true;
}

// The reason text is not the format_hlc of a timestamp, or nullptr when it is (and out holds it).
const char* hlc_problem(std::string_view text, HlcTimestamp& out) {
    if (text.size() <= kNodeStart || text[kWallDigits] != '-' || text[kNodeStart - 1] != '-')
        return "must look like <16 hex digits>-<8 hex digits>-<node>";
    std::uint64_t wall, counter;
    if (!parse_hex(text.substr(0, kWallDigits), wall) ||
        !parse_hex(text.substr(kWallDigits + 1, kCounterDigits), counter))
        return "must use lower-case hex digits for its wall time and counter";
    if (wall > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return "wall time is too large";
    std::string_view node = text.substr(kNodeStart);
    if (!is_node_id(node)) return "node must be 1 to 64 characters of [0-9A-Za-z._:-]";
    out = {static_cast<std::int64_t>(wall), static_cast<std::uint32_t>(counter), std::string(node)};
    return nullptr;
}

}  // namespace

bool is_node_id(std::string_view node) {
    if (node.empty() || node.size() > kMaxNodeLength) return false;
    return std::all_of(node.begin(), node.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
               c == ':' || c == '-';
    });
}

std::string format_hlc(const HlcTimestamp& t) {
    if (t.wall_ms < 0) throw std::invalid_argument("format_hlc: negative wall time");
    if (!is_node_id(t.node)) throw std::invalid_argument("format_hlc: '" + t.node + "' is not a node id");
    char prefix[kNodeStart + 1];
    std::snprintf(prefix, sizeof prefix, "%016llx-%08lx-", static_cast<unsigned long long>(t.wall_ms),
                  static_cast<unsigned long>(t.counter));
    return prefix + t.node;
}

HlcTimestamp parse_hlc(std::string_view text) {
    HlcTimestamp t;
    if (const char* problem = hlc_problem(text, t))
        throw Error(ErrorCode::invalid_field,
                    Message{"wire.hlc_text", {{"value", std::string(text)}, {"detail", problem}}}, "hlc");
    return t;
}

std::optional<HlcTimestamp> try_parse_hlc(std::string_view text) {
    HlcTimestamp t;
    if (hlc_problem(text, t)) return std::nullopt;
    return t;
}

void check_skew(const HlcTimestamp& remote, std::int64_t local_now_ms, std::int64_t tolerance_ms) {
    if (remote.wall_ms > local_now_ms && remote.wall_ms - local_now_ms > tolerance_ms)
        throw Error(ErrorCode::invalid_field,
                    Message{"wire.clock_ahead",
                            {{"node", remote.node},
                             {"ahead", std::to_string(remote.wall_ms - local_now_ms)},
                             {"max", std::to_string(tolerance_ms)}}},
                    "hlc");
}

Hlc::Hlc(std::string node, PhysicalClock clock, std::int64_t tolerance_ms)
    : node_(std::move(node)), clock_(clock ? std::move(clock) : PhysicalClock(now_ms)), tolerance_ms_(tolerance_ms) {
    if (!is_node_id(node_)) throw std::invalid_argument("Hlc: '" + node_ + "' is not a node id");
    if (tolerance_ms_ < 0) throw std::invalid_argument("Hlc: negative tolerance");
}

HlcTimestamp Hlc::advance(std::int64_t wall, std::uint64_t counter) {
    // Four billion events in one millisecond only happen when a remote sends a maximal counter; borrowing the
    // next millisecond keeps the order strict at the cost of 1 ms of drift.
    if (counter > std::numeric_limits<std::uint32_t>::max()) {
        ++wall;
        counter = 0;
    }
    wall_ = wall;
    counter_ = static_cast<std::uint32_t>(counter);
    return {wall_, counter_, node_};
}

HlcTimestamp Hlc::now() {
    std::lock_guard lock(mutex_);
    std::int64_t physical = clock_();
    if (physical > wall_) return advance(physical, 0);
    return advance(wall_, std::uint64_t{counter_} + 1);
}

HlcTimestamp Hlc::receive(const HlcTimestamp& remote) {
    std::lock_guard lock(mutex_);
    std::int64_t physical = clock_();
    check_skew(remote, physical, tolerance_ms_);
    std::int64_t wall = std::max({wall_, remote.wall_ms, physical});
    if (wall == wall_ && wall == remote.wall_ms)
        return advance(wall, std::uint64_t{std::max(counter_, remote.counter)} + 1);
    if (wall == wall_) return advance(wall, std::uint64_t{counter_} + 1);
    if (wall == remote.wall_ms) return advance(wall, std::uint64_t{remote.counter} + 1);
    return advance(wall, 0);
}

void Hlc::restore(const HlcTimestamp& last) {
    std::lock_guard lock(mutex_);
    if (std::pair(last.wall_ms, last.counter) > std::pair(wall_, counter_)) {
        wall_ = last.wall_ms;
        counter_ = last.counter;
    }
}

HlcTimestamp Hlc::last() const {
    std::lock_guard lock(mutex_);
    return {wall_, counter_, node_};
}

}  // namespace fieldsync
