// The acceptance summary gathered from the replica: the customer and product rows, the approved plan (not the
// latest), and a repair completed offline. The exact format is fieldsync's (tests/sync/test_job_summary.cpp); the
// integration test compares the device's whole text with the server's.
#include <catch2/catch.hpp>

#include "fieldmobile/job_summary.hpp"
#include "fieldsync/digest.hpp"
#include "fixtures.hpp"

using namespace mobiletest;

TEST_CASE("The job summary shows the approved plan and a repair completed offline", "[Mobile][Summary]") {
    TempDir dir;
    FakeServer server;
    auto job = job_row("FR-20261121-0009", "in_repair");
    job->set("customer_id", kCustomer);
    job->set("asset_id", "0190a000-0000-7000-8000-0000000000a1");
    job->set("description", "冰箱不制冷");
    job->set("plan_version", 2);
    job->set("approved_plan_version", 1);
    server.put("jobs", kJob, job);
    server.put("customers", kCustomer, fieldsync::parse_json_object(R"({"name":"刘洋"})"));
    server.put("assets", "0190a000-0000-7000-8000-0000000000a1",
               fieldsync::parse_json_object(R"({"model":"美的 BCD-520","serial_no":"SN-1"})"));
    for (int v : {1, 2}) {
        auto plan = fieldsync::parse_json_object(
            R"({"mode":"on_site","currency":"CNY","cost_to_customer_cents":38050,
                "items":[{"kind":"part","description":"温控器","quantity":1,"unit_price":260.5}]})");
        plan->set("findings", v == 1 ? "温控器故障" : "压缩机故障");
        plan->set("job_id", kJob);
        plan->set("plan_version", v);
        server.put("plans", "0190a000-0000-7000-8000-0000000000b" + std::to_string(v), plan);
    }
    fieldmobile::Replica replica(dir.file("r.db"));
    fieldsync::PullResponse page;
    page.changes = server.log;
    page.cursor = server.seq;
    replica.apply_pull_page(page);

    Poco::JSON::Array::Ptr parts = new Poco::JSON::Array;
    parts->add(fieldsync::parse_json_object(R"({"description":"温控器","quantity":1})"));
    Object::Ptr done = new Object;
    done->set("work_summary", "更换温控器");
    done->set("time_spent_minutes", 90);
    done->set("parts_used", parts);
    replica.act(kJob, "complete_repair", done);

    std::string text = fieldmobile::job_summary_text(replica, kJob);
    auto shows = [&](const std::string& line) { return text.find(line) != std::string::npos; };
    CHECK(shows("工单 Ticket: FR-20261121-0009\n"));
    CHECK(shows("客户 Customer: 刘洋\n"));                // from the customers row
    CHECK(shows("产品 Product: 美的 BCD-520 / SN-1\n"));  // from the assets row
    CHECK(shows("故障 Fault: 冰箱不制冷\n"));
    CHECK(shows("检测 Findings: 温控器故障\n方案 Plan v1 (on_site):\n"));  // the approved plan, not v2
    CHECK_FALSE(shows("压缩机故障"));
    CHECK(shows("客户费用 Cost to customer: 380.50 CNY\n"));
    CHECK(shows("维修 Work: 更换温控器\n用时 Time spent: 90 min\n  - 温控器 × 1\n"));  // the offline repair
    CHECK(fieldmobile::job_summary_sha256(replica, kJob) == fieldsync::sha256_hex(text));
    CHECK_THROWS_AS(fieldmobile::job_summary_text(replica, kJob2), fieldsync::Error);
}
