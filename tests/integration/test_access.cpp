// The role and ownership matrix: for each role (admin, dispatcher, technicians A and B, customers A and B; and the
// customer-care roles, agent and supervisor, at the end) and each endpoint, who gets 2xx, who 403 (the role may
// never) and who 404 (someone else's record).
#include <array>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

enum Who { kAdmin, kDispatcher, kTechA, kTechB, kCustA, kCustB, kRoles };
const char* const kWhoNames[kRoles] = {"admin",        "dispatcher", "technician A",
                                       "technician B", "customer A", "customer B"};
using Expect = std::array<int, kRoles>;

// Customer A has an accepted job (with a warranty) and a job awaiting plan approval, both with technician A,
// plus a fault nobody is assigned to yet; customer B has one job in assessment with technician B.
struct AccessFixture {
    TestServer srv;
    Shop shop{srv};
    std::string job_a_done, job_a, job_a_new, job_b, warranty_a;
    std::array<std::string, kRoles> tokens;

    AccessFixture() {
        job_a_done = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job_a_done, "accepted");
        warranty_a = text_of(shop.job(job_a_done)->getObject("warranty"), "id");
        job_a = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
        shop.drive(job_a, "plan_proposed");
        job_a_new = shop.report(shop.customer_a, shop.asset_a, shop.cust_a);
        job_b = shop.report(shop.customer_b, shop.asset_b);
        shop.drive(job_b, "assessing", "on_site", shop.tech_b, shop.tech_b_id);
        tokens = {shop.admin, shop.dispatcher, shop.tech_a, shop.tech_b, shop.cust_a, shop.cust_b};
    }

    static void check_reply(const Reply& r, int expected, const std::string& what, int who) {
        INFO(what << " as " << kWhoNames[who] << " → " << r.status << " " << r.body);
        CHECK(r.status == expected);
        if (expected == 403) CHECK(r.error_code() == "forbidden");
        if (expected == 404) CHECK(r.error_code() == "not_found");
    }

    void check_get(const std::string& path, const Expect& expect) const {
        for (int who = 0; who < kRoles; ++who) check_reply(srv.get(path, tokens[who]), expect[who], "GET " + path, who);
    }

    std::set<std::string> listed(const std::string& path, int who) const {
        return ids_of(list(srv, path, tokens[who])->getArray("items"));
    }
};

}  // namespace

TEST_CASE_METHOD(AccessFixture, "who may read which record", "[integration][access]") {
    // clang-format off
    const std::vector<std::pair<std::string, Expect>> table = {
        //                                              admin dispatcher techA techB custA custB
        {"/api/v1/jobs/" + job_a,                       {200, 200, 200, 404, 200, 404}},
        {"/api/v1/jobs/" + job_a + "/summary",          {200, 200, 200, 404, 200, 404}},
        {"/api/v1/jobs/" + job_a + "/events",           {200, 200, 200, 404, 200, 404}},
        {"/api/v1/jobs/" + job_a_new,                   {200, 200, 404, 404, 200, 404}},
        {"/api/v1/jobs/" + job_b,                       {200, 200, 404, 200, 404, 200}},
        {"/api/v1/jobs/" + job_b + "/summary",          {200, 200, 404, 200, 404, 200}},
        {"/api/v1/jobs/" + job_a + "/events/verify",    {200, 200, 403, 403, 403, 403}},
        {"/api/v1/audit/verify",                        {200, 403, 403, 403, 403, 403}},
        {"/api/v1/customers/" + shop.customer_a,        {200, 200, 200, 404, 200, 404}},
        {"/api/v1/customers/" + shop.customer_b,        {200, 200, 404, 200, 404, 200}},
        {"/api/v1/assets/" + shop.asset_a,              {200, 200, 200, 404, 200, 404}},
        {"/api/v1/assets/" + shop.asset_b,              {200, 200, 404, 200, 404, 200}},
        {"/api/v1/warranties/" + warranty_a,            {200, 200, 200, 404, 200, 404}},
        {"/api/v1/users",                               {200, 200, 403, 403, 403, 403}},
        {"/api/v1/users/" + shop.tech_a_id,             {200, 200, 200, 403, 403, 403}},
        {"/api/v1/users/" + shop.cust_a_user_id,        {200, 200, 403, 403, 200, 403}},
        {"/api/v1/auth/me",                             {200, 200, 200, 200, 200, 200}},
        {"/api/v1/workflow",                            {200, 200, 200, 200, 200, 200}},
        {"/api/v1/jobs",                                {200, 200, 200, 200, 200, 200}},
        {"/api/v1/customers",                           {200, 200, 200, 200, 200, 200}},
        {"/api/v1/assets",                              {200, 200, 200, 200, 200, 200}},
        {"/api/v1/warranties",                          {200, 200, 200, 200, 200, 200}},
    };
    // clang-format on
    for (const auto& [path, expect] : table) check_get(path, expect);
}

TEST_CASE_METHOD(AccessFixture, "lists hold only what the caller may see", "[integration][access]") {
    const std::set<std::string> all_jobs = {job_a_done, job_a, job_a_new, job_b};
    CHECK(listed("/api/v1/jobs", kAdmin) == all_jobs);
    CHECK(listed("/api/v1/jobs", kDispatcher) == all_jobs);
    CHECK(listed("/api/v1/jobs", kTechA) == std::set<std::string>{job_a_done, job_a});
    CHECK(listed("/api/v1/jobs", kTechB) == std::set<std::string>{job_b});
    CHECK(listed("/api/v1/jobs", kCustA) == std::set<std::string>{job_a_done, job_a, job_a_new});
    CHECK(listed("/api/v1/jobs", kCustB) == std::set<std::string>{job_b});
    // Totals agree with the items, so a count cannot reveal others' jobs either.
    CHECK(total(srv, "/api/v1/jobs", shop.cust_b) == 1);
    CHECK(total(srv, "/api/v1/jobs", shop.tech_b) == 1);
    // Filters narrow within what is visible; they never widen it.
    CHECK(listed("/api/v1/jobs?customer_id=" + shop.customer_b, kCustA).empty());
    CHECK(listed("/api/v1/jobs?assignee_id=" + shop.tech_b_id, kTechA).empty());
    CHECK(listed("/api/v1/jobs?q=" + url_encode("刘洋"), kCustB).empty());

    const std::set<std::string> both = {shop.customer_a, shop.customer_b};
    CHECK(listed("/api/v1/customers", kAdmin) == both);
    CHECK(listed("/api/v1/customers", kDispatcher) == both);
    CHECK(listed("/api/v1/customers", kTechA) == std::set<std::string>{shop.customer_a});
    CHECK(listed("/api/v1/customers", kTechB) == std::set<std::string>{shop.customer_b});
    CHECK(listed("/api/v1/customers", kCustA) == std::set<std::string>{shop.customer_a});
    CHECK(listed("/api/v1/customers", kCustB) == std::set<std::string>{shop.customer_b});
    CHECK(listed("/api/v1/customers?phone=13800138001", kCustB).empty());

    CHECK(listed("/api/v1/assets", kAdmin).size() == 3);
    CHECK(listed("/api/v1/assets", kCustA).count(shop.asset_a) == 1);
    CHECK(listed("/api/v1/assets", kCustA).count(shop.asset_b) == 0);
    CHECK(listed("/api/v1/assets", kCustB) == std::set<std::string>{shop.asset_b});
    CHECK(listed("/api/v1/assets", kTechB) == std::set<std::string>{shop.asset_b});
    CHECK(listed("/api/v1/assets?serial_no=SN-A-0001", kCustB).empty());

    CHECK(listed("/api/v1/warranties", kAdmin) == std::set<std::string>{warranty_a});
    CHECK(listed("/api/v1/warranties", kTechA) == std::set<std::string>{warranty_a});
    CHECK(listed("/api/v1/warranties", kCustA) == std::set<std::string>{warranty_a});
    CHECK(listed("/api/v1/warranties", kTechB).empty());
    CHECK(listed("/api/v1/warranties", kCustB).empty());
    CHECK(listed("/api/v1/warranties?job_id=" + job_a_done, kCustB).empty());
}

TEST_CASE_METHOD(AccessFixture, "who may create and change records", "[integration][access]") {
    std::int64_t customers = total(srv, "/api/v1/customers", shop.admin);
    std::int64_t users = total(srv, "/api/v1/users", shop.admin);
    std::int64_t jobs = total(srv, "/api/v1/jobs", shop.admin);
    std::int64_t assets = total(srv, "/api/v1/assets", shop.admin);

    SECTION("customers") {
        const Expect expect = {201, 201, 403, 403, 403, 403};
        for (int who = 0; who < kRoles; ++who) {
            auto b = body(
                {{"name", std::string("新客户 ") + kWhoNames[who]}, {"phone", "1370000000" + std::to_string(who)}});
            check_reply(srv.post("/api/v1/customers", b, tokens[who]), expect[who], "POST /api/v1/customers", who);
        }
        CHECK(total(srv, "/api/v1/customers", shop.admin) == customers + 2);
    }

    SECTION("users") {
        const Expect expect = {201, 403, 403, 403, 403, 403};
        for (int who = 0; who < kRoles; ++who) {
            auto b = body({{"username", "new.user." + std::to_string(who)},
                           {"password", "long-enough-pw"},
                           {"name", "New"},
                           {"role", "technician"}});
            check_reply(srv.post("/api/v1/users", b, tokens[who]), expect[who], "POST /api/v1/users", who);
            check_reply(srv.patch("/api/v1/users/" + shop.tech_b_id, body({{"region", "徐汇区"}}), tokens[who]),
                        expect[who] == 201 ? 200 : 403, "PATCH /api/v1/users/{tech B}", who);
        }
        CHECK(total(srv, "/api/v1/users", shop.admin) == users + 1);
    }

    SECTION("patching customer A") {
        const Expect expect = {200, 200, 403, 403, 200, 404};
        for (int who = 0; who < kRoles; ++who)
            check_reply(srv.patch("/api/v1/customers/" + shop.customer_a,
                                  body({{"notes", std::string("by ") + kWhoNames[who]}}), tokens[who]),
                        expect[who], "PATCH /api/v1/customers/{A}", who);
        auto a = need(srv.get("/api/v1/customers/" + shop.customer_a, shop.admin), 200).object();
        CHECK(int_of(a, "version") == 4);
        CHECK(text_of(a, "notes") == "by customer A");
    }

    SECTION("patching asset A") {
        const Expect expect = {200, 200, 403, 403, 403, 403};
        for (int who = 0; who < kRoles; ++who)
            check_reply(srv.patch("/api/v1/assets/" + shop.asset_a,
                                  body({{"model", std::string("M ") + kWhoNames[who]}}), tokens[who]),
                        expect[who], "PATCH /api/v1/assets/{A}", who);
        auto a = need(srv.get("/api/v1/assets/" + shop.asset_a, shop.admin), 200).object();
        CHECK(int_of(a, "version") == 3);
        CHECK(text_of(a, "model") == "M dispatcher");
    }

    SECTION("registering an asset of customer A") {
        // To technician B and customer B, customer A reads exactly like a customer that does not exist.
        const Expect expect = {201, 201, 201, 422, 201, 422};
        for (int who = 0; who < kRoles; ++who) {
            auto b = body({{"customer_id", shop.customer_a},
                           {"model", "新设备"},
                           {"serial_no", "SN-NEW-" + std::to_string(who)}});
            auto r = srv.post("/api/v1/assets", b, tokens[who]);
            check_reply(r, expect[who], "POST /api/v1/assets for A", who);
            if (expect[who] != 422) continue;
            check_error(r, 422, "invalid_field", "customer_id");
            b->set("customer_id", "0190a1b2-0000-7000-8000-000000000000");
            b->set("serial_no", "SN-NEW-missing");
            auto missing = srv.post("/api/v1/assets", b, tokens[who]);
            check_error(missing, 422, "invalid_field", "customer_id");
        }
        CHECK(total(srv, "/api/v1/assets", shop.admin) == assets + 4);
        CHECK(total(srv, "/api/v1/assets?customer_id=" + shop.customer_b, shop.admin) == 1);
    }

    SECTION("reporting a fault of customer A") {
        // Technician B serves no job of customer A: the customer is as unknown to them as a missing one (422 on
        // customer_id); customer B may report only for themselves (403).
        const Expect expect = {201, 201, 201, 422, 201, 403};
        for (int who = 0; who < kRoles; ++who) {
            auto b = body({{"customer_id", shop.customer_a}, {"asset_id", shop.asset_a}, {"description", "又坏了"}});
            auto r = srv.post("/api/v1/jobs", b, tokens[who]);
            check_reply(r, expect[who], "POST /api/v1/jobs for A", who);
            if (expect[who] == 422) check_error(r, 422, "invalid_field", "customer_id");
            if (expect[who] == 403) CHECK(r.error_field() == "customer_id");
            if (who == kTechA && r.status == 201) {
                // The reporting technician gets the new job back, but sees it only once it is assigned to them.
                CHECK(r.str("state") == "reported");
                CHECK(r.str("reported_by") == shop.tech_a_id);
                CHECK(r.object()->getArray("available_actions")->size() == 0);
                check_error(srv.get("/api/v1/jobs/" + r.str("id"), shop.tech_a), 404, "not_found");
                need(srv.get("/api/v1/jobs/" + r.str("id"), shop.dispatcher), 200);
            }
        }
        CHECK(total(srv, "/api/v1/jobs", shop.admin) == jobs + 4);
        CHECK(total(srv, "/api/v1/jobs", shop.cust_b) == 1);
        // Customer B cannot slip their own asset onto A's record either, nor A's asset onto theirs.
        check_error(srv.post("/api/v1/jobs",
                             body({{"customer_id", shop.customer_b}, {"asset_id", shop.asset_a}, {"description", "x"}}),
                             shop.cust_b),
                    422, "invalid_field", "asset_id");
        CHECK(total(srv, "/api/v1/jobs", shop.admin) == jobs + 4);
    }
}

TEST_CASE_METHOD(AccessFixture, "who may take which action on a job", "[integration][access][actions]") {
    struct Attempt {
        std::string job, action;
        Obj fields;
        int who, status;
    };
    auto approve = body({{"plan_version", 1}});
    const std::vector<Attempt> refused = {
        // Technicians never assign or approve; the other technician does not even see the job.
        {job_a, "assign", body({{"technician_id", shop.tech_b_id}}), kTechA, 403},
        {job_a, "reassign", body({{"technician_id", shop.tech_b_id}}), kTechA, 403},
        {job_a, "reassign", body({{"technician_id", shop.tech_b_id}}), kTechB, 404},
        {job_a, "revise_plan", body({{"reason", "x"}}), kTechB, 404},
        {job_a, "approve_plan", approve, kTechA, 403},
        {job_a, "approve_plan", approve, kTechB, 404},
        // A customer cannot approve or decline another customer's plan, nor revise or reassign their own.
        {job_a, "approve_plan", approve, kCustB, 404},
        {job_a, "decline_plan", approve, kCustB, 404},
        {job_a, "revise_plan", body({{"reason", "x"}}), kCustA, 403},
        {job_a, "reassign", body({{"technician_id", shop.tech_b_id}}), kCustA, 403},
        // Staff may not sign for the customer.
        {job_a, "record_acceptance", acceptance(std::string(64, '0')), kDispatcher, 403},
        {job_a, "record_acceptance", acceptance(std::string(64, '0')), kAdmin, 403},
        // Closing and cancelling belong to staff.
        {job_a_done, "close", body(), kTechA, 403},
        {job_a_done, "close", body(), kCustA, 403},
        {job_a_done, "close", body(), kTechB, 404},
        {job_a, "cancel", body({{"reason", "x"}}), kTechA, 403},
        // Nobody but staff and the customer sees an unassigned job; the other customer cannot cancel it.
        {job_a_new, "assign", body({{"technician_id", shop.tech_a_id}}), kTechA, 404},
        {job_a_new, "assign", body({{"technician_id", shop.tech_a_id}}), kCustA, 403},
        {job_a_new, "cancel", body({{"reason", "x"}}), kCustB, 404},
        {job_b, "hold", body({{"reason", "x"}}), kTechA, 404},
        {job_b, "submit_assessment", assessment(), kTechA, 404},
        {job_b, "submit_assessment", assessment(), kCustB, 403},
    };
    std::map<std::string, std::int64_t> versions;
    for (const auto& j : {job_a, job_a_done, job_a_new, job_b}) versions[j] = int_of(shop.job(j), "version");
    for (const auto& a : refused)
        check_reply(shop.act(a.job, a.action, a.fields, tokens[a.who]), a.status, "action " + a.action, a.who);
    for (const auto& [j, v] : versions) {
        INFO("job " << j);
        CHECK(int_of(shop.job(j), "version") == v);
    }
    CHECK(shop.state(job_a) == "plan_proposed");
    CHECK(shop.state(job_a_new) == "reported");

    // The rightful callers succeed.
    CHECK(text_of(shop.must(job_a, "approve_plan", approve, shop.cust_a), "state") == "approved");
    shop.settle_followups(job_a_done);
    CHECK(text_of(shop.must(job_a_done, "close", body(), shop.dispatcher), "state") == "closed");
    CHECK(text_of(shop.must(job_b, "hold", body({{"reason", "等配件"}}), shop.tech_b), "state") == "on_hold");
    CHECK(text_of(shop.must(job_a_new, "cancel", body({{"reason", "误报"}}), shop.cust_a), "state") == "cancelled");
}

TEST_CASE_METHOD(AccessFixture, "reassigning a job moves its visibility to the new technician",
                 "[integration][access]") {
    shop.must(job_b, "reassign", body({{"technician_id", shop.tech_a_id}, {"reason", "张师傅请假"}}), shop.dispatcher);
    check_get("/api/v1/jobs/" + job_b, {200, 200, 200, 404, 404, 200});
    check_get("/api/v1/customers/" + shop.customer_b, {200, 200, 200, 404, 404, 200});
    CHECK(listed("/api/v1/jobs", kTechB).empty());
    CHECK(listed("/api/v1/jobs", kTechA).count(job_b) == 1);
    check_error(shop.act(job_b, "submit_assessment", assessment(), shop.tech_b), 404, "not_found");
    CHECK(text_of(shop.must(job_b, "submit_assessment", assessment(), shop.tech_a), "state") == "plan_proposed");
}

TEST_CASE_METHOD(AccessFixture, "a deactivated user's token stops working", "[integration][access]") {
    need(srv.get("/api/v1/jobs/" + job_a, shop.tech_a), 200);
    need(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"is_active", false}}), shop.admin), 200);
    check_error(srv.get("/api/v1/jobs/" + job_a, shop.tech_a), 401, "unauthenticated");
    check_error(
        srv.post("/api/v1/auth/login", body({{"username", "tech.a"}, {"password", "orchard-lantern-tech.a"}}), ""), 401,
        "bad_credentials");
    // An inactive technician cannot be given work either.
    check_error(shop.act(job_b, "reassign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher), 422,
                "invalid_field", "technician_id");
}

namespace {

// Customer care's two roles: an agent (客服) and a supervisor (主管), with a complaint, an appeal and a follow-up
// on the records of the matrix above.
struct CareAccessFixture : AccessFixture {
    std::string agent, supervisor, complaint, appeal, followup;

    CareAccessFixture() {
        create_user(srv, shop.admin, "agent.he", "agent");
        create_user(srv, shop.admin, "sup.zhou", "supervisor");
        agent = login_as(srv, "agent.he");
        supervisor = login_as(srv, "sup.zhou");
        complaint =
            need(srv.post("/api/v1/complaints",
                          body({{"type", "price"}, {"description", "收费太高"}, {"job_id", job_a}}), shop.admin),
                 201)
                .str("id");
        appeal = need(srv.post("/api/v1/appeals",
                               body({{"job_id", job_a}, {"decision", "warranty_refused"}, {"reason", "仍在保修期"}}),
                               shop.cust_a),
                      201)
                     .str("id");
        followup = text_of(
            list(srv, "/api/v1/followups?job_id=" + job_a_done, shop.admin)->getArray("items")->getObject(0), "id");
    }
};

}  // namespace

TEST_CASE_METHOD(CareAccessFixture, "agents and supervisors over every endpoint", "[integration][access][care]") {
    struct Call {
        std::string method, path, body;
        int agent, supervisor;
    };
    const std::string J = "/api/v1/jobs/", T = "/api/v1/technicians/" + shop.tech_a_id;
    const std::string sha(64, 'a');
    // clang-format off
    const std::vector<Call> calls = {
        //  method   path                                              body                  agent sup
        {"GET",    "/api/v1/workflow",                                 "",                     200, 200},
        {"GET",    "/api/v1/auth/me",                                  "",                     200, 200},
        {"GET",    "/api/v1/users",                                    "",                     403, 403},
        {"POST",   "/api/v1/users",                                    "{}",                   403, 403},
        {"GET",    "/api/v1/users/" + shop.tech_a_id,                  "",                     403, 403},
        {"PATCH",  "/api/v1/users/" + shop.tech_a_id,                  R"({"region":"x"})",    403, 403},
        {"GET",    "/api/v1/customers",                                "",                     200, 200},
        {"POST",   "/api/v1/customers",                                "{}",                   422, 422},
        {"GET",    "/api/v1/customers/" + shop.customer_b,             "",                     200, 200},
        {"PATCH",  "/api/v1/customers/" + shop.customer_a,             R"({"notes":"客服备注"})", 200, 200},
        {"GET",    "/api/v1/assets",                                   "",                     200, 200},
        {"POST",   "/api/v1/assets",                                   "{}",                   422, 422},
        {"GET",    "/api/v1/assets/" + shop.asset_b,                   "",                     200, 200},
        {"PATCH",  "/api/v1/assets/" + shop.asset_a,                   R"({"model":"M2"})",    200, 200},
        {"GET",    "/api/v1/jobs",                                     "",                     200, 200},
        {"POST",   "/api/v1/jobs",                                     "{}",                   422, 422},
        {"GET",    J + job_b,                                          "",                     200, 200},
        {"GET",    J + job_b + "/summary",                             "",                     200, 200},
        {"GET",    J + job_b + "/events",                              "",                     200, 200},
        {"POST",   J + job_a_new + "/actions/assign",                  "{}",                   422, 422},
        {"POST",   J + job_a + "/actions/approve_plan",                R"({"plan_version":1})", 403, 403},
        {"POST",   J + job_a_done + "/actions/close",                  "{}",                   403, 403},
        {"GET",    J + job_a + "/events/verify",                       "",                     403, 403},
        {"GET",    "/api/v1/audit/verify",                             "",                     403, 403},
        {"GET",    "/api/v1/warranties",                               "",                     200, 200},
        {"GET",    "/api/v1/warranties/" + warranty_a,                 "",                     200, 200},
        {"GET",    "/api/v1/technicians",                              "",                     200, 200},
        {"GET",    T + "/schedule-settings",                           "",                     403, 403},
        {"PATCH",  T + "/schedule-settings",                           "{}",                   403, 403},
        {"POST",   T + "/checkin",                                     "{}",                   403, 403},
        {"GET",    T + "/day",                                         "",                     403, 403},
        {"GET",    J + job_a + "/suggestions",                         "",                     403, 403},
        {"POST",   "/api/v1/dispatch/auto-assign/preview",             "{}",                   403, 403},
        {"POST",   "/api/v1/dispatch/auto-assign/x/apply",             "{}",                   403, 403},
        {"GET",    "/api/v1/sla/policies",                             "",                     403, 403},
        {"PUT",    "/api/v1/sla/policies",                             "{}",                   403, 403},
        {"GET",    "/api/v1/sla/calendar",                             "",                     403, 403},
        {"PUT",    "/api/v1/sla/calendar",                             "{}",                   403, 403},
        {"GET",    "/api/v1/sla/at-risk",                              "",                     403, 403},
        {"POST",   "/api/v1/sla/check",                                "",                     403, 403},
        {"GET",    "/api/v1/reports/jobs",                             "",                     403, 200},
        {"GET",    "/api/v1/portal/reports/" + job_a,                  "",                     404, 404},
        {"GET",    "/api/v1/portal/photos/x",                          "",                     404, 404},
        {"GET",    "/api/v1/webhooks",                                 "",                     403, 403},
        {"POST",   "/api/v1/webhooks",                                 "{}",                   403, 403},
        {"DELETE", "/api/v1/webhooks/x",                               "",                     403, 403},
        {"GET",    "/api/v1/webhooks/x/deliveries",                    "",                     403, 403},
        {"GET",    "/api/v1/notifications",                            "",                     403, 403},
        {"GET",    "/api/v1/sync/devices",                             "",                     200, 200},
        {"POST",   "/api/v1/sync/devices",                             "{}",                   403, 403},
        {"DELETE", "/api/v1/sync/devices/x",                           "",                     404, 404},
        {"POST",   "/api/v1/sync/push",                                "{}",                   403, 403},
        {"GET",    "/api/v1/sync/pull",                                "",                     403, 403},
        {"GET",    "/api/v1/sync/conflicts",                           "",                     403, 403},
        {"POST",   "/api/v1/sync/conflicts/x/resolve",                 "{}",                   403, 403},
        {"POST",   "/api/v1/sync/compact",                             "{}",                   403, 403},
        {"GET",    "/api/v1/attachments/" + sha,                       "",                     403, 403},
        {"GET",    "/api/v1/attachments/" + sha + "/content",          "",                     403, 403},
        {"GET",    "/api/v1/parts",                                    "",                     200, 200},
        {"POST",   "/api/v1/parts",                                    "{}",                   403, 403},
        {"GET",    "/api/v1/fault-categories",                         "",                     200, 200},
        {"POST",   "/api/v1/fault-categories",                         "{}",                   403, 403},
        {"GET",    J + job_a + "/notes",                               "",                     403, 403},
        {"POST",   J + job_a + "/notes",                               "{}",                   403, 403},
        {"GET",    "/api/v1/complaints",                               "",                     200, 200},
        {"POST",   "/api/v1/complaints",                               "{}",                   422, 422},
        {"GET",    "/api/v1/complaints/" + complaint,                  "",                     200, 200},
        {"POST",   "/api/v1/complaints/" + complaint + "/actions/set_deadlines", "{}",         403, 422},
        {"GET",    "/api/v1/appeals",                                  "",                     200, 200},
        {"POST",   "/api/v1/appeals",                                  "{}",                   422, 422},
        {"GET",    "/api/v1/appeals/" + appeal,                        "",                     200, 200},
        {"POST",   "/api/v1/appeals/" + appeal + "/actions/decide",    "{}",                   403, 422},
        {"GET",    "/api/v1/followups",                                "",                     200, 200},
        {"GET",    "/api/v1/followups/" + followup,                    "",                     200, 200},
        {"POST",   "/api/v1/followups/" + followup + "/survey",        "{}",                   422, 422},
        {"POST",   "/api/v1/followups/" + followup + "/waive",         "{}",                   422, 422},
        {"GET",    J + job_b + "/messages",                            "",                     200, 200},
        {"POST",   J + job_b + "/messages",                            "{}",                   422, 422},
        {"GET",    "/api/v1/messages/waiting",                         "",                     200, 200},
        {"POST",   "/api/v1/care/sweep",                               "",                     403, 200},
        {"GET",    "/api/v1/care/report",                              "",                     200, 200},
        {"GET",    "/api/v1/care/evidence/x/content",                  "",                     404, 404},
        {"GET",    "/api/v1/assets/" + shop.asset_b + "/purchase",     "",                     200, 200},
        {"PUT",    "/api/v1/assets/" + shop.asset_b + "/purchase",     "{}",                   422, 422},
        {"POST",   J + job_b + "/after-sales",                         "{}",                   422, 422},
        {"GET",    "/api/v1/after-sales/cases",                        "",                     200, 200},
        {"GET",    "/api/v1/after-sales/cases/x",                      "",                     404, 404},
        {"POST",   "/api/v1/after-sales/cases/x/actions/approve",      "{}",                   404, 404},
        {"GET",    "/api/v1/knowledge?q=x",                            "",                     200, 200},
        {"GET",    "/api/v1/policies/time-limits",                     "",                     200, 200},
        {"PUT",    "/api/v1/policies/time-limits",                     "{}",                   403, 403},
        {"GET",    "/api/v1/policies/after-sales",                     "",                     200, 200},
        {"PUT",    "/api/v1/policies/after-sales",                     "{}",                   403, 403},
        {"POST",   "/api/v1/deadlines/sweep",                          "{}",                   403, 403},
        {"POST",   "/api/v1/auth/logout",                              "",                     204, 204},
    };
    // clang-format on
    for (const auto& c : calls) {
        for (const auto& [token, expected, who] :
             {std::tuple{agent, c.agent, "agent"}, std::tuple{supervisor, c.supervisor, "supervisor"}}) {
            auto r = srv.request(c.method, c.path, c.body, token);
            INFO(c.method << " " << c.path << " as " << who << " → " << r.status << " " << r.body);
            CHECK(r.status == expected);
            if (expected == 403) CHECK(r.error_code() == "forbidden");
        }
    }
    // The refusals changed nothing: no user, SLA policy or webhook came from them, and the job is untouched.
    CHECK(shop.state(job_a) == "plan_proposed");
    CHECK(shop.state(job_a_done) == "accepted");
    CHECK(text_of(need(srv.get("/api/v1/complaints/" + complaint, shop.admin), 200).object(), "state") == "open");
    CHECK(text_of(need(srv.get("/api/v1/appeals/" + appeal, shop.admin), 200).object(), "state") == "open");
}

TEST_CASE_METHOD(CareAccessFixture, "a customer never reads another customer's care records",
                 "[integration][access][care]") {
    check_get("/api/v1/complaints/" + complaint, {200, 200, 403, 403, 200, 404});
    check_get("/api/v1/appeals/" + appeal, {200, 200, 403, 403, 200, 404});
    check_get("/api/v1/followups/" + followup, {200, 200, 403, 403, 200, 404});
    check_get("/api/v1/jobs/" + job_a + "/messages", {200, 200, 200, 404, 200, 404});
    for (const char* list_path : {"/api/v1/complaints", "/api/v1/appeals", "/api/v1/followups"}) {
        INFO(list_path);
        CHECK(listed(list_path, kCustB).empty());
        CHECK(listed(std::string(list_path) + "?job_id=" + job_a, kCustB).empty());
        CHECK(listed(list_path, kCustA).size() == 1);
    }
    // Nor can they write on it.
    check_reply(srv.post("/api/v1/jobs/" + job_a + "/messages", body({{"body", "hi"}}), shop.cust_b), 404,
                "POST message on A's job", kCustB);
    check_reply(srv.post("/api/v1/followups/" + followup + "/survey", body({{"rating", 1}}), shop.cust_b), 404,
                "survey of A's follow-up", kCustB);
    check_reply(srv.post("/api/v1/appeals/" + appeal + "/actions/escalate", body(), shop.cust_b), 404,
                "escalate A's appeal", kCustB);
    CHECK(total(srv, "/api/v1/complaints", shop.admin) == 1);
}

// After-sales for customer care: an agent opens and follows a case for a caller, a supervisor decides and refunds,
// the depot's steps stay with dispatchers; every refusal leaves the case as it was.
TEST_CASE_METHOD(CareAccessFixture, "agents and supervisors on an after-sales case", "[integration][access][care]") {
    auto refused = [](const Reply& r, const std::string& what) {
        INFO(what << " → " << r.status << " " << r.body);
        CHECK(r.status == 403);
        CHECK(r.error_code() == "forbidden");
    };
    auto purchase = body({{"purchase_date", plus_days(today_utc(), -2)}, {"purchase_channel", "电话订购"}});
    purchase->set("purchase_price", 800.0);
    need(srv.request("PUT", "/api/v1/assets/" + shop.asset_a + "/purchase", to_text(purchase), agent), 200);
    auto opening = body({{"kind", "return_refund"}, {"reason", "来电:到货即故障"}});
    opening->set("amount", 300.0);
    auto with_override = body({{"kind", "return_refund"}, {"reason", "x"}, {"override_reason", "客户是老客户"}});
    with_override->set("amount", 300.0);
    refused(srv.post("/api/v1/jobs/" + job_a_done + "/after-sales", with_override, agent), "agent overrides a window");
    CHECK(total(srv, "/api/v1/after-sales/cases", shop.admin) == 0);
    auto id = need(srv.post("/api/v1/jobs/" + job_a_done + "/after-sales", opening, agent), 201).str("id");
    auto act = [&](const std::string& action, const Obj& b, const std::string& token) {
        return srv.post("/api/v1/after-sales/cases/" + id + "/actions/" + action, b, token);
    };
    auto state = [&] { return need(srv.get("/api/v1/after-sales/cases/" + id, agent), 200).str("state"); };
    refused(act("approve", body(), agent), "agent approves");
    refused(act("refuse", body({{"reason", "x"}}), agent), "agent refuses");
    CHECK(state() == "requested");
    need(act("approve", body({{"note", "主管同意退货"}}), supervisor), 200);
    need(act("ship_back", body({{"carrier", "顺丰"}, {"tracking_no", "SF100"}}), agent), 200);
    refused(act("receive_goods", body(), supervisor), "supervisor receives goods");
    need(act("receive_goods", body(), shop.dispatcher), 200);
    auto refund = body({{"method", "original_route"}});
    refund->set("amount", 300.0);
    refused(act("refund", refund, agent), "agent refunds");
    CHECK(state() == "goods_received");
    need(act("refund", refund, supervisor), 200);
    CHECK(need(act("close", body(), agent), 200).str("state") == "closed");
    CHECK(ids_of(list(srv, "/api/v1/after-sales/cases?state=closed", agent)->getArray("items")).count(id) == 1);
}
