// The change log on a real SQLite file: seqs, bucket membership as jobs move, checksums, compaction and resets,
// and the synced rows against the conflict rules.
#include <set>

#include "sync_fixture.hpp"

using namespace synctest;
using fieldsync::ChangeOp;

TEST_CASE("every change gets the next seq, with no gaps, in the same transaction", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    shop.customers->update_customer(shop.dispatcher, shop.customer, json(R"({"notes":"下午在家"})"));
    auto entries = shop.log();
    REQUIRE(entries.size() >= 4);
    for (std::size_t i = 0; i < entries.size(); ++i) CHECK(entries[i].seq == static_cast<std::int64_t>(i + 1));
    CHECK(shop.db->read([](Db& db) { return db.scalar("SELECT value FROM sync_counters WHERE name = 'last_seq'"); }) ==
          entries.back().seq);

    // A write that fails rolls back its log entries with it.
    auto before = shop.log().size();
    CHECK_THROWS_AS(shop.customers->update_customer(shop.dispatcher, shop.customer, json(R"({"name":null})")),
                    fieldsync::Error);
    CHECK_THROWS(shop.db->write([&](Db& db) {
        db.execute("UPDATE customers SET notes = 'x' WHERE id = ?", {shop.customer});
        record_change(db, "customers", shop.customer);
        throw std::runtime_error("abort");
    }));
    CHECK(shop.log().size() == before);
}

TEST_CASE("an assigned job brings its customer and asset; reassigning takes them away", "[server][sync]") {
    Shop shop;
    std::string a = "tech:" + shop.tech_a.id, b = "tech:" + shop.tech_b.id;
    auto job = shop.new_job();
    // Unassigned: in no technician's bucket.
    CHECK(shop.log(a).empty());
    shop.assign(job, shop.tech_a);
    CHECK(shop.last_op(a, "jobs", job) == "put");
    CHECK(shop.last_op(a, "customers", shop.customer) == "put");
    CHECK(shop.last_op(a, "assets", shop.asset) == "put");
    CHECK(shop.log(b).empty());

    // A second job of the same customer, on another asset, also with technician A.
    auto asset2 = shop.new_asset(shop.customer, "SN-2");
    auto job2 = shop.new_job(shop.customer, asset2);
    shop.assign(job2, shop.tech_a);

    shop.reassign(job, shop.tech_b);
    CHECK(shop.last_op(a, "jobs", job) == "remove");
    CHECK(shop.last_op(a, "assets", shop.asset) == "remove");
    // The customer stays: job2 of that customer is still A's.
    CHECK(shop.last_op(a, "customers", shop.customer) == "put");
    CHECK(shop.last_op(b, "jobs", job) == "put");
    CHECK(shop.last_op(b, "customers", shop.customer) == "put");
    CHECK(shop.last_op(b, "assets", shop.asset) == "put");

    // Cancelling job2 revokes the rest of A's access.
    shop.act(shop.dispatcher, job2, "cancel", R"({"reason":"客户取消"})");
    CHECK(shop.last_op(a, "jobs", job2) == "remove");
    CHECK(shop.last_op(a, "customers", shop.customer) == "remove");
    CHECK(shop.last_op(a, "assets", asset2) == "remove");
    CHECK(shop.db->read(
              [&](Db& db) { return db.scalar("SELECT COUNT(*) FROM sync_memberships WHERE bucket = ?", {a}); }) == 0);
}

TEST_CASE("plans follow their job and change version when their status changes", "[server][sync]") {
    Shop shop;
    std::string a = "tech:" + shop.tech_a.id;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    shop.act(shop.tech_a, job, "submit_assessment", R"({"findings":"温控器故障","warranty_covered":false,
        "customer_caused":false,"plan":{"mode":"on_site","cost_to_customer":100,
        "items":[{"kind":"labour","description":"工时","quantity":1,"unit_price":100}]}})");
    std::string plan = plan_row_id(job, 1);
    CHECK(fieldsync::is_lower_uuid(plan));
    CHECK(shop.last_op(a, "plans", plan) == "put");
    auto v1 = shop.db->read([&](Db& db) { return row_version(db, "plans", plan); });
    shop.act(shop.dispatcher, job, "approve_plan", R"({"plan_version":1})");
    auto v2 = shop.db->read([&](Db& db) { return row_version(db, "plans", plan); });
    CHECK(v2 == v1 + 1);
    auto row = shop.db->read([&](Db& db) { return load_synced_row(db, "plans", plan); });
    REQUIRE(row);
    CHECK(str(row, "status") == "approved");
}

TEST_CASE("bucket checksums equal a recomputation from the log and from the rows", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    auto job2 = shop.new_job();
    shop.assign(job2, shop.tech_b);
    shop.reassign(job, shop.tech_b);
    shop.customers->update_customer(shop.dispatcher, shop.customer, json(R"({"phone":"13900000000"})"));
    shop.catalog->create_part(shop.dispatcher, json(R"({"sku":"TC-1","name":"温控器","unit_price":26})"));
    shop.reassign(job, shop.tech_a);

    for (const auto& tech : {shop.tech_a, shop.tech_b}) {
        std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> replica;
        auto last = shop.pull_all(tech, 0, replica);
        REQUIRE(last.checkpoint);
        for (const auto& [bucket, sum] : last.checkpoint->buckets) {
            INFO(bucket);
            CHECK(sum == replica_checksum(replica, bucket));
            // And from the rows the server holds now.
            auto members = shop.db->read([&](Db& db) {
                return db.query("SELECT table_name, row_id, version FROM sync_memberships WHERE bucket = ?", {bucket});
            });
            fieldsync::BucketChecksum recomputed;
            for (const auto& v : *members) {
                auto m = v.extract<Obj>();
                recomputed.add(str(m, "table_name"), str(m, "row_id"), m->getValue<std::int64_t>("version"));
            }
            CHECK(sum == recomputed.value());
        }
        CHECK(last.checkpoint->buckets.count("catalog") == 1);
    }
}

TEST_CASE("pages are bounded by count and bytes and end at a checkpoint", "[server][sync]") {
    Shop shop;
    for (int i = 0; i < 3; ++i) shop.assign(shop.new_job(), shop.tech_a);
    auto first = shop.pull(shop.tech_a, 0, 2);
    CHECK(first.changes.size() == 2);
    CHECK(first.has_more);
    CHECK_FALSE(first.checkpoint);
    CHECK(first.cursor == first.changes.back().seq);
    auto small = shop.sync->pull(shop.tech_a, {{"cursor", "0"}, {"max_bytes", "1"}});
    CHECK(small.changes.size() == 1);  // at least one change, however small the page
    CHECK(small.has_more);
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> replica;
    auto last = shop.pull_all(shop.tech_a, 0, replica, 1000);
    CHECK_FALSE(last.has_more);
    CHECK(last.checkpoint);
    // Only the device's own buckets.
    for (const auto& [key, version] : replica)
        CHECK((std::get<0>(key) == "tech:" + shop.tech_a.id || std::get<0>(key) == "catalog"));
    // Nothing new: an empty last page at the same cursor.
    auto again = shop.pull(shop.tech_a, last.cursor);
    CHECK(again.changes.empty());
    CHECK(again.checkpoint);
    CHECK_THROWS_AS(shop.sync->pull(shop.tech_a, {{"cursor", "-1"}}), fieldsync::Error);
    CHECK_THROWS_AS(shop.sync->pull(shop.tech_a, {{"limit", "0"}}), fieldsync::Error);
    // A login token without a device cannot pull.
    Actor no_device = shop.tech_a;
    no_device.device_id.clear();
    CHECK_THROWS_AS(shop.pull(no_device, 0), fieldsync::Error);
}

TEST_CASE("compaction keeps the newest entry of each row and resets older cursors", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    auto mid = shop.pull(shop.tech_a, 0).cursor;
    shop.customers->update_customer(shop.dispatcher, shop.customer, json(R"({"notes":"一"})"));
    shop.customers->update_customer(shop.dispatcher, shop.customer, json(R"({"notes":"二"})"));
    shop.reassign(job, shop.tech_b);
    auto before = shop.log().size();
    auto result = shop.sync->compact(shop.admin, json("{}"));
    CHECK(result->getValue<std::int64_t>("deleted") > 0);
    CHECK(shop.log().size() == before - static_cast<std::size_t>(result->getValue<std::int64_t>("deleted")));
    // No row has two entries in a bucket any more, and no removes are left.
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (const auto& e : shop.log()) {
        CHECK(seen.insert({e.bucket, e.table, e.row_id}).second);
        CHECK(e.op == "put");
    }
    CHECK_THROWS_AS(shop.sync->compact(shop.dispatcher, json("{}")), fieldsync::Error);

    auto reset = shop.pull(shop.tech_a, mid);
    CHECK(reset.reset_required);
    CHECK(reset.changes.empty());
    CHECK_FALSE(reset.checkpoint);
    // Bootstrapping from 0 gives a replica that matches the checkpoint.
    for (const auto& tech : {shop.tech_a, shop.tech_b}) {
        std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> replica;
        auto last = shop.pull_all(tech, 0, replica);
        REQUIRE(last.checkpoint);
        for (const auto& [bucket, sum] : last.checkpoint->buckets) CHECK(sum == replica_checksum(replica, bucket));
    }
    // A cursor past the end of the log (another server's) resets too.
    CHECK(shop.pull(shop.tech_a, 1'000'000).reset_required);
}

TEST_CASE("the synced rows carry exactly the fields of the conflict rules", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    shop.catalog->create_part(shop.dispatcher, json(R"({"sku":"TC-1","name":"温控器","unit_price":26})"));
    shop.catalog->create_fault_category(shop.dispatcher, json(R"({"code":"fridge","name":"冰箱"})"));
    shop.act(shop.tech_a, job, "submit_assessment", R"({"findings":"温控器故障","warranty_covered":false,
        "customer_caused":false,"plan":{"mode":"on_site","cost_to_customer":100,
        "items":[{"kind":"labour","description":"工时","quantity":1,"unit_price":100}]}})");
    shop.db->write([&](Db& db) {
        db.execute("INSERT INTO job_notes (id, job_id, kind, body, created_at) VALUES ('n1', ?, 'note', '到场', 't')",
                   {job});
        db.execute(
            "INSERT INTO attachments (id, job_id, kind, sha256, content_type, size_bytes, created_at) "
            "VALUES ('a1', ?, 'photo', 'x', 'image/jpeg', 1, 't')",
            {job});
        db.execute(
            "INSERT INTO warranties (id, asset_id, job_id, covers, starts_on, ends_on, created_at) "
            "VALUES ('w1', ?, ?, '温控器', '2026-01-01', '2026-04-01', 't')",
            {shop.asset, job});
        db.execute(
            "INSERT INTO visits (id, job_id, technician_id, kind, starts_at, ends_at, status, created_at) "
            "VALUES ('v1', ?, ?, 'repair', '2026-01-02T01:00:00Z', '2026-01-02T02:00:00Z', 'booked', 't')",
            {job, shop.tech_a.id});
        db.execute(
            "INSERT INTO job_messages (id, job_id, author_role, author_name, body, created_at) "
            "VALUES ('m1', ?, 'customer', '刘洋', '几点到？', 't')",
            {job});
    });
    auto id_of = [&](const std::string& table) -> std::string {
        if (table == "plans") return plan_row_id(job, 1);
        if (table == "jobs") return job;
        if (table == "customers") return shop.customer;
        if (table == "assets") return shop.asset;
        if (table == "job_notes") return "n1";
        if (table == "attachments") return "a1";
        if (table == "warranties") return "w1";
        if (table == "visits") return "v1";
        if (table == "job_messages") return "m1";
        return shop.db->read([&](Db& db) { return str(db.query_one("SELECT id FROM " + table), "id"); });
    };
    for (const auto& rules : fieldsync::synced_tables()) {
        INFO(rules.name);
        auto row = shop.db->read([&](Db& db) { return load_synced_row(db, rules.name, id_of(rules.name)); });
        REQUIRE(row);
        std::set<std::string> keys, fields{"id"};
        for (const auto& [key, value] : *row) keys.insert(key);
        for (const auto& f : rules.fields) fields.insert(f.name);
        CHECK(keys == fields);
    }
}
