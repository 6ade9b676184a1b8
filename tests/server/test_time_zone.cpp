// Zone offsets read from the system's tz database: fixed zones, summer time both ways of a change, and names that
// are no zone refused.
#include <catch2/catch.hpp>
#include <fieldsync/time.hpp>
#include <stdexcept>

#include "fieldserver/util/time_zone.hpp"

using namespace fieldserver;

namespace {

std::int64_t at(const char* iso) { return *fieldsync::parse_date_time(iso); }

}  // namespace

TEST_CASE("zone offsets follow the zone's transitions", "[server][time_zone]") {
    auto shanghai = zone_offset("Asia/Shanghai");
    CHECK(shanghai(at("2027-02-05T02:00:00Z")) == 480);
    CHECK(shanghai(at("2027-08-05T02:00:00Z")) == 480);
    auto berlin = zone_offset("Europe/Berlin");
    CHECK(berlin(at("2027-01-15T12:00:00Z")) == 60);
    CHECK(berlin(at("2027-07-15T12:00:00Z")) == 120);
    // Summer time begins on 28 March 2027 at 01:00 UTC.
    CHECK(berlin(at("2027-03-28T00:59:59Z")) == 60);
    CHECK(berlin(at("2027-03-28T01:00:00Z")) == 120);
    CHECK(zone_offset("America/New_York")(at("2027-01-15T12:00:00Z")) == -300);
    CHECK(zone_offset("UTC")(at("2027-01-15T12:00:00Z")) == 0);
    CHECK_THROWS_AS(zone_offset("../etc/passwd"), std::invalid_argument);
    CHECK_THROWS_AS(zone_offset("Mars/Olympus"), std::invalid_argument);
}
