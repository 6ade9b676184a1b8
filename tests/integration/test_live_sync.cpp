// Live sync against the real server: a device listening on GET /api/v1/sync/live hears of a change to its job
// right after the office's action commits, hears nothing of jobs outside its buckets, gets heartbeats, and after a
// server restart reconnects and catches up from its cursor.
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <mutex>

#include "fieldmobile/live.hpp"
#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

struct Tablet {
    std::string dir = Poco::TemporaryFile::tempName();
    std::unique_ptr<fieldmobile::Replica> replica;
    std::unique_ptr<fieldmobile::Transport> transport;
    std::unique_ptr<fieldmobile::SyncClient> client;

    Tablet(const TestServer& srv, const std::string& username) {
        Poco::File(dir).createDirectories();
        replica = std::make_unique<fieldmobile::Replica>(dir + "/replica.db");
        transport = fieldmobile::make_https_transport({srv.base_url(), srv.cert_file(), 10, 60});
        client = std::make_unique<fieldmobile::SyncClient>(*replica, *transport);
        client->login(username, "orchard-lantern-" + username);
        client->sync();
    }
    ~Tablet() { Poco::File(dir).remove(true); }

    std::string token() const { return replica->state("device_token").value_or(""); }
    std::string job_state(const std::string& id) const { return text_of(replica->find_job(id), "state"); }
};

// Every event the listener reported, for the test thread to wait on.
struct Heard {
    fieldmobile::LiveChanges changes;
    std::mutex mutex;
    std::vector<fieldmobile::LiveEvent> events;

    void note(const fieldmobile::LiveEvent& e) {
        {
            std::lock_guard lock(mutex);
            events.push_back(e);
        }
        changes.note(e);
    }
    std::size_t count(const std::string& kind) {
        std::lock_guard lock(mutex);
        return static_cast<std::size_t>(
            std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.kind == kind; }));
    }
};

bool wait_for(const std::function<bool()>& done, int seconds = 20) {
    for (int i = 0; i < seconds * 20; ++i) {
        if (done()) return true;
        Poco::Thread::sleep(50);
    }
    return done();
}

}  // namespace

TEST_CASE("A listening device hears of changes in its buckets right after commit, and only those",
          "[integration][live]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_LIVE_HEARTBEAT", "1"}});
    Shop shop(srv);
    std::string mine = shop.report(shop.customer_a, shop.asset_a);
    std::string other = shop.report(shop.customer_b, shop.asset_b);
    shop.drive(mine, "plan_proposed");
    shop.drive(other, "plan_proposed", "on_site", shop.tech_b, shop.tech_b_id);

    Tablet tablet(srv, "tech.a");
    Heard heard;
    fieldmobile::LiveListener listener({srv.base_url(), srv.cert_file(), tablet.token()},
                                       [&](const fieldmobile::LiveEvent& e) { heard.note(e); });
    listener.start();
    REQUIRE(wait_for([&] { return heard.count("hello") == 1; }));
    // The hello names the newest seq of the device's buckets, which the sync before brought.
    CHECK(heard.changes.latest() > 0);
    CHECK(heard.changes.latest() <= tablet.replica->cursor());

    // Another technician's job: nothing for this device.
    shop.must(other, "approve_plan", body({{"plan_version", int_of(shop.job(other), "plan_version")}}),
              shop.dispatcher);
    Poco::Thread::sleep(1000);
    CHECK(heard.count("change") == 0);

    // Its own job: an event, then a pull brings the new state.
    shop.must(mine, "approve_plan", body({{"plan_version", int_of(shop.job(mine), "plan_version")}}), shop.dispatcher);
    REQUIRE(heard.changes.wait_above(tablet.replica->cursor(), 20000) > 0);
    CHECK(heard.count("change") >= 1);
    tablet.client->sync();
    CHECK(tablet.job_state(mine) == "approved");
    CHECK(heard.changes.latest() <= tablet.replica->cursor());

    SECTION("after the server stopped and came back, the device reconnects and misses nothing") {
        srv.restart();
        // Committed before the device is back: its hello names it.
        shop.must(mine, "schedule",
                  body({{"technician_id", shop.tech_a_id}, {"window_start", kWindowStart}, {"window_end", kWindowEnd}}),
                  shop.dispatcher);
        REQUIRE(wait_for([&] { return listener.connections() >= 2; }, 60));
        REQUIRE(heard.changes.wait_above(tablet.replica->cursor(), 20000) > 0);
        tablet.client->sync();
        CHECK(tablet.job_state(mine) == "scheduled");
    }
    listener.stop();
    CHECK_FALSE(listener.connected());
}

TEST_CASE("The live stream sends heartbeats and is for devices only", "[integration][live]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_LIVE_HEARTBEAT", "1"}});
    Shop shop(srv);
    Tablet tablet(srv, "tech.a");
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                             srv.cert_file(), Poco::Net::Context::VERIFY_RELAXED);
    Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(srv.port()), context);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/api/v1/sync/live",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + tablet.token());
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    REQUIRE(response.getStatus() == 200);
    CHECK(response.getContentType().rfind("text/event-stream", 0) == 0);
    std::string line;
    int heartbeats = 0;
    bool hello = false;
    while (heartbeats < 2 && std::getline(in, line)) {
        hello = hello || line.rfind("event: hello", 0) == 0;
        heartbeats += line.rfind(": heartbeat", 0) == 0;
    }
    CHECK(hello);
    CHECK(heartbeats == 2);

    // A user's token (no device) and no token at all are refused in the JSON shape.
    check_error(srv.get("/api/v1/sync/live", shop.tech_a), 403, "forbidden");
    check_error(srv.get("/api/v1/sync/live", ""), 401, "unauthenticated");
}

TEST_CASE("fieldtech sync --live syncs each announced change until Ctrl-C", "[integration][live]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "plan_proposed");
    std::string dir = Poco::TemporaryFile::tempName();
    Poco::File(dir).createDirectories();
    Poco::Process::Env env = {{"FIELDTECH_REPLICA", dir + "/tablet.db"},
                              {"FIELDTECH_SERVER", srv.base_url()},
                              {"FIELDTECH_CA", srv.cert_file()}};
    auto login = Poco::Process::launch(
        "/bin/sh", {"-c", "exec \"$0\" login tech.a --password orchard-lantern-tech.a >/dev/null", FIELDTECH_BINARY},
        dir, nullptr, nullptr, nullptr, env);
    REQUIRE(login.wait() == 0);
    std::string out = dir + "/live.txt";
    auto live = Poco::Process::launch("/bin/sh", {"-c", "exec \"$0\" sync --live >\"$1\" 2>&1", FIELDTECH_BINARY, out},
                                      dir, nullptr, nullptr, nullptr, env);
    auto output = [&] {
        std::string text;
        if (Poco::File(out).exists()) {
            Poco::FileInputStream in(out);
            Poco::StreamCopier::copyToString(in, text);
        }
        return text;
    };
    REQUIRE(wait_for([&] { return output().find("live: connected") != std::string::npos; }));
    shop.must(job, "approve_plan", body({{"plan_version", int_of(shop.job(job), "plan_version")}}), shop.dispatcher);
    CHECK(wait_for([&] { return output().find("change (seq ") != std::string::npos; }));
    Poco::Process::requestTermination(live.id());  // SIGINT, as Ctrl-C
    CHECK(live.wait() == 0);
    INFO(output());
    CHECK(output().find("live: stopped.") != std::string::npos);
    Poco::File(dir).remove(true);
}

TEST_CASE("On PostgreSQL, an action through one instance reaches a device listening on another",
          "[integration][live][postgresql]") {
    if (postgres_server().empty()) {
        SUCCEED("two instances need PostgreSQL: run by integration_tests_postgresql");
        return;
    }
    TestServer a;
    TestServer b(std::map<std::string, std::string>{{"FIELDREPAIR_DATABASE", a.database()}});
    Shop shop(a);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "plan_proposed");

    Tablet tablet(b, "tech.a");
    Heard heard;
    fieldmobile::LiveListener listener({b.base_url(), b.cert_file(), tablet.token()},
                                       [&](const fieldmobile::LiveEvent& e) { heard.note(e); });
    listener.start();
    REQUIRE(wait_for([&] { return heard.count("hello") == 1; }));
    shop.must(job, "approve_plan", body({{"plan_version", int_of(shop.job(job), "plan_version")}}), shop.dispatcher);
    std::int64_t before = tablet.replica->cursor();
    REQUIRE(heard.changes.wait_above(before, 20000) > 0);
    CHECK(heard.count("change") >= 1);
    tablet.client->sync();
    CHECK(tablet.job_state(job) == "approved");
    // The action's entries travel in one NOTIFY, a line each: every one of them is heard, up to the newest.
    CHECK(tablet.replica->cursor() > before);
    CHECK(wait_for([&] { return heard.changes.latest() == tablet.replica->cursor(); }, 5));
    listener.stop();
}
