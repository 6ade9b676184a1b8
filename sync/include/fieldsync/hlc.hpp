// Hybrid logical clocks (Kulkarni et al., 2014): timestamps that order every write across devices and the
// server, stay close to wall time, and never run backwards even when a tablet's clock does.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace fieldsync {

// How far ahead of the receiver's physical clock a remote HLC may be. Without a bound, one tablet set to next
// year would win every last-writer-wins field for a year.
inline constexpr std::int64_t kDefaultHlcToleranceMs = 60'000;

// One HLC reading. Totally ordered by (wall_ms, counter, node); the node breaks ties between devices, so two
// different writers never compare equal.
struct HlcTimestamp {
    std::int64_t wall_ms = 0;   // the largest physical time seen, Unix milliseconds
    std::uint32_t counter = 0;  // events within the same wall_ms
    std::string node;           // the device or server that made the reading

    // The declared type lets the comparison be synthesized from std::string's < and == where the standard library
    // has no operator<=> for strings yet (libc++ 14, which the WebAssembly build uses).
    std::strong_ordering operator<=>(const HlcTimestamp&) const = default;
    bool operator==(const HlcTimestamp&) const = default;
};

// True for a node id: 1 to 64 characters of [0-9A-Za-z._:-] (device ids, "server").
bool is_node_id(std::string_view node);

// "0000018c2a3b4c5d-0000002a-node": 16 lower-case hex digits of wall_ms, 8 of counter, then the node. The fixed
// widths make byte-wise string order equal timestamp order, so SQLite and PostgreSQL can compare HLC columns.
std::string format_hlc(const HlcTimestamp& t);
// The exact inverse of format_hlc; anything else throws Error(invalid_field, ..., "hlc").
HlcTimestamp parse_hlc(std::string_view text);
// parse_hlc for callers that report the problem themselves: nullopt instead of an exception.
std::optional<HlcTimestamp> try_parse_hlc(std::string_view text);

// Throws Error(invalid_field, ..., "hlc") when remote.wall_ms is more than tolerance_ms ahead of local_now_ms.
// The server calls this on every pushed op before trusting its HLC.
void check_skew(const HlcTimestamp& remote, std::int64_t local_now_ms,
                std::int64_t tolerance_ms = kDefaultHlcToleranceMs);

// A clock for one node. Thread-safe: the server shares one across request threads.
class Hlc {
  public:
    using PhysicalClock = std::function<std::int64_t()>;

    // Throws std::invalid_argument if node is not a node id. The physical clock (null: now_ms) is injectable so
    // tests and simulations can move it backwards.
    explicit Hlc(std::string node, PhysicalClock clock = nullptr, std::int64_t tolerance_ms = kDefaultHlcToleranceMs);

    Hlc(const Hlc&) = delete;
    Hlc& operator=(const Hlc&) = delete;

    // A reading for a local event or a message about to be sent; strictly greater than every earlier reading.
    HlcTimestamp now();
    // Merges a remote reading and returns a local one strictly greater than both it and every earlier reading.
    // Throws Error(invalid_field, ..., "hlc") without changing the clock if remote is too far in the future.
    HlcTimestamp receive(const HlcTimestamp& remote);
    // Raises the clock to at least a reading this node persisted before a restart (no skew check: it is our own).
    void restore(const HlcTimestamp& last);
    // The latest reading handed out (or restored); wall_ms 0 before the first.
    HlcTimestamp last() const;

    const std::string& node() const { return node_; }
    std::int64_t tolerance_ms() const { return tolerance_ms_; }

  private:
    // Sets the state to (wall, counter), moving to the next millisecond if the counter would overflow.
    HlcTimestamp advance(std::int64_t wall, std::uint64_t counter);

    mutable std::mutex mutex_;
    const std::string node_;
    const PhysicalClock clock_;
    const std::int64_t tolerance_ms_;
    std::int64_t wall_ = 0;
    std::uint32_t counter_ = 0;
};

}  // namespace fieldsync
