// Moving a deployment between stores with fieldrepair-server's own tools: a SQLite shop moved into PostgreSQL, and a
// backup restored, each checked by the tool and then served by a server that sees the same shop: logins, jobs, the
// audit chains, attachment bytes, and a device that pulls on from its cursor without starting over.
#include <Poco/Path.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include "fieldserver/storage/database.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

struct ToolRun {
    int status = -1;
    std::string out;
};

// Runs fieldrepair-server with a store command on the deployment of data_dir and database.
ToolRun run_tool(const std::string& data_dir, const std::string& database, const std::string& option) {
    Poco::Process::Env env = {{"FIELDREPAIR_DATA_DIR", data_dir}, {"FIELDREPAIR_DATABASE", database}};
    std::vector<std::string> args = {"120", FIELDREPAIR_SERVER_BINARY, option};
    Poco::Pipe out;
    auto child = Poco::Process::launch("/usr/bin/timeout", args, data_dir, nullptr, &out, &out, env);
    ToolRun run;
    Poco::PipeInputStream stream(out);
    Poco::StreamCopier::copyToString(stream, run.out);
    run.status = child.wait();
    return run;
}

// A shop with a closed job (a long audit chain), a device that has pulled, and a photo uploaded.
struct Deployment {
    std::string job, device_id, device_token, photo;
    std::int64_t cursor = 0;
    std::int64_t events = 0;
};

Deployment make_deployment(TestServer& srv) {
    Shop shop(srv);
    Deployment d;
    d.job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(d.job, "closed");
    auto open = shop.report(shop.customer_b, shop.asset_b);
    shop.drive(open, "assessing");
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    d.device_id = device.str("device_id");
    d.device_token = device.str("device_token");
    for (int i = 0; i < 400; ++i) d.photo += static_cast<char>(i % 251);
    d.photo.replace(0, 4, "\xFF\xD8\xFF\xE0");  // a JPEG's first bytes: the store takes only recognised types
    std::string op = R"({"op_id":")" + fieldsync::uuid_v7() + R"(","table":"attachments","row_id":")" +
                     fieldsync::uuid_v7() + R"(","kind":"insert","hlc":")" +
                     fieldsync::format_hlc({fieldsync::now_ms(), 0, d.device_id}) +
                     R"(","base_version":0,"fields":{"job_id":")" + open + R"(","kind":"photo","sha256":")" +
                     fieldsync::sha256_hex(d.photo) + R"(","content_type":"image/jpeg","size_bytes":400}})";
    need(srv.request("POST", "/api/v1/sync/push",
                     R"({"protocol":1,"device_id":")" + d.device_id + R"(","ops":[)" + op + "]}", d.device_token),
         200);
    need(srv.request("PUT", "/api/v1/attachments/" + fieldsync::sha256_hex(d.photo) + "?offset=0", d.photo,
                     d.device_token, "application/octet-stream"),
         200);
    for (int pages = 0; pages < 100; ++pages) {
        auto page = need(srv.get("/api/v1/sync/pull?cursor=" + std::to_string(d.cursor), d.device_token), 200).object();
        d.cursor = int_of(page, "cursor");
        if (!page->getValue<bool>("has_more")) break;
    }
    d.events =
        int_of(need(srv.get("/api/v1/jobs/" + d.job + "/events/verify", srv.admin_token()), 200).object(), "events");
    return d;
}

// The deployment as a server on the copy sees it.
void check_served(const TestServer& srv, const Deployment& d) {
    std::string admin = srv.admin_token();
    CHECK(text_of(need(srv.get("/api/v1/jobs/" + d.job, admin), 200).object(), "state") == "closed");
    auto verified = need(srv.get("/api/v1/jobs/" + d.job + "/events/verify", admin), 200).object();
    CHECK(verified->getValue<bool>("ok"));
    CHECK(int_of(verified, "events") == d.events);
    CHECK(need(srv.get("/api/v1/audit/verify", admin), 200).object()->getValue<bool>("ok"));
    login_as(srv, "disp");
    auto pull = need(srv.get("/api/v1/sync/pull?cursor=" + std::to_string(d.cursor), d.device_token), 200).object();
    CHECK(!pull->getValue<bool>("reset_required"));
    CHECK(pull->getArray("changes")->size() == 0);
    CHECK(need(srv.get("/api/v1/attachments/" + fieldsync::sha256_hex(d.photo) + "/content", admin), 200).body ==
          d.photo);
}

}  // namespace

TEST_CASE("a SQLite deployment moves into PostgreSQL with nothing lost", "[integration][store_copy]") {
    if (postgres_server().empty()) {
        SUCCEED("needs the test PostgreSQL server");
        return;
    }
    std::string file = "/tmp/fieldrepair-move-" + std::to_string(Poco::Process::id()) + ".db";
    TestServer sqlite({{"FIELDREPAIR_DATABASE", file}});
    auto deployment = make_deployment(sqlite);
    sqlite.stop();
    std::string target = "fieldrepair_move_" + std::to_string(Poco::Process::id());
    fieldserver::Database admin(postgres_server(), 1);
    admin.read([&](fieldserver::Db& db) { db.execute("CREATE DATABASE " + target); });
    std::string connection = postgres_server() + " dbname=" + target;
    auto moved = run_tool(sqlite.data_dir(), file, "--move-to-postgres=" + connection);
    INFO(moved.out);
    REQUIRE(moved.status == 0);
    CHECK(moved.out.find("audit chains intact") != std::string::npos);
    {
        // The moved shop keeps the key that signed its audit checkpoints.
        TestServer pg({{"FIELDREPAIR_DATABASE", connection},
                       {"FIELDREPAIR_AUDIT_KEY_FILE", sqlite.data_dir() + "/audit-key.pem"}});
        check_served(pg, deployment);
    }
    // Into a database that holds a shop already: refused, nothing changed.
    auto again = run_tool(sqlite.data_dir(), file, "--move-to-postgres=" + connection);
    CHECK(again.status != 0);
    CHECK(again.out.find("already holds users or jobs") != std::string::npos);
    admin.read([&](fieldserver::Db& db) { db.execute("DROP DATABASE IF EXISTS " + target + " WITH (FORCE)"); });
    std::remove(file.c_str());
}

TEST_CASE("a backup restores into an empty store and passes verification", "[integration][store_copy]") {
    TestServer srv;
    auto deployment = make_deployment(srv);
    std::string backup = srv.data_dir() + "/backup.db";
    auto made = run_tool(srv.data_dir(), srv.database(), "--backup=" + backup);
    INFO(made.out);
    REQUIRE(made.status == 0);
    // A backup is never written over an existing file.
    CHECK(run_tool(srv.data_dir(), srv.database(), "--backup=" + backup).status != 0);
    srv.stop();
    // Restored into a fresh deployment of the same kind of store as the original.
    TestServer restored({}, {}, false);
    auto run = run_tool(restored.data_dir(), restored.database(), "--restore=" + backup);
    INFO(run.out);
    REQUIRE(run.status == 0);
    CHECK(run.out.find("audit chains intact") != std::string::npos);
    restored.start();
    check_served(restored, deployment);
}
