// Every class of client error: the reply ({"error":{"code","message","field"}} with its 4xx status) and proof
// that the request changed nothing.
#include <Poco/NumberParser.h>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// What a failed request must leave as it was: one job (its version and state), and the customer, asset, user
// and job counts.
struct Snapshot {
    std::int64_t job_version = 0, customers = 0, assets = 0, users = 0, jobs = 0;
    std::string job_state;

    static Snapshot of(const Shop& shop, const std::string& job_id) {
        Snapshot s;
        auto j = shop.job(job_id, shop.admin);
        s.job_version = int_of(j, "version");
        s.job_state = text_of(j, "state");
        s.customers = total(shop.srv, "/api/v1/customers", shop.admin);
        s.assets = total(shop.srv, "/api/v1/assets", shop.admin);
        s.users = total(shop.srv, "/api/v1/users", shop.admin);
        s.jobs = total(shop.srv, "/api/v1/jobs", shop.admin);
        return s;
    }

    bool operator==(const Snapshot& o) const {
        return job_version == o.job_version && job_state == o.job_state && customers == o.customers &&
               assets == o.assets && users == o.users && jobs == o.jobs;
    }
};

std::ostream& operator<<(std::ostream& out, const Snapshot& s) {
    return out << "{job v" << s.job_version << " " << s.job_state << ", customers " << s.customers << ", assets "
               << s.assets << ", users " << s.users << ", jobs " << s.jobs << "}";
}

// A server with a shop and one job in assessing, assigned to technician A.
struct ErrorFixture {
    TestServer srv;
    Shop shop{srv};
    std::string job;
    ErrorFixture() {
        job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job, "assessing");
    }
    std::string action_path(const std::string& action) const { return "/api/v1/jobs/" + job + "/actions/" + action; }
    Snapshot snapshot() const { return Snapshot::of(shop, job); }
};

}  // namespace

TEST_CASE_METHOD(ErrorFixture, "malformed JSON is 400 and changes nothing", "[integration][errors]") {
    auto before = snapshot();
    for (const std::string text : {R"({"name": "张三", "phone": )", "{name: 'x'}", "not json at all", R"({"a":1} {)"}) {
        INFO("body " << text);
        check_error(srv.request("POST", "/api/v1/customers", text, shop.dispatcher), 400, "malformed_json");
    }
    check_error(srv.request("POST", action_path("hold"), R"({"reason": "等配件")", shop.tech_a), 400, "malformed_json");
    check_error(srv.request("POST", "/api/v1/customers", "", shop.dispatcher), 400, "malformed_json");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "a body that is not a JSON object is 400 and changes nothing", "[integration][errors]") {
    auto before = snapshot();
    for (const std::string text : {R"([{"name":"张三","phone":"1"}])", "42", R"("text")", "null"}) {
        INFO("body " << text);
        check_error(srv.request("POST", "/api/v1/customers", text, shop.dispatcher), 400, "malformed_json");
    }
    check_error(srv.request("POST", action_path("hold"), R"([{"reason":"x"}])", shop.tech_a), 400, "malformed_json");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "NUL characters and numbers past 64 bits are refused and change nothing",
                 "[integration][errors]") {
    std::string proposed = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.drive(proposed, "plan_proposed");
    REQUIRE(int_of(shop.job(proposed), "plan_version") == 1);
    auto before = snapshot();
    std::int64_t customers = total(srv, "/api/v1/customers", shop.dispatcher);
    // A NUL would be stored and then cut names short wherever C strings or logs read them.
    check_error(
        srv.request("POST", "/api/v1/customers", R"({"name":"张\u0000三","phone":"13800138000"})", shop.dispatcher),
        400, "malformed_json");
    check_error(
        srv.request("POST", "/api/v1/customers", R"({"name\u0000x":"张三","phone":"13800138000"})", shop.dispatcher),
        400, "malformed_json");
    // 2^64 + 1 once read as 1, the current plan version: refused, not wrapped around into an approval.
    auto reply = srv.request("POST", "/api/v1/jobs/" + proposed + "/actions/approve_plan",
                             R"({"plan_version":18446744073709551617})", shop.dispatcher);
    INFO("reply " << reply.status << ": " << reply.body);
    CHECK((reply.status == 400 || reply.status == 422));
    CHECK(shop.state(proposed) == "plan_proposed");
    CHECK(total(srv, "/api/v1/customers", shop.dispatcher) == customers);
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "fields of the wrong type are 422 invalid_field naming the field",
                 "[integration][errors]") {
    auto before = snapshot();
    check_error(srv.post("/api/v1/customers", body({{"name", 42}, {"phone", "1380000"}}), shop.dispatcher), 422,
                "invalid_field", "name");
    check_error(srv.post("/api/v1/customers", body({{"name", "张三"}, {"phone", true}}), shop.dispatcher), 422,
                "invalid_field", "phone");
    check_error(srv.post("/api/v1/customers", body({{"name", "   "}, {"phone", "1380000"}}), shop.dispatcher), 422,
                "invalid_field", "name");
    check_error(srv.post("/api/v1/users",
                         body({{"username", "x.y"}, {"password", "long-enough-1"}, {"name", "X"}, {"role", "pilot"}}),
                         shop.admin),
                422, "invalid_field", "role");
    check_error(srv.post(action_path("hold"), body({{"reason", 12}}), shop.tech_a), 422, "invalid_field", "reason");
    check_error(srv.post(action_path("reassign"), body({{"technician_id", 7}}), shop.dispatcher), 422, "invalid_field",
                "technician_id");
    // A string of the right type that names no technician is invalid too.
    check_error(srv.post(action_path("reassign"), body({{"technician_id", shop.cust_a_user_id}}), shop.dispatcher), 422,
                "invalid_field", "technician_id");
    auto plan_wrong = assessment();
    plan_wrong->getObject("plan")->set("mode", "teleport");
    check_error(srv.post(action_path("submit_assessment"), plan_wrong, shop.tech_a), 422, "invalid_field", "plan.mode");
    auto covered_text = assessment();
    covered_text->set("warranty_covered", "yes");
    check_error(srv.post(action_path("submit_assessment"), covered_text, shop.tech_a), 422, "invalid_field",
                "warranty_covered");
    auto too_cheap = assessment("on_site", 1000);  // more than the items add up to
    check_error(srv.post(action_path("submit_assessment"), too_cheap, shop.tech_a), 422, "invalid_field",
                "plan.cost_to_customer");
    CHECK(snapshot() == before);
    CHECK(shop.job(job)->getArray("plans")->size() == 0);
}

TEST_CASE_METHOD(ErrorFixture, "missing fields are 422 missing_field naming the field", "[integration][errors]") {
    auto before = snapshot();
    check_error(srv.post("/api/v1/customers", body({{"name", "张三"}}), shop.dispatcher), 422, "missing_field",
                "phone");
    check_error(
        srv.post("/api/v1/customers", body({{"name", "张三"}, {"phone", Poco::Dynamic::Var()}}), shop.dispatcher), 422,
        "missing_field", "phone");
    check_error(
        srv.post("/api/v1/jobs", body({{"customer_id", shop.customer_a}, {"asset_id", shop.asset_a}}), shop.dispatcher),
        422, "missing_field", "description");
    check_error(srv.post(action_path("reassign"), body(), shop.dispatcher), 422, "missing_field", "technician_id");
    auto no_plan = assessment();
    no_plan->remove("plan");
    check_error(srv.post(action_path("submit_assessment"), no_plan, shop.tech_a), 422, "missing_field", "plan");
    check_error(srv.post("/api/v1/auth/login", body({{"username", "admin"}}), ""), 422, "missing_field", "password");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "an unknown extra field is 422 and changes nothing", "[integration][errors]") {
    auto before = snapshot();
    check_error(srv.post("/api/v1/customers", body({{"name", "张三"}, {"phone", "1380000"}, {"nickname", "小张"}}),
                         shop.dispatcher),
                422, "invalid_field", "nickname");
    check_error(srv.post(action_path("hold"), body({{"reason", "等配件"}, {"state", "closed"}}), shop.tech_a), 422,
                "invalid_field", "state");
    check_error(
        srv.patch("/api/v1/customers/" + shop.customer_a, body({{"name", "新名字"}, {"version", 9}}), shop.dispatcher),
        422, "invalid_field", "version");
    CHECK(snapshot() == before);
    // The rejected patch did not apply its valid half either.
    auto customer = need(srv.get("/api/v1/customers/" + shop.customer_a, shop.dispatcher), 200).object();
    CHECK(text_of(customer, "name") == "刘洋");
    CHECK(int_of(customer, "version") == 1);
}

TEST_CASE("an oversized body is 413 and changes nothing", "[integration][errors]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_MAX_BODY_BYTES", "2048"}});
    std::string admin = srv.admin_token();
    std::int64_t customers = total(srv, "/api/v1/customers", admin);
    auto big = body({{"name", "张三"}, {"phone", "13800000000"}, {"notes", std::string(4096, 'x')}});
    check_error(srv.post("/api/v1/customers", big, admin), 413, "payload_too_large");
    CHECK(total(srv, "/api/v1/customers", admin) == customers);
    // The server still answers normally afterwards, and a body under the limit passes.
    auto small = body({{"name", "张三"}, {"phone", "13800000000"}, {"notes", std::string(1024, 'x')}});
    need(srv.post("/api/v1/customers", small, admin), 201);
    CHECK(total(srv, "/api/v1/customers", admin) == customers + 1);
}

TEST_CASE_METHOD(ErrorFixture, "a body that is not application/json is 415 and changes nothing",
                 "[integration][errors]") {
    auto before = snapshot();
    std::string valid = R"({"name":"张三","phone":"13800000000"})";
    check_error(srv.request("POST", "/api/v1/customers", valid, shop.dispatcher, "text/plain"), 415,
                "unsupported_media");
    check_error(srv.request("POST", "/api/v1/customers", valid, shop.dispatcher, "application/x-www-form-urlencoded"),
                415, "unsupported_media");
    check_error(srv.request("POST", action_path("hold"), R"({"reason":"x"})", shop.tech_a, "text/json"), 415,
                "unsupported_media");
    CHECK(snapshot() == before);
    // The same body as JSON (with a charset) is accepted.
    need(srv.request("POST", "/api/v1/customers", valid, shop.dispatcher, "application/json; charset=utf-8"), 201);
}

TEST_CASE_METHOD(ErrorFixture, "unknown ids are 404 not_found", "[integration][errors]") {
    auto before = snapshot();
    const std::string missing = "0190a1b2-0000-7000-8000-000000000000";
    for (const std::string path :
         {"/api/v1/jobs/", "/api/v1/customers/", "/api/v1/assets/", "/api/v1/users/", "/api/v1/warranties/"}) {
        INFO("GET " << path << missing);
        check_error(srv.get(path + missing, shop.admin), 404, "not_found");
    }
    check_error(srv.get("/api/v1/jobs/" + missing + "/summary", shop.admin), 404, "not_found");
    check_error(srv.get("/api/v1/jobs/" + missing + "/events", shop.admin), 404, "not_found");
    check_error(srv.get("/api/v1/jobs/" + missing + "/events/verify", shop.admin), 404, "not_found");
    check_error(srv.post("/api/v1/jobs/" + missing + "/actions/hold", body({{"reason", "x"}}), shop.admin), 404,
                "not_found");
    check_error(srv.patch("/api/v1/customers/" + missing, body({{"name", "x"}}), shop.admin), 404, "not_found");
    check_error(srv.patch("/api/v1/assets/" + missing, body({{"model", "x"}}), shop.admin), 404, "not_found");
    check_error(srv.patch("/api/v1/users/" + missing, body({{"name", "x"}}), shop.admin), 404, "not_found");
    // A reference to an unknown record inside a body is an invalid field, not a missing resource.
    check_error(
        srv.post("/api/v1/jobs", body({{"customer_id", missing}, {"asset_id", shop.asset_a}, {"description", "x"}}),
                 shop.dispatcher),
        422, "invalid_field", "customer_id");
    check_error(srv.post("/api/v1/jobs",
                         body({{"customer_id", shop.customer_a}, {"asset_id", shop.asset_b}, {"description", "x"}}),
                         shop.dispatcher),
                422, "invalid_field", "asset_id");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "an unknown action is 404 unknown_action", "[integration][errors]") {
    auto before = snapshot();
    check_error(srv.post(action_path("teleport"), body(), shop.dispatcher), 404, "unknown_action");
    check_error(srv.post(action_path("ASSIGN"), body({{"technician_id", shop.tech_a_id}}), shop.dispatcher), 404,
                "unknown_action");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "unknown endpoints are 404 and wrong methods 405", "[integration][errors]") {
    auto before = snapshot();
    check_error(srv.get("/api/v1/nothing", shop.admin), 404, "not_found");
    check_error(srv.get("/api/v2/jobs", shop.admin), 404, "not_found");
    check_error(srv.get("/api/v1/jobs/" + job + "/photos", shop.admin), 404, "not_found");
    check_error(srv.request("DELETE", "/api/v1/jobs/" + job, "", shop.admin), 405, "method_not_allowed");
    check_error(srv.request("PUT", "/api/v1/customers/" + shop.customer_a, R"({"name":"x"})", shop.admin), 405,
                "method_not_allowed");
    check_error(srv.request("PATCH", "/api/v1/jobs/" + job, R"({"state":"closed"})", shop.admin), 405,
                "method_not_allowed");
    check_error(srv.get("/api/v1/jobs/" + job + "/actions/close", shop.admin), 405, "method_not_allowed");
    check_error(srv.request("POST", "/healthz", "{}", ""), 405, "method_not_allowed");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "roles without the right are 403 forbidden", "[integration][errors]") {
    auto before = snapshot();
    auto customer = body({{"name", "张三"}, {"phone", "13800000000"}});
    check_error(srv.post("/api/v1/customers", customer, shop.tech_a), 403, "forbidden");
    check_error(srv.post("/api/v1/customers", customer, shop.cust_a), 403, "forbidden");
    check_error(srv.post("/api/v1/users",
                         body({{"username", "evil"}, {"password", "long-enough-1"}, {"name", "E"}, {"role", "admin"}}),
                         shop.dispatcher),
                403, "forbidden");
    check_error(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"name", "x"}}), shop.dispatcher), 403, "forbidden");
    check_error(srv.post(action_path("reassign"), body({{"technician_id", shop.tech_b_id}}), shop.tech_a), 403,
                "forbidden");
    check_error(srv.post(action_path("cancel"), body({{"reason", "x"}}), shop.tech_a), 403, "forbidden");
    check_error(srv.get("/api/v1/audit/verify", shop.dispatcher), 403, "forbidden");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "actions not allowed in the job's state are 409 invalid_transition",
                 "[integration][errors]") {
    auto before = snapshot();
    check_error(srv.post(action_path("close"), body(), shop.dispatcher), 409, "invalid_transition");
    check_error(srv.post(action_path("assign"), body({{"technician_id", shop.tech_b_id}}), shop.dispatcher), 409,
                "invalid_transition");
    check_error(srv.post(action_path("approve_plan"), body({{"plan_version", 1}}), shop.cust_a), 409,
                "invalid_transition");
    check_error(srv.post(action_path("resume"), body(), shop.tech_a), 409, "invalid_transition");
    check_error(srv.post(action_path("complete_repair"), completion(), shop.tech_a), 409, "invalid_transition");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "requests without a valid token are 401", "[integration][errors]") {
    auto before = snapshot();
    check_error(srv.get("/api/v1/jobs", ""), 401, "unauthenticated");
    check_error(srv.get("/api/v1/jobs/" + job, "not-a-real-token"), 401, "unauthenticated");
    check_error(srv.post("/api/v1/customers", body({{"name", "张三"}, {"phone", "1"}}), ""), 401, "unauthenticated");
    check_error(srv.post(action_path("hold"), body({{"reason", "x"}}), shop.tech_a + "x"), 401, "unauthenticated");
    check_error(srv.get("/api/v1/auth/me", ""), 401, "unauthenticated");
    CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ErrorFixture, "logging out revokes the token and only that token", "[integration][errors][auth]") {
    std::string token = login_as(srv, "tech.a");
    auto me = need(srv.get("/api/v1/auth/me", token), 200).object();
    CHECK(text_of(me, "id") == shop.tech_a_id);
    auto out = srv.request("POST", "/api/v1/auth/logout", "", token);
    CHECK(out.status == 204);
    CHECK(out.body.empty());
    check_error(srv.get("/api/v1/auth/me", token), 401, "unauthenticated");
    check_error(srv.post(action_path("hold"), body({{"reason", "x"}}), token), 401, "unauthenticated");
    CHECK(shop.state(job) == "assessing");
    // The technician's other session is unaffected.
    need(srv.get("/api/v1/auth/me", shop.tech_a), 200);
}

TEST_CASE("repeated failed logins are rate limited with Retry-After", "[integration][errors][auth]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_LOGIN_MAX_FAILURES", "3"}});
    std::string admin = srv.admin_token();
    auto login = [&](const std::string& password) {
        return srv.post("/api/v1/auth/login", body({{"username", "admin"}, {"password", password}}), "");
    };
    for (int i = 0; i < 3; ++i) check_error(login("wrong-password-" + std::to_string(i)), 401, "bad_credentials");
    auto limited = login("wrong-password-x");
    check_error(limited, 429, "rate_limited");
    REQUIRE(limited.headers.count("Retry-After") == 1);
    int retry = 0;
    REQUIRE(Poco::NumberParser::tryParse(limited.headers["Retry-After"], retry));
    CHECK(retry >= 1);
    CHECK(retry <= 300);
    // Even the right password is refused while limited, and no token is issued.
    auto right = login("admin-password-1");
    check_error(right, 429, "rate_limited");
    CHECK(right.headers.count("Retry-After") == 1);
    CHECK(right.object()->has("token") == false);
    // A session opened before the failures keeps working.
    need(srv.get("/api/v1/auth/me", admin), 200);
}

TEST_CASE_METHOD(ErrorFixture, "a wrong password is 401 bad_credentials", "[integration][errors][auth]") {
    check_error(srv.post("/api/v1/auth/login", body({{"username", "tech.a"}, {"password", "not-the-password"}}), ""),
                401, "bad_credentials");
    check_error(srv.post("/api/v1/auth/login", body({{"username", "nobody"}, {"password", "password-nobody"}}), ""),
                401, "bad_credentials");
}

TEST_CASE_METHOD(ErrorFixture, "a duplicate username or serial number is 409 conflict", "[integration][errors]") {
    auto before = snapshot();
    check_error(
        srv.post(
            "/api/v1/users",
            body({{"username", "tech.a"}, {"password", "long-enough-1"}, {"name", "Again"}, {"role", "technician"}}),
            shop.admin),
        409, "conflict", "username");
    check_error(srv.post("/api/v1/assets",
                         body({{"customer_id", shop.customer_b}, {"model", "Other"}, {"serial_no", "SN-A-0001"}}),
                         shop.dispatcher),
                409, "conflict", "serial_no");
    check_error(srv.patch("/api/v1/assets/" + shop.asset_b, body({{"serial_no", "SN-A-0001"}}), shop.dispatcher), 409,
                "conflict", "serial_no");
    CHECK(snapshot() == before);
    auto asset_b = need(srv.get("/api/v1/assets/" + shop.asset_b, shop.dispatcher), 200).object();
    CHECK(text_of(asset_b, "serial_no") == "SN-B-0001");
    CHECK(int_of(asset_b, "version") == 1);
}

TEST_CASE_METHOD(ErrorFixture, "invalid dates are 422 naming the field", "[integration][errors]") {
    auto before = snapshot();
    auto asset = [&](const std::string& purchase, const std::string& until) {
        auto b = body({{"customer_id", shop.customer_a}, {"model", "M"}, {"serial_no", "SN-DATE-1"}});
        if (!purchase.empty()) b->set("purchase_date", purchase);
        if (!until.empty()) b->set("warranty_until", until);
        return srv.post("/api/v1/assets", b, shop.dispatcher);
    };
    check_error(asset("2024-13-01", ""), 422, "invalid_field", "purchase_date");
    check_error(asset("2023-02-29", ""), 422, "invalid_field", "purchase_date");
    check_error(asset("yesterday", ""), 422, "invalid_field", "purchase_date");
    check_error(asset("", "2025/01/01"), 422, "invalid_field", "warranty_until");
    check_error(asset("2024-05-01", "2024-04-30"), 422, "invalid_field", "warranty_until");
    check_error(srv.patch("/api/v1/assets/" + shop.asset_a, body({{"purchase_date", "2024-00-10"}}), shop.dispatcher),
                422, "invalid_field", "purchase_date");
    check_error(srv.get("/api/v1/warranties?active_on=2024-02-30", shop.admin), 422, "invalid_field", "active_on");
    // Date-times of a visit window: a format, a time zone, and an end after the start.
    std::string approved = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(approved, "approved");
    auto window = [&](const std::string& start, const std::string& end) {
        return srv.post("/api/v1/jobs/" + approved + "/actions/schedule",
                        body({{"technician_id", shop.tech_a_id}, {"window_start", start}, {"window_end", end}}),
                        shop.dispatcher);
    };
    auto approved_version = int_of(shop.job(approved), "version");
    check_error(window("tomorrow morning", kWindowEnd), 422, "invalid_field", "window_start");
    check_error(window("2031-03-04T09:00:00", kWindowEnd), 422, "invalid_field", "window_start");
    check_error(window(kWindowStart, "2031-02-30T11:00:00+08:00"), 422, "invalid_field", "window_end");
    check_error(window(kWindowEnd, kWindowStart), 422, "invalid_field", "window_end");
    auto j = shop.job(approved);
    CHECK(text_of(j, "state") == "approved");
    CHECK(int_of(j, "version") == approved_version);
    auto after = snapshot();
    CHECK(after.assets == before.assets);
    CHECK(after.job_version == before.job_version);
    auto asset_a = need(srv.get("/api/v1/assets/" + shop.asset_a, shop.dispatcher), 200).object();
    CHECK(int_of(asset_a, "version") == 1);
}

TEST_CASE_METHOD(ErrorFixture, "page limits outside 1…200 are 422", "[integration][errors]") {
    for (const std::string path :
         {"/api/v1/jobs", "/api/v1/customers", "/api/v1/assets", "/api/v1/users", "/api/v1/warranties"}) {
        INFO("GET " << path);
        check_error(srv.get(path + "?limit=0", shop.admin), 422, "invalid_field", "limit");
        check_error(srv.get(path + "?limit=500", shop.admin), 422, "invalid_field", "limit");
        check_error(srv.get(path + "?limit=ten", shop.admin), 422, "invalid_field", "limit");
        check_error(srv.get(path + "?offset=-1", shop.admin), 422, "invalid_field", "offset");
    }
    check_error(srv.get("/api/v1/jobs?colour=red", shop.admin), 422, "invalid_field", "colour");
    check_error(srv.get("/api/v1/jobs?state=flying", shop.admin), 422, "invalid_field", "state");
    // The bounds themselves are accepted and page as asked.
    auto page = list(srv, "/api/v1/users?limit=200", shop.admin);
    CHECK(int_of(page, "limit") == 200);
    CHECK(static_cast<std::int64_t>(page->getArray("items")->size()) == int_of(page, "total"));
    page = list(srv, "/api/v1/users?limit=1&offset=1", shop.admin);
    CHECK(page->getArray("items")->size() == 1);
    CHECK(int_of(page, "total") == 6);
    CHECK(int_of(page, "offset") == 1);
}
