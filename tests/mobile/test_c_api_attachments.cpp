// Attachments through the C API: a photo added from a file or from bytes is listed at once, its metadata op and its
// bytes go up with the next sync, and the upload progress moves from nothing to done.
#include <Poco/FileStream.h>

#include "c_fixtures.hpp"
#include "fieldsync/digest.hpp"

using namespace mobiletest;

namespace {

void write_file(const std::string& path, const std::string& bytes) {
    Poco::FileOutputStream out(path);
    out << bytes;
}

Poco::JSON::Object::Ptr only(const Poco::JSON::Array::Ptr& rows) {
    REQUIRE(rows->size() == 1);
    return rows->getObject(0);
}

}  // namespace

TEST_CASE("A photo added through the C API is listed, queued, and uploaded by the next sync",
          "[Mobile][CApi][Attachments]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    CDevice device(dir.file("r.db"), server);
    std::string bytes(600 * 1024, 'p');  // more than two upload chunks
    write_file(dir.file("pump.jpg"), bytes);
    std::size_t ops_before = device.outbox()->size();

    std::string id = take(fr_replica_add_attachment_file(device.replica, kJob.c_str(), "photo",
                                                         dir.file("pump.jpg").c_str(), "硬币", &device.error),
                          device.error);
    auto listed =
        only(json_array(take(fr_replica_list_attachments(device.replica, kJob.c_str(), &device.error), device.error)));
    CHECK(listed->getValue<std::string>("id") == id);
    CHECK(listed->getValue<std::string>("kind") == "photo");
    CHECK(listed->getValue<std::string>("file_name") == "pump.jpg");
    CHECK(listed->getValue<std::string>("content_type") == "image/jpeg");
    CHECK(listed->getValue<std::string>("caption") == "硬币");
    CHECK(listed->getValue<std::string>("sha256") == fieldsync::sha256_hex(bytes));
    CHECK(listed->getValue<std::int64_t>("uploaded_bytes") == 0);
    CHECK_FALSE(listed->getValue<bool>("uploaded"));
    auto queued = device.outbox();
    REQUIRE(queued->size() == ops_before + 1);
    auto op = queued->getObject(static_cast<unsigned>(ops_before))->getObject("op");
    CHECK(op->getValue<std::string>("kind") == "insert");
    CHECK(op->getValue<std::string>("table") == "attachments");
    CHECK(op->getValue<std::string>("row_id") == id);

    auto before = device.progress(id.c_str());
    CHECK(before.uploaded_bytes == 0);
    CHECK(before.total_bytes == static_cast<std::int64_t>(bytes.size()));
    CHECK(before.files_waiting == 1);
    CHECK(device.progress(nullptr).files_waiting == 1);

    auto report = device.sync();
    CHECK(report->getValue<std::int64_t>("uploaded_bytes") == static_cast<std::int64_t>(bytes.size()));
    CHECK(server.blobs[fieldsync::sha256_hex(bytes)] == bytes);
    CHECK(server.row("attachments", id));
    auto after = device.progress(id.c_str());
    CHECK(after.uploaded_bytes == static_cast<std::int64_t>(bytes.size()));
    CHECK(after.total_bytes == static_cast<std::int64_t>(bytes.size()));
    CHECK(after.files_waiting == 0);
    auto total = device.progress(nullptr);
    CHECK(total.uploaded_bytes == total.total_bytes);
    CHECK(total.files_waiting == 0);
    listed =
        only(json_array(take(fr_replica_list_attachments(device.replica, kJob.c_str(), &device.error), device.error)));
    CHECK(listed->getValue<bool>("uploaded"));
}

TEST_CASE("A photo from bytes takes its content type from the file name; the server's attachments count as uploaded",
          "[Mobile][CApi][Attachments]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    // Another device's photo, already on the server.
    auto theirs = fieldsync::parse_json_object(R"({"kind":"photo","sha256":"ab","content_type":"image/png",
        "size_bytes":42,"file_name":"before.png"})");
    theirs->set("job_id", kJob);
    server.put("attachments", "0190a000-0000-7000-8000-0000000000e1", theirs);
    CDevice device(dir.file("r.db"), server);
    auto progress = device.progress("0190a000-0000-7000-8000-0000000000e1");
    CHECK(progress.uploaded_bytes == 42);
    CHECK(progress.files_waiting == 0);

    const char bytes[] = "\x89PNG not really";
    std::string id =
        take(fr_replica_add_attachment_bytes(device.replica, kJob.c_str(), "photo", bytes, sizeof bytes - 1, nullptr,
                                             "after.png", nullptr, &device.error),
             device.error);
    auto rows =
        json_array(take(fr_replica_list_attachments(device.replica, kJob.c_str(), &device.error), device.error));
    REQUIRE(rows->size() == 2);
    auto mine = rows->getObject(0)->getValue<std::string>("id") == id ? rows->getObject(0) : rows->getObject(1);
    CHECK(mine->getValue<std::string>("content_type") == "image/png");
    CHECK(mine->getValue<std::int64_t>("size_bytes") == static_cast<std::int64_t>(sizeof bytes - 1));
    CHECK_FALSE(mine->has("caption"));
    CHECK(device.progress(id.c_str()).files_waiting == 1);
}
