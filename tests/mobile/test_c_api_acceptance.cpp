// The signed summary, acceptance in one call and re-bootstrap through the C API, against the fake server, which
// checks the summary hash from its own rows as the server does.
#include <Poco/Base64Decoder.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/StreamCopier.h>

#include <sstream>

#include "c_fixtures.hpp"
#include "fieldsync/digest.hpp"

using namespace mobiletest;

namespace {

const std::string kAsset = "0190a000-0000-7000-8000-0000000000a1";
const std::string kPart = "0190a000-0000-7000-8000-0000000000f1";
// A 1×1 PNG, the README's signature.
const std::string kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

std::string png_bytes() {
    std::istringstream in(kPngBase64);
    Poco::Base64Decoder decoder(in);
    std::string out;
    Poco::StreamCopier::copyToString(decoder, out);
    return out;
}

// kJob waits for the customer's signature: plan v1 approved, the repair recorded.
void seed_awaiting_acceptance(FakeServer& server) {
    seed(server);
    auto job = job_row("FR-20261121-0001", "awaiting_acceptance");
    job->set("customer_id", kCustomer);
    job->set("asset_id", kAsset);
    job->set("description", "洗衣机不排水");
    job->set("plan_version", 1);
    job->set("approved_plan_version", 1);
    job->set("repair", fieldsync::parse_json_object(R"({"work_summary":"取出硬币，清洗排水泵","time_spent_minutes":40,
        "parts_used":[{"description":"排水泵密封圈","quantity":1}]})"));
    server.put("jobs", kJob, job);
    server.put("assets", kAsset, fieldsync::parse_json_object(R"({"model":"美的 MG100","serial_no":"SN-9"})"));
    auto plan = fieldsync::parse_json_object(R"({"plan_version":1,"mode":"on_site","findings":"排水泵卡硬币",
        "currency":"CNY","cost_to_customer_cents":8000,
        "items":[{"kind":"labour","description":"清洗排水泵","quantity":1,"unit_price":80}]})");
    plan->set("job_id", kJob);
    server.put("plans", "0190a000-0000-7000-8000-0000000000b1", plan);
}

std::string write_png(const TempDir& dir) {
    std::string path = dir.file("sig.png");
    Poco::FileOutputStream out(path);
    out << png_bytes();
    return path;
}

fr_acceptance acceptance_from(const std::string& png_path) {
    fr_acceptance a{};
    a.signer_name = "刘洋";
    a.signature_path = png_path.c_str();
    a.rating = 5;
    a.comment = "师傅很专业";
    return a;
}

std::string field_text(const Poco::JSON::Object::Ptr& fields, const std::string& key) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(fields->get(key), out);
    return out.str();
}

std::size_t files_in(const std::string& dir) {
    if (!Poco::File(dir).exists()) return 0;
    std::size_t n = 0;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it) ++n;
    return n;
}

}  // namespace

TEST_CASE("The signed summary is computed on the device exactly as the server computes it", "[Mobile][CApi][Summary]") {
    TempDir dir;
    FakeServer server;
    seed_awaiting_acceptance(server);
    CDevice device(dir.file("r.db"), server);
    auto summary = fieldsync::parse_json_object(
        take(fr_replica_get_job_summary(device.replica, kJob.c_str(), &device.error), device.error));
    std::string text = summary->getValue<std::string>("text");
    CHECK(summary->getValue<std::string>("job_id") == kJob);
    CHECK(text.find("FR-20261121-0001") != std::string::npos);
    CHECK(text.find("取出硬币，清洗排水泵") != std::string::npos);
    CHECK(summary->getValue<std::string>("sha256") == fieldsync::sha256_hex(text));
    CHECK(summary->getValue<std::string>("sha256") == server.summary_sha256(kJob));
}

TEST_CASE("Acceptance in one call queues the ops fieldtech queued, and the server's summary check passes",
          "[Mobile][CApi][Acceptance]") {
    TempDir dir;
    FakeServer server;
    server.check_summaries = true;
    seed_awaiting_acceptance(server);
    CDevice device(dir.file("r.db"), server);
    std::string png_path = write_png(dir);
    auto a = acceptance_from(png_path);
    std::string op_id =
        take(fr_replica_record_acceptance(device.replica, kJob.c_str(), &a, &device.error), device.error);

    // What `fieldtech accept JOB --signer 刘洋 --signature sig.png --rating 5 --comment 师傅很专业` queued: the
    // signature image's attachments row, then the action with the image inline and the summary's hash.
    auto ops = device.outbox();
    REQUIRE(ops->size() == 2);
    auto image = ops->getObject(0)->getObject("op");
    CHECK(image->getValue<std::string>("kind") == "insert");
    CHECK(image->getValue<std::string>("table") == "attachments");
    auto meta = image->getObject("fields");
    CHECK(meta->size() == 7);
    CHECK(meta->getValue<std::string>("job_id") == kJob);
    CHECK(meta->getValue<std::string>("kind") == "signature");
    CHECK(meta->getValue<std::string>("sha256") == fieldsync::sha256_hex(png_bytes()));
    CHECK(meta->getValue<std::string>("content_type") == "image/png");
    CHECK(meta->getValue<std::int64_t>("size_bytes") == static_cast<std::int64_t>(png_bytes().size()));
    CHECK(meta->getValue<std::string>("file_name") == "sig.png");
    CHECK(meta->getValue<std::string>("caption") == "signature of 刘洋");
    auto action = ops->getObject(1)->getObject("op");
    CHECK(action->getValue<std::string>("op_id") == op_id);
    CHECK(action->getValue<std::string>("kind") == "action");
    CHECK(action->getValue<std::string>("action") == "record_acceptance");
    CHECK(action->getValue<std::string>("row_id") == kJob);
    auto fields = action->getObject("fields");
    CHECK(fields->size() == 6);
    CHECK(fields->getValue<std::string>("signer_name") == "刘洋");
    CHECK(fields->getValue<std::string>("signature_png") == kPngBase64);
    CHECK(field_text(fields, "signature_strokes") == "[[[0,0],[1,1]]]");  // across the 1×1 image
    CHECK(fields->getValue<int>("rating") == 5);
    CHECK(fields->getValue<std::string>("comment") == "师傅很专业");
    CHECK(fields->getValue<std::string>("summary_sha256") == server.summary_sha256(kJob));
    auto job = fieldsync::parse_json_object(
        take(fr_replica_get_row(device.replica, "jobs", kJob.c_str(), &device.error), device.error));
    CHECK(job->getValue<std::string>("state") == "accepted");

    auto report = device.sync();
    CHECK(report->getValue<int>("applied") == 2);
    CHECK(report->getValue<int>("rejected") == 0);
    CHECK(server.row("jobs", kJob)->getValue<std::string>("state") == "accepted");
    CHECK(server.blobs[fieldsync::sha256_hex(png_bytes())] == png_bytes());
    CHECK(take(fr_replica_list_conflicts(device.replica, &device.error), device.error) == "[]");
}

TEST_CASE("An acceptance signed before the office changed the job is refused as stale_summary",
          "[Mobile][CApi][Acceptance]") {
    TempDir dir;
    FakeServer server;
    server.check_summaries = true;
    seed_awaiting_acceptance(server);
    CDevice device(dir.file("r.db"), server);
    std::string png_path = write_png(dir);
    fr_acceptance a = acceptance_from(png_path);
    a.strokes_json = "[[[0,0],[3,4],[5,1]]]";
    take(fr_replica_record_acceptance(device.replica, kJob.c_str(), &a, &device.error), device.error);
    auto fields = device.outbox()->getObject(1)->getObject("op")->getObject("fields");
    CHECK(field_text(fields, "signature_strokes") == "[[[0,0],[3,4],[5,1]]]");

    auto job = server.row("jobs", kJob);
    job->set("description", "洗衣机不排水，门锁也坏了");
    server.put("jobs", kJob, job);
    auto report = device.sync();
    CHECK(report->getValue<int>("rejected") == 1);
    auto conflicts = json_array(take(fr_replica_list_conflicts(device.replica, &device.error), device.error));
    REQUIRE(conflicts->size() == 1);
    CHECK(conflicts->getObject(0)->getValue<std::string>("code") == "stale_summary");
    CHECK(server.row("jobs", kJob)->getValue<std::string>("state") == "awaiting_acceptance");
}

TEST_CASE("Bad acceptance or attachment input gives a clear error and queues nothing", "[Mobile][CApi][Acceptance]") {
    TempDir dir;
    FakeServer server;
    seed_awaiting_acceptance(server);
    CDevice device(dir.file("r.db"), server);
    std::string png_path = write_png(dir);
    std::string outbox = device.outbox_text();
    std::string files_dir = dir.file("r.db") + ".files";
    std::size_t files = files_in(files_dir);

    auto refused = [&](char* result, fr_error_code code, const std::string& field) {
        INFO("message: " << device.error.message);
        CHECK(result == nullptr);
        fr_free_string(result);
        CHECK(device.error.code == code);
        CHECK(device.error.field == field);
        CHECK(std::strlen(device.error.message) > 0);
        CHECK(device.outbox_text() == outbox);
        CHECK(files_in(files_dir) == files);
        CHECK(device.progress(nullptr).total_bytes == 0);
        device.error = fr_error{};
    };
    auto accept = [&](const fr_acceptance& a, const std::string& job_id = kJob) {
        return fr_replica_record_acceptance(device.replica, job_id.c_str(), &a, &device.error);
    };

    const std::string missing = dir.file("missing.jpg");
    refused(
        fr_replica_add_attachment_file(device.replica, kJob.c_str(), "photo", missing.c_str(), nullptr, &device.error),
        FR_ERROR_NOT_FOUND, "path");
    refused(fr_replica_add_attachment_file(device.replica, kJob.c_str(), "selfie", png_path.c_str(), nullptr,
                                           &device.error),
            FR_ERROR_INVALID_FIELD, "kind");
    refused(fr_replica_add_attachment_bytes(device.replica, "0190a000-0000-7000-8000-00000000dead", "photo", "x", 1,
                                            nullptr, "x.jpg", nullptr, &device.error),
            FR_ERROR_NOT_FOUND, "job_id");
    refused(fr_replica_add_attachment_bytes(device.replica, kJob.c_str(), "photo", "", 0, nullptr, "x.jpg", nullptr,
                                            &device.error),
            FR_ERROR_INVALID_FIELD, "bytes");
    refused(fr_replica_list_attachments(device.replica, "0190a000-0000-7000-8000-00000000dead", &device.error),
            FR_ERROR_NOT_FOUND, "job_id");

    fr_acceptance a = acceptance_from(png_path);
    refused(accept(a, "0190a000-0000-7000-8000-00000000dead"), FR_ERROR_NOT_FOUND, "job_id");
    refused(accept(a, kJob2), FR_ERROR_INVALID_TRANSITION, "");  // still being assessed
    for (int rating : {0, 6}) {
        a.rating = rating;
        refused(accept(a), FR_ERROR_INVALID_FIELD, "rating");
    }
    a = acceptance_from(png_path);
    a.strokes_json = "[[0,0";
    refused(accept(a), FR_ERROR_INVALID_FIELD, "signature_strokes");
    a = acceptance_from(png_path);
    a.signer_name = "";
    refused(accept(a), FR_ERROR_MISSING_FIELD, "signer_name");
    a.signer_name = nullptr;
    refused(accept(a), FR_ERROR_MISSING_FIELD, "signer_name");
    a = acceptance_from(missing);
    refused(accept(a), FR_ERROR_NOT_FOUND, "signature_path");
    a = acceptance_from(png_path);
    const char not_png[] = "GIF89a, not a PNG at all, long enough";
    a.signature_png = not_png;
    a.signature_png_size = sizeof not_png - 1;
    refused(accept(a), FR_ERROR_INVALID_FIELD, "signature_png");
    refused(fr_replica_record_acceptance(device.replica, kJob.c_str(), nullptr, &device.error), FR_ERROR_MISSING_FIELD,
            "acceptance");
}

TEST_CASE("Re-bootstrap downloads the server's rows again and keeps pending work", "[Mobile][CApi][Rebootstrap]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    CDevice device(dir.file("r.db"), server);
    take(fr_replica_take_action(device.replica, kJob.c_str(), "start_repair", nullptr, &device.error), device.error);
    take(fr_replica_insert_row(
             device.replica, "job_notes",
             ("{\"job_id\":\"" + kJob + "\",\"kind\":\"note\",\"body\":\"排水泵被硬币卡住\"}").c_str(), &device.error),
         device.error);
    auto pending = device.outbox();
    REQUIRE(pending->size() == 2);

    // Meanwhile the office changed the customer's phone, and the catalog part left the log altogether.
    auto customer = server.row("customers", kCustomer);
    customer->set("phone", "13900000000");
    server.put("customers", kCustomer, customer);
    server.rows.erase({"parts", kPart});
    std::erase_if(server.log, [](const fieldsync::Change& c) { return c.row_id == kPart; });
    std::size_t pushes = server.count("POST", "/api/v1/sync/push");

    auto report =
        fieldsync::parse_json_object(take(fr_sync_client_rebootstrap(device.client, &device.error), device.error));
    CHECK(report->getValue<bool>("rebootstrapped"));
    CHECK(server.count("POST", "/api/v1/sync/push") == pushes);  // pending work is not sent by a re-bootstrap
    auto kept = device.outbox();
    REQUIRE(kept->size() == 2);
    for (unsigned i = 0; i < 2; ++i) {
        CHECK(kept->getObject(i)->getObject("op")->getValue<std::string>("op_id") ==
              pending->getObject(i)->getObject("op")->getValue<std::string>("op_id"));
        CHECK_FALSE(kept->getObject(i)->getValue<bool>("acknowledged"));
    }
    auto job = fieldsync::parse_json_object(
        take(fr_replica_get_row(device.replica, "jobs", kJob.c_str(), &device.error), device.error));
    CHECK(job->getValue<std::string>("state") == "in_repair");  // the pending action replayed on the fresh row
    auto phone = fieldsync::parse_json_object(
        take(fr_replica_get_row(device.replica, "customers", kCustomer.c_str(), &device.error), device.error));
    CHECK(phone->getValue<std::string>("phone") == "13900000000");
    CHECK(fr_replica_get_row(device.replica, "parts", kPart.c_str(), &device.error) == nullptr);
    CHECK(device.error.code == FR_ERROR_NOT_FOUND);

    auto synced = device.sync();
    CHECK(synced->getValue<int>("applied") == 2);
    CHECK(server.row("jobs", kJob)->getValue<std::string>("state") == "in_repair");
    CHECK(device.outbox()->size() == 0);
}

TEST_CASE("A re-bootstrap cut off by the network loses nothing and the next sync finishes it",
          "[Mobile][Rebootstrap]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    fieldmobile::Replica replica(dir.file("r.db"));
    sign_in(replica, server);
    fieldmobile::SyncClient client(replica, server);
    client.sync();
    Object::Ptr reason = new Object;
    reason->set("reason", "等配件");
    replica.act(kJob, "hold", reason);

    server.down = true;
    CHECK_THROWS_AS(client.rebootstrap(), fieldsync::Error);
    CHECK(replica.outbox().size() == 1);
    CHECK(replica.row("jobs", kJob)->getValue<std::string>("state") == "on_hold");
    CHECK(replica.jobs().size() == 2);  // the old rows stay visible until the download completes

    server.down = false;
    auto report = client.sync();
    CHECK(report.applied == 1);
    CHECK(report.checkpoint_applied);
    CHECK(replica.outbox().empty());
    CHECK(replica.row("jobs", kJob)->getValue<std::string>("state") == "on_hold");
    CHECK(replica.rows("parts").size() == 1);
}
