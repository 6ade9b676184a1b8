// Runs the plain-C walk-through of the C API (c_api_test.c).
#include <catch2/catch.hpp>

#include "fixtures.hpp"

extern "C" int fr_c_api_walkthrough(const char* replica_path, char* failure, size_t failure_size);

TEST_CASE("The C API opens, writes, lists and closes from plain C", "[Mobile][CApi]") {
    mobiletest::TempDir dir;
    char failure[256] = "";
    int result = fr_c_api_walkthrough(dir.file("c.db").c_str(), failure, sizeof failure);
    INFO(failure);
    CHECK(result == 0);
}
