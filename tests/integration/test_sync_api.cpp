// Offline sync over HTTPS with raw JSON, as a tablet speaks it: device tokens, pull pages and checkpoints,
// push results and replays, removes when a job leaves a technician, and bad pushes refused whole.

#include <map>
#include <tuple>

#include "fieldsync/checksum.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

struct Device {
    std::string id, token;
};

Device register_device(const TestServer& srv, const std::string& token, const std::string& name = "平板 A") {
    auto r = need(srv.post("/api/v1/sync/devices", body({{"name", name}, {"platform", "android"}}), token), 201);
    return {r.str("device_id"), r.str("device_token")};
}

std::string hlc_now(const Device& d, std::int64_t offset_ms = 0) {
    return fieldsync::format_hlc({fieldsync::now_ms() + offset_ms, 0, d.id});
}

// One op as JSON text.
std::string op_json(const std::string& table, const std::string& row_id, const std::string& kind,
                    const std::string& fields, const std::string& hlc, const std::string& action = {},
                    const std::string& op_id = fieldsync::uuid_v7()) {
    std::string out = R"({"op_id":")" + op_id + R"(","table":")" + table + R"(","row_id":")" + row_id +
                      R"(","kind":")" + kind + R"(","hlc":")" + hlc + R"(","base_version":0)";
    if (!action.empty()) out += R"(,"action":")" + action + "\"";
    if (!fields.empty()) out += R"(,"fields":)" + fields;
    return out + "}";
}

Reply push(const TestServer& srv, const Device& d, const std::vector<std::string>& ops, int protocol = 1) {
    std::string text = R"({"protocol":)" + std::to_string(protocol) + R"(,"device_id":")" + d.id + R"(","ops":[)";
    for (std::size_t i = 0; i < ops.size(); ++i) text += (i ? "," : "") + ops[i];
    return srv.request("POST", "/api/v1/sync/push", text + "]}", d.token);
}

using Replica = std::map<std::tuple<std::string, std::string, std::string>, std::pair<std::int64_t, Obj>>;

// Pulls every page after cursor into replica; returns the last page.
Obj pull_all(const TestServer& srv, const Device& d, std::int64_t& cursor, Replica& replica, int limit = 2) {
    for (int pages = 0; pages < 1000; ++pages) {
        auto page =
            need(srv.get("/api/v1/sync/pull?cursor=" + std::to_string(cursor) + "&limit=" + std::to_string(limit),
                         d.token),
                 200)
                .object();
        CHECK(int_of(page, "protocol") == 1);
        for (const auto& v : *page->getArray("changes")) {
            auto c = v.extract<Obj>();
            auto key = std::make_tuple(text_of(c, "bucket"), text_of(c, "table"), text_of(c, "row_id"));
            if (text_of(c, "op") == "put")
                replica[key] = {int_of(c, "version"), c->getObject("row")};
            else
                replica.erase(key);
        }
        cursor = int_of(page, "cursor");
        if (!page->getValue<bool>("has_more")) return page;
        CHECK(!page->has("checkpoint"));
    }
    FAIL("pull never ended");
    return nullptr;
}

std::string checksum_of(const Replica& replica, const std::string& bucket) {
    fieldsync::BucketChecksum sum;
    for (const auto& [key, row] : replica)
        if (std::get<0>(key) == bucket) sum.add(std::get<1>(key), std::get<2>(key), row.first);
    return fieldsync::format_checksum(sum.value());
}

bool holds(const Replica& replica, const std::string& bucket, const std::string& table, const std::string& id) {
    return replica.count({bucket, table, id}) > 0;
}

}  // namespace

TEST_CASE("devices register, authenticate sync and are revoked", "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto d = register_device(srv, shop.tech_a);
    CHECK(d.id.size() == 36);
    CHECK(d.token.size() > 30);
    check_error(srv.post("/api/v1/sync/devices", body({{"name", "x"}, {"platform", "android"}}), shop.dispatcher), 403,
                "forbidden");
    check_error(srv.post("/api/v1/sync/devices", body({{"name", "x"}, {"platform", "nokia"}}), shop.tech_a), 422,
                "invalid_field", "platform");
    check_error(srv.post("/api/v1/sync/devices", body({{"platform", "ios"}}), shop.tech_a), 422, "missing_field",
                "name");
    // The device token is also a bearer for the technician's normal API calls.
    need(srv.get("/api/v1/jobs", d.token), 200);
    need(srv.get("/api/v1/sync/pull", d.token), 200);
    // A login token is not a device.
    check_error(srv.get("/api/v1/sync/pull", shop.tech_a), 403, "forbidden");

    auto mine = list(srv, "/api/v1/sync/devices", shop.tech_a);
    CHECK(ids_of(mine->getArray("items")) == std::set<std::string>{d.id});
    CHECK(!to_text(mine).empty());
    CHECK(to_text(mine).find("token") == std::string::npos);
    CHECK(total(srv, "/api/v1/sync/devices", shop.tech_b) == 0);
    CHECK(total(srv, "/api/v1/sync/devices", shop.dispatcher) == 1);

    check_error(srv.request("DELETE", "/api/v1/sync/devices/" + d.id, {}, shop.tech_b), 404, "not_found");
    need(srv.request("DELETE", "/api/v1/sync/devices/" + d.id, {}, shop.tech_a), 204);
    check_error(srv.get("/api/v1/sync/pull", d.token), 401, "unauthenticated");
    check_error(srv.get("/api/v1/jobs", d.token), 401, "unauthenticated");
    // Staff revoke any device.
    auto d2 = register_device(srv, shop.tech_a, "平板 B");
    need(srv.request("DELETE", "/api/v1/sync/devices/" + d2.id, {}, shop.dispatcher), 204);
    check_error(push(srv, d2, {}), 401, "unauthenticated");
}

TEST_CASE("pull pages end at a checkpoint whose checksums match the rows received", "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    need(srv.post("/api/v1/parts", body({{"sku", "TC-520"}, {"name", "冰箱温控器"}, {"unit_price", 260}}),
                  shop.dispatcher),
         201);
    need(srv.post("/api/v1/fault-categories", body({{"code", "fridge"}, {"name", "冰箱"}}), shop.dispatcher), 201);
    check_error(srv.post("/api/v1/parts", body({{"sku", "X"}, {"name", "x"}, {"unit_price", 1}}), shop.tech_a), 403,
                "forbidden");
    check_error(
        srv.post("/api/v1/parts", body({{"sku", "TC-520"}, {"name", "重复"}, {"unit_price", 1}}), shop.dispatcher), 409,
        "conflict", "sku");
    CHECK(total(srv, "/api/v1/parts", shop.tech_a) == 1);
    CHECK(total(srv, "/api/v1/fault-categories?q=" + url_encode("冰"), shop.tech_a) == 1);

    auto job1 = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job1, "plan_proposed");
    auto job2 = shop.report(shop.customer_b, shop.asset_b);
    shop.drive(job2, "assessing", "on_site", shop.tech_b, shop.tech_b_id);
    auto d = register_device(srv, shop.tech_a);
    std::string bucket = "tech:" + shop.tech_a_id;

    Replica replica;
    std::int64_t cursor = 0;
    auto last = pull_all(srv, d, cursor, replica);
    REQUIRE(last->has("checkpoint"));
    auto checkpoint = last->getObject("checkpoint");
    CHECK(int_of(checkpoint, "seq") == cursor);
    auto sums = checkpoint->getObject("buckets");
    CHECK(sums->size() == 2);
    CHECK(text_of(sums, bucket) == checksum_of(replica, bucket));
    CHECK(text_of(sums, "catalog") == checksum_of(replica, "catalog"));
    CHECK(holds(replica, bucket, "jobs", job1));
    CHECK(holds(replica, bucket, "customers", shop.customer_a));
    CHECK(holds(replica, bucket, "assets", shop.asset_a));
    CHECK(!holds(replica, "tech:" + shop.tech_b_id, "jobs", job2));  // another technician's bucket never comes
    CHECK(!holds(replica, bucket, "customers", shop.customer_b));
    int plans = 0, parts = 0;
    for (const auto& [key, row] : replica) {
        plans += std::get<1>(key) == "plans";
        parts += std::get<1>(key) == "parts";
    }
    CHECK(plans == 1);
    CHECK(parts == 1);
    auto job_row = replica[{bucket, "jobs", job1}].second;
    CHECK(text_of(job_row, "state") == "plan_proposed");
    CHECK(text_of(job_row, "id") == job1);

    check_error(srv.get("/api/v1/sync/pull?cursor=abc", d.token), 422, "invalid_field", "cursor");
    check_error(srv.get("/api/v1/sync/pull?limit=0", d.token), 422, "invalid_field", "limit");
    check_error(srv.get("/api/v1/sync/pull?colour=red", d.token), 422, "invalid_field", "colour");
}

TEST_CASE("a reassigned job is removed from the first technician's device", "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto da = register_device(srv, shop.tech_a), db = register_device(srv, shop.tech_b, "平板 B");
    Replica ra, rb;
    std::int64_t ca = 0, cb = 0;
    pull_all(srv, da, ca, ra);
    pull_all(srv, db, cb, rb);
    std::string a = "tech:" + shop.tech_a_id, b = "tech:" + shop.tech_b_id;
    REQUIRE(holds(ra, a, "jobs", job));

    shop.must(job, "reassign", body({{"technician_id", shop.tech_b_id}}), shop.dispatcher);
    auto last_a = pull_all(srv, da, ca, ra);
    auto last_b = pull_all(srv, db, cb, rb);
    CHECK(!holds(ra, a, "jobs", job));
    CHECK(!holds(ra, a, "customers", shop.customer_a));
    CHECK(!holds(ra, a, "assets", shop.asset_a));
    CHECK(holds(rb, b, "jobs", job));
    CHECK(holds(rb, b, "customers", shop.customer_a));
    CHECK(text_of(last_a->getObject("checkpoint")->getObject("buckets"), a) == checksum_of(ra, a));
    CHECK(text_of(last_b->getObject("checkpoint")->getObject("buckets"), b) == checksum_of(rb, b));
    // The first technician's API access is gone too.
    check_error(srv.get("/api/v1/jobs/" + job, shop.tech_a), 404, "not_found");
}

TEST_CASE("a job's visits reach its technician's device, rescheduled ones as replaced", "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "scheduled");
    auto da = register_device(srv, shop.tech_a), db = register_device(srv, shop.tech_b, "平板 B");
    Replica ra, rb;
    std::int64_t ca = 0, cb = 0;
    pull_all(srv, da, ca, ra);
    std::string a = "tech:" + shop.tech_a_id, b = "tech:" + shop.tech_b_id;
    auto visits_in = [&](const Replica& replica, const std::string& bucket) {
        std::map<std::string, Obj> out;
        for (const auto& [key, row] : replica)
            if (std::get<0>(key) == bucket && std::get<1>(key) == "visits") out[std::get<2>(key)] = row.second;
        return out;
    };
    auto first = visits_in(ra, a);
    REQUIRE(first.size() == 1);
    auto visit = first.begin()->second;
    CHECK(text_of(visit, "job_id") == job);
    CHECK(text_of(visit, "technician_id") == shop.tech_a_id);
    CHECK(text_of(visit, "status") == "booked");
    CHECK(text_of(visit, "starts_at") == "2031-03-04T01:00:00.000Z");

    // Moved to the afternoon: the morning visit stays on the tablet as replaced, the new one is booked.
    shop.must(job, "reschedule",
              body({{"technician_id", shop.tech_a_id},
                    {"window_start", "2031-03-04T14:00:00+08:00"},
                    {"window_end", "2031-03-04T16:00:00+08:00"},
                    {"reason", "客户下午在家"}}),
              shop.dispatcher);
    auto last = pull_all(srv, da, ca, ra);
    auto second = visits_in(ra, a);
    REQUIRE(second.size() == 2);
    CHECK(text_of(second[first.begin()->first], "status") == "replaced");
    std::size_t booked = 0;
    for (const auto& [id, row] : second)
        if (text_of(row, "status") == "booked") {
            ++booked;
            CHECK(text_of(row, "starts_at") == "2031-03-04T06:00:00.000Z");
        }
    CHECK(booked == 1);
    CHECK(text_of(last->getObject("checkpoint")->getObject("buckets"), a) == checksum_of(ra, a));

    // Given to another technician: the visits leave the first tablet with the job and reach the second.
    shop.must(job, "reschedule",
              body({{"technician_id", shop.tech_b_id},
                    {"window_start", "2031-03-05T09:00:00+08:00"},
                    {"window_end", "2031-03-05T11:00:00+08:00"},
                    {"reason", "李师傅请假"}}),
              shop.dispatcher);
    pull_all(srv, da, ca, ra);
    pull_all(srv, db, cb, rb);
    CHECK(visits_in(ra, a).empty());
    CHECK(visits_in(rb, b).size() == 3);
    // A device cannot write a visit: the dispatcher books them.
    auto refused = need(push(srv, da,
                             {op_json("visits", fieldsync::uuid_v7(), "insert",
                                      R"({"job_id":")" + job + R"(","kind":"repair"})", hlc_now(da))}),
                        200)
                       .object();
    CHECK(text_of(refused->getArray("results")->getObject(0), "status") == "rejected");
}

TEST_CASE("pushed ops are applied, rejected or replayed, and rejections reach the dispatcher", "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto d = register_device(srv, shop.tech_a);
    std::string note_id = fieldsync::uuid_v7();
    std::vector<std::string> ops = {
        op_json("jobs", job, "update", R"({"site_contact":"刘先生","access_notes":"门禁 1234"})", hlc_now(d)),
        op_json("job_notes", note_id, "insert", R"({"job_id":")" + job + R"(","body":"已到场"})", hlc_now(d)),
        op_json("jobs", job, "action", R"({"work_summary":"修好","time_spent_minutes":30,"parts_used":[]})", hlc_now(d),
                "complete_repair"),
        op_json("jobs", job, "action", R"({"reason":"等配件"})", hlc_now(d), "hold"),
    };
    auto first = need(push(srv, d, ops), 200).object();
    CHECK(int_of(first, "protocol") == 1);
    auto results = first->getArray("results");
    REQUIRE(results->size() == 4);
    auto result = [&](unsigned i) { return results->getObject(i); };
    CHECK(text_of(result(0), "status") == "applied");
    CHECK(int_of(result(0), "version") >= 2);
    CHECK(text_of(result(1), "status") == "applied");
    CHECK(text_of(result(2), "status") == "rejected");
    CHECK(text_of(result(2)->getObject("error"), "code") == "invalid_transition");
    CHECK(text_of(result(3), "status") == "applied");
    CHECK(int_of(first, "write_checkpoint") > 0);

    auto job_now = shop.job(job);
    CHECK(text_of(job_now, "state") == "on_hold");
    auto notes = need(srv.get("/api/v1/jobs/" + job + "/notes", shop.dispatcher), 200).object()->getArray("items");
    REQUIRE(notes->size() == 1);
    CHECK(text_of(notes->getObject(0), "body") == "已到场");

    // Replayed: the same answers, nothing applied twice.
    auto again = need(push(srv, d, ops), 200).object();
    CHECK(to_text(again->getArray("results")) == to_text(results));
    CHECK(need(srv.get("/api/v1/jobs/" + job + "/notes", shop.dispatcher), 200).object()->getArray("items")->size() ==
          1);
    // And after a restart.
    srv.restart();
    auto after_restart = need(push(srv, d, ops), 200).object();
    CHECK(to_text(after_restart->getArray("results")) == to_text(results));

    // The rejected action waits for a dispatcher.
    auto open = list(srv, "/api/v1/sync/conflicts?status=open", shop.dispatcher)->getArray("items");
    REQUIRE(open->size() == 1);
    auto conflict = open->getObject(0);
    CHECK(text_of(conflict, "error_code") == "invalid_transition");
    CHECK(text_of(conflict, "device_id") == d.id);
    // Readable for the board: the job and its ticket, the device's and the technician's names.
    CHECK(text_of(conflict, "job_id") == job);
    CHECK(text_of(conflict, "ticket_no") == text_of(shop.job(job), "ticket_no"));
    CHECK(text_of(conflict, "device_name") == "平板 A");
    CHECK(text_of(conflict, "user_name") == "User tech.a");
    check_error(srv.get("/api/v1/sync/conflicts", shop.tech_a), 403, "forbidden");
    std::string resolve = "/api/v1/sync/conflicts/" + text_of(conflict, "id") + "/resolve";
    check_error(srv.post(resolve, body({{"resolution", "maybe"}}), shop.dispatcher), 422, "invalid_field",
                "resolution");
    auto resolved =
        need(srv.post(resolve, body({{"resolution", "dismissed"}, {"note", "已电话确认"}}), shop.dispatcher), 200)
            .object();
    CHECK(text_of(resolved, "status") == "dismissed");
    CHECK(text_of(resolved, "resolved_by_name") == "User disp");
    CHECK(text_of(resolved, "ticket_no") == text_of(conflict, "ticket_no"));
    check_error(srv.post(resolve, body({{"resolution", "dismissed"}}), shop.dispatcher), 409, "conflict", "resolution");
    CHECK(total(srv, "/api/v1/sync/conflicts?status=open", shop.dispatcher) == 0);

    // The device sees its own writes once it pulls up to its write checkpoint.
    Replica replica;
    std::int64_t cursor = 0;
    auto last = pull_all(srv, d, cursor, replica, 50);
    CHECK(int_of(last, "write_checkpoint") == int_of(first, "write_checkpoint"));
    CHECK(int_of(last->getObject("checkpoint"), "seq") >= int_of(last, "write_checkpoint"));
    auto row = replica[{"tech:" + shop.tech_a_id, "jobs", job}].second;
    REQUIRE(row);
    CHECK(text_of(row, "site_contact") == "刘先生");
    CHECK(text_of(row, "state") == "on_hold");
}

TEST_CASE("malformed pushes are refused whole and change nothing", "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto d = register_device(srv, shop.tech_a);
    auto good = op_json("jobs", job, "update", R"({"notes":"好"})", hlc_now(d));
    auto unchanged = [&] {
        CHECK(total(srv, "/api/v1/sync/conflicts", shop.dispatcher) == 0);
        auto pulled = need(srv.get("/api/v1/sync/pull", d.token), 200).object();
        CHECK(int_of(pulled, "write_checkpoint") == 0);
    };

    check_error(srv.request("POST", "/api/v1/sync/push", "{not json", d.token), 400, "malformed_json");
    check_error(srv.request("POST", "/api/v1/sync/push", R"({"device_id":")" + d.id + R"(","ops":[]})", d.token), 422,
                "missing_field", "protocol");
    check_error(push(srv, d, {good}, 2), 422, "invalid_field", "protocol");
    check_error(push(srv, d, {good, op_json("jobs", job, "update", R"({"notes":"x"})", "yesterday")}), 422,
                "invalid_field", "ops[1].hlc");
    check_error(push(srv, d, {good, op_json("jobs", "NOT-A-UUID", "update", R"({"notes":"x"})", hlc_now(d))}), 422,
                "invalid_field", "ops[1].row_id");
    CHECK(push(srv, d, {good, R"({"op_id":"x"})"}).status == 422);
    std::vector<std::string> many(501, good);
    for (auto& op : many) op = op_json("jobs", job, "update", R"({"notes":"多"})", hlc_now(d));
    check_error(push(srv, d, many), 413, "payload_too_large", "ops");
    Device other{fieldsync::uuid_v7(), d.token};
    check_error(push(srv, other, {good}), 403, "forbidden", "device_id");
    unchanged();
    CHECK(text_of(shop.job(job), "notes").empty());
    // The same push, well-formed, goes through.
    auto ok = need(push(srv, d, {good}), 200).object();
    CHECK(text_of(ok->getArray("results")->getObject(0), "status") == "applied");

    // Compaction is the admin's; after it an old cursor must reset.
    check_error(srv.post("/api/v1/sync/compact", body(), shop.dispatcher), 403, "forbidden");
    shop.must(job, "reassign", body({{"technician_id", shop.tech_b_id}}), shop.dispatcher);
    auto compacted = need(srv.post("/api/v1/sync/compact", body(), shop.admin), 200).object();
    CHECK(int_of(compacted, "compacted_up_to") == int_of(compacted, "last_seq"));
    auto reset = need(srv.get("/api/v1/sync/pull?cursor=1", d.token), 200).object();
    CHECK(reset->getValue<bool>("reset_required"));
    CHECK(reset->getArray("changes")->size() == 0);
}

TEST_CASE("a re-download of a compacted log pages through it; another compaction during it forces a reset",
          "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    for (int i = 0; i < 3; ++i) {
        auto job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job, "plan_proposed");
    }
    auto compacted = need(srv.post("/api/v1/sync/compact", body(), shop.admin), 200).object();
    std::int64_t compacted_up_to = int_of(compacted, "compacted_up_to");
    auto d = register_device(srv, shop.tech_a);

    // Two changes a page: the cursors in between lie below the compaction point and are still good.
    auto first = need(srv.get("/api/v1/sync/pull?cursor=0&limit=2", d.token), 200).object();
    REQUIRE(first->getValue<bool>("has_more"));
    std::int64_t cursor = int_of(first, "cursor");
    REQUIRE(cursor < compacted_up_to);
    auto second = need(srv.get("/api/v1/sync/pull?cursor=" + std::to_string(cursor) + "&limit=2", d.token), 200);
    CHECK_FALSE(second.object()->getValue<bool>("reset_required"));
    CHECK(second.object()->getArray("changes")->size() > 0);
    Replica replica;
    std::int64_t from_zero = 0;
    auto last = pull_all(srv, d, from_zero, replica);
    CHECK(last->has("checkpoint"));
    CHECK(holds(replica, "tech:" + shop.tech_a_id, "customers", shop.customer_a));

    // A new compaction while another device is half-way through its read: that read starts over.
    auto other = register_device(srv, shop.tech_a, "平板 B");
    auto half = need(srv.get("/api/v1/sync/pull?cursor=0&limit=2", other.token), 200).object();
    std::int64_t half_cursor = int_of(half, "cursor");
    need(srv.post("/api/v1/parts", body({{"sku", "TC-521"}, {"name", "压缩机"}, {"unit_price", 900}}), shop.dispatcher),
         201);
    REQUIRE(int_of(need(srv.post("/api/v1/sync/compact", body(), shop.admin), 200).object(), "compacted_up_to") >
            compacted_up_to);
    auto reset = need(srv.get("/api/v1/sync/pull?cursor=" + std::to_string(half_cursor), other.token), 200).object();
    CHECK(reset->getValue<bool>("reset_required"));
    CHECK(reset->getArray("changes")->size() == 0);
    // Started again from 0, it reads to the end without another reset.
    Replica again;
    std::int64_t restart = 0;
    CHECK(pull_all(srv, other, restart, again)->has("checkpoint"));
}

TEST_CASE("attachment bytes upload in resumable chunks after or before their metadata", "[integration][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto d = register_device(srv, shop.tech_a);
    std::string bytes = "\x89PNG\r\n\x1a\n";
    for (int i = 0; i < 300; ++i) bytes += static_cast<char>(i % 251);
    std::string sha = fieldsync::sha256_hex(bytes);
    std::string base = "/api/v1/attachments/" + sha;
    // The bytes wait for their metadata: nobody described them yet.
    check_error(srv.get(base, d.token), 404, "not_found");
    auto meta = op_json("attachments", fieldsync::uuid_v7(), "insert",
                        R"({"job_id":")" + job + R"(","kind":"photo","sha256":")" + sha +
                            R"(","content_type":"image/png","size_bytes":)" + std::to_string(bytes.size()) + "}",
                        hlc_now(d));
    auto pushed = need(push(srv, d, {meta}), 200).object();
    REQUIRE(text_of(pushed->getArray("results")->getObject(0), "status") == "applied");

    auto status = need(srv.get(base, d.token), 200).object();
    CHECK(int_of(status, "received_bytes") == 0);
    CHECK(!status->getValue<bool>("complete"));
    auto put = [&](std::int64_t offset, const std::string& chunk,
                   const std::string& type = "application/octet-stream") {
        return srv.request("PUT", base + "?offset=" + std::to_string(offset), chunk, d.token, type);
    };
    CHECK(int_of(need(put(0, bytes.substr(0, 100)), 200).object(), "received_bytes") == 100);
    check_error(put(0, bytes.substr(0, 100)), 409, "conflict", "offset");  // a chunk sent twice is not stored twice
    check_error(put(100, bytes.substr(100, 10), "application/json"), 415, "unsupported_media");
    check_error(put(100, bytes.substr(100) + "extra"), 422, "invalid_field", "offset");
    check_error(need(srv.get(base + "/content", d.token), 404), 404, "not_found");
    auto done = need(put(100, bytes.substr(100)), 200).object();
    CHECK(done->getValue<bool>("complete"));
    CHECK(int_of(done, "received_bytes") == static_cast<std::int64_t>(bytes.size()));
    auto content = need(srv.get(base + "/content", shop.dispatcher), 200);
    CHECK(content.body == bytes);
    CHECK(content.headers["Content-Type"] == "image/png");
    // Another technician cannot probe the bytes.
    check_error(srv.get(base, shop.tech_b), 404, "not_found");

    // Bytes that do not hash to the name are dropped, so the upload can start over.
    std::string wrong = bytes;
    wrong[20] ^= 1;
    std::string sha2 = fieldsync::sha256_hex(bytes + "2");
    auto meta2 = op_json("attachments", fieldsync::uuid_v7(), "insert",
                         R"({"job_id":")" + job + R"(","kind":"photo","sha256":")" + sha2 +
                             R"(","content_type":"image/png","size_bytes":)" + std::to_string(wrong.size()) + "}",
                         hlc_now(d));
    need(push(srv, d, {meta2}), 200);
    check_error(
        srv.request("PUT", "/api/v1/attachments/" + sha2 + "?offset=0", wrong, d.token, "application/octet-stream"),
        422, "invalid_field", "sha256");
    CHECK(int_of(need(srv.get("/api/v1/attachments/" + sha2, d.token), 200).object(), "received_bytes") == 0);
    check_error(srv.get("/api/v1/attachments/NOT-HEX", d.token), 422, "invalid_field", "sha256");
}
