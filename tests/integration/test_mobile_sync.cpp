// libfieldmobile against the real server over HTTPS: a whole job worked offline, lost push responses, a device
// killed between push and ack or in the middle of a pull, and an offline move the server refuses.
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <memory>

#include "fieldmobile/job_summary.hpp"
#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldsync/error.hpp"
#include "fixtures.hpp"

using namespace fieldtest;
using fieldmobile::Replica;
using fieldmobile::SyncClient;

namespace {

// Forwards to the server, but drops the response of chosen requests after the server handled them, as a
// connection lost on the way back would.
class FlakyTransport : public fieldmobile::Transport {
  public:
    explicit FlakyTransport(const TestServer& srv)
        : https_(fieldmobile::make_https_transport({srv.base_url(), srv.cert_file(), 10, 60})) {}

    int lose_pushes = 0;  // responses of the next n pushes are lost
    int fail_pull = 0;    // the n-th pull request (1-based) fails before reaching the server
    int pushes = 0, pulls = 0;

    fieldmobile::HttpResponse send(const fieldmobile::HttpRequest& request) override {
        bool push = request.target == "/api/v1/sync/push";
        if (push) ++pushes;
        if (request.target.rfind("/api/v1/sync/pull", 0) == 0 && ++pulls == fail_pull)
            throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "connection timed out");
        auto response = https_->send(request);
        if (push && lose_pushes > 0) {
            --lose_pushes;
            throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "connection reset after the request was sent");
        }
        return response;
    }

  private:
    std::unique_ptr<fieldmobile::Transport> https_;
};

struct Device {
    std::string dir = Poco::TemporaryFile::tempName();
    std::string path;
    Device() : path(dir + "/replica.db") { Poco::File(dir).createDirectories(); }
    ~Device() { Poco::File(dir).remove(true); }
};

Obj fields(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> f) { return body(f); }

std::size_t count_of(const std::vector<std::string>& actions, const std::string& action) {
    return static_cast<std::size_t>(std::count(actions.begin(), actions.end(), action));
}

std::size_t notes_with(const TestServer& srv, const Shop& shop, const std::string& job, const std::string& text) {
    auto notes = need(srv.get("/api/v1/jobs/" + job + "/notes", shop.dispatcher), 200).object()->getArray("items");
    std::size_t n = 0;
    for (const auto& v : *notes) n += text_of(v.extract<Obj>(), "body") == text;
    return n;
}

}  // namespace

TEST_CASE("A technician works a whole on-site job offline and syncs once at the end", "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "scheduled");

    Device device;
    Replica replica(device.path);
    {
        FlakyTransport online(srv);
        SyncClient client(replica, online);
        client.login("tech.a", "orchard-lantern-tech.a", "linux");
        auto report = client.sync();
        CHECK(report.checkpoint_applied);
        REQUIRE(replica.row("jobs", job));
        CHECK(replica.row("jobs", job)->getValue<std::string>("state") == "scheduled");
        CHECK(replica.row("customers", shop.customer_a));
        // The summary the device would compute equals the server's, field for field.
        CHECK(fieldmobile::job_summary_text(replica, job) ==
              need(srv.get("/api/v1/jobs/" + job + "/summary", shop.tech_a), 200).str("text"));
    }

    srv.stop();  // the technician drives out of coverage
    replica.act(job, "start_repair", fields({{"note", "到达现场"}}));
    replica.insert("job_notes", fields({{"job_id", job}, {"kind", "note"}, {"body", "温控器损坏，已更换"}}));
    replica.update("jobs", job, fields({{"site_contact", "刘洋"}}));
    replica.act(job, "complete_repair", completion());
    REQUIRE(replica.row("jobs", job)->getValue<std::string>("state") == "awaiting_acceptance");
    std::string signed_sha = fieldmobile::job_summary_sha256(replica, job);
    replica.act(job, "record_acceptance", acceptance(signed_sha));
    CHECK(replica.row("jobs", job)->getValue<std::string>("state") == "accepted");
    CHECK(replica.unacknowledged(100).size() == 5);

    srv.start();  // back in coverage: one sync
    FlakyTransport online(srv);
    SyncClient client(replica, online);
    auto report = client.sync();
    CHECK(report.pushed == 5);
    CHECK(report.applied == 5);
    CHECK(report.rejected == 0);
    CHECK(report.checkpoint_applied);
    CHECK(replica.outbox().empty());
    CHECK(replica.conflicts().empty());
    CHECK(shop.state(job) == "accepted");
    CHECK(shop.summary_sha(job) == signed_sha);
    CHECK(notes_with(srv, shop, job, "温控器损坏，已更换") == 1);
    CHECK(text_of(shop.job(job)->getObject("acceptance"), "summary_sha256") == signed_sha);
    // With the outbox empty the device shows the server's row as pulled: the offline edit is in it.
    auto mine = replica.row("jobs", job);
    CHECK(replica.pending_ops("jobs", job) == 0);
    CHECK(text_of(mine, "state") == "accepted");
    CHECK(text_of(mine, "site_contact") == "刘洋");
    // The warranty the acceptance wrote on the server is on the tablet too, as the API shows it.
    auto warranties = replica.rows_of_job("warranties", job);
    REQUIRE(warranties.size() == 1);
    auto listed = need(srv.get("/api/v1/warranties?job_id=" + job, shop.dispatcher), 200).object()->getArray("items");
    REQUIRE(listed->size() == 1);
    CHECK(text_of(warranties[0], "id") == text_of(listed->getObject(0), "id"));
    CHECK(text_of(warranties[0], "ends_on") == text_of(listed->getObject(0), "ends_on"));
}

TEST_CASE("A push whose response is lost is retried and applied once", "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "scheduled");
    Device device;
    Replica replica(device.path);
    FlakyTransport flaky(srv);
    fieldmobile::RetryingTransport retrying(flaky, {4, 1, 5}, [](std::int64_t) {});
    SyncClient client(replica, retrying);
    client.login("tech.a", "orchard-lantern-tech.a", "linux");
    client.sync();

    replica.act(job, "start_repair", nullptr);
    replica.insert("job_notes", fields({{"job_id", job}, {"kind", "note"}, {"body", "只应出现一次"}}));
    flaky.lose_pushes = 1;
    int before = flaky.pushes;
    auto report = client.sync();
    CHECK(flaky.pushes - before == 2);
    CHECK(report.applied == 2);
    CHECK(replica.outbox().empty());
    CHECK(shop.state(job) == "in_repair");
    CHECK(count_of(shop.event_actions(job), "start_repair") == 1);
    CHECK(notes_with(srv, shop, job, "只应出现一次") == 1);
}

TEST_CASE("A device killed between push and ack, or mid-pull, recovers with no loss and no duplicate",
          "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "scheduled");
    Device device;
    {
        Replica replica(device.path);
        FlakyTransport flaky(srv);
        SyncClient client(replica, flaky);
        client.login("tech.a", "orchard-lantern-tech.a", "linux");
        client.sync();
        replica.act(job, "start_repair", nullptr);
        replica.insert("job_notes", fields({{"job_id", job}, {"kind", "note"}, {"body", "断电前写的"}}));
        flaky.lose_pushes = 1;
        CHECK_THROWS_AS(client.sync(), fieldsync::Error);
        CHECK(replica.unacknowledged(10).size() == 2);
    }  // killed: the push reached the server, the ack never reached the device

    // Meanwhile the dispatcher gives the technician more work, so the next pull has several pages.
    for (int i = 0; i < 5; ++i) shop.drive(shop.report(shop.customer_a, shop.new_asset(shop.customer_a)), "assessing");
    fieldmobile::SyncOptions small;
    small.pull_limit = 3;
    {
        Replica replica(device.path);
        FlakyTransport flaky(srv);
        flaky.fail_pull = 2;  // the first page arrives, then the connection drops
        SyncClient client(replica, flaky, small);
        CHECK_THROWS_AS(client.sync(), fieldsync::Error);
        CHECK(replica.unacknowledged(10).empty());  // the re-push was answered from the server's memory
        CHECK(replica.cursor() > 0);
    }  // killed again, mid-pull

    Replica replica(device.path);
    FlakyTransport flaky(srv);
    SyncClient client(replica, flaky, small);
    auto report = client.sync();
    CHECK(report.checkpoint_applied);  // checksums agree: nothing missing, nothing doubled
    CHECK(replica.outbox().empty());
    CHECK(count_of(shop.event_actions(job), "start_repair") == 1);
    CHECK(notes_with(srv, shop, job, "断电前写的") == 1);
    CHECK(replica.jobs(shop.tech_a_id).size() == 6);
    CHECK(replica.row("jobs", job)->getValue<std::string>("state") == "in_repair");
}

TEST_CASE("An offline move the server refuses becomes a conflict; a cancelled job leaves the device",
          "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "scheduled");
    Device device;
    Replica replica(device.path);
    FlakyTransport online(srv);
    SyncClient client(replica, online);
    client.login("tech.a", "orchard-lantern-tech.a", "linux");
    client.sync();

    replica.act(job, "start_repair", nullptr);                                  // offline on the tablet…
    shop.must(job, "cancel", body({{"reason", "客户取消"}}), shop.dispatcher);  // …while the office cancels
    auto report = client.sync();
    CHECK(report.rejected == 1);
    auto conflicts = replica.conflicts();
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].op.action == "start_repair");
    CHECK(conflicts[0].error.code == fieldsync::ErrorCode::invalid_transition);
    CHECK(replica.outbox().empty());
    CHECK_FALSE(replica.row("jobs", job));  // cancelled: access revoked
    CHECK(shop.state(job) == "cancelled");
}

TEST_CASE("The HTTPS transport trusts exactly the pinned certificate", "[Mobile][Integration]") {
    TestServer srv;
    auto pinned = fieldmobile::make_https_transport({srv.base_url(), srv.cert_file(), 10, 60});
    CHECK(pinned->send({"GET", "/healthz", "", "", ""}).status == 200);
    // The system's CAs do not vouch for the server's self-signed certificate: no connection, no request sent.
    auto system = fieldmobile::make_https_transport({srv.base_url(), "/etc/ssl/certs/ca-certificates.crt", 10, 60});
    try {
        system->send({"GET", "/healthz", "", "", ""});
        FAIL("a certificate outside the pinned file was accepted");
    } catch (const fieldsync::Error& e) {
        CHECK(e.code() == fieldsync::ErrorCode::unavailable);
    }
}

TEST_CASE("After the server compacts its log, the device pushes first, re-bootstraps and keeps its work",
          "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    std::string other = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.drive(job, "scheduled");
    shop.drive(other, "assessing");
    Device device;
    Replica replica(device.path);
    FlakyTransport online(srv);
    SyncClient client(replica, online);
    client.login("tech.a", "orchard-lantern-tech.a", "linux");
    client.sync();
    REQUIRE(replica.row("jobs", other));

    // Long offline: the technician works, the office cancels the other job, the log is compacted past the removal.
    replica.act(job, "start_repair", nullptr);
    shop.must(other, "cancel", body({{"reason", "客户取消"}}), shop.dispatcher);
    need(srv.post("/api/v1/sync/compact", body(), shop.admin), 200);

    auto report = client.sync();
    CHECK(report.rebootstrapped);
    CHECK(report.checkpoint_applied);
    CHECK(report.applied == 1);
    CHECK(replica.outbox().empty());
    CHECK(shop.state(job) == "in_repair");
    CHECK(replica.row("jobs", job)->getValue<std::string>("state") == "in_repair");
    CHECK_FALSE(replica.row("jobs", other));  // its removal was compacted away; the checkpoint still drops it
}
