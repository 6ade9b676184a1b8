// Pushed ops on a real SQLite file: exactly once by op id (also across a restart), per-field last writer wins,
// workflow actions validated by the server, rejected ops kept as conflict records.
#include "sync_fixture.hpp"

using namespace synctest;
using fieldsync::OpKind;
using fieldsync::OpStatus;

namespace {

std::int64_t conflicts(Shop& shop, const std::string& status = "open") {
    return shop.db->read(
        [&](Db& db) { return db.scalar("SELECT COUNT(*) FROM sync_conflicts WHERE status = ?", {status}); });
}

std::string job_field(Shop& shop, const std::string& job, const std::string& field) {
    auto row = shop.db->read([&](Db& db) { return load_synced_row(db, "jobs", job); });
    return row->isNull(field) ? std::string("<null>") : str(row, field);
}

}  // namespace

TEST_CASE("an op pushed twice is applied once and answered the same, even after a restart", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    auto op = shop.op(shop.tech_a, "jobs", job, OpKind::update, R"({"site_contact":"刘先生"})");
    auto first = shop.push(shop.tech_a, {op});
    REQUIRE(first.results.size() == 1);
    CHECK(first.results[0].status == OpStatus::applied);
    CHECK(first.results[0].version >= 2);
    CHECK(first.write_checkpoint == shop.log().back().seq);
    auto entries = shop.log().size();

    auto second = shop.push(shop.tech_a, {op});
    CHECK(second.results == first.results);
    CHECK(shop.log().size() == entries);
    shop.restart_sync();
    auto third = shop.push(shop.tech_a, {op});
    CHECK(third.results == first.results);
    CHECK(shop.log().size() == entries);
    CHECK(job_field(shop, job, "site_contact") == "刘先生");

    // The same op id from another technician's device is refused, not answered with A's result.
    shop.assign(shop.new_job(), shop.tech_b);
    auto stolen = shop.push(shop.tech_b, {op});
    CHECK(stolen.results[0].status == OpStatus::rejected);
}

TEST_CASE("fields merge by HLC: a later write wins, an older one arriving late is ignored", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    std::int64_t now = fieldsync::now_ms();
    auto newer = shop.op(shop.tech_a, "jobs", job, OpKind::update, R"({"notes":"新","site_phone":"111"})", now);
    auto older =
        shop.op(shop.tech_a, "jobs", job, OpKind::update, R"({"notes":"旧","access_notes":"门禁 1234"})", now - 10'000);
    auto r = shop.push(shop.tech_a, {newer, older});
    CHECK(r.results[0].status == OpStatus::applied);
    CHECK(r.results[1].status == OpStatus::applied);
    CHECK(job_field(shop, job, "notes") == "新");                // the older write lost this field
    CHECK(job_field(shop, job, "access_notes") == "门禁 1234");  // and won the field nobody else wrote
    CHECK(job_field(shop, job, "site_phone") == "111");

    // An office edit through the API is stamped by the server clock, so a device edit made before it loses.
    shop.db->write([&](Db& db) {
        db.execute("UPDATE jobs SET notes = '办公室' WHERE id = ?", {job});
        record_change(db, "jobs", job);
    });
    auto stale = shop.op(shop.tech_a, "jobs", job, OpKind::update, R"({"notes":"平板"})", now + 1);
    CHECK(shop.push(shop.tech_a, {stale}).results[0].status == OpStatus::applied);
    CHECK(job_field(shop, job, "notes") == "办公室");
}

TEST_CASE("writes the rules forbid are rejected whole and kept as conflicts", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    auto entries = shop.log().size();
    auto state = shop.op(shop.tech_a, "jobs", job, OpKind::update, R"({"state":"closed","notes":"x"})");
    auto future =
        shop.op(shop.tech_a, "jobs", job, OpKind::update, R"({"notes":"未来"})", fieldsync::now_ms() + 3'600'000);
    auto foreign = shop.op(shop.tech_b, "jobs", job, OpKind::update, R"({"notes":"不是我的"})");
    auto r = shop.push(shop.tech_a, {state, future});
    CHECK(r.results[0].status == OpStatus::rejected);
    CHECK(r.results[0].error->code == fieldsync::ErrorCode::forbidden);
    CHECK(r.results[0].error->field == "state");
    CHECK(r.results[1].status == OpStatus::rejected);
    CHECK(r.results[1].error->field == "hlc");
    auto b = shop.push(shop.tech_b, {foreign});
    CHECK(b.results[0].status == OpStatus::rejected);
    CHECK(b.results[0].error->code == fieldsync::ErrorCode::not_found);
    CHECK(job_field(shop, job, "notes") == "<null>");  // nothing of the rejected ops was kept
    CHECK(shop.log().size() == entries);
    CHECK(conflicts(shop) == 3);
}

TEST_CASE("action ops go through the workflow; an invalid move becomes a conflict record", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    auto complete = shop.op(shop.tech_a, "jobs", job, OpKind::action,
                            R"({"work_summary":"修好了","time_spent_minutes":30,"parts_used":[]})");
    complete.action = "complete_repair";
    auto r = shop.push(shop.tech_a, {complete});
    REQUIRE(r.results[0].status == OpStatus::rejected);
    CHECK(r.results[0].error->code == fieldsync::ErrorCode::invalid_transition);
    CHECK(job_field(shop, job, "state") == "assessing");
    REQUIRE(conflicts(shop) == 1);
    auto list = shop.sync->list_conflicts(shop.dispatcher, {{"status", "open"}});
    auto record = list->getArray("items")->getObject(0);
    CHECK(str(record, "op_id") == complete.op_id);
    CHECK(str(record, "error_code") == "invalid_transition");
    CHECK(record->getObject("op")->getValue<std::string>("action") == "complete_repair");
    // Replayed: the remembered rejection, no second record.
    CHECK(shop.push(shop.tech_a, {complete}).results == r.results);
    CHECK(conflicts(shop) == 1);

    auto id = str(record, "id");
    CHECK_THROWS_AS(shop.sync->resolve_conflict(shop.tech_a, id, json(R"({"resolution":"dismissed"})")),
                    fieldsync::Error);
    CHECK_THROWS_AS(shop.sync->resolve_conflict(shop.dispatcher, id, json(R"({"resolution":"ignored"})")),
                    fieldsync::Error);
    auto resolved = shop.sync->resolve_conflict(shop.dispatcher, id,
                                                json(R"({"resolution":"applied_manually","note":"电话确认"})"));
    CHECK(str(resolved, "status") == "applied_manually");
    CHECK_THROWS_AS(shop.sync->resolve_conflict(shop.dispatcher, id, json(R"({"resolution":"dismissed"})")),
                    fieldsync::Error);
    CHECK(conflicts(shop) == 0);

    // A valid move is applied with the job's new version.
    auto hold = shop.op(shop.tech_a, "jobs", job, OpKind::action, R"({"reason":"等配件"})");
    hold.action = "hold";
    auto applied = shop.push(shop.tech_a, {hold});
    CHECK(applied.results[0].status == OpStatus::applied);
    CHECK(job_field(shop, job, "state") == "on_hold");
    CHECK(applied.results[0].version == shop.db->read([&](Db& db) { return row_version(db, "jobs", job); }));
}

TEST_CASE("notes and attachment metadata are inserted from devices", "[server][sync]") {
    Shop shop;
    auto job = shop.new_job();
    shop.assign(job, shop.tech_a);
    std::string note_id = fieldsync::uuid_v7();
    auto note = shop.op(shop.tech_a, "job_notes", note_id, OpKind::insert,
                        R"({"job_id":")" + job + R"(","body":"已到场,客户在家","kind":"work_log"})");
    auto photo = shop.op(shop.tech_a, "attachments", fieldsync::uuid_v7(), OpKind::insert,
                         R"({"job_id":")" + job + R"(","kind":"photo","sha256":")" + std::string(64, 'a') +
                             R"(","content_type":"image/jpeg","size_bytes":2048})");
    auto forged = shop.op(shop.tech_a, "job_notes", fieldsync::uuid_v7(), OpKind::insert,
                          R"({"job_id":")" + job + R"(","body":"x","author_id":"someone"})");
    auto r = shop.push(shop.tech_a, {note, photo, forged});
    CHECK(r.results[0].status == OpStatus::applied);
    CHECK(r.results[1].status == OpStatus::applied);
    CHECK(r.results[2].status == OpStatus::rejected);
    CHECK(shop.last_op("tech:" + shop.tech_a.id, "job_notes", note_id) == "put");
    auto row = shop.db->read([&](Db& db) { return load_synced_row(db, "job_notes", note_id); });
    CHECK(str(row, "author_id") == shop.tech_a.id);
    CHECK(str(row, "body") == "已到场,客户在家");
}
