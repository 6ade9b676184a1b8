// The C API's reads for an app's screens: a table's rows or a job's, the device's sync status and state, and the
// workflow the core validates with (the technician app's worker answers its page from these).
#include "c_fixtures.hpp"
#include "fieldsync/workflow.hpp"

using namespace mobiletest;

namespace {

Poco::JSON::Object::Ptr visit(const std::string& job_id, const std::string& starts_at) {
    Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
    row->set("job_id", job_id);
    row->set("starts_at", starts_at);
    row->set("status", "booked");
    return row;
}

Poco::JSON::Object::Ptr status_of(CDevice& device) {
    return fieldsync::parse_json_object(take(fr_replica_get_status(device.replica, &device.error), device.error));
}

}  // namespace

TEST_CASE("The C API lists a table's visible rows, or one job's", "[Mobile][CApi]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    server.put("visits", "0190a000-0000-7000-8000-0000000000e1", visit(kJob, "2026-11-22T01:00:00Z"));
    server.put("visits", "0190a000-0000-7000-8000-0000000000e2", visit(kJob2, "2026-11-23T01:00:00Z"));
    CDevice device(dir.file("r.db"), server);

    auto parts = json_array(take(fr_replica_list_rows(device.replica, "parts", nullptr, &device.error), device.error));
    REQUIRE(parts->size() == 1);
    CHECK(parts->getObject(0)->getValue<std::string>("name") == "排水泵");
    auto all = json_array(take(fr_replica_list_rows(device.replica, "visits", nullptr, &device.error), device.error));
    CHECK(all->size() == 2);
    auto mine =
        json_array(take(fr_replica_list_rows(device.replica, "visits", kJob.c_str(), &device.error), device.error));
    REQUIRE(mine->size() == 1);
    CHECK(mine->getObject(0)->getValue<std::string>("job_id") == kJob);
    auto none = json_array(
        take(fr_replica_list_rows(device.replica, "visits", "0190a000-0000-7000-8000-00000000dead", &device.error),
             device.error));
    CHECK(none->size() == 0);

    fr_error error{};
    CHECK(fr_replica_list_rows(device.replica, nullptr, nullptr, &error) == nullptr);
    CHECK(error.code == FR_ERROR_MISSING_FIELD);
    CHECK(std::string(error.field) == "table");
}

TEST_CASE("The C API tells the device's sync status: who, what waits, when it last synced", "[Mobile][CApi]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    CDevice device(dir.file("r.db"), server);

    auto status = status_of(device);
    CHECK(status->getValue<bool>("signed_in"));
    CHECK(status->getValue<std::string>("username") == "tech.li");
    CHECK(status->getValue<std::int64_t>("pending") == 0);
    CHECK(status->getValue<std::int64_t>("conflicts") == 0);
    std::string synced_at = status->getValue<std::string>("last_sync_at");
    CHECK(synced_at.size() >= 20);

    take(fr_replica_update_row(device.replica, "customers", kCustomer.c_str(), R"({"phone":"13900000000"})",
                               &device.error),
         device.error);
    CHECK(status_of(device)->getValue<std::int64_t>("pending") == 1);
    device.sync();
    auto after = status_of(device);
    CHECK(after->getValue<std::int64_t>("pending") == 0);
    CHECK(after->getValue<std::string>("last_sync_at") >= synced_at);
}

TEST_CASE("The C API gives a value of the sync state and the workflow it validates with", "[Mobile][CApi]") {
    TempDir dir;
    FakeServer server;
    seed(server);
    CDevice device(dir.file("r.db"), server);

    CHECK_FALSE(take(fr_replica_get_state(device.replica, "device_token", &device.error), device.error).empty());
    fr_error error{};
    CHECK(fr_replica_get_state(device.replica, "no_such_key", &error) == nullptr);
    CHECK(error.code == FR_ERROR_NOT_FOUND);
    CHECK(take(fr_workflow_json(&device.error), device.error) == fieldsync::Workflow::builtin_text());
}
