// The storage gateway on a real SQLite file: migrations, row conversion, binding, transactions.
#include <Poco/File.h>
#include <Poco/Process.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>
#include <cstdlib>

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

TEST_CASE("what a transaction gathers is written once at its commit, and not at all when it rolls back",
          "[server][storage]") {
    TempDatabase t;
    migrate(*t.db);
    t.db->write([](Db& db) { db.execute("CREATE TABLE tallies (name TEXT PRIMARY KEY, n BIGINT NOT NULL)"); });
    int writes = 0;
    auto add = [&](Db& db, std::int64_t n) {
        db.gathered<std::int64_t>("tally", [&](Db& d, std::int64_t& sum) {
            ++writes;
            d.execute(
                "INSERT INTO tallies (name, n) VALUES ('a', ?) ON CONFLICT (name) DO UPDATE SET n = tallies.n + "
                "excluded.n",
                {sum});
        }) += n;
    };
    auto tally = [&] { return t.db->read([](Db& db) { return db.scalar("SELECT n FROM tallies WHERE name = 'a'"); }); };
    t.db->write([&](Db& db) {
        add(db, 2);
        add(db, 3);
        // Not written before the commit: the transaction itself still sees nothing.
        CHECK(db.scalar("SELECT COUNT(*) FROM tallies") == 0);
    });
    CHECK(writes == 1);
    CHECK(tally() == 5);
    CHECK_THROWS(t.db->write([&](Db& db) {
        add(db, 100);
        throw std::runtime_error("rolled back");
    }));
    CHECK(writes == 1);
    // A rolled-back transaction's sums do not leak into the next one on the same connection.
    t.db->write([&](Db& db) { add(db, 1); });
    CHECK(writes == 2);
    CHECK(tally() == 6);
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

TEST_CASE("PRAGMA optimize gathers SQLite's statistics for the tables queries used: on a round and at close",
          "[server][storage][optimize]") {
    // A table with an index, and a query that uses it.
    auto fill = [](Database& database) {
        database.write([](Db& db) {
            db.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, technician TEXT NOT NULL)");
            db.execute("CREATE INDEX visits_technician ON visits (technician)");
            for (int i = 0; i < 500; ++i)
                db.execute("INSERT INTO visits (technician) VALUES (?)", {"t" + std::to_string(i % 20)});
        });
        return database.read(
            [](Db& db) { return db.scalar("SELECT COUNT(*) FROM visits WHERE technician = ?", {std::string("t3")}); });
    };
    auto analyzed = [](Database& database) {
        return database.read([](Db& db) {
            if (db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == 0) return false;
            return db.scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'visits'") > 0;
        });
    };

    TempDatabase round;
    CHECK(fill(*round.db) == 25);
    CHECK_FALSE(analyzed(*round.db));  // nothing gathers statistics on its own
    round.db->optimize();
    CHECK(analyzed(*round.db));
    round.db->optimize();  // again: nothing went stale, and the connections still serve
    CHECK(round.db->read([](Db& db) { return db.scalar("SELECT COUNT(*) FROM visits"); }) == 500);

    // Connections that close do it too.
    TempDatabase closing;
    CHECK(fill(*closing.db) == 25);
    closing.db = std::make_unique<Database>(closing.dir.path() + "/test.db");  // the first one closes
    CHECK(analyzed(*closing.db));
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

// --- kept prepared statements, on SQLite and (with FIELDREPAIR_TEST_POSTGRES) on PostgreSQL

namespace {

// A fresh database of the given dialect: a SQLite file, or a database of its own on the PostgreSQL test server.
struct DialectDatabase {
    Poco::TemporaryFile dir;
    std::string postgres;  // the test server, when on PostgreSQL
    std::string name;
    std::unique_ptr<Database> db;

    DialectDatabase(const std::string& dialect, std::size_t statements = 256) {
        static int counter = 0;
        if (dialect == "sqlite") {
            dir.createDirectories();
            db = std::make_unique<Database>(dir.path() + "/test.db", 1, statements);
            return;
        }
        postgres = std::getenv("FIELDREPAIR_TEST_POSTGRES");
        name = "fieldrepair_storage_" + std::to_string(Poco::Process::id()) + "_" + std::to_string(++counter);
        Database(postgres, 1).read([&](Db& admin) { admin.execute("CREATE DATABASE " + name); });
        db = std::make_unique<Database>(postgres + " dbname=" + name, 1, statements);
    }
    ~DialectDatabase() {
        db.reset();
        if (!postgres.empty()) Database(postgres, 1).read([&](Db& admin) { admin.execute("DROP DATABASE " + name); });
    }
};

// The dialects to run: SQLite always, PostgreSQL when the suite has a server for it.
std::vector<std::string> dialects() {
    std::vector<std::string> out{"sqlite"};
    if (std::getenv("FIELDREPAIR_TEST_POSTGRES")) out.push_back("postgresql");
    return out;
}

const char* kCreateValues =
    "CREATE TABLE vals (id BIGINT PRIMARY KEY, s TEXT, i BIGINT, d DOUBLE PRECISION, is_on INTEGER, doc_json TEXT)";
const char* kInsertValues = "INSERT INTO vals (id, s, i, d, is_on, doc_json) VALUES (?, ?, ?, ?, ?, ?)";
const char* kSelectValues = "SELECT s, i, d, is_on, doc_json FROM vals WHERE id = ?";

}  // namespace

TEST_CASE("kept statements return every type and NULL, with other values on each call",
          "[server][storage][statements]") {
    auto dialect = GENERATE(from_range(dialects()));
    INFO("dialect " << dialect);
    DialectDatabase t(dialect);
    t.db->write([](Db& db) { db.execute(kCreateValues); });
    const int calls = 60;
    t.db->write([&](Db& db) {
        for (int n = 0; n < calls; ++n) {
            bool null = n % 3 == 0;
            Params p{static_cast<std::int64_t>(n),
                     std::string("名前 ") + std::to_string(n),
                     static_cast<std::int64_t>(n) * 1000000007LL,
                     n + 0.25,
                     n % 2 == 0,
                     std::string(R"({"n":)") + std::to_string(n) + "}"};
            if (null) p = {static_cast<std::int64_t>(n), Value{}, Value{}, Value{}, Value{}, Value{}};
            CHECK(db.execute(kInsertValues, p) == 1);
        }
    });
    auto before = t.db->read([](Db& db) { return db.statement_stats(); });
    t.db->read([&](Db& db) {
        for (int n = calls - 1; n >= 0; --n) {
            auto row = db.query_one(kSelectValues, {static_cast<std::int64_t>(n)});
            REQUIRE(row);
            if (n % 3 == 0) {
                for (const char* k : {"s", "i", "d", "is_on", "doc"}) CHECK(row->isNull(k));
                continue;
            }
            CHECK(row->getValue<std::string>("s") == "名前 " + std::to_string(n));
            CHECK(row->get("i").isInteger());
            CHECK(row->getValue<std::int64_t>("i") == n * 1000000007LL);
            CHECK(row->get("d").type() == typeid(double));
            CHECK(row->getValue<double>("d") == n + 0.25);
            CHECK(row->get("is_on").type() == typeid(bool));
            CHECK(row->getValue<bool>("is_on") == (n % 2 == 0));
            CHECK(row->getObject("doc")->getValue<int>("n") == n);
        }
        CHECK(db.scalar("SELECT i FROM vals WHERE id = ?", {std::int64_t{7}}) == 7 * 1000000007LL);
        CHECK(db.scalar("SELECT COUNT(*) FROM vals WHERE is_on = ?", {true}) == 20);
        CHECK(db.scalar("SELECT i FROM vals WHERE id = ?", {std::int64_t{-1}}) == 0);
    });
    auto after = t.db->read([](Db& db) { return db.statement_stats(); });
    // Three statements, each prepared once: the 60 lookups reused the first.
    CHECK(after.prepared - before.prepared == 3);
    CHECK(after.reused - before.reused >= static_cast<std::uint64_t>(calls - 1));
}

TEST_CASE("the statement cache is bounded and evicts the least recently used", "[server][storage][statements]") {
    auto dialect = GENERATE(from_range(dialects()));
    INFO("dialect " << dialect);
    DialectDatabase t(dialect, 3);
    t.db->read([&](Db& db) {
        auto select = [&](int n) { return db.scalar("SELECT " + std::to_string(n) + " + ?", {std::int64_t{1}}); };
        for (int n = 1; n <= 4; ++n) CHECK(select(n) == n + 1);
        auto s = db.statement_stats();
        CHECK(s.kept == 3);
        CHECK(s.prepared == 4);
        CHECK(select(4) == 5);  // kept: reused
        CHECK(db.statement_stats().prepared == 4);
        CHECK(select(1) == 2);  // evicted: prepared again
        CHECK(db.statement_stats().prepared == 5);
        CHECK(db.statement_stats().kept == 3);
        if (db.dialect() == Dialect::postgresql)  // evicted statements are deallocated on the server too
            CHECK(db.scalar("SELECT COUNT(*) FROM pg_prepared_statements") == 3);
    });
}

TEST_CASE("kept statements survive rollbacks and errors, and follow schema changes", "[server][storage][statements]") {
    auto dialect = GENERATE(from_range(dialects()));
    INFO("dialect " << dialect);
    DialectDatabase t(dialect);
    t.db->write([](Db& db) { db.execute(kCreateValues); });
    auto insert = [](Db& db, std::int64_t id) {
        db.execute(kInsertValues, {id, std::string("x"), id, 1.5, false, Value{}});
    };
    // First prepared inside a transaction that rolls back: PostgreSQL keeps it, and so does the cache.
    CHECK_THROWS(t.db->write([&](Db& db) {
        insert(db, 1);
        insert(db, 1);
    }));
    CHECK(t.db->read([](Db& db) { return db.scalar("SELECT COUNT(*) FROM vals"); }) == 0);
    t.db->write([&](Db& db) { insert(db, 2); });
    CHECK_THROWS(t.db->write([&](Db& db) { insert(db, 2); }));
    t.db->write([&](Db& db) { insert(db, 3); });
    CHECK(t.db->read([](Db& db) { return db.query("SELECT * FROM vals ORDER BY id"); })->size() == 2);
    // A column added after SELECT * was kept: the statement is prepared again and sees it.
    t.db->write([](Db& db) { db.execute("ALTER TABLE vals ADD COLUMN extra TEXT"); });
    t.db->write([](Db& db) {
        db.execute("UPDATE vals SET extra = ? WHERE id = ?", {std::string("e"), std::int64_t{3}});
    });
    auto rows = t.db->read([](Db& db) { return db.query("SELECT * FROM vals ORDER BY id"); });
    REQUIRE(rows->size() == 2);
    CHECK(rows->getObject(0)->isNull("extra"));
    CHECK(rows->getObject(1)->getValue<std::string>("extra") == "e");
}

TEST_CASE("a statement given the wrong number of values is refused and changes nothing",
          "[server][storage][statements]") {
    auto dialect = GENERATE(from_range(dialects()));
    INFO("dialect " << dialect);
    DialectDatabase t(dialect);
    t.db->write([](Db& db) { db.execute(kCreateValues); });
    CHECK_THROWS(t.db->write([](Db& db) { db.execute(kInsertValues, {std::int64_t{1}, std::string("x")}); }));
    CHECK_THROWS(t.db->write([](Db& db) { db.execute("SELECT 1; DELETE FROM vals"); }));
    CHECK(t.db->read([](Db& db) { return db.scalar("SELECT COUNT(*) FROM vals"); }) == 0);
}

TEST_CASE("each streams rows in place: text as stored, integers, NULLs, and stops when asked", "[server][storage]") {
    TempDatabase t;
    t.db->write([](Db& db) {
        db.execute("CREATE TABLE streamed (n INTEGER NOT NULL, label TEXT, doc_json TEXT)");
        for (std::int64_t n = 1; n <= 5; ++n)
            db.execute("INSERT INTO streamed (n, label, doc_json) VALUES (?, ?, ?)",
                       {n, n == 3 ? Value(std::monostate{}) : Value("第" + std::to_string(n)),
                        std::string(R"({"b": 1,  "a": [2]})")});
    });
    std::vector<std::int64_t> numbers;
    std::vector<std::string> labels, docs;
    std::size_t read = t.db->read([&](Db& db) {
        return db.each("SELECT n, label, doc_json FROM streamed WHERE n >= ? ORDER BY n", {std::int64_t{2}},
                       [&](const RowView& row) {
                           numbers.push_back(row.integer(0));
                           labels.push_back(row.is_null(1) ? "NULL" : std::string(row.text(1)));
                           docs.emplace_back(row.text(2));
                           return row.integer(0) < 4;  // stop after the row of 4
                       });
    });
    CHECK(read == 3);
    CHECK(numbers == std::vector<std::int64_t>{2, 3, 4});
    CHECK(labels == std::vector<std::string>{"第2", "NULL", "第4"});
    // A *_json column is not parsed or normalised: the stored text comes back byte for byte.
    CHECK(docs.front() == R"({"b": 1,  "a": [2]})");
}
