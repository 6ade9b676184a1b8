// libfieldmobile against the real server over HTTPS when the office and an offline tablet touch the same things:
// a job reassigned under an offline edit, the same customer edited on both sides, a photo upload cut half-way.
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>

#include <memory>
#include <random>

#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/error.hpp"
#include "fixtures.hpp"

using namespace fieldtest;
using fieldmobile::Replica;
using fieldmobile::SyncClient;

namespace {

// Forwards to the server and records the attachment chunks it carries; can drop the connection right after the
// n-th chunk reached the server, before its answer comes back.
class ChunkCountingTransport : public fieldmobile::Transport {
  public:
    explicit ChunkCountingTransport(const TestServer& srv)
        : https_(fieldmobile::make_https_transport({srv.base_url(), srv.cert_file(), 10, 60})) {}

    struct Chunk {
        std::string target;
        std::size_t bytes = 0;
    };
    std::vector<Chunk> chunks;  // every chunk PUT that reached the server
    std::size_t cut_after = 0;  // 0: never; n: the n-th chunk arrives, its answer is lost, the link stays down

    fieldmobile::HttpResponse send(const fieldmobile::HttpRequest& request) override {
        if (down_) throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "no network");
        bool chunk = request.method == "PUT" && request.target.rfind("/api/v1/attachments/", 0) == 0;
        auto response = https_->send(request);
        if (chunk) {
            chunks.push_back({request.target, request.body.size()});
            if (chunks.size() == cut_after) {
                down_ = true;
                throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "connection reset during the upload");
            }
        }
        return response;
    }
    void reconnect() {
        down_ = false;
        cut_after = 0;
    }

  private:
    std::unique_ptr<fieldmobile::Transport> https_;
    bool down_ = false;
};

struct Device {
    std::string dir = Poco::TemporaryFile::tempName();
    std::string path;
    Device() : path(dir + "/replica.db") { Poco::File(dir).createDirectories(); }
    ~Device() { Poco::File(dir).remove(true); }
};

// A device logged in as username and synced once.
struct Tablet {
    Device device;
    Replica replica{device.path};
    std::unique_ptr<fieldmobile::Transport> transport;
    SyncClient client;

    Tablet(const TestServer& srv, const std::string& username)
        : transport(fieldmobile::make_https_transport({srv.base_url(), srv.cert_file(), 10, 60})),
          client(replica, *transport) {
        client.login(username, "orchard-lantern-" + username, "android");
        client.sync();
    }
};

// Lets the wall clock move on, so writes made one after the other carry strictly increasing HLCs on every node.
void next_moment() { Poco::Thread::sleep(5); }

}  // namespace

TEST_CASE("A job reassigned while its technician edited it offline: the edits become conflicts, the job moves over",
          "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    Tablet a(srv, "tech.a"), b(srv, "tech.b");
    REQUIRE(a.replica.row("jobs", job));
    REQUIRE_FALSE(b.replica.row("jobs", job));
    std::string ticket = text_of(shop.job(job), "ticket_no");

    // Out of coverage, technician A notes the site details, writes a note and submits the assessment…
    a.replica.update("jobs", job, body({{"site_contact", "刘先生"}, {"access_notes", "门禁 1234"}}));
    a.replica.insert("job_notes", body({{"job_id", job}, {"kind", "note"}, {"body", "压缩机异响"}}));
    a.replica.act(job, "submit_assessment", assessment());
    CHECK(text_of(a.replica.row("jobs", job), "state") == "plan_proposed");
    CHECK(a.replica.unacknowledged(10).size() == 3);
    // …while the dispatcher gives the job to technician B.
    shop.must(job, "reassign", body({{"technician_id", shop.tech_b_id}}), shop.dispatcher);

    auto report = a.client.sync();
    CHECK(report.pushed == 3);
    CHECK(report.applied == 0);
    CHECK(report.rejected == 3);
    CHECK(report.checkpoint_applied);
    CHECK(a.replica.outbox().empty());
    // The device keeps each refused edit with the server's reason, and no longer holds the job or what it needed.
    auto kept = a.replica.conflicts();
    REQUIRE(kept.size() == 3);
    for (const auto& c : kept) {
        INFO(c.error.message);
        CHECK(c.error.code == fieldsync::ErrorCode::not_found);
        CHECK(c.error.message.find("reassigned") != std::string::npos);
    }
    CHECK_FALSE(a.replica.row("jobs", job));
    CHECK_FALSE(a.replica.row("customers", shop.customer_a));
    CHECK_FALSE(a.replica.row("assets", shop.asset_a));
    CHECK(a.replica.jobs().empty());

    // The dispatcher sees every refused edit, which device sent it, what it was and why it was refused.
    auto open = list(srv, "/api/v1/sync/conflicts?status=open&user_id=" + shop.tech_a_id, shop.dispatcher);
    auto items = open->getArray("items");
    REQUIRE(items->size() == 3);
    std::set<std::string> tables;
    for (const auto& v : *items) {
        auto c = v.extract<Obj>();
        INFO(to_text(c));
        tables.insert(text_of(c, "table_name"));
        CHECK(text_of(c, "device_id") == a.replica.state("device_id").value_or("?"));
        CHECK(text_of(c, "error_code") == "not_found");
        CHECK(text_of(c, "error_message").find("job " + job) != std::string::npos);
        CHECK(text_of(c, "error_message").find("reassigned") != std::string::npos);
        REQUIRE(c->getObject("op"));
        CHECK(text_of(c->getObject("op"), "op_id") == text_of(c, "op_id"));
    }
    CHECK(tables == std::set<std::string>{"jobs", "job_notes"});

    // Nothing of the edits reached the job.
    auto now = shop.job(job);
    CHECK(text_of(now, "state") == "assessing");
    CHECK(text_of(now, "assignee_id") == shop.tech_b_id);
    CHECK(text_of(now, "site_contact").empty());
    CHECK(text_of(now, "access_notes").empty());
    CHECK(list(srv, "/api/v1/jobs/" + job + "/notes", shop.dispatcher)->getArray("items")->size() == 0);
    auto actions = shop.event_actions(job);
    CHECK(std::count(actions.begin(), actions.end(), "submit_assessment") == 0);
    CHECK(std::count(actions.begin(), actions.end(), "edit") == 0);

    // Technician B's tablet gets the job, untouched, with its customer and asset.
    auto b_report = b.client.sync();
    CHECK(b_report.checkpoint_applied);
    auto at_b = b.replica.row("jobs", job);
    REQUIRE(at_b);
    CHECK(text_of(at_b, "ticket_no") == ticket);
    CHECK(text_of(at_b, "state") == "assessing");
    CHECK(text_of(at_b, "assignee_id") == shop.tech_b_id);
    CHECK(text_of(at_b, "site_contact").empty());
    CHECK(b.replica.row("customers", shop.customer_a));
    CHECK(b.replica.row("assets", shop.asset_a));
    CHECK(b.replica.rows_of_job("job_notes", job).empty());
    CHECK(b.replica.conflicts().empty());
}

TEST_CASE("The office and an offline technician edit the same customer: each field keeps its last writer",
          "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "scheduled");
    Tablet tablet(srv, "tech.a");
    REQUIRE(tablet.replica.row("customers", shop.customer_a));
    const std::string customers = "/api/v1/customers/" + shop.customer_a;

    // In this order: the technician (offline) corrects the phone and the address, then the dispatcher changes
    // the phone, the notes and the email, then the technician writes notes of their own.
    next_moment();
    tablet.replica.update("customers", shop.customer_a,
                          body({{"phone", "13911112222"}, {"address", "上海市浦东新区张江路99号"}}));
    next_moment();
    auto office = body({{"phone", "13700007777"}, {"notes", "只在工作日上门"}, {"email", "liu.yang@example.cn"}});
    need(srv.patch(customers, office, shop.dispatcher), 200);
    next_moment();
    tablet.replica.update("customers", shop.customer_a, body({{"notes", "客户要求先电话联系"}}));
    // Until it syncs, the tablet shows its own writes.
    auto local = tablet.replica.row("customers", shop.customer_a);
    CHECK(text_of(local, "phone") == "13911112222");
    CHECK(text_of(local, "notes") == "客户要求先电话联系");

    auto report = tablet.client.sync();
    // Both ops are applied: where the office wrote later, the rule keeps the office's value, which is no conflict.
    CHECK(report.pushed == 2);
    CHECK(report.applied == 2);
    CHECK(report.rejected == 0);
    CHECK(report.checkpoint_applied);
    CHECK(tablet.replica.outbox().empty());
    CHECK(tablet.replica.conflicts().empty());
    CHECK(total(srv, "/api/v1/sync/conflicts", shop.dispatcher) == 0);
    // The phone the office changed later is not silently dropped: the tablet and the office both learn of it.
    CHECK(report.superseded == std::vector<std::string>{"customers " + shop.customer_a + ": phone"});
    CHECK(total(srv, "/api/v1/sync/conflicts?status=superseded", shop.dispatcher) == 1);

    // Field by field, last writer wins by HLC: phone (both, office later) is the office's, notes (both, tablet
    // later) the tablet's; address (tablet only) and email (office only) keep the one writer's value.
    auto server = need(srv.get(customers, shop.dispatcher), 200).object();
    CHECK(text_of(server, "phone") == "13700007777");
    CHECK(text_of(server, "notes") == "客户要求先电话联系");
    CHECK(text_of(server, "address") == "上海市浦东新区张江路99号");
    CHECK(text_of(server, "email") == "liu.yang@example.cn");
    CHECK(text_of(server, "name") == "刘洋");
    // The tablet shows the same after its pull.
    auto device = tablet.replica.row("customers", shop.customer_a);
    REQUIRE(device);
    CHECK(tablet.replica.pending_ops("customers", shop.customer_a) == 0);
    for (const char* field : {"phone", "notes", "address", "email", "name"}) {
        INFO(field);
        CHECK(text_of(device, field) == text_of(server, field));
    }

    // A later office edit of the phone reaches the tablet on its next sync; its older offline value stays overruled.
    next_moment();
    need(srv.patch(customers, body({{"phone", "13600006666"}}), shop.dispatcher), 200);
    tablet.client.sync();
    CHECK(text_of(tablet.replica.row("customers", shop.customer_a), "phone") == "13600006666");
    CHECK(text_of(tablet.replica.row("customers", shop.customer_a), "notes") == "客户要求先电话联系");
}

TEST_CASE("A photo upload cut half-way resumes where the server stopped and stores the exact bytes",
          "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "in_repair");
    Device device;
    Replica replica(device.path);
    ChunkCountingTransport link(srv);
    fieldmobile::SyncOptions options;
    options.chunk_bytes = 64 * 1024;
    SyncClient client(replica, link, options);
    client.login("tech.a", "orchard-lantern-tech.a", "android");
    client.sync();

    // Six chunks: five full ones and a short last one.
    std::string photo(5 * options.chunk_bytes + 1000, '\0');
    std::mt19937 random(20261121);
    for (auto& c : photo) c = static_cast<char>(random() & 0xff);
    photo.replace(0, 4, "\xFF\xD8\xFF\xE0");  // a JPEG by its start marker, as the server checks
    std::string sha = fieldsync::sha256_hex(photo);
    replica.add_attachment(job, "photo", photo, "image/jpeg", "压缩机.jpg", "压缩机铭牌");

    // The third chunk reaches the server, then the connection drops before its answer.
    link.cut_after = 3;
    CHECK_THROWS_AS(client.sync(), fieldsync::Error);
    REQUIRE(link.chunks.size() == 3);
    auto half = need(srv.get("/api/v1/attachments/" + sha, shop.dispatcher), 200).object();
    CHECK(int_of(half, "received_bytes") == static_cast<std::int64_t>(3 * options.chunk_bytes));
    CHECK_FALSE(half->getValue<bool>("complete"));
    check_error(srv.get("/api/v1/attachments/" + sha + "/content", shop.dispatcher), 404, "not_found");
    auto waiting = replica.attachments_to_upload();
    REQUIRE(waiting.size() == 1);
    CHECK(waiting[0].uploaded_bytes == static_cast<std::int64_t>(2 * options.chunk_bytes));  // the third ack was lost

    // Back online: only the three chunks the server lacks go up, starting where the server stopped.
    link.reconnect();
    link.chunks.clear();
    auto report = client.sync();
    REQUIRE(link.chunks.size() == 3);
    std::size_t sent = 0;
    for (std::size_t i = 0; i < link.chunks.size(); ++i) {
        CHECK(link.chunks[i].target ==
              "/api/v1/attachments/" + sha + "?offset=" + std::to_string((3 + i) * options.chunk_bytes));
        sent += link.chunks[i].bytes;
    }
    CHECK(sent == photo.size() - 3 * options.chunk_bytes);
    CHECK(report.uploaded_bytes == static_cast<std::int64_t>(sent));
    CHECK(report.attachments_waiting == 0);
    CHECK(replica.attachments_to_upload().empty());

    // The server holds exactly the photo's bytes.
    auto done = need(srv.get("/api/v1/attachments/" + sha, shop.dispatcher), 200).object();
    CHECK(done->getValue<bool>("complete"));
    auto content = need(srv.get("/api/v1/attachments/" + sha + "/content", shop.dispatcher), 200);
    CHECK(content.body.size() == photo.size());
    CHECK(fieldsync::sha256_hex(content.body) == sha);
    CHECK(content.body == photo);
    CHECK(content.headers["Content-Type"] == "image/jpeg");
    // A further sync sends nothing again.
    link.chunks.clear();
    CHECK(client.sync().uploaded_bytes == 0);
    CHECK(link.chunks.empty());
}
