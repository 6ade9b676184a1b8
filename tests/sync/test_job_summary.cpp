// The signed job summary: its exact bilingual text (the server and the device hash the same bytes), which plan it
// shows, and what a job without a plan or repair shows.
#include <catch2/catch.hpp>

#include "fieldsync/job_summary.hpp"
#include "fieldsync/wire.hpp"

using namespace fieldsync;

namespace {

JobSummaryInput reported_job() {
    return {.ticket_no = "FR-20261121-0009",
            .customer_name = "刘洋",
            .asset_model = "美的 BCD-520",
            .asset_serial_no = "SN-1",
            .description = "冰箱不制冷"};
}

}  // namespace

TEST_CASE("The job summary shows the plan and the repair in one exact text", "[Sync][Summary]") {
    auto in = reported_job();
    in.plan_version = 1;
    in.plan = parse_json_object(
        R"({"findings":"温控器故障","mode":"on_site","currency":"CNY","cost_to_customer_cents":38050,
            "items":[{"kind":"part","description":"温控器","quantity":1,"unit_price":260.5}]})");
    in.repair = parse_json_object(
        R"({"work_summary":"更换温控器","time_spent_minutes":90,"parts_used":[{"description":"温控器","quantity":1}]})");

    std::string text = job_summary_text(in);
    CHECK(text ==
          "工单 Ticket: FR-20261121-0009\n"
          "客户 Customer: 刘洋\n"
          "产品 Product: 美的 BCD-520 / SN-1\n"
          "故障 Fault: 冰箱不制冷\n"
          "检测 Findings: 温控器故障\n"
          "方案 Plan v1 (on_site):\n"
          "  - 温控器 × 1 @ 260.50\n"
          "客户费用 Cost to customer: 380.50 CNY\n"
          "维修 Work: 更换温控器\n"
          "用时 Time spent: 90 min\n"
          "  - 温控器 × 1\n");
    // SHA-256 of exactly those UTF-8 bytes (sha256sum of the text above).
    CHECK(job_summary_sha256(in) == "6561274fcb51ee2a39fbca571a10ab3af95ad0f0d8252e9c47ba992b1e03097c");

    // Any change the signer would see changes the hash, which is how the server spots a stale signature.
    in.repair->set("time_spent_minutes", 91);
    CHECK(job_summary_sha256(in) != "6561274fcb51ee2a39fbca571a10ab3af95ad0f0d8252e9c47ba992b1e03097c");
}

TEST_CASE("A job without plan or repair shows its report only", "[Sync][Summary]") {
    auto in = reported_job();
    CHECK(job_summary_text(in) ==
          "工单 Ticket: FR-20261121-0009\n"
          "客户 Customer: 刘洋\n"
          "产品 Product: 美的 BCD-520 / SN-1\n"
          "故障 Fault: 冰箱不制冷\n");
    CHECK(job_summary_sha256(in) == "42b5f5860c5945727634c25eed47fb2bfa28781b278c4ccecc2c7c4bc59548b8");
}

TEST_CASE("Plan items and parts show what the rows hold, null fields as empty", "[Sync][Summary]") {
    auto in = reported_job();
    in.plan_version = 3;
    in.plan = parse_json_object(
        R"({"findings":null,"mode":"depot","currency":"CNY","cost_to_customer_cents":5,
            "items":[{"description":"人工","quantity":1.5,"unit_price":80.005},
                     {"description":"运费","quantity":2,"unit_price":0}]})");
    in.repair = parse_json_object(R"({"work_summary":"返厂维修","time_spent_minutes":null})");
    CHECK(job_summary_text(in) ==
          "工单 Ticket: FR-20261121-0009\n"
          "客户 Customer: 刘洋\n"
          "产品 Product: 美的 BCD-520 / SN-1\n"
          "故障 Fault: 冰箱不制冷\n"
          "检测 Findings: \n"
          "方案 Plan v3 (depot):\n"
          "  - 人工 × 1.5 @ 80.01\n"
          "  - 运费 × 2 @ 0.00\n"
          "客户费用 Cost to customer: 0.05 CNY\n"
          "维修 Work: 返厂维修\n"
          "用时 Time spent: 0 min\n");
}

TEST_CASE("The summary shows the approved plan, else the latest proposed", "[Sync][Summary]") {
    CHECK(summary_plan_version(*parse_json_object(R"({"plan_version":2,"approved_plan_version":1})")) == 1);
    CHECK(summary_plan_version(*parse_json_object(R"({"plan_version":2,"approved_plan_version":null})")) == 2);
    CHECK(summary_plan_version(*parse_json_object(R"({"plan_version":2})")) == 2);
    CHECK(summary_plan_version(*parse_json_object(R"({"plan_version":null})")) == 0);
    CHECK(summary_plan_version(*parse_json_object("{}")) == 0);
}
