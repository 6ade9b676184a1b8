// Hybrid logical clock: monotonicity against a misbehaving physical clock, merge, skew bound, sortable text.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/hlc.hpp"

using namespace fieldsync;

namespace {

// A physical clock the test moves by hand.
struct ManualClock {
    std::int64_t ms = 1'700'000'000'000;
    Hlc::PhysicalClock fn() {
        return [this] { return ms; };
    }
};

}  // namespace

TEST_CASE("now() follows the physical clock and counts events within one millisecond", "[sync][hlc]") {
    ManualClock clock;
    Hlc hlc("tab-1", clock.fn());
    auto a = hlc.now();
    CHECK(a == HlcTimestamp{clock.ms, 0, "tab-1"});
    auto b = hlc.now();
    CHECK(b == HlcTimestamp{clock.ms, 1, "tab-1"});
    auto c = hlc.now();
    CHECK(c.counter == 2);
    clock.ms += 5;
    auto d = hlc.now();
    CHECK(d == HlcTimestamp{clock.ms, 0, "tab-1"});
    CHECK(a < b);
    CHECK(b < c);
    CHECK(c < d);
    CHECK(hlc.last() == d);
}

TEST_CASE("now() stays monotonic when the physical clock goes backwards", "[sync][hlc]") {
    ManualClock clock;
    Hlc hlc("tab-1", clock.fn());
    auto before = hlc.now();
    clock.ms -= 3'600'000;  // NTP correction, or the user fiddling with the settings
    auto after = hlc.now();
    CHECK(after > before);
    CHECK(after.wall_ms == before.wall_ms);
    CHECK(after.counter == before.counter + 1);
    // Once physical time catches up again, the counter resets.
    clock.ms += 3'600'000 + 1;
    auto caught_up = hlc.now();
    CHECK(caught_up == HlcTimestamp{clock.ms, 0, "tab-1"});
}

TEST_CASE("a run of readings under a random physical clock is strictly increasing", "[sync][hlc]") {
    ManualClock clock;
    Hlc hlc("tab-1", clock.fn());
    std::mt19937 random(7);
    std::uniform_int_distribution<int> step(-50, 20);
    HlcTimestamp previous = hlc.now();
    for (int i = 0; i < 2000; ++i) {
        clock.ms += step(random);
        auto next = hlc.now();
        REQUIRE(next > previous);
        previous = next;
    }
}

TEST_CASE("receive() merges a remote reading", "[sync][hlc]") {
    ManualClock clock;
    Hlc hlc("server", clock.fn());
    auto local = hlc.now();

    SECTION("remote ahead within tolerance: take its wall time and count past its counter") {
        HlcTimestamp remote{clock.ms + 10'000, 4, "tab-1"};
        auto t = hlc.receive(remote);
        CHECK(t == HlcTimestamp{remote.wall_ms, 5, "server"});
        CHECK(t > remote);
        // Subsequent local events stay ahead of the merged reading even though physical time has not moved.
        CHECK(hlc.now() == HlcTimestamp{remote.wall_ms, 6, "server"});
    }
    SECTION("remote behind: keep the local wall time and count on") {
        HlcTimestamp remote{clock.ms - 10'000, 99, "tab-1"};
        auto t = hlc.receive(remote);
        CHECK(t == HlcTimestamp{local.wall_ms, local.counter + 1, "server"});
    }
    SECTION("same wall time: counter past the larger of both") {
        HlcTimestamp remote{local.wall_ms, 41, "tab-1"};
        CHECK(hlc.receive(remote) == HlcTimestamp{local.wall_ms, 42, "server"});
    }
    SECTION("physical clock ahead of both: counter restarts") {
        clock.ms += 1000;
        HlcTimestamp remote{clock.ms - 500, 7, "tab-1"};
        CHECK(hlc.receive(remote) == HlcTimestamp{clock.ms, 0, "server"});
    }
}

TEST_CASE("a maximal counter rolls over into the next millisecond instead of wrapping", "[sync][hlc]") {
    ManualClock clock;
    Hlc hlc("server", clock.fn());
    HlcTimestamp remote{clock.ms, 0xFFFFFFFFu, "tab-1"};
    auto t = hlc.receive(remote);
    CHECK(t == HlcTimestamp{clock.ms + 1, 0, "server"});
    CHECK(t > remote);
}

TEST_CASE("the skew bound rejects a remote reading too far in the future", "[sync][hlc]") {
    ManualClock clock;
    Hlc hlc("server", clock.fn());
    auto before = hlc.now();

    HlcTimestamp at_limit{clock.ms + kDefaultHlcToleranceMs, 0, "tab-1"};
    HlcTimestamp too_far{clock.ms + kDefaultHlcToleranceMs + 1, 0, "tab-1"};
    try {
        hlc.receive(too_far);
        FAIL("a reading 60001 ms ahead was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_field);
        CHECK(e.field() == "hlc");
    }
    // A rejected reading leaves the clock alone, so it cannot drag later local readings into the future.
    CHECK(hlc.last() == before);
    CHECK(hlc.receive(at_limit).wall_ms == at_limit.wall_ms);

    CHECK_NOTHROW(check_skew(too_far, clock.ms + 1));
    CHECK_THROWS_AS(check_skew(too_far, clock.ms), Error);
    CHECK_THROWS_AS(check_skew({clock.ms + 2000, 0, "tab-1"}, clock.ms, 1000), Error);
    CHECK_NOTHROW(check_skew({clock.ms - 86'400'000, 0, "tab-1"}, clock.ms, 1000));  // the past is never too far

    Hlc strict("server", clock.fn(), 1000);
    CHECK_THROWS_AS(strict.receive({clock.ms + 1001, 0, "tab-1"}), Error);
}

TEST_CASE("ties between devices are broken by node id", "[sync][hlc]") {
    HlcTimestamp a{1000, 3, "tab-a"};
    HlcTimestamp b{1000, 3, "tab-b"};
    CHECK(a < b);
    CHECK(a != b);
    CHECK(HlcTimestamp{1000, 4, "tab-a"} > b);
    CHECK(HlcTimestamp{1001, 0, "tab-a"} > HlcTimestamp{1000, 9, "tab-z"});
}

TEST_CASE("restore() keeps a restarted clock ahead of what it handed out before", "[sync][hlc]") {
    ManualClock clock;
    Hlc hlc("tab-1", clock.fn());
    HlcTimestamp persisted{clock.ms + 5000, 12, "tab-1"};
    hlc.restore(persisted);
    CHECK(hlc.now() == HlcTimestamp{persisted.wall_ms, 13, "tab-1"});
    hlc.restore({1, 0, "tab-1"});  // an older value never lowers it
    CHECK(hlc.last() == HlcTimestamp{persisted.wall_ms, 13, "tab-1"});
}

TEST_CASE("the text form round-trips and sorts like the timestamps", "[sync][hlc]") {
    HlcTimestamp t{0x18c2a3b4c5dLL, 42, "tab-1"};
    CHECK(format_hlc(t) == "0000018c2a3b4c5d-0000002a-tab-1");
    CHECK(parse_hlc(format_hlc(t)) == t);

    std::vector<HlcTimestamp> values = {{0, 0, "a"},
                                        {0, 0, "b"},
                                        {0, 1, "a"},
                                        {9, 0, "a"},
                                        {10, 0, "a"},
                                        {15, 0xFFFF, "z"},
                                        {16, 0, "A"},
                                        {16, 0, "a"},
                                        {16, 0, "aa"},
                                        {255, 7, "x"},
                                        {256, 7, "x"},
                                        {1'700'000'000'000, 0, "server"},
                                        {1'700'000'000'000, 0, "tab-1"},
                                        {1'700'000'000'000, 0xFFFFFFFFu, "a"},
                                        {INT64_MAX, 0xFFFFFFFFu, "zzz"}};
    std::mt19937 random(11);
    std::shuffle(values.begin(), values.end(), random);

    std::vector<std::string> texts;
    for (const auto& v : values) texts.push_back(format_hlc(v));
    std::sort(values.begin(), values.end());
    std::sort(texts.begin(), texts.end());
    for (std::size_t i = 0; i < values.size(); ++i) {
        CHECK(texts[i] == format_hlc(values[i]));
        CHECK(parse_hlc(texts[i]) == values[i]);
    }
}

TEST_CASE("parse_hlc rejects anything format_hlc would not produce", "[sync][hlc]") {
    for (const char* bad :
         {"", "0000018c2a3b4c5d-0000002a-", "0000018c2a3b4c5d-0000002a", "18c2a3b4c5d-2a-tab",
          "0000018C2A3B4C5D-0000002a-tab", "0000018c2a3b4c5d_0000002a-tab", "0000018c2a3b4c5d-0000002a-tab 1",
          "0000018c2a3b4c5d-0000002a-tab/1", "8000000000000000-00000000-tab", "0000018c2a3b4c5d-0000002a-tab\n",
          "g000018c2a3b4c5d-0000002a-x"}) {
        INFO(bad);
        try {
            parse_hlc(bad);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_field);
            CHECK(e.field() == "hlc");
        }
        CHECK_FALSE(try_parse_hlc(bad).has_value());
    }
    CHECK_FALSE(try_parse_hlc("0000018c2a3b4c5d-0000002a-" + std::string(65, 'n')).has_value());
    CHECK(try_parse_hlc("0000018c2a3b4c5d-0000002a-" + std::string(64, 'n')).has_value());
}

TEST_CASE("a clock needs a valid node id", "[sync][hlc]") {
    CHECK_THROWS_AS(Hlc(""), std::invalid_argument);
    CHECK_THROWS_AS(Hlc("tab 1"), std::invalid_argument);
    CHECK_NOTHROW(Hlc("0190d1e2-7c3a-7b4e-8f00-0123456789ab"));
    Hlc system_clock("server");
    auto t = system_clock.now();
    CHECK(t.wall_ms > 1'600'000'000'000);  // the default clock is the system clock
}
