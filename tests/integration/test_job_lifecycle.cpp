// Whole repair jobs driven over HTTPS against the real server: on-site and depot jobs, rework, cancel,
// decline, revise, hold/resume, repeat faults under warranty and stale signed summaries.
#include <regex>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// Warranty records of a job, as the given caller lists them.
Arr warranties_of(const TestServer& srv, const std::string& job_id, const std::string& token) {
    return list(srv, "/api/v1/warranties?job_id=" + job_id, token)->getArray("items");
}

bool has_system_approval(const TestServer& srv, const std::string& job_id, const std::string& token) {
    auto events = need(srv.get("/api/v1/jobs/" + job_id + "/events", token), 200).object()->getArray("items");
    for (const auto& v : *events) {
        auto e = v.extract<Obj>();
        if (text_of(e, "action") == "approve_plan" && text_of(e, "actor_role") == "system") return true;
    }
    return false;
}

}  // namespace

TEST_CASE("an on-site job goes from fault report to a warranty record and is closed", "[integration][lifecycle]") {
    TestServer srv;
    std::string admin = srv.admin_token();
    // People and records are made through the API, as an admin and a dispatcher would.
    std::string dispatcher_id = create_user(srv, admin, "wang.fang", "dispatcher");
    std::string tech_id = create_user(srv, admin, "tech.li", "technician");
    std::string dispatcher = login_as(srv, "wang.fang");
    std::string customer_id = create_customer(srv, dispatcher, "刘洋", "13800138001", "上海市浦东新区张江路88号");
    create_user(srv, admin, "customer.liu", "customer", customer_id);
    std::string tech = login_as(srv, "tech.li");
    std::string customer = login_as(srv, "customer.liu");
    std::string asset_id =
        create_asset(srv, dispatcher, customer_id, "美的 BCD-520 冰箱", "MD-BCD520-0001", "2021-06-30");
    auto act = [&](const std::string& job, const std::string& action, const Obj& fields, const std::string& token) {
        INFO("action " << action);
        return need(srv.post("/api/v1/jobs/" + job + "/actions/" + action, fields, token), 200).object();
    };

    // The customer reports the fault from the portal.
    auto reported = need(srv.post("/api/v1/jobs",
                                  body({{"customer_id", customer_id},
                                        {"asset_id", asset_id},
                                        {"description", "冰箱冷藏室不制冷"},
                                        {"priority", "high"}}),
                                  customer),
                         201)
                        .object();
    std::string job = text_of(reported, "id");
    CHECK(text_of(reported, "state") == "reported");
    CHECK(std::regex_match(text_of(reported, "ticket_no"), std::regex(R"(FR-\d{8}-\d{4})")));
    CHECK(text_of(reported, "channel") == "web");
    CHECK(reported->getValue<bool>("is_warranty_repair") == false);
    CHECK(reported->isNull("linked_job_id"));

    auto j = act(job, "assign", body({{"technician_id", tech_id}}), dispatcher);
    CHECK(text_of(j, "state") == "assessing");
    CHECK(text_of(j, "assignee_id") == tech_id);

    j = act(job, "submit_assessment", assessment("on_site", 380), tech);
    CHECK(text_of(j, "state") == "plan_proposed");
    CHECK(int_of(j, "plan_version") == 1);
    auto plan = j->getObject("plan");
    REQUIRE(plan);
    CHECK(text_of(plan, "mode") == "on_site");
    CHECK(plan->getValue<double>("total") == Approx(380));
    CHECK(plan->getValue<double>("cost_to_customer") == Approx(380));
    CHECK(text_of(plan, "status") == "proposed");

    // The customer approves by their own login, naming the version they saw.
    j = act(job, "approve_plan", body({{"plan_version", 1}, {"comment", "同意"}}), customer);
    CHECK(text_of(j, "state") == "approved");
    CHECK(int_of(j, "approved_plan_version") == 1);
    CHECK(text_of(j->getObject("plan"), "status") == "approved");

    j = act(job, "schedule",
            body({{"technician_id", tech_id}, {"window_start", kWindowStart}, {"window_end", kWindowEnd}}), dispatcher);
    CHECK(text_of(j, "state") == "scheduled");
    REQUIRE(j->getObject("schedule"));
    CHECK(text_of(j->getObject("schedule"), "technician_id") == tech_id);
    CHECK(text_of(j->getObject("schedule"), "window_start") == kWindowStart);

    j = act(job, "start_repair", body({{"note", "到达现场"}}), tech);
    CHECK(text_of(j, "state") == "in_repair");
    j = act(job, "complete_repair", completion("on_site", "更换温控器,测试制冷正常"), tech);
    CHECK(text_of(j, "state") == "awaiting_acceptance");
    CHECK(text_of(j->getObject("repair"), "work_summary") == "更换温控器,测试制冷正常");

    auto summary = need(srv.get("/api/v1/jobs/" + job + "/summary", customer), 200).object();
    std::string sha = text_of(summary, "sha256");
    CHECK(std::regex_match(sha, std::regex("[0-9a-f]{64}")));
    CHECK(text_of(summary, "text").find(text_of(reported, "ticket_no")) != std::string::npos);
    CHECK(text_of(summary, "text").find("更换温控器,测试制冷正常") != std::string::npos);
    // The same job gives the same summary to every reader.
    CHECK(need(srv.get("/api/v1/jobs/" + job + "/summary", tech), 200).str("sha256") == sha);

    j = act(job, "record_acceptance", acceptance(sha), customer);
    CHECK(text_of(j, "state") == "accepted");
    auto signed_ = j->getObject("acceptance");
    REQUIRE(signed_);
    CHECK(text_of(signed_, "summary_sha256") == sha);
    CHECK(int_of(signed_, "rating") == 5);
    CHECK(text_of(signed_, "signer_name") == "刘洋");

    // Acceptance wrote one warranty record, of the policy's 90 days from today.
    auto warranties = warranties_of(srv, job, dispatcher);
    REQUIRE(warranties->size() == 1);
    auto w = warranties->getObject(0);
    CHECK(text_of(w, "asset_id") == asset_id);
    CHECK(text_of(w, "job_id") == job);
    std::string starts_on = text_of(w, "starts_on");
    CHECK((starts_on == today_utc() || starts_on == plus_days(today_utc(), -1)));
    CHECK(text_of(w, "ends_on") == plus_days(starts_on, 90));
    CHECK(text_of(w, "covers").find("温控器") != std::string::npos);
    // The customer sees their warranty too.
    CHECK(warranties_of(srv, job, customer)->size() == 1);

    // Closing waits for the follow-up call (回访): a clear 409 that changes nothing, until the survey is taken.
    check_error(
        srv.post("/api/v1/jobs/" + job + "/actions/close", body({{"follow_up_note", "回访:客户满意"}}), dispatcher),
        409, "requirement_unmet", "followup_settled");
    CHECK(text_of(need(srv.get("/api/v1/jobs/" + job, dispatcher), 200).object(), "state") == "accepted");
    auto followup = list(srv, "/api/v1/followups?job_id=" + job, customer)->getArray("items")->getObject(0);
    need(srv.post("/api/v1/followups/" + text_of(followup, "id") + "/survey", body({{"rating", 5}}), customer), 200);
    j = act(job, "close", body({{"follow_up_note", "回访:客户满意"}}), dispatcher);
    CHECK(text_of(j, "state") == "closed");
    CHECK(j->getArray("available_actions")->size() == 0);

    // Every step is an audit event, in order, by the role that took it.
    auto events = need(srv.get("/api/v1/jobs/" + job + "/events", dispatcher), 200).object()->getArray("items");
    std::vector<std::string> actions, roles;
    for (const auto& v : *events) {
        actions.push_back(text_of(v.extract<Obj>(), "action"));
        roles.push_back(text_of(v.extract<Obj>(), "actor_role"));
    }
    CHECK(actions == std::vector<std::string>{"report", "assign", "submit_assessment", "approve_plan", "schedule",
                                              "start_repair", "complete_repair", "record_acceptance", "followup_done",
                                              "close"});
    CHECK(roles == std::vector<std::string>{"customer", "dispatcher", "technician", "customer", "dispatcher",
                                            "technician", "technician", "customer", "customer", "dispatcher"});
    auto verify = need(srv.get("/api/v1/jobs/" + job + "/events/verify", dispatcher), 200).object();
    CHECK(verify->getValue<bool>("ok"));
    CHECK(int_of(verify, "events") == 10);
}

TEST_CASE("a depot job needs the shipment, receipt inspection and return shipment", "[integration][lifecycle][depot]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto j = shop.must(job, "submit_assessment", assessment("depot", 380), shop.tech_a);
    CHECK(text_of(j, "mode") == "depot");
    shop.must(job, "approve_plan", body({{"plan_version", 1}}), shop.cust_a);

    // A depot job is scheduled by its inbound shipment, not a visit window.
    auto before = shop.job(job);
    check_error(
        shop.act(job, "schedule",
                 body({{"technician_id", shop.tech_a_id}, {"window_start", kWindowStart}, {"window_end", kWindowEnd}}),
                 shop.dispatcher),
        422, "missing_field", "carrier");
    CHECK(shop.state(job) == "approved");
    CHECK(int_of(shop.job(job), "version") == int_of(before, "version"));
    j = shop.must(job, "schedule", body({{"carrier", "顺丰速运"}, {"tracking_no", "SF1234567890"}}), shop.dispatcher);
    CHECK(text_of(j, "state") == "scheduled");
    CHECK(text_of(j->getObject("schedule"), "carrier") == "顺丰速运");
    CHECK(text_of(j->getObject("schedule"), "tracking_no") == "SF1234567890");

    // The depot must record what it received before repairing.
    before = shop.job(job);
    check_error(shop.act(job, "start_repair", body({{"note", "收到"}}), shop.tech_a), 422, "missing_field",
                "receipt_inspection");
    CHECK(shop.state(job) == "scheduled");
    CHECK(int_of(shop.job(job), "version") == int_of(before, "version"));
    j = shop.must(job, "start_repair", body({{"receipt_inspection", "外观完好,配件齐全"}}), shop.tech_a);
    CHECK(text_of(j, "state") == "in_repair");
    CHECK(text_of(j->getObject("repair"), "receipt_inspection") == "外观完好,配件齐全");

    // …and ship it back before the repair counts as complete.
    before = shop.job(job);
    check_error(shop.act(job, "complete_repair", completion("on_site"), shop.tech_a), 422, "missing_field",
                "return_carrier");
    auto partial = completion("on_site");
    partial->set("return_carrier", "顺丰速运");
    check_error(shop.act(job, "complete_repair", partial, shop.tech_a), 422, "missing_field", "return_tracking_no");
    CHECK(shop.state(job) == "in_repair");
    CHECK(int_of(shop.job(job), "version") == int_of(before, "version"));
    j = shop.must(job, "complete_repair", completion("depot"), shop.tech_a);
    CHECK(text_of(j, "state") == "awaiting_acceptance");
    CHECK(text_of(j->getObject("repair"), "return_tracking_no") == "SF0987654321");

    // The technician collects the customer's signature on the tablet.
    j = shop.must(job, "record_acceptance", acceptance(shop.summary_sha(job, shop.tech_a)), shop.tech_a);
    CHECK(text_of(j, "state") == "accepted");
    CHECK(warranties_of(srv, job, shop.dispatcher)->size() == 1);
}

TEST_CASE("a rejected acceptance sends the job back to repair and counts the rework", "[integration][lifecycle]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "awaiting_acceptance");
    std::string first_sha = shop.summary_sha(job, shop.cust_a);

    auto j = shop.must(job, "reject_acceptance", body({{"reason", "还是有异响"}}), shop.cust_a);
    CHECK(text_of(j, "state") == "in_repair");
    CHECK(int_of(j, "rework_count") == 1);
    CHECK(text_of(j->getObject("repair"), "rework_reason") == "还是有异响");
    CHECK(j->isNull("acceptance"));
    CHECK(warranties_of(srv, job, shop.dispatcher)->size() == 0);

    j = shop.must(job, "complete_repair", completion("on_site", "更换压缩机支架,异响消除"), shop.tech_a);
    CHECK(text_of(j, "state") == "awaiting_acceptance");
    // The summary now shows the new work, so the old signature request is stale.
    std::string second_sha = shop.summary_sha(job, shop.cust_a);
    CHECK(second_sha != first_sha);
    check_error(shop.act(job, "record_acceptance", acceptance(first_sha), shop.cust_a), 409, "stale_summary",
                "summary_sha256");
    j = shop.must(job, "record_acceptance", acceptance(second_sha), shop.cust_a);
    CHECK(text_of(j, "state") == "accepted");
    CHECK(int_of(j, "rework_count") == 1);
    CHECK(warranties_of(srv, job, shop.dispatcher)->size() == 1);
    CHECK(shop.event_actions(job) ==
          std::vector<std::string>{"report", "assign", "submit_assessment", "approve_plan", "schedule", "start_repair",
                                   "complete_repair", "reject_acceptance", "complete_repair", "record_acceptance"});
}

TEST_CASE("a cancelled job takes no further action", "[integration][lifecycle][cancel]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    // A customer may cancel only a job that is still just reported.
    check_error(shop.act(job, "cancel", body({{"reason", "不修了"}}), shop.cust_a), 409, "invalid_transition");
    CHECK(shop.state(job) == "assessing");

    auto j = shop.must(job, "cancel", body({{"reason", "客户已自行购买新机"}}), shop.dispatcher);
    CHECK(text_of(j, "state") == "cancelled");
    CHECK(text_of(j, "close_reason") == "客户已自行购买新机");
    CHECK(j->getArray("available_actions")->size() == 0);
    std::int64_t version = int_of(j, "version");
    std::size_t events = shop.event_actions(job).size();

    const std::vector<std::pair<std::string, Obj>> attempts = {
        {"assign", body({{"technician_id", shop.tech_b_id}})},
        {"reassign", body({{"technician_id", shop.tech_b_id}})},
        {"submit_assessment", assessment()},
        {"approve_plan", body({{"plan_version", 1}})},
        {"schedule",
         body({{"technician_id", shop.tech_a_id}, {"window_start", kWindowStart}, {"window_end", kWindowEnd}})},
        {"start_repair", body()},
        {"hold", body({{"reason", "等配件"}})},
        {"resume", body()},
        {"cancel", body({{"reason", "again"}})},
        {"close", body()},
    };
    for (const auto& [action, fields] : attempts) {
        INFO("action " << action);
        check_error(shop.act(job, action, fields, shop.dispatcher), 409, "invalid_transition");
    }
    j = shop.job(job);
    CHECK(text_of(j, "state") == "cancelled");
    CHECK(int_of(j, "version") == version);
    CHECK(shop.event_actions(job).size() == events);

    // A customer cancels their own freshly reported fault.
    std::string second = shop.report(shop.customer_a, shop.asset_a, shop.cust_a);
    j = shop.must(second, "cancel", body({{"reason", "误报"}}), shop.cust_a);
    CHECK(text_of(j, "state") == "cancelled");
}

TEST_CASE("declining the plan cancels the job", "[integration][lifecycle]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "plan_proposed");
    auto j = shop.must(job, "decline_plan", body({{"plan_version", 1}, {"reason", "太贵了"}}), shop.cust_a);
    CHECK(text_of(j, "state") == "cancelled");
    CHECK(text_of(j, "close_reason") == "太贵了");
    CHECK(text_of(j->getObject("plan"), "status") == "declined");
    CHECK(j->isNull("approved_plan_version"));
    check_error(shop.act(job, "approve_plan", body({{"plan_version", 1}}), shop.cust_a), 409, "invalid_transition");
    CHECK(shop.state(job) == "cancelled");
}

TEST_CASE("a revised plan must be approved by its new version", "[integration][lifecycle]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "plan_proposed");
    auto j = shop.must(job, "revise_plan", body({{"reason", "发现压缩机也有问题"}}), shop.tech_a);
    CHECK(text_of(j, "state") == "assessing");
    CHECK(text_of(j->getArray("plans")->getObject(0), "status") == "superseded");

    j = shop.must(job, "submit_assessment", assessment("on_site", 200), shop.tech_a);
    CHECK(text_of(j, "state") == "plan_proposed");
    CHECK(int_of(j, "plan_version") == 2);
    REQUIRE(j->getArray("plans")->size() == 2);
    CHECK(int_of(j->getObject("plan"), "version") == 2);

    // Approving the plan the customer saw before the revision is a conflict, and changes nothing.
    std::int64_t version = int_of(j, "version");
    check_error(shop.act(job, "approve_plan", body({{"plan_version", 1}}), shop.cust_a), 409, "conflict",
                "plan_version");
    j = shop.job(job);
    CHECK(text_of(j, "state") == "plan_proposed");
    CHECK(int_of(j, "version") == version);
    CHECK(j->isNull("approved_plan_version"));
    CHECK(text_of(j->getObject("plan"), "status") == "proposed");

    j = shop.must(job, "approve_plan", body({{"plan_version", 2}}), shop.cust_a);
    CHECK(text_of(j, "state") == "approved");
    CHECK(int_of(j, "approved_plan_version") == 2);
}

TEST_CASE("hold and resume return the job to where it was", "[integration][lifecycle][hold]") {
    TestServer srv;
    Shop shop(srv);

    SECTION("from assessing") {
        std::string job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job, "assessing");
        auto j =
            shop.must(job, "hold", body({{"reason", "等客户回电"}, {"until", "2031-01-01T00:00:00Z"}}), shop.tech_a);
        CHECK(text_of(j, "state") == "on_hold");
        CHECK(text_of(j, "previous_state") == "assessing");
        j = shop.must(job, "resume", body({{"note", "客户已回电"}}), shop.tech_a);
        CHECK(text_of(j, "state") == "assessing");
        CHECK(j->isNull("previous_state"));
        // Work carries on from there.
        CHECK(text_of(shop.must(job, "submit_assessment", assessment(), shop.tech_a), "state") == "plan_proposed");
    }

    SECTION("from in_repair, where the customer can no longer withdraw a held job") {
        std::string job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job, "in_repair");
        auto j = shop.must(job, "hold", body({{"reason", "等配件 waiting for parts"}}), shop.tech_a);
        CHECK(text_of(j, "state") == "on_hold");
        CHECK(text_of(j, "previous_state") == "in_repair");
        std::int64_t version = int_of(j, "version");
        check_error(shop.act(job, "withdraw", body({{"reason", "客户不修了"}}), shop.cust_a), 409,
                    "invalid_transition");
        j = shop.job(job);
        CHECK(text_of(j, "state") == "on_hold");
        CHECK(int_of(j, "version") == version);
        j = shop.must(job, "resume", body(), shop.dispatcher);
        CHECK(text_of(j, "state") == "in_repair");
        CHECK(text_of(shop.must(job, "complete_repair", completion(), shop.tech_a), "state") == "awaiting_acceptance");
    }

    SECTION("from approved, where a held job may be cancelled") {
        std::string job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job, "approved");
        shop.must(job, "hold", body({{"reason", "客户出差"}}), shop.dispatcher);
        auto j = shop.must(job, "cancel", body({{"reason", "客户取消"}}), shop.dispatcher);
        CHECK(text_of(j, "state") == "cancelled");
    }

    SECTION("a job reassigned while on hold still resumes to where it was") {
        std::string job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job, "in_repair");
        shop.must(job, "hold", body({{"reason", "技术员请假"}}), shop.tech_a);
        auto j = shop.must(job, "reassign", body({{"technician_id", shop.tech_b_id}}), shop.dispatcher);
        CHECK(text_of(j, "state") == "on_hold");
        CHECK(text_of(j, "previous_state") == "in_repair");
        CHECK(text_of(j, "assignee_id") == shop.tech_b_id);
        j = shop.must(job, "resume", body(), shop.tech_b);
        CHECK(text_of(j, "state") == "in_repair");
    }
}

TEST_CASE("a repeat fault under the repair warranty is flagged, linked and approved automatically",
          "[integration][lifecycle][warranty]") {
    TestServer srv;
    Shop shop(srv);
    // The product warranty of asset_a ended in 2020, so only the repair warranty can cover the second job.
    std::string first = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(first, "accepted");

    auto second = need(srv.post("/api/v1/jobs",
                                body({{"customer_id", shop.customer_a},
                                      {"asset_id", shop.asset_a},
                                      {"description", "同样的故障又出现了"}}),
                                shop.cust_a),
                       201)
                      .object();
    std::string job = text_of(second, "id");
    CHECK(second->getValue<bool>("is_warranty_repair") == true);
    CHECK(text_of(second, "linked_job_id") == first);

    // A fault on another asset of the same customer is not a warranty repair.
    std::string other = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    auto other_job = shop.job(other);
    CHECK(other_job->getValue<bool>("is_warranty_repair") == false);
    CHECK(other_job->isNull("linked_job_id"));

    shop.must(job, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    auto j = shop.must(job, "submit_assessment", assessment("on_site", 0, true), shop.tech_a);
    CHECK(text_of(j, "state") == "approved");
    CHECK(int_of(j, "approved_plan_version") == 1);
    CHECK(text_of(j->getObject("plan"), "status") == "approved");
    CHECK(text_of(j->getObject("plan"), "decided_by") == "system");
    CHECK(shop.event_actions(job) == std::vector<std::string>{"report", "assign", "submit_assessment", "approve_plan"});
    CHECK(has_system_approval(srv, job, shop.dispatcher));

    // Covered but not free: the customer still decides.
    std::string third = shop.report(shop.customer_a, shop.asset_a);
    shop.must(third, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    j = shop.must(third, "submit_assessment", assessment("on_site", 50, true), shop.tech_a);
    CHECK(text_of(j, "state") == "plan_proposed");
    CHECK_FALSE(has_system_approval(srv, third, shop.dispatcher));
}

TEST_CASE("warranty coverage is refused when neither product nor repair warranty is open",
          "[integration][lifecycle][warranty]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);  // product warranty ended 2020-01-31
    shop.drive(job, "assessing");
    auto before = shop.job(job);
    check_error(shop.act(job, "submit_assessment", assessment("on_site", 0, true), shop.tech_a), 422, "invalid_field",
                "warranty_covered");
    auto after = shop.job(job);
    CHECK(text_of(after, "state") == "assessing");
    CHECK(int_of(after, "plan_version") == 0);
    CHECK(after->getArray("plans")->size() == 0);
    CHECK(int_of(after, "version") == int_of(before, "version"));
    CHECK(shop.event_actions(job) == std::vector<std::string>{"report", "assign"});

    // Customer-caused damage is never covered, even under the product warranty.
    std::string covered_asset = shop.new_asset(shop.customer_a, plus_days(today_utc(), 365));
    std::string job2 = shop.report(shop.customer_a, covered_asset);
    shop.drive(job2, "assessing");
    auto caused = assessment("on_site", 0, true);
    caused->set("customer_caused", true);
    check_error(shop.act(job2, "submit_assessment", caused, shop.tech_a), 422, "invalid_field", "warranty_covered");
    CHECK(shop.state(job2) == "assessing");
    // Under the product warranty and free: approved at once.
    CHECK(text_of(shop.must(job2, "submit_assessment", assessment("on_site", 0, true), shop.tech_a), "state") ==
          "approved");
}

TEST_CASE("signing a stale summary is refused and changes nothing", "[integration][lifecycle][acceptance]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "awaiting_acceptance");
    auto before = shop.job(job);

    check_error(shop.act(job, "record_acceptance", acceptance(std::string(64, '0')), shop.cust_a), 409, "stale_summary",
                "summary_sha256");
    // A signature that is not a PNG is refused too.
    auto not_png = acceptance(shop.summary_sha(job));
    not_png->set("signature_png", "aGVsbG8gd29ybGQ=");
    check_error(shop.act(job, "record_acceptance", not_png, shop.cust_a), 422, "invalid_field", "signature_png");
    auto no_strokes = acceptance(shop.summary_sha(job));
    no_strokes->set("signature_strokes", Arr(new Poco::JSON::Array));
    check_error(shop.act(job, "record_acceptance", no_strokes, shop.cust_a), 422, "invalid_field", "signature_strokes");
    auto bad_rating = acceptance(shop.summary_sha(job));
    bad_rating->set("rating", 6);
    check_error(shop.act(job, "record_acceptance", bad_rating, shop.cust_a), 422, "invalid_field", "rating");

    auto after = shop.job(job);
    CHECK(text_of(after, "state") == "awaiting_acceptance");
    CHECK(int_of(after, "version") == int_of(before, "version"));
    CHECK(after->isNull("acceptance"));
    CHECK(after->isNull("warranty"));
    CHECK(warranties_of(srv, job, shop.dispatcher)->size() == 0);
    CHECK(shop.event_actions(job).back() == "complete_repair");

    auto j = shop.must(job, "record_acceptance", acceptance(shop.summary_sha(job, shop.cust_a)), shop.cust_a);
    CHECK(text_of(j, "state") == "accepted");
}
