// Local = server state + pending ops: pulled rows are rebuilt with the still-pending ops on top; settled ops stay
// replayed until a checkpoint includes them; rejected ops leave the row and land in conflicts.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace mobiletest;
using fieldmobile::Replica;

namespace {

fieldsync::PullResponse last_page(const FakeServer& server, std::int64_t after, std::int64_t write_checkpoint) {
    fieldsync::PullResponse page;
    for (const auto& c : server.log)
        if (c.seq > after) page.changes.push_back(c);
    page.cursor = server.seq;
    page.checkpoint = fieldsync::Checkpoint{server.seq, server.checksums()};
    page.write_checkpoint = write_checkpoint;
    return page;
}

std::string field(const Object::Ptr& row, const std::string& name) {
    return row && row->has(name) && !row->isNull(name) ? row->get(name).convert<std::string>() : "";
}

Object::Ptr with(Object::Ptr row, const std::string& k, const std::string& v) {
    row->set(k, v);
    return row;
}

}  // namespace

TEST_CASE("A pulled row is rebuilt as the server's row with pending ops replayed", "[Mobile][Rebuild]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    replica.apply_pull_page(last_page(server, 0, 0));

    Object::Ptr edit = new Object;
    edit->set("site_contact", "王先生");
    replica.update("jobs", kJob, edit);
    replica.act(kJob, "start_repair", nullptr);

    // The dispatcher changes another field meanwhile; the device pulls it.
    std::int64_t before = server.seq;
    server.put("jobs", kJob, with(job_row("FR-20261121-0001", "scheduled"), "site_phone", "021-555"));
    auto result = replica.apply_pull_page(last_page(server, before, 0));
    CHECK(result.checkpoint_applied);
    auto row = replica.row("jobs", kJob);
    CHECK(field(row, "site_phone") == "021-555");   // the server's
    CHECK(field(row, "site_contact") == "王先生");  // pending edit on top
    CHECK(field(row, "state") == "in_repair");      // pending action on top
    CHECK(replica.outbox().size() == 2);

    // Push settled: the server applied both (its new version 3), write checkpoint 10.
    auto ops = replica.unacknowledged(10);
    fieldsync::PushResponse pushed{{{ops[0].op_id, fieldsync::OpStatus::applied, 3, std::nullopt},
                                    {ops[1].op_id, fieldsync::OpStatus::applied, 4, std::nullopt}},
                                   10};
    auto settled = replica.settle(pushed);
    CHECK(settled.applied == 2);
    CHECK(replica.acknowledged_write_checkpoint() == 10);
    CHECK(replica.unacknowledged(10).empty());
    // Not yet seen from the server: the row still shows the device's work (no flicker back to "scheduled").
    CHECK(field(replica.row("jobs", kJob), "state") == "in_repair");

    SECTION("a checkpoint below the device's write checkpoint is not applied") {
        auto deferred = replica.apply_pull_page(last_page(server, server.seq, 9));
        CHECK(deferred.checkpoint_deferred);
        CHECK_FALSE(deferred.checkpoint_applied);
        CHECK(replica.outbox().size() == 2);
        CHECK(field(replica.row("jobs", kJob), "state") == "in_repair");
    }
    SECTION("a checkpoint that includes the ops drops them; the row is the server's") {
        before = server.seq;
        auto applied_row =
            with(with(job_row("FR-20261121-0001", "in_repair"), "site_phone", "021-555"), "site_contact", "王先生");
        server.put("jobs", kJob, applied_row);
        auto done = replica.apply_pull_page(last_page(server, before, 10));
        CHECK(done.checkpoint_applied);
        CHECK(replica.outbox().empty());
        auto now = replica.row("jobs", kJob);
        CHECK(field(now, "state") == "in_repair");
        CHECK(field(now, "site_contact") == "王先生");
        CHECK(replica.pending_ops("jobs", kJob) == 0);
    }
}

TEST_CASE("A rejected op moves to conflicts and the row shows the server's truth", "[Mobile][Rebuild]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    replica.apply_pull_page(last_page(server, 0, 0));
    std::string op_id = replica.act(kJob, "start_repair", nullptr);
    CHECK(field(replica.row("jobs", kJob), "state") == "in_repair");

    fieldsync::PushResponse rejected{{{op_id, fieldsync::OpStatus::rejected, 0,
                                       fieldsync::WireError{fieldsync::ErrorCode::invalid_transition,
                                                            "cannot start_repair a job that is cancelled", ""}}},
                                     0};
    CHECK(replica.settle(rejected).rejected == 1);
    CHECK(replica.settle(rejected).rejected == 0);  // a repeated response changes nothing
    CHECK(replica.outbox().empty());
    CHECK(field(replica.row("jobs", kJob), "state") == "scheduled");
    auto conflicts = replica.conflicts();
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].op.op_id == op_id);
    CHECK(conflicts[0].error.code == fieldsync::ErrorCode::invalid_transition);
    CHECK(conflicts[0].error.message == "cannot start_repair a job that is cancelled");
}

TEST_CASE("A pulled row with no pending op is shown as the server sent it, like a rebuilt one", "[Mobile][Rebuild]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    replica.apply_pull_page(last_page(server, 0, 0));
    Object::Ptr edit = new Object;
    edit->set("site_contact", "王先生");
    replica.update("jobs", kJob2, edit);

    // The same server change to a job without pending ops (written directly) and one with them (rebuilt).
    std::int64_t before = server.seq;
    server.put("jobs", kJob, job_row("FR-20261121-0101", "in_repair"));
    server.put("jobs", kJob2, job_row("FR-20261121-0102", "in_repair", ""));
    replica.apply_pull_page(last_page(server, before, 0));
    auto settled = replica.row("jobs", kJob);
    CHECK(fieldsync::to_json_text(settled) == fieldsync::to_json_text(server.rows.at({"jobs", kJob}).row));
    CHECK(field(replica.row("jobs", kJob2), "site_contact") == "王先生");
    CHECK(replica.pending_ops("jobs", kJob) == 0);
    // Its index columns follow too: found by the new ticket, listed for its technician with its new state.
    REQUIRE(replica.find_job("FR-20261121-0101"));
    CHECK_FALSE(replica.find_job("FR-20261121-0001"));
    for (const auto& job : replica.jobs(kUser)) CHECK(field(job, "state") == "in_repair");
    CHECK(replica.jobs(kUser).size() == 2);
    // A later local edit rebuilds the row from the stored server copy: the pulled fields are there.
    Object::Ptr other = new Object;
    other->set("site_contact", "李女士");
    replica.update("jobs", kJob, other);
    CHECK(field(replica.row("jobs", kJob), "ticket_no") == "FR-20261121-0101");
    CHECK(field(replica.row("jobs", kJob), "site_contact") == "李女士");
}

TEST_CASE("A removal deletes the row: access is revoked, not hidden", "[Mobile][Rebuild]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    replica.apply_pull_page(last_page(server, 0, 0));
    REQUIRE(replica.row("jobs", kJob2));
    std::int64_t before = server.seq;
    server.remove("jobs", kJob2);
    auto result = replica.apply_pull_page(last_page(server, before, 0));
    CHECK(result.checkpoint_applied);
    CHECK_FALSE(replica.row("jobs", kJob2));
    CHECK_FALSE(replica.find_job("FR-20261121-0002"));
    CHECK(replica.jobs().size() == 1);
}

TEST_CASE("A checkpoint whose checksum disagrees is not applied", "[Mobile][Rebuild]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    auto page = last_page(server, 0, 0);
    page.changes.erase(page.changes.begin());  // a change lost on the way
    auto result = replica.apply_pull_page(page);
    CHECK_FALSE(result.checkpoint_applied);
    REQUIRE(result.mismatched_buckets == std::vector<std::string>{kBucket});
    CHECK(replica.state("checksum:" + kBucket) == std::nullopt);
}
