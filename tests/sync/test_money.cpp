// Cents: rounding from currency units and the two-decimal text shown in summaries, messages and errors.
#include <catch2/catch.hpp>

#include "fieldsync/money.hpp"

using namespace fieldsync;

TEST_CASE("Amounts round to the nearest cent", "[Sync][Money]") {
    CHECK(to_cents(260.5) == 26050);
    CHECK(to_cents(0.1 + 0.2) == 30);  // binary floating point is 0.30000000000000004
    CHECK(to_cents(80.005) == 8001);
    CHECK(to_cents(1.5 * 80.005) == 12001);
    CHECK(to_cents(0) == 0);
    CHECK(to_cents(-2.5) == -250);
}

TEST_CASE("Cents print as currency units with two decimals", "[Sync][Money]") {
    CHECK(format_cents(38050) == "380.50");
    CHECK(format_cents(5) == "0.05");
    CHECK(format_cents(0) == "0.00");
    CHECK(format_cents(100) == "1.00");
    CHECK(format_cents(1'000'000'000) == "10000000.00");
    CHECK(format_cents(-5) == "-0.05");
    CHECK(format_cents(-105) == "-1.05");
}
