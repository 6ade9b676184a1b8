// Checkpoint checksums kept as rows change: each bucket's sum follows every write to the server rows, whoever
// makes it, equals a full recount, and a replica made before the sums were kept gets them when it is opened.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "fieldsync/checksum.hpp"
#include "fixtures.hpp"

using namespace mobiletest;
using fieldmobile::Replica;

namespace fieldmobile {
const std::vector<std::pair<std::string_view, std::string_view>>& device_migrations();
}

namespace {

const std::string kTechBucket = kBucket;

fieldsync::PullResponse everything(const FakeServer& server, std::int64_t after) {
    fieldsync::PullResponse page;
    for (const auto& c : server.log)
        if (c.seq > after) page.changes.push_back(c);
    page.cursor = server.seq;
    page.checkpoint = fieldsync::Checkpoint{server.seq, server.checksums()};
    return page;
}

void exec(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    INFO((message ? message : "") << " in " << sql);
    sqlite3_free(message);
    REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("Bucket checksums follow puts, removes and re-bootstraps without a recount", "[Mobile][Checksums]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    CHECK(replica.apply_pull_page(everything(server, 0)).checkpoint_applied);
    auto sums = server.checksums();
    CHECK(replica.bucket_checksum(kTechBucket) == sums.at(kTechBucket));
    CHECK(replica.bucket_checksum("catalog") == sums.at("catalog"));

    std::int64_t before = server.seq;
    server.put("jobs", kJob, job_row("FR-20261121-0001", "in_repair"));  // a new version
    server.remove("jobs", kJob2);
    CHECK(replica.apply_pull_page(everything(server, before)).checkpoint_applied);
    CHECK(replica.bucket_checksum(kTechBucket) == server.checksums().at(kTechBucket));
    CHECK(replica.recheck_checksums().empty());  // the kept sums equal a full recount

    replica.begin_rebootstrap();
    CHECK(replica.apply_pull_page(everything(server, 0)).checkpoint_applied);
    CHECK(replica.bucket_checksum(kTechBucket) == server.checksums().at(kTechBucket));
    CHECK(replica.bucket_checksum("no-such-bucket") == 0);
}

TEST_CASE("A row changed behind the replica's back changes its bucket's sum, and a recheck repairs a wrong one",
          "[Mobile][Checksums]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    {
        Replica replica(dir.file("r.db"));
        CHECK(replica.apply_pull_page(everything(server, 0)).checkpoint_applied);
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(dir.file("r.db").c_str(), &db) == SQLITE_OK);
    exec(db, "DELETE FROM server_rows WHERE tbl = 'customers'");
    exec(db, "UPDATE bucket_checksums SET low = low + 1 WHERE bucket = 'catalog'");
    sqlite3_close(db);

    Replica replica(dir.file("r.db"));
    auto result = replica.apply_pull_page(everything(server, server.seq));
    CHECK_FALSE(result.checkpoint_applied);
    CHECK(result.mismatched_buckets == std::vector<std::string>{"catalog", kTechBucket});
    // The tech bucket's sum is right for what the replica holds (a row short); the catalog's was tampered with.
    CHECK(replica.recheck_checksums() == std::vector<std::string>{"catalog"});
    CHECK(replica.bucket_checksum("catalog") == server.checksums().at("catalog"));
}

TEST_CASE("A replica from before kept checksums and written-once rows opens with both", "[Mobile][Checksums]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    std::string path = dir.file("old.db");
    {
        // The replica as the first device migration left it: one row with a pending edit, one deleted on the device.
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        exec(db, "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
        const auto& first = fieldmobile::device_migrations().front();
        exec(db, std::string(first.second));
        exec(db, "INSERT INTO schema_migrations VALUES ('" + std::string(first.first) + "', '2026-11-21T00:00:00Z')");
        for (const auto& c : server.log) {
            std::string row = fieldsync::to_json_text(c.row);
            exec(db, "INSERT INTO server_rows (tbl, row_id, bucket, version, row_json) VALUES ('" + c.table + "', '" +
                         c.row_id + "', '" + c.bucket + "', " + std::to_string(c.version) + ", '" + row + "')");
            if (c.row_id == kCustomer) continue;  // deleted on the device
            bool edited = c.row_id == kJob;
            exec(db,
                 "INSERT INTO visible_rows (tbl, row_id, row_json, server_version, pending_ops, state, ticket_no) "
                 "VALUES ('" +
                     c.table + "', '" + c.row_id + "', '" + (edited ? std::string("{\"id\":\"x\"}") : row) + "', 1, " +
                     (edited ? "1" : "0") + ", " + (c.table == "jobs" ? "'scheduled'" : "NULL") + ", " +
                     (c.table == "jobs" ? "'" + c.row_id + "'" : std::string("NULL")) + ")");
        }
        sqlite3_close(db);
    }
    Replica replica(path);
    CHECK(replica.bucket_checksum(kTechBucket) == server.checksums().at(kTechBucket));
    CHECK(replica.bucket_checksum("catalog") == server.checksums().at("catalog"));
    CHECK_FALSE(replica.row("customers", kCustomer));                      // still deleted on the device
    CHECK(replica.row("jobs", kJob)->getValue<std::string>("id") == "x");  // still the device's version
    REQUIRE(replica.row("jobs", kJob2));
    CHECK(replica.row("jobs", kJob2)->getValue<std::string>("state") == "assessing");
    CHECK(replica.jobs().size() == 2);
    CHECK(replica.find_job("FR-20261121-0002"));
}

namespace {

// Indexes and triggers on server_rows, as the schema says (the primary key's own index not counted).
int upkeep_objects(const std::string& path) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'server_rows' AND type IN "
                               "('index', 'trigger') AND sql IS NOT NULL",
                               -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

// The server's log in two pages: its first two changes, then the rest with the checkpoint.
std::pair<fieldsync::PullResponse, fieldsync::PullResponse> two_pages(const FakeServer& server) {
    auto second = everything(server, 0);
    fieldsync::PullResponse first;
    first.changes.assign(second.changes.begin(), second.changes.begin() + 2);
    first.cursor = first.changes.back().seq;
    first.has_more = true;
    second.changes.erase(second.changes.begin(), second.changes.begin() + 2);
    return {first, second};
}

}  // namespace

TEST_CASE("A bootstrap of many pages keeps no indexes or sums meanwhile and makes them once at its end",
          "[Mobile][Checksums]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    auto [first, second] = two_pages(server);
    std::string path = dir.file("r.db");
    { Replica fresh(dir.file("fresh.db")); }
    const int schema = upkeep_objects(dir.file("fresh.db"));
    CHECK(schema == 9);  // bucket, state, assignee, ticket, job, stale indexes; three checksum triggers
    {
        Replica replica(path);
        replica.apply_pull_page(first);
        CHECK(upkeep_objects(path) == 0);
        CHECK(replica.rows("jobs").size() == 2);  // readable meanwhile
        CHECK(replica.apply_pull_page(second).checkpoint_applied);
        CHECK(upkeep_objects(path) == schema);
        CHECK(replica.find_job("FR-20261121-0002"));
    }
    // Killed half-way: the next open makes them again, with the sums of the rows it has.
    std::string stopped = dir.file("stopped.db");
    {
        Replica replica(stopped);
        replica.apply_pull_page(first);
    }
    Replica replica(stopped);
    CHECK(upkeep_objects(stopped) == schema);
    CHECK(replica.recheck_checksums().empty());
    CHECK(replica.apply_pull_page(second).checkpoint_applied);
}
