// Business-time arithmetic at +08:00: weekends, holidays, lunch breaks and local-versus-UTC day boundaries.
#include <catch2/catch.hpp>
#include <fieldserver/dispatch/business_calendar.hpp>
#include <fieldsync/time.hpp>
#include <stdexcept>
#include <string>

using namespace fieldserver::dispatch;

namespace {

std::int64_t at(const std::string& iso) { return fieldsync::parse_date_time(iso).value(); }

// Asia/Shanghai: Mon-Fri 09:00-18:00, Sat 09:00-12:00. 2026-11-20 is a Friday, 2026-11-23 a Monday.
BusinessCalendar shanghai(const std::vector<std::string>& holidays = {}) {
    return BusinessCalendar(480, BusinessCalendar::weekdays({9 * 60, 18 * 60}, WorkingInterval{9 * 60, 12 * 60}),
                            holidays);
}

}  // namespace

TEST_CASE("business minutes carry over the weekend", "[dispatch][calendar]") {
    const auto calendar = shanghai();
    const std::int64_t friday_5pm = at("2026-11-20T17:00:00+08:00");
    // 60 minutes on Friday, 180 on Saturday morning, none on Sunday.
    CHECK(calendar.add_business_minutes(friday_5pm, 240) == at("2026-11-21T12:00:00+08:00"));
    CHECK(calendar.add_business_minutes(friday_5pm, 300) == at("2026-11-23T10:00:00+08:00"));
    CHECK(calendar.business_minutes_between(friday_5pm, at("2026-11-23T10:00:00+08:00")) == 300);
    CHECK(calendar.business_minutes_between(at("2026-11-23T10:00:00+08:00"), friday_5pm) == -300);
}

TEST_CASE("a holiday counts no business time", "[dispatch][calendar]") {
    const auto calendar = shanghai({"2026-11-23"});
    const std::int64_t friday_5pm = at("2026-11-20T17:00:00+08:00");
    CHECK(calendar.add_business_minutes(friday_5pm, 300) == at("2026-11-24T10:00:00+08:00"));
    CHECK(calendar.business_minutes_between(friday_5pm, at("2026-11-24T10:00:00+08:00")) == 300);
    CHECK(calendar.business_minutes_between(at("2026-11-23T00:00:00+08:00"), at("2026-11-24T00:00:00+08:00")) == 0);
    CHECK(calendar.working_spans(day_number("2026-11-23")).empty());
}

TEST_CASE("days are local days, not UTC days", "[dispatch][calendar]") {
    const auto calendar = shanghai();
    // Sunday 23:00 UTC is already Monday 07:00 in Shanghai.
    const std::int64_t monday_7am = at("2026-11-22T23:00:00Z");
    CHECK(calendar.local_date(monday_7am) == "2026-11-23");
    CHECK(calendar.add_business_minutes(monday_7am, 60) == at("2026-11-23T02:00:00Z"));
    // Monday 17:30 local is 09:30 UTC; the remaining 30 minutes and 60 more land on Tuesday 10:00 local.
    CHECK(calendar.add_business_minutes(at("2026-11-23T09:30:00Z"), 90) == at("2026-11-24T10:00:00+08:00"));
    CHECK(calendar.business_minutes_between(at("2026-11-23T08:00:00+08:00"), at("2026-11-24T08:00:00+08:00")) == 540);
}

TEST_CASE("the end of a working span is reached, not skipped", "[dispatch][calendar]") {
    const auto calendar = shanghai();
    const std::int64_t monday_9am = at("2026-11-23T09:00:00+08:00");
    CHECK(calendar.add_business_minutes(monday_9am, 540) == at("2026-11-23T18:00:00+08:00"));
    CHECK(calendar.add_business_minutes(monday_9am, 541) == at("2026-11-24T09:01:00+08:00"));
    CHECK(calendar.add_business_minutes(at("2026-11-23T18:00:00+08:00"), 0) == at("2026-11-23T18:00:00+08:00"));
    CHECK(calendar.business_ms_between(monday_9am, monday_9am + 90'500) == 90'500);
}

TEST_CASE("several intervals a day leave a lunch break out", "[dispatch][calendar]") {
    WeeklyHours hours;
    for (int d = 0; d < 5; ++d) hours[d] = {{9 * 60, 12 * 60}, {13 * 60, 18 * 60}};
    const BusinessCalendar calendar(480, hours);
    CHECK(calendar.add_business_minutes(at("2026-11-23T11:00:00+08:00"), 120) == at("2026-11-23T14:00:00+08:00"));
    CHECK(calendar.business_minutes_between(at("2026-11-23T00:00:00+08:00"), at("2026-11-24T00:00:00+08:00")) == 480);
}

TEST_CASE("around the clock counts every minute", "[dispatch][calendar]") {
    const auto calendar = BusinessCalendar::around_the_clock(480);
    const std::int64_t saturday = at("2026-11-21T22:00:00+08:00");
    CHECK(calendar.add_business_minutes(saturday, 600) == saturday + 600 * kMinuteMs);
    CHECK(calendar.business_ms_between(saturday, saturday + 3 * kDayMs + 7) == 3 * kDayMs + 7);
}

TEST_CASE("invalid calendars are rejected", "[dispatch][calendar]") {
    WeeklyHours overlapping;
    overlapping[0] = {{9 * 60, 13 * 60}, {12 * 60, 18 * 60}};
    CHECK_THROWS_AS(BusinessCalendar(480, overlapping), std::invalid_argument);
    CHECK_THROWS_AS(BusinessCalendar(480, WeeklyHours{}), std::invalid_argument);
    CHECK_THROWS_AS(BusinessCalendar(20 * 60, BusinessCalendar::weekdays({9 * 60, 18 * 60})), std::invalid_argument);
    CHECK_THROWS_AS(BusinessCalendar(480, BusinessCalendar::weekdays({9 * 60, 25 * 60})), std::invalid_argument);
    CHECK_THROWS_AS(shanghai({"2026-02-30"}), std::invalid_argument);
    CHECK_THROWS_AS(shanghai().add_business_minutes(0, -1), std::invalid_argument);
}
