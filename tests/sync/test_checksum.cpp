// Bucket checksums: order independence, add/remove as inverses, and the hex text form.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "fieldsync/checksum.hpp"
#include "fieldsync/error.hpp"

using namespace fieldsync;

namespace {

using Entry = std::tuple<std::string, std::string, std::int64_t>;

std::vector<Entry> entries() {
    std::vector<Entry> out;
    for (int i = 0; i < 200; ++i)
        out.emplace_back(i % 3 ? "jobs" : "customers", "0190d1e2-0000-7000-8000-" + std::to_string(100000000000 + i),
                         i % 7 + 1);
    return out;
}

BucketChecksum sum(const std::vector<Entry>& list) {
    BucketChecksum c;
    for (const auto& [table, row, version] : list) c.add(table, row, version);
    return c;
}

}  // namespace

TEST_CASE("an entry checksum is the first 8 bytes of SHA-256 of the length-prefixed entry", "[sync][checksum]") {
    // sha256("4:jobs3:r-11:7") = 18517da8d233f235...; pinned so devices and server never drift apart.
    CHECK(entry_checksum("jobs", "r-1", 7) == 0x18517da8d233f235ULL);
    CHECK(entry_checksum("jobs", "r-1", 7) != entry_checksum("jobs", "r-1", 8));
    CHECK(entry_checksum("jobs", "r-1", 7) != entry_checksum("job", "sr-1", 7));
    CHECK(entry_checksum("ab", "c", 1) != entry_checksum("a", "bc", 1));
}

TEST_CASE("the bucket checksum does not depend on order", "[sync][checksum]") {
    auto list = entries();
    auto expected = sum(list);
    CHECK(expected.value() != 0);
    std::mt19937 random(3);
    for (int round = 0; round < 5; ++round) {
        std::shuffle(list.begin(), list.end(), random);
        CHECK(sum(list) == expected);
    }
}

TEST_CASE("remove is the inverse of add", "[sync][checksum]") {
    auto list = entries();
    auto full = sum(list);
    BucketChecksum c = full;
    c.add("jobs", "extra", 1);
    CHECK(c != full);
    c.remove("jobs", "extra", 1);
    CHECK(c == full);

    // A row moving from version 3 to 4 is remove(3) + add(4): same as building the new set from scratch.
    auto& [table, row, version] = list[10];
    c.remove(table, row, version);
    c.add(table, row, version + 1);
    version += 1;
    CHECK(c == sum(list));

    // Removing everything in any order returns to zero, even through wrap-around.
    std::reverse(list.begin(), list.end());
    for (const auto& [t, r, v] : list) c.remove(t, r, v);
    CHECK(c.value() == 0);
}

TEST_CASE("partial sums combine", "[sync][checksum]") {
    auto list = entries();
    std::vector<Entry> first(list.begin(), list.begin() + 70), second(list.begin() + 70, list.end());
    BucketChecksum combined = sum(first);
    combined.add(sum(second));
    CHECK(combined == sum(list));
}

TEST_CASE("checksums travel as 16 hex digits", "[sync][checksum]") {
    CHECK(format_checksum(0) == "0000000000000000");
    CHECK(format_checksum(0xffffffffffffffffULL) == "ffffffffffffffff");
    for (std::uint64_t v : {0ULL, 1ULL, 0x2ca5c6ddd9185aa4ULL, 0xffffffffffffffffULL})
        CHECK(parse_checksum(format_checksum(v)) == v);
    for (const char* bad : {"", "0", "2CA5C6DDD9185AA4", "2ca5c6ddd9185aa", "2ca5c6ddd9185aa44", "2ca5c6ddd9185aag"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_checksum(bad), Error);
    }
}
