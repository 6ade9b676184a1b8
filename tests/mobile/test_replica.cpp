// The replica on its own: schema, local writes as ops, workflow checks before queueing, HLC across restarts.
#include <catch2/catch.hpp>

#include "fieldsync/digest.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/hlc.hpp"
#include "fixtures.hpp"

using namespace mobiletest;
using fieldmobile::Replica;
using fieldsync::ErrorCode;

namespace {

// A replica holding the seeded server rows (one pull page applied by hand).
void load(Replica& replica, FakeServer& server) {
    fieldsync::PullResponse page;
    page.changes = server.log;
    page.cursor = server.seq;
    page.checkpoint = fieldsync::Checkpoint{server.seq, server.checksums()};
    auto result = replica.apply_pull_page(page);
    REQUIRE(result.checkpoint_applied);
}

Object::Ptr obj(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> fields) {
    Object::Ptr o = new Object;
    for (const auto& [k, v] : fields) o->set(k, v);
    return o;
}

ErrorCode code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const fieldsync::Error& e) {
        return e.code();
    }
    FAIL("no error thrown");
    return ErrorCode::internal;
}

}  // namespace

TEST_CASE("A new replica is empty and reopens with the same node id", "[Mobile][Replica]") {
    TempDir dir;
    std::string node;
    {
        Replica replica(dir.file("r.db"));
        CHECK(replica.rows("jobs").empty());
        CHECK(replica.outbox().empty());
        CHECK(replica.cursor() == 0);
        node = replica.node_id();
        CHECK(fieldsync::is_node_id(node));
    }
    Replica again(dir.file("r.db"));
    CHECK(again.node_id() == node);
}

TEST_CASE("A local write shows at once and queues one op", "[Mobile][Replica]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    load(replica, server);

    std::string op_id = replica.update("jobs", kJob, obj({{"site_contact", "王先生"}}));
    CHECK(replica.row("jobs", kJob)->getValue<std::string>("site_contact") == "王先生");
    auto outbox = replica.outbox();
    REQUIRE(outbox.size() == 1);
    CHECK(outbox[0].op.op_id == op_id);
    CHECK(outbox[0].op.kind == fieldsync::OpKind::update);
    CHECK(outbox[0].op.base_version == 1);
    CHECK_FALSE(outbox[0].acked_checkpoint);
    CHECK(replica.pending_ops("jobs", kJob) == 1);

    std::string note = replica.insert("job_notes", obj({{"job_id", kJob}, {"kind", "note"}, {"body", "客户不在家"}}));
    auto notes = replica.rows_of_job("job_notes", kJob);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->getValue<std::string>("id") == note);
    CHECK(notes[0]->getValue<std::string>("body") == "客户不在家");
    CHECK(replica.outbox().size() == 2);
}

TEST_CASE("Workflow moves are checked before they are queued and move the state optimistically", "[Mobile][Replica]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    load(replica, server);

    SECTION("an allowed move") {
        replica.act(kJob, "start_repair", nullptr);
        CHECK(replica.find_job("FR-20261121-0001")->getValue<std::string>("state") == "in_repair");
        replica.act(kJob, "hold", obj({{"reason", "等配件"}}));
        auto held = replica.row("jobs", kJob);
        CHECK(held->getValue<std::string>("state") == "on_hold");
        CHECK(held->getValue<std::string>("previous_state") == "in_repair");
        replica.act(kJob, "resume", nullptr);
        CHECK(replica.row("jobs", kJob)->getValue<std::string>("state") == "in_repair");
        CHECK(replica.outbox().size() == 3);
    }
    SECTION("refused moves change nothing") {
        CHECK(code_of([&] {
                  replica.act(kJob, "complete_repair", obj({{"work_summary", "x"}}));
              }) == ErrorCode::invalid_transition);
        CHECK(code_of([&] { replica.act(kJob, "fly_away", nullptr); }) == ErrorCode::unknown_action);
        CHECK(code_of([&] { replica.act(kJob, "assign", obj({{"technician_id", "u2"}})); }) == ErrorCode::forbidden);
        CHECK(code_of([&] { replica.act(kJob, "hold", nullptr); }) == ErrorCode::missing_field);
        CHECK(code_of([&] { replica.act(kJob, "hold", obj({{"reason", 5}})); }) == ErrorCode::invalid_field);
        CHECK(code_of([&] {
                  replica.act("0190a000-0000-7000-8000-00000000dead", "hold", obj({{"reason", "x"}}));
              }) == ErrorCode::not_found);
        CHECK(replica.outbox().empty());
        CHECK(replica.row("jobs", kJob)->getValue<std::string>("state") == "scheduled");
    }
    SECTION("server-owned fields and tables cannot be written") {
        CHECK(code_of([&] { replica.update("jobs", kJob, obj({{"state", "closed"}})); }) == ErrorCode::forbidden);
        CHECK(code_of([&] { replica.update("jobs", kJob, obj({{"colour", "red"}})); }) == ErrorCode::invalid_field);
        CHECK(code_of([&] { replica.insert("parts", obj({{"sku", "X"}})); }) == ErrorCode::forbidden);
        CHECK(code_of([&] { replica.insert("jobs", obj({{"notes", "x"}})); }) == ErrorCode::forbidden);
        CHECK(replica.outbox().empty());
        CHECK(replica.row("jobs", kJob)->getValue<std::string>("state") == "scheduled");
    }
}

// The plan check is fieldsync's (the server's check_plan calls the same function): refused offline, same code and
// field.
TEST_CASE("A plan whose cost to the customer exceeds its total is refused before it is queued", "[Mobile][Replica]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    load(replica, server);
    auto assessment = [](double cost) {
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        items->add(obj({{"kind", "part"}, {"description", "温控器"}, {"quantity", 2}, {"unit_price", 40}}));
        return obj({{"findings", "温控器坏"},
                    {"warranty_covered", false},
                    {"customer_caused", false},
                    {"plan", obj({{"mode", "on_site"}, {"items", items}, {"cost_to_customer", cost}})}});
    };
    try {
        replica.act(kJob2, "submit_assessment", assessment(80.01));
        FAIL("the plan was queued");
    } catch (const fieldsync::Error& e) {
        CHECK(e.code() == ErrorCode::invalid_field);
        CHECK(e.field() == "plan.cost_to_customer");
    }
    CHECK(replica.outbox().empty());
    CHECK(replica.row("jobs", kJob2)->getValue<std::string>("state") == "assessing");
    replica.act(kJob2, "submit_assessment", assessment(80));
    CHECK(replica.outbox().size() == 1);
    CHECK(replica.row("jobs", kJob2)->getValue<std::string>("state") == "plan_proposed");
}

TEST_CASE("The HLC survives a restart: later ops always carry later timestamps", "[Mobile][Replica]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    fieldsync::HlcTimestamp first;
    {
        Replica replica(dir.file("r.db"));
        load(replica, server);
        for (int i = 0; i < 50; ++i) replica.update("jobs", kJob, obj({{"notes", std::to_string(i)}}));
        first = replica.outbox().back().op.timestamp;
    }
    Replica reopened(dir.file("r.db"));
    reopened.update("jobs", kJob, obj({{"notes", "after restart"}}));
    auto outbox = reopened.outbox();
    REQUIRE(outbox.size() == 51);
    CHECK(outbox.back().op.timestamp > first);
    for (std::size_t i = 1; i < outbox.size(); ++i) CHECK(outbox[i].op.timestamp > outbox[i - 1].op.timestamp);
    CHECK(reopened.row("jobs", kJob)->getValue<std::string>("notes") == "after restart");
}

TEST_CASE("Attachments are stored once by SHA-256 and described by an insert op", "[Mobile][Replica]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    Replica replica(dir.file("r.db"));
    load(replica, server);
    std::string bytes = "\x89PNG\r\n\x1a\nfake photo bytes";
    std::string id = replica.add_attachment(kJob, "photo", bytes, "image/png", "泵.png", "卡住的硬币");
    replica.add_attachment(kJob, "photo", bytes, "image/png", "again.png", "");
    auto rows = replica.rows_of_job("attachments", kJob);
    REQUIRE(rows.size() == 2);
    auto files = replica.attachments_to_upload();
    REQUIRE(files.size() == 1);
    CHECK(files[0].sha256 == fieldsync::sha256_hex(bytes));
    CHECK(files[0].size_bytes == static_cast<std::int64_t>(bytes.size()));
    CHECK(Poco::File(files[0].path).getSize() == bytes.size());
    CHECK(replica.row("attachments", id)->getValue<std::string>("sha256") == files[0].sha256);
    CHECK(fieldsync::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
