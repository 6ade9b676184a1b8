// The storage gateway on a real SQLite file: migrations, row conversion, binding, transactions.
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldserver/storage/migrations.hpp"
#include "fieldsync/error.hpp"

using namespace fieldserver;

namespace {

struct TempDatabase {
    Poco::TemporaryFile dir;
    std::unique_ptr<Database> db;
    TempDatabase() {
        dir.createDirectories();
        db = std::make_unique<Database>(dir.path() + "/test.db");
    }
};

}  // namespace

TEST_CASE("migrations apply once and are recorded", "[server][storage]") {
    TempDatabase t;
    auto first = migrate(*t.db);
    REQUIRE_FALSE(first.empty());
    CHECK(first.front() == "0001_initial.sql");
    CHECK(migrate(*t.db).empty());
    CHECK(t.db->read([](Db& db) { return db.scalar("SELECT COUNT(*) FROM schema_migrations"); }) ==
          static_cast<std::int64_t>(first.size()));
    auto mode = t.db->read([](Db& db) { return db.query_one("PRAGMA journal_mode"); });
    CHECK(mode->getValue<std::string>("journal_mode") == "wal");
}

TEST_CASE("rows come back as JSON with is_ flags and _json documents", "[server][storage]") {
    TempDatabase t;
    migrate(*t.db);
    t.db->write([](Db& db) {
        db.execute(
            "INSERT INTO users (id, username, name, role, password_hash, skills_json, is_active, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {std::string("u1"), std::string("li"), std::string("李建国"), std::string("technician"), std::string("h"),
             std::string(R"({"空调":5})"), true, std::string("t"), std::string("t")});
    });
    auto row = t.db->read([](Db& db) {
        return db.query_one("SELECT name, skills_json, is_active, home_lat FROM users WHERE id = ?",
                            {std::string("u1")});
    });
    REQUIRE(row);
    CHECK(row->getValue<std::string>("name") == "李建国");
    CHECK(row->getValue<bool>("is_active"));
    CHECK(row->getObject("skills")->getValue<int>("空调") == 5);
    CHECK(row->isNull("home_lat"));
    CHECK_FALSE(row->has("skills_json"));
}

TEST_CASE("a transaction that throws leaves nothing behind", "[server][storage]") {
    TempDatabase t;
    migrate(*t.db);
    auto insert = [](Db& db, const std::string& id) {
        db.execute("INSERT INTO customers (id, name, phone, created_at, updated_at) VALUES (?, '张三', '1', 't', 't')",
                   {id});
    };
    CHECK_THROWS_AS(t.db->write([&](Db& db) {
        insert(db, "c1");
        insert(db, "c1");  // duplicate primary key: the first insert must roll back too
    }),
                    std::exception);
    CHECK(t.db->read([](Db& db) { return db.scalar("SELECT COUNT(*) FROM customers"); }) == 0);
    t.db->write([&](Db& db) { insert(db, "c2"); });
    CHECK(t.db->read([](Db& db) { return db.scalar("SELECT COUNT(*) FROM customers"); }) == 1);
}

TEST_CASE("LIKE patterns match Chinese text and treat wildcards literally", "[server][storage]") {
    TempDatabase t;
    migrate(*t.db);
    t.db->write([](Db& db) {
        for (auto [id, name] : {std::pair{"a", "张三丰"}, {"b", "李四"}, {"c", "100%_王"}})
            db.execute("INSERT INTO customers (id, name, phone, created_at, updated_at) VALUES (?, ?, '1', 't', 't')",
                       {std::string(id), std::string(name)});
    });
    auto count = [&](const std::string& q) {
        return t.db->read([&](Db& db) {
            return db.scalar("SELECT COUNT(*) FROM customers WHERE name LIKE ? ESCAPE '\\'", {like_pattern(q)});
        });
    };
    CHECK(count("三") == 1);
    CHECK(count("李") == 1);
    CHECK(count("%") == 1);
    CHECK(count("_") == 1);
    CHECK(count("赵") == 0);
}

TEST_CASE("paging parameters are validated", "[server][storage]") {
    CHECK(page_of({}).limit == 50);
    CHECK(page_of({{"limit", "200"}, {"offset", "10"}}).offset == 10);
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"limit", "0"}, {"limit", "201"}, {"limit", "ten"}, {"offset", "-1"}}) {
        try {
            page_of({{k, v}});
            FAIL("accepted " << k << "=" << v);
        } catch (const fieldsync::Error& e) {
            CHECK(e.code() == fieldsync::ErrorCode::invalid_field);
            CHECK(e.field() == k);
        }
    }
}

TEST_CASE("the audit chain verifies and shows tampering", "[server][storage][audit]") {
    TempDatabase t;
    migrate(*t.db);
    Actor actor{.role = Role::system, .name = "test", .source = "127.0.0.1"};
    t.db->write([&](Db& db) {
        db.execute(
            "INSERT INTO customers (id, name, phone, created_at, updated_at) VALUES ('c', '张三', '1', 't', 't')");
        db.execute(
            "INSERT INTO jobs (id, ticket_no, customer_id, description, channel, priority, state, created_at, "
            "updated_at) VALUES ('j', 'FR-1', 'c', 'd', 'phone', 'normal', 'reported', 't', 't')");
        for (int i = 0; i < 3; ++i) {
            Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
            after->set("step", i);
            append_event(db, "j", actor, "step", new Poco::JSON::Object, after);
        }
    });
    auto check = [&] { return t.db->read([](Db& db) { return verify_chain(db, "j"); }); };
    auto ok = check();
    CHECK(ok->getValue<bool>("ok"));
    CHECK(ok->getValue<int>("events") == 3);

    t.db->write([](Db& db) { db.execute("UPDATE job_events SET after_json = '{\"step\":9}' WHERE seq = 2"); });
    auto broken = check();
    CHECK_FALSE(broken->getValue<bool>("ok"));
    CHECK(broken->getValue<int>("broken_at") == 2);

    t.db->write([](Db& db) { db.execute("DELETE FROM job_events WHERE seq = 2"); });
    CHECK(check()->getValue<int>("broken_at") == 2);
}
