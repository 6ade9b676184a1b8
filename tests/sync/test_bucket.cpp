// Bucket names and which tables each kind of bucket carries.
#include <catch2/catch.hpp>
#include <set>

#include "fieldsync/bucket.hpp"
#include "fieldsync/conflict.hpp"
#include "fieldsync/error.hpp"

using namespace fieldsync;

TEST_CASE("bucket names round-trip", "[sync][bucket]") {
    CHECK(technician_bucket("0190d1e2-7c3a-7b4e-8f00-0123456789ab") == "tech:0190d1e2-7c3a-7b4e-8f00-0123456789ab");
    CHECK(parse_bucket("tech:u42") == Bucket{BucketKind::technician, "u42"});
    CHECK(parse_bucket("catalog") == Bucket{BucketKind::catalog, ""});
    for (const char* name : {"catalog", "tech:u42", "tech:A.b_c-9"}) CHECK(bucket_name(parse_bucket(name)) == name);
    CHECK(technician_device_buckets("u42") == std::vector<std::string>{"tech:u42", "catalog"});
}

TEST_CASE("malformed bucket names are rejected", "[sync][bucket]") {
    for (const char* bad :
         {"", "tech:", "tech", "Catalog", "catalog:x", "tech:u 42", "tech:a:b", "dispatch:u1", "tech:u42\n"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(is_bucket_name(bad));
        try {
            parse_bucket(bad);
            FAIL("parsed");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_field);
            CHECK(e.field() == "bucket");
        }
    }
    CHECK_FALSE(is_bucket_name("tech:" + std::string(65, 'u')));
    CHECK(is_bucket_name("tech:" + std::string(64, 'u')));
    CHECK_THROWS_AS(technician_bucket(""), Error);
    CHECK_THROWS_AS(technician_bucket("a/b"), Error);
}

TEST_CASE("every synced table belongs to exactly one kind of bucket", "[sync][bucket]") {
    std::set<std::string> seen;
    for (BucketKind kind : {BucketKind::technician, BucketKind::catalog})
        for (const auto& table : bucket_tables(kind)) {
            INFO(table);
            CHECK(is_synced_table(table));
            CHECK(seen.insert(table).second);
            CHECK(bucket_kind_of(table) == kind);
        }
    CHECK(seen.size() == synced_tables().size());
    CHECK(bucket_kind_of("jobs") == BucketKind::technician);
    CHECK(bucket_kind_of("warranties") == BucketKind::technician);
    CHECK(bucket_kind_of("visits") == BucketKind::technician);
    CHECK(bucket_kind_of("parts") == BucketKind::catalog);
    CHECK(bucket_kind_of("fault_categories") == BucketKind::catalog);
    CHECK_THROWS_AS(bucket_kind_of("users"), Error);
}

TEST_CASE("bucket_carries matches tables to buckets", "[sync][bucket]") {
    CHECK(bucket_carries("tech:u1", "jobs"));
    CHECK(bucket_carries("tech:u1", "customers"));
    CHECK_FALSE(bucket_carries("tech:u1", "parts"));
    CHECK(bucket_carries("catalog", "parts"));
    CHECK_FALSE(bucket_carries("catalog", "jobs"));
    CHECK_FALSE(bucket_carries("bogus", "jobs"));
    CHECK_FALSE(bucket_carries("catalog", "users"));
}
