// Several instances on one PostgreSQL database: started together on an empty database they all come up with one
// admin and the demo data once; one of them at a time runs the periodic round, and another takes over when it
// dies. On either store, the server's clock does not run backwards across a restart.
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Process.h>
#include <Poco/Thread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "fieldserver/storage/database.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// The first bytes of a JPEG file: the attachment store takes only types it recognises by their first bytes.
const std::string kJpegMagic = "\xFF\xD8\xFF\xE0";

// An empty database of its own on the test PostgreSQL server, dropped at the end.
struct SharedDatabase {
    std::string name;
    std::string connection;

    SharedDatabase() {
        static int n = 0;
        name = "fieldrepair_instances_" + std::to_string(Poco::Process::id()) + "_" + std::to_string(++n);
        fieldserver::Database admin(postgres_server(), 1);
        admin.read([&](fieldserver::Db& db) { db.execute("CREATE DATABASE " + name); });
        connection = postgres_server() + " dbname=" + name;
    }
    ~SharedDatabase() {
        try {
            fieldserver::Database admin(postgres_server(), 1);
            admin.read([&](fieldserver::Db& db) { db.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); });
        } catch (...) {
            // A leftover test database is harmless.
        }
    }
    std::int64_t count(const std::string& sql) const {
        fieldserver::Database db(connection, 1);
        return db.read([&](fieldserver::Db& d) { return d.scalar(sql); });
    }
    std::string lease_holder() const {
        fieldserver::Database db(connection, 1);
        return db.read([&](fieldserver::Db& d) {
            auto row = d.query_one("SELECT holder, expires_at_ms FROM work_leases WHERE name = 'periodic'");
            return int_of(row, "expires_at_ms") > fieldsync::now_ms() ? text_of(row, "holder") : std::string();
        });
    }
};

std::string node_id_of(const TestServer& srv) {
    Poco::FileInputStream in(srv.data_dir() + "/node-id");
    std::string node;
    std::getline(in, node);
    return node;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// Waits up to seconds for the periodic lease to be held by someone other than `not_by`; returns the holder.
std::string wait_for_holder(const SharedDatabase& shared, const std::string& not_by, int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
        auto holder = shared.lease_holder();
        if (!holder.empty() && holder != not_by) return holder;
        Poco::Thread::sleep(100);
    }
    return {};
}

}  // namespace

TEST_CASE("instances started together on an empty database all come up, set up once", "[integration][instances]") {
    if (postgres_server().empty()) {
        SUCCEED("several instances share a PostgreSQL database; a SQLite file belongs to one");
        return;
    }
    SharedDatabase shared;
    std::vector<std::unique_ptr<TestServer>> servers;
    for (int i = 0; i < 3; ++i)
        servers.push_back(
            std::make_unique<TestServer>(std::map<std::string, std::string>{{"FIELDREPAIR_DATABASE", shared.connection},
                                                                            {"FIELDREPAIR_DEMO", "true"}},
                                         std::string(), false));
    for (auto& srv : servers) srv->launch();
    for (auto& srv : servers) srv->await_ready();
    std::set<std::string> nodes;
    std::size_t demo_loads = 0;
    for (auto& srv : servers) {
        need(srv->get("/healthz", {}), 200);
        need(srv->get("/api/v1/jobs", srv->admin_token()), 200);
        nodes.insert(node_id_of(*srv));
        demo_loads += occurrences(srv->log(), "loaded demo data");
    }
    CHECK(nodes.size() == 3);
    CHECK(demo_loads == 1);
    CHECK(shared.count("SELECT COUNT(*) FROM users WHERE role = 'admin'") == 1);
    CHECK(shared.count("SELECT COUNT(*) FROM users WHERE username = 'dispatcher'") == 1);
    CHECK(shared.count("SELECT COUNT(*) FROM customers") == 4);
    CHECK(shared.count("SELECT COUNT(*) FROM schema_migrations") ==
          shared.count("SELECT COUNT(DISTINCT version) FROM schema_migrations"));
}

TEST_CASE("a database that cannot be reached is named in a clear start-up error", "[integration][instances]") {
    std::map<std::string, std::string> env = {
        {"FIELDREPAIR_DATABASE", "host=127.0.0.1 port=1 user=nobody dbname=none"}};
    CHECK_THROWS_WITH(TestServer(env), Catch::Contains("is the database running") && Catch::Contains("port 1"));
}

TEST_CASE("one instance at a time runs the periodic round, and another takes over", "[integration][instances]") {
    if (postgres_server().empty()) {
        SUCCEED("several instances share a PostgreSQL database; a SQLite file belongs to one");
        return;
    }
    SharedDatabase shared;
    std::map<std::string, std::string> env = {{"FIELDREPAIR_DATABASE", shared.connection},
                                              {"FIELDREPAIR_SLA_CHECK_INTERVAL", "1"}};
    TestServer a(env);
    TestServer b(env);
    auto holder = wait_for_holder(shared, {}, 10);
    REQUIRE((holder == node_id_of(a) || holder == node_id_of(b)));
    // Rounds come and go; the lease stays where it is while its holder lives.
    Poco::Thread::sleep(3500);
    CHECK(shared.lease_holder() == holder);
    TestServer& running = holder == node_id_of(a) ? a : b;
    TestServer& waiting = holder == node_id_of(a) ? b : a;
    CHECK(occurrences(running.log(), "this instance (" + holder + ") runs the periodic round") == 1);
    CHECK(occurrences(waiting.log(), "runs the periodic round") == 0);
    // The holder dies without giving the lease up: it expires (three rounds), and the other instance takes it.
    ::kill(running.pid(), SIGKILL);
    running.stop();
    auto next = wait_for_holder(shared, holder, 10);
    CHECK(next == node_id_of(waiting));
    CHECK(occurrences(waiting.log(), "this instance (" + next + ") runs the periodic round") == 1);
    // A clean stop gives the lease up at once.
    running.start();
    waiting.stop();
    CHECK(wait_for_holder(shared, next, 3) == node_id_of(running));
}

TEST_CASE("only the holder of the periodic lease sweeps the care deadlines", "[integration][instances][care]") {
    if (postgres_server().empty()) {
        SUCCEED("several instances share a PostgreSQL database; a SQLite file belongs to one");
        return;
    }
    SharedDatabase shared;
    std::map<std::string, std::string> env = {{"FIELDREPAIR_DATABASE", shared.connection},
                                              {"FIELDREPAIR_SLA_CHECK_INTERVAL", "1"},
                                              {"FIELDREPAIR_CARE_COMPLAINT_CONTACT_MINUTES", "0"}};
    TestServer a(env);
    TestServer b(env);
    auto holder = wait_for_holder(shared, {}, 10);
    REQUIRE((holder == node_id_of(a) || holder == node_id_of(b)));
    Shop shop(a);
    need(a.post("/api/v1/complaints",
                body({{"type", "timeliness"}, {"description", "一直没人联系"}, {"customer_id", shop.customer_a}}),
                shop.dispatcher),
         201);
    for (int i = 0; i < 100 && shared.count("SELECT COUNT(*) FROM complaints WHERE contact_overdue_at IS NULL"); ++i)
        Poco::Thread::sleep(100);
    CHECK(shared.count("SELECT COUNT(*) FROM complaints WHERE contact_overdue_at IS NOT NULL") == 1);
    Poco::Thread::sleep(2500);  // further rounds on both instances mark nothing again
    TestServer& running = holder == node_id_of(a) ? a : b;
    TestServer& waiting = holder == node_id_of(a) ? b : a;
    CHECK(occurrences(running.log(), "care deadlines: 1 record(s) overdue") == 1);
    CHECK(occurrences(waiting.log(), "care deadlines:") == 0);
}

TEST_CASE("the server's clock does not run backwards across a restart", "[integration][instances]") {
    TestServer srv;
    Shop shop(srv);
    auto job_a = shop.report(shop.customer_a, shop.asset_a);
    auto job_b = shop.report(shop.customer_b, shop.asset_b);
    shop.drive(job_a, "assessing");
    shop.drive(job_b, "assessing");
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_id = device.str("device_id"), device_token = device.str("device_token");
    // Pushes one edit of the customer's notes with an HLC ahead_ms ahead of now; returns the op's status.
    auto push_notes = [&](const std::string& customer, const std::string& notes, std::int64_t ahead_ms) {
        std::string hlc = fieldsync::format_hlc({fieldsync::now_ms() + ahead_ms, 0, device_id});
        std::string op = R"({"op_id":")" + fieldsync::uuid_v7() + R"(","table":"customers","row_id":")" + customer +
                         R"(","kind":"update","hlc":")" + hlc + R"(","base_version":0,"fields":{"notes":")" + notes +
                         R"("}})";
        auto r =
            need(srv.request("POST", "/api/v1/sync/push",
                             R"({"protocol":1,"device_id":")" + device_id + R"(","ops":[)" + op + "]}", device_token),
                 200);
        return text_of(r.object()->getArray("results")->getObject(0), "status");
    };
    // The tablet's clock runs 50 s ahead: its edit carries an HLC 50 s in the future, which the server's clock
    // takes in (it may not go below a reading it has seen).
    CHECK(push_notes(shop.customer_a, "设备 device, clock ahead", 50'000) == "applied");
    srv.restart();
    // After the restart the office edits another customer; the tablet then sends an edit it made before that
    // (its clock said +40 s). The office's edit is the newer one and must stand.
    std::string office = login_as(srv, "disp");
    need(srv.patch("/api/v1/customers/" + shop.customer_b, body({{"notes", "办公室 office"}}), office), 200);
    push_notes(shop.customer_b, "older device edit", 40'000);
    auto customer = need(srv.get("/api/v1/customers/" + shop.customer_b, office), 200).object();
    CHECK(text_of(customer, "notes") == "办公室 office");
    // The office's edit is stamped with this instance's own node id, not a shared "server".
    fieldserver::Database db(srv.database(), 1);
    auto stamp = db.read([&](fieldserver::Db& d) {
        return d.query_one(
            "SELECT hlc FROM sync_field_clocks WHERE table_name = 'customers' AND row_id = ? AND "
            "field = 'notes'",
            {shop.customer_b});
    });
    REQUIRE(stamp);
    CHECK(fieldsync::parse_hlc(text_of(stamp, "hlc")).node == node_id_of(srv));
}

namespace {

// Describes bytes as a photo of the job through a device op, so they may be uploaded.
void describe_photo(const TestServer& srv, const std::string& device_id, const std::string& device_token,
                    const std::string& job, const std::string& bytes) {
    std::string op = R"({"op_id":")" + fieldsync::uuid_v7() + R"(","table":"attachments","row_id":")" +
                     fieldsync::uuid_v7() + R"(","kind":"insert","hlc":")" +
                     fieldsync::format_hlc({fieldsync::now_ms(), 0, device_id}) +
                     R"(","base_version":0,"fields":{"job_id":")" + job + R"(","kind":"photo","sha256":")" +
                     fieldsync::sha256_hex(bytes) + R"(","content_type":"image/jpeg","size_bytes":)" +
                     std::to_string(bytes.size()) + "}}";
    auto r = need(srv.request("POST", "/api/v1/sync/push",
                              R"({"protocol":1,"device_id":")" + device_id + R"(","ops":[)" + op + "]}", device_token),
                  200);
    REQUIRE(text_of(r.object()->getArray("results")->getObject(0), "status") == "applied");
}

Reply put_chunk(const TestServer& srv, const std::string& token, const std::string& bytes, std::size_t from,
                std::size_t size) {
    return srv.request("PUT", "/api/v1/attachments/" + fieldsync::sha256_hex(bytes) + "?offset=" + std::to_string(from),
                       bytes.substr(from, size), token, "application/octet-stream");
}

}  // namespace

TEST_CASE("a chunked upload continues on whichever instance each chunk reaches", "[integration][instances]") {
    if (postgres_server().empty()) {
        SUCCEED("several instances share a PostgreSQL database; a SQLite file belongs to one");
        return;
    }
    SharedDatabase shared;
    std::map<std::string, std::string> env = {{"FIELDREPAIR_DATABASE", shared.connection}};
    TestServer a(env);
    TestServer b(env);
    Shop shop(a);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto device =
        need(a.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_id = device.str("device_id"), token = device.str("device_token");
    std::string bytes;
    for (int i = 0; i < 3000; ++i) bytes += static_cast<char>((i * 7919) % 256);
    bytes.replace(0, kJpegMagic.size(), kJpegMagic);  // an attachment must start as an allowed type
    describe_photo(a, device_id, token, job, bytes);
    std::string path = "/api/v1/attachments/" + fieldsync::sha256_hex(bytes);
    // Chunks alternate between the instances, as a round-robin balancer sends them.
    CHECK(int_of(need(put_chunk(a, token, bytes, 0, 1000), 200).object(), "received_bytes") == 1000);
    CHECK(int_of(need(b.get(path, token), 200).object(), "received_bytes") == 1000);
    CHECK(int_of(need(put_chunk(b, token, bytes, 1000, 1000), 200).object(), "received_bytes") == 2000);
    // The same chunk again, through the other instance: stored once.
    check_error(put_chunk(a, token, bytes, 1000, 1000), 409, "conflict", "offset");
    auto done = need(put_chunk(a, token, bytes, 2000, 1000), 200).object();
    CHECK(done->getValue<bool>("complete"));
    CHECK(need(b.get(path + "/content", shop.dispatcher), 200).body == bytes);
    CHECK(need(a.get(path + "/content", shop.dispatcher), 200).body == bytes);
    // Bytes that do not hash to their name are dropped on every instance.
    std::string other = bytes + "x", wrong = other;
    wrong[2000] ^= 1;
    describe_photo(a, device_id, token, job, other);
    need(put_chunk(b, token, other, 0, 1500), 200);
    std::string other_path = "/api/v1/attachments/" + fieldsync::sha256_hex(other);
    check_error(a.request("PUT", other_path + "?offset=1500", wrong.substr(1500), token, "application/octet-stream"),
                422, "invalid_field", "sha256");
    CHECK(int_of(need(b.get(other_path, token), 200).object(), "received_bytes") == 0);
}

TEST_CASE("a full disk is a retryable 503 and reads and pulls keep working", "[integration][instances]") {
    if (::geteuid() != 0 || !postgres_server().empty()) {
        SUCCEED("needs root, to mount a small tmpfs as the data folder of a SQLite server");
        return;
    }
    TestServer srv({}, {}, false);
    std::string dir = srv.data_dir();
    REQUIRE(std::system(("mount -t tmpfs -o size=16m tmpfs " + dir).c_str()) == 0);
    struct Unmount {
        TestServer& srv;
        std::string dir;
        ~Unmount() {
            srv.stop();
            if (std::system(("umount " + dir).c_str()) != 0) WARN("could not unmount " + dir);
        }
    } unmount{srv, dir};
    srv.start();
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_id = device.str("device_id"), token = device.str("device_token");
    std::string photo = kJpegMagic + std::string(20000, 'p');
    describe_photo(srv, device_id, token, job, photo);
    // Fill the disk to the last block.
    REQUIRE(std::system(("dd if=/dev/zero of=" + dir + "/filler bs=64k 2>/dev/null; sync").c_str()) >= 0);
    std::vector<Reply> refused;
    for (int i = 0; i < 300 && refused.empty(); ++i) {
        auto r = srv.post("/api/v1/customers",
                          body({{"name", "满 full " + std::to_string(i)}, {"phone", "13800000000"}}), shop.dispatcher);
        INFO("reply " << r.status << ": " << r.body);
        REQUIRE((r.status == 201 || r.status == 503));
        if (r.status == 503) refused.push_back(r);
    }
    REQUIRE(refused.size() == 1);
    check_error(refused[0], 503, "unavailable");
    CHECK(refused[0].object()->getObject("error")->getValue<std::string>("message").find("storage_full") !=
          std::string::npos);
    CHECK(refused[0].headers.count("Retry-After") == 1);
    auto chunk = put_chunk(srv, token, photo, 0, photo.size());
    check_error(chunk, 503, "unavailable");
    // Reads, and a device's first pull, still answer.
    need(srv.get("/api/v1/jobs/" + job, shop.dispatcher), 200);
    need(srv.get("/api/v1/customers", shop.dispatcher), 200);
    auto page = need(srv.get("/api/v1/sync/pull?cursor=0", token), 200).object();
    CHECK(page->getArray("changes")->size() > 0);
    // With space again, the same writes go through.
    Poco::File(dir + "/filler").remove();
    need(srv.post("/api/v1/customers", body({{"name", "有空间 space"}, {"phone", "13800000000"}}), shop.dispatcher),
         201);
    CHECK(need(put_chunk(srv, token, photo, 0, photo.size()), 200).object()->getValue<bool>("complete"));
}

TEST_CASE("an edit that loses to a newer one is named in its push result and in the conflict list",
          "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_id = device.str("device_id"), token = device.str("device_token");
    need(srv.patch("/api/v1/customers/" + shop.customer_a, body({{"notes", "办公室 office"}}), shop.dispatcher), 200);
    // Made offline half a minute ago: older than the office's edit of notes.
    std::string op_id = fieldsync::uuid_v7();
    std::string push = R"({"protocol":1,"device_id":")" + device_id + R"(","ops":[{"op_id":")" + op_id +
                       R"(","table":"customers","row_id":")" + shop.customer_a + R"(","kind":"update","hlc":")" +
                       fieldsync::format_hlc({fieldsync::now_ms() - 30'000, 0, device_id}) +
                       R"(","base_version":0,"fields":{"notes":"设备 device"}}]})";
    for (int replay = 0; replay < 2; ++replay) {
        auto result = need(srv.request("POST", "/api/v1/sync/push", push, token), 200)
                          .object()
                          ->getArray("results")
                          ->getObject(0);
        CHECK(text_of(result, "status") == "applied");
        REQUIRE(result->getArray("superseded"));
        CHECK(to_text(result->getArray("superseded")) == R"(["notes"])");
    }
    auto customer = need(srv.get("/api/v1/customers/" + shop.customer_a, shop.dispatcher), 200).object();
    CHECK(text_of(customer, "notes") == "办公室 office");
    auto listed = list(srv, "/api/v1/sync/conflicts?status=superseded", shop.dispatcher)->getArray("items");
    REQUIRE(listed->size() == 1);
    CHECK(text_of(listed->getObject(0), "op_id") == op_id);
    CHECK(text_of(listed->getObject(0), "error_field") == "notes");
    CHECK(total(srv, "/api/v1/sync/conflicts", shop.dispatcher) == 0);
    // An edit that wins names nothing.
    std::string newer = R"({"protocol":1,"device_id":")" + device_id + R"(","ops":[{"op_id":")" + fieldsync::uuid_v7() +
                        R"(","table":"customers","row_id":")" + shop.customer_a + R"(","kind":"update","hlc":")" +
                        fieldsync::format_hlc({fieldsync::now_ms() + 1'000, 0, device_id}) +
                        R"(","base_version":0,"fields":{"notes":"设备 newer"}}]})";
    auto won = need(srv.request("POST", "/api/v1/sync/push", newer, token), 200).object();
    CHECK(!won->getArray("results")->getObject(0)->has("superseded"));
}
