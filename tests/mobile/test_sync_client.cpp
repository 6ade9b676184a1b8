// The sync client against the transport interface: wire messages built and checked by fieldsync's encoders and
// strict decoders, a server stand-in that remembers op results, loses responses and goes down on request.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "fieldsync/conflict.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/error.hpp"
#include "fixtures.hpp"

using namespace mobiletest;
using fieldmobile::Replica;
using fieldmobile::SyncClient;

namespace {

Object::Ptr obj(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> fields) {
    Object::Ptr o = new Object;
    for (const auto& [k, v] : fields) o->set(k, v);
    return o;
}

std::string state_of(const Object::Ptr& row) { return row ? row->optValue<std::string>("state", "") : ""; }

// The device's visible rows equal the server's rows (the device holds no pending work).
void require_converged(Replica& replica, const FakeServer& server) {
    CHECK(replica.outbox().empty());
    std::size_t count = 0;
    for (const auto& [key, r] : server.rows) {
        auto mine = replica.row(key.first, key.second);
        REQUIRE(mine);
        CHECK(fieldsync::to_json_text(mine) == fieldsync::to_json_text(r.row));
        ++count;
    }
    std::size_t held = 0;
    for (const auto& t : fieldsync::synced_tables()) held += replica.rows(t.name).size();
    CHECK(held == count);
}

}  // namespace

TEST_CASE("Login registers the device; the first sync bootstraps the replica", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    sign_in(replica, server);
    CHECK(replica.state("device_id") == "dev-1");
    CHECK(replica.node_id() == "dev-1");
    CHECK(replica.state("user_id") == "u1");

    SyncClient client(replica, server);
    auto report = client.sync();
    CHECK(report.pulled == server.log.size());
    CHECK(report.checkpoint_applied);
    CHECK(report.cursor == server.seq);
    CHECK(replica.jobs("u1").size() == 2);
    require_converged(replica, server);
}

TEST_CASE("A technician works a whole on-site job offline and syncs once at the end", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    sign_in(replica, server);
    SyncClient client(replica, server);
    client.sync();

    server.down = true;
    CHECK_THROWS_AS(client.sync(), fieldsync::Error);
    replica.act(kJob, "start_repair", obj({{"note", "到达现场"}}));
    replica.insert("job_notes", obj({{"job_id", kJob}, {"kind", "note"}, {"body", "排水泵被硬币卡住"}}));
    std::string photo(300 * 1024, 'p');
    replica.add_attachment(kJob, "photo", photo, "image/jpeg", "pump.jpg", "硬币");
    replica.update("jobs", kJob, obj({{"site_contact", "刘洋"}}));
    Poco::JSON::Array::Ptr parts = new Poco::JSON::Array;
    replica.act(kJob, "complete_repair",
                obj({{"work_summary", "取出硬币，清洗排水泵"}, {"time_spent_minutes", 40}, {"parts_used", parts}}));
    Poco::JSON::Array::Ptr strokes = new Poco::JSON::Array, stroke = new Poco::JSON::Array,
                           point = new Poco::JSON::Array;
    point->add(0);
    point->add(0);
    stroke->add(point);
    strokes->add(stroke);
    replica.act(kJob, "record_acceptance",
                obj({{"signer_name", "刘洋"},
                     {"signature_png", "iVBORw0KGgo="},
                     {"signature_strokes", strokes},
                     {"rating", 5},
                     {"summary_sha256", std::string(64, 'a')}}));
    CHECK(state_of(replica.row("jobs", kJob)) == "accepted");
    CHECK(replica.outbox().size() == 6);

    server.down = false;
    auto report = client.sync();
    CHECK(report.pushed == 6);
    CHECK(report.applied == 6);
    CHECK(report.rejected == 0);
    CHECK(report.checkpoint_applied);
    CHECK(report.uploaded_bytes == static_cast<std::int64_t>(photo.size()));
    CHECK(server.count("PUT", "/api/v1/attachments/") == 2);  // two chunks of at most 256 KiB
    CHECK(server.blobs.begin()->second == photo);
    CHECK(state_of(server.row("jobs", kJob)) == "accepted");
    CHECK(state_of(replica.row("jobs", kJob)) == "accepted");
    require_converged(replica, server);
    for (const auto& [op, n] : server.applications) CHECK(n == 1);
}

TEST_CASE("A push whose response is lost is retried and applied once", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    sign_in(replica, server);
    SyncClient client(replica, server);
    client.sync();
    replica.act(kJob, "start_repair", nullptr);
    replica.insert("job_notes", obj({{"job_id", kJob}, {"kind", "note"}, {"body", "once"}}));

    server.lose_push_responses = 1;
    fieldmobile::RetryingTransport retrying(server, {3, 1, 4}, [](std::int64_t) {});
    SyncClient patient(replica, retrying);
    auto report = patient.sync();
    CHECK(server.count("POST", "/api/v1/sync/push") == 2);
    CHECK(report.applied == 2);
    CHECK(server.applications.size() == 2);
    for (const auto& [op, n] : server.applications) CHECK(n == 1);
    CHECK(server.rows.size() == 5);  // 4 seeded rows and the one note
    require_converged(replica, server);
}

TEST_CASE("A device killed between push and ack re-pushes the same ops after restart", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    std::vector<std::string> op_ids;
    {
        Replica replica(dir.file("r.db"));
        sign_in(replica, server);
        SyncClient(replica, server).sync();
        op_ids.push_back(replica.act(kJob, "start_repair", nullptr));
        op_ids.push_back(replica.update("customers", kCustomer, obj({{"phone", "13900000000"}})));
        server.lose_push_responses = 1;
        SyncClient client(replica, server);
        CHECK_THROWS_AS(client.sync(), fieldsync::Error);
        CHECK(server.applications.size() == 2);  // the server applied them; the device never heard
        CHECK(replica.unacknowledged(10).size() == 2);
    }  // the app is killed: the replica closes with the ops unsettled

    Replica reopened(dir.file("r.db"));
    CHECK(reopened.unacknowledged(10).size() == 2);
    CHECK(state_of(reopened.row("jobs", kJob)) == "in_repair");
    SyncClient client(reopened, server);
    auto report = client.sync();
    CHECK(report.applied == 2);
    CHECK(server.results.size() == 2);
    for (const auto& id : op_ids) CHECK(server.applications[id] == 1);
    CHECK(server.row("customers", kCustomer)->getValue<std::string>("phone") == "13900000000");
    require_converged(reopened, server);
}

TEST_CASE("A pull cut off mid-way resumes from its stored cursor with nothing lost or doubled",
          "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    for (int i = 0; i < 7; ++i) {
        char id[40];
        std::snprintf(id, sizeof id, "0190a000-0000-7000-8000-0000000001%02d", i);
        server.put("jobs", id, job_row("FR-20261121-01" + std::to_string(10 + i), "assessing", ""));
    }
    fieldmobile::SyncOptions small;
    small.pull_limit = 3;
    std::int64_t cursor_at_kill = 0;
    {
        Replica replica(dir.file("r.db"));
        sign_in(replica, server);
        server.fail_pull_number = 3;  // pages 1 and 2 arrive, then the connection drops
        SyncClient client(replica, server, small);
        CHECK_THROWS_AS(client.sync(), fieldsync::Error);
        cursor_at_kill = replica.cursor();
        CHECK(cursor_at_kill == 6);
        CHECK_FALSE(replica.state("checkpoint_seq"));
    }
    Replica reopened(dir.file("r.db"));
    CHECK(reopened.cursor() == cursor_at_kill);
    SyncClient client(reopened, server, small);
    auto report = client.sync();
    CHECK(report.pulled == server.log.size() - 6);
    CHECK(report.checkpoint_applied);
    require_converged(reopened, server);
}

TEST_CASE("reset_required: push the outbox first, then re-bootstrap; pending work survives", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    sign_in(replica, server);
    SyncClient client(replica, server);
    client.sync();
    // Long offline: the server's log moves on and drops what the device's cursor points into; job 2 leaves.
    replica.act(kJob, "start_repair", nullptr);
    server.remove("jobs", kJob2);
    server.put("customers", kCustomer, obj({{"name", "刘洋"}, {"phone", "021-1"}}));
    server.retained_from = server.seq;

    auto report = client.sync();
    CHECK(report.rebootstrapped);
    CHECK(report.checkpoint_applied);
    CHECK(server.applications.size() == 1);
    CHECK(state_of(server.row("jobs", kJob)) == "in_repair");
    CHECK_FALSE(replica.row("jobs", kJob2));
    require_converged(replica, server);
}

TEST_CASE("A bucket whose checksum disagrees is downloaded again and heals", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    {
        Replica replica(dir.file("r.db"));
        sign_in(replica, server);
        SyncClient(replica, server).sync();
    }
    {
        // The replica diverges behind the sync's back (a restored backup, a bad write): one row is lost.
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(dir.file("r.db").c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "DELETE FROM server_rows WHERE tbl = 'customers'", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
        sqlite3_close(db);
    }
    Replica replica(dir.file("r.db"));
    server.put("jobs", kJob2, job_row("FR-20261121-0002", "assessing", ""));  // something new to pull
    SyncClient client(replica, server);
    auto report = client.sync();
    CHECK(report.rebootstrapped);
    CHECK(report.checkpoint_applied);
    CHECK(replica.row("customers", kCustomer));
    require_converged(replica, server);
}

TEST_CASE("Sync without the server keeps every write queued", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    sign_in(replica, server);
    SyncClient client(replica, server);
    client.sync();
    replica.act(kJob, "start_repair", nullptr);
    server.down = true;
    try {
        client.sync();
        FAIL("sync succeeded without a server");
    } catch (const fieldsync::Error& e) {
        CHECK(e.code() == fieldsync::ErrorCode::unavailable);
    }
    CHECK(replica.unacknowledged(10).size() == 1);
    CHECK(state_of(replica.row("jobs", kJob)) == "in_repair");
}

TEST_CASE("An unregistered device is told to log in", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    Replica replica(dir.file("r.db"));
    SyncClient client(replica, server);
    try {
        client.sync();
        FAIL("sync without a device token");
    } catch (const fieldsync::Error& e) {
        CHECK(e.code() == fieldsync::ErrorCode::unauthenticated);
    }
    CHECK(server.requests.empty());
}

TEST_CASE("Attachment uploads resume where the server stopped", "[Mobile][SyncClient]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    sign_in(replica, server);
    SyncClient client(replica, server);
    client.sync();
    std::string bytes(600 * 1024, 'x');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 % 251);
    replica.add_attachment(kJob, "photo", bytes, "image/jpeg", "a.jpg", "");
    std::string sha = fieldsync::sha256_hex(bytes);
    server.blobs[sha] = bytes.substr(0, 100000);  // an earlier upload got this far
    CHECK(client.sync().uploaded_bytes == static_cast<std::int64_t>(bytes.size() - 100000));
    CHECK(server.blobs[sha] == bytes);
    CHECK(replica.attachments_to_upload().empty());
    CHECK(client.sync().uploaded_bytes == 0);
}

// Found by fuzzing (tests/fuzz/corpus/device_pull/pull_row_number_out_of_range.json): the row was stored as text and
// every later read of the table failed.
TEST_CASE("A pull page whose row holds a number no double holds is refused and stores nothing",
          "[Mobile][SyncClient]") {
    struct OnePage : fieldmobile::Transport {
        fieldmobile::HttpResponse send(const fieldmobile::HttpRequest&) override {
            return {200,
                    R"({"protocol":1,"changes":[{"seq":1,"bucket":"catalog","table":"parts","row_id":"p1","version":1,)"
                    R"("op":"put","row":{"id":"p1","sku":"PUMP-1","price_cents":1e999}}],"cursor":1,"has_more":false,)"
                    R"("checkpoint":{"seq":1,"buckets":{}},"write_checkpoint":0,"reset_required":false})",
                    {}};
        }
    };
    TempDir dir;
    Replica replica(dir.file("replica.db"));
    replica.set_device("dev-1", "device-token");
    OnePage transport;
    SyncClient client(replica, transport);
    try {
        client.pull();
        FAIL("pulled");
    } catch (const fieldsync::Error& e) {
        CHECK(e.code() == fieldsync::ErrorCode::malformed_json);
    }
    CHECK(replica.rows("parts").empty());
    CHECK(replica.cursor() == 0);
}
