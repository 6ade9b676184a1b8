// What survives a restart, what the audit chain reveals after the database is edited behind the server's back,
// health and metrics, and Chinese text end to end.
#include <fstream>
#include <sstream>

#include "fieldserver/storage/database.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// Runs one SQL statement on the server's database while the server is stopped, through the project's own storage
// gateway, so the same edit works on a SQLite file and on PostgreSQL. Returns the number of rows changed.
std::size_t run_sql(const std::string& database, const std::string& sql, const fieldserver::Params& params) {
    fieldserver::Database db(database, 1);
    return db.write([&](fieldserver::Db& d) { return d.execute(sql, params); });
}

// The value of one Prometheus sample line "name{labels} value", or -1 when absent.
double sample(const std::string& metrics, const std::string& series) {
    std::istringstream lines(metrics);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return -1;
}

std::vector<std::string> event_hashes(const TestServer& srv, const std::string& job, const std::string& token) {
    std::vector<std::string> out;
    auto events = need(srv.get("/api/v1/jobs/" + job + "/events", token), 200).object()->getArray("items");
    for (const auto& v : *events) out.push_back(text_of(v.extract<Obj>(), "hash"));
    return out;
}

}  // namespace

TEST_CASE("jobs, events and warranties survive a restart; tampering with an event shows",
          "[integration][persistence][audit]") {
    TestServer srv;
    Shop shop(srv);
    std::string done = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(done, "accepted");
    std::string open_job = shop.report(shop.customer_b, shop.asset_b, shop.cust_b);
    shop.drive(open_job, "assessing", "on_site", shop.tech_b, shop.tech_b_id);
    auto done_before = shop.job(done);
    auto open_before = shop.job(open_job);
    auto hashes = event_hashes(srv, done, shop.dispatcher);
    REQUIRE(hashes.size() == 8);
    std::string warranty_id = text_of(done_before->getObject("warranty"), "id");
    REQUIRE(!warranty_id.empty());

    srv.restart();

    std::string dispatcher = login_as(srv, "disp");
    std::string admin = srv.admin_token();
    std::string cust_b = login_as(srv, "cust.b");  // users and their passwords persisted
    auto done_after = need(srv.get("/api/v1/jobs/" + done, dispatcher), 200).object();
    for (const char* key : {"state", "ticket_no", "version", "assignee_id", "approved_plan_version", "updated_at"}) {
        INFO("field " << key);
        CHECK(text_of(done_after, key) == text_of(done_before, key));
    }
    CHECK(text_of(done_after, "state") == "accepted");
    CHECK(text_of(done_after->getObject("acceptance"), "summary_sha256") ==
          text_of(done_before->getObject("acceptance"), "summary_sha256"));
    CHECK(text_of(done_after->getObject("repair"), "work_summary") == "更换温控器 replaced thermostat");
    CHECK(event_hashes(srv, done, dispatcher) == hashes);
    auto warranties = list(srv, "/api/v1/warranties?job_id=" + done, dispatcher)->getArray("items");
    REQUIRE(warranties->size() == 1);
    CHECK(text_of(warranties->getObject(0), "id") == warranty_id);
    need(srv.get("/api/v1/warranties/" + warranty_id, login_as(srv, "cust.a")), 200);
    // Ownership survives too: customer B still sees exactly their own job.
    CHECK(ids_of(list(srv, "/api/v1/jobs", cust_b)->getArray("items")) == std::set<std::string>{open_job});
    CHECK(text_of(need(srv.get("/api/v1/jobs/" + open_job, dispatcher), 200).object(), "version") ==
          text_of(open_before, "version"));
    // The ticket counter carried on: a new fault gets a new number.
    std::string third = shop.report(shop.customer_b, shop.asset_b, cust_b);
    auto third_job = need(srv.get("/api/v1/jobs/" + third, dispatcher), 200).object();
    CHECK(text_of(third_job, "ticket_no") != text_of(done_before, "ticket_no"));
    CHECK(text_of(third_job, "ticket_no") != text_of(open_before, "ticket_no"));
    // The restarted server takes actions on old jobs (the follow-up first: closing requires it settled).
    auto followup = list(srv, "/api/v1/followups?job_id=" + done, dispatcher)->getArray("items")->getObject(0);
    need(srv.post("/api/v1/followups/" + text_of(followup, "id") + "/waive", body({{"reason", "客户不需回访"}}),
                  dispatcher),
         200);
    CHECK(text_of(need(srv.post("/api/v1/jobs/" + done + "/actions/close", body(), dispatcher), 200).object(),
                  "state") == "closed");

    auto verify = need(srv.get("/api/v1/jobs/" + done + "/events/verify", dispatcher), 200).object();
    CHECK(verify->getValue<bool>("ok"));
    CHECK(int_of(verify, "events") == 10);
    CHECK(verify->isNull("broken_at"));
    auto all = need(srv.get("/api/v1/audit/verify", admin), 200).object();
    CHECK(all->getValue<bool>("ok"));
    CHECK(int_of(all, "jobs") == 3);
    CHECK(all->getArray("broken")->size() == 0);

    // Someone with file access rewrites history: event 3 (the assessment) now claims another state.
    srv.stop();
    CHECK(run_sql(srv.database(),
                  "UPDATE job_events SET after_json = replace(after_json, ?, ?) WHERE job_id = ? AND seq = ?",
                  {std::string("\"plan_proposed\""), std::string("\"approved\""), done, std::int64_t{3}}) == 1);
    srv.start();

    admin = srv.admin_token();
    verify = need(srv.get("/api/v1/jobs/" + done + "/events/verify", admin), 200).object();
    CHECK_FALSE(verify->getValue<bool>("ok"));
    CHECK(int_of(verify, "broken_at") == 3);
    CHECK(text_of(verify, "reason").find("changed") != std::string::npos);
    // The other jobs' chains are intact.
    CHECK(need(srv.get("/api/v1/jobs/" + open_job + "/events/verify", admin), 200).object()->getValue<bool>("ok"));
    all = need(srv.get("/api/v1/audit/verify", admin), 200).object();
    CHECK_FALSE(all->getValue<bool>("ok"));
    CHECK(int_of(all, "jobs") == 3);
    auto broken = all->getArray("broken");
    REQUIRE(broken->size() == 1);
    CHECK(text_of(broken->getObject(0), "job_id") == done);
    CHECK(int_of(broken->getObject(0), "broken_at") == 3);

    // Removing an event breaks the chain at the gap.
    srv.stop();
    CHECK(run_sql(srv.database(), "DELETE FROM job_events WHERE job_id = ? AND seq = ?", {open_job, std::int64_t{1}}) ==
          1);
    srv.start();
    admin = srv.admin_token();
    verify = need(srv.get("/api/v1/jobs/" + open_job + "/events/verify", admin), 200).object();
    CHECK_FALSE(verify->getValue<bool>("ok"));
    CHECK(int_of(verify, "broken_at") == 1);
    CHECK(need(srv.get("/api/v1/audit/verify", admin), 200).object()->getArray("broken")->size() == 2);
}

TEST_CASE("health and Prometheus metrics", "[integration][persistence][metrics]") {
    TestServer srv;
    auto health = need(srv.get("/healthz", ""), 200).object();
    CHECK(text_of(health, "status") == "ok");
    CHECK(text_of(health, "database") == "ok");

    Shop shop(srv);
    std::string j1 = shop.report(shop.customer_a, shop.asset_a);
    shop.report(shop.customer_b, shop.asset_b);
    std::string j3 = shop.report(shop.customer_a, shop.asset_a, shop.cust_a);
    shop.drive(j3, "assessing");
    check_error(srv.get("/api/v1/no-such-thing", shop.admin), 404, "not_found");
    check_error(srv.get("/api/v1/jobs", ""), 401, "unauthenticated");

    auto r = srv.get("/metrics", "");
    REQUIRE(r.status == 200);
    CHECK(r.headers["Content-Type"].rfind("text/plain", 0) == 0);
    const std::string& m = r.body;
    CHECK(m.find("# TYPE fieldrepair_http_requests_total counter") != std::string::npos);
    CHECK(sample(m, R"(fieldrepair_http_requests_total{method="POST",route="/api/v1/jobs",status="201"})") == 3);
    CHECK(
        sample(
            m,
            R"(fieldrepair_http_requests_total{method="POST",route="/api/v1/jobs/{id}/actions/{action}",status="200"})") ==
        1);
    CHECK(sample(m, R"(fieldrepair_http_requests_total{method="GET",route="unmatched",status="404"})") == 1);
    CHECK(sample(m, R"(fieldrepair_http_requests_total{method="GET",route="/api/v1/jobs",status="401"})") == 1);
    CHECK(sample(m, R"(fieldrepair_http_requests_total{method="GET",route="/healthz",status="200"})") == 1);
    CHECK(sample(m, R"(fieldrepair_jobs{state="reported"})") == 2);
    CHECK(sample(m, R"(fieldrepair_jobs{state="assessing"})") == 1);
    CHECK(sample(m, R"(fieldrepair_jobs{state="closed"})") == 0);
    CHECK(sample(m, R"(fieldrepair_http_request_duration_seconds_count{method="POST",route="/api/v1/jobs"})") == 3);
    // Routes are labelled by pattern, so ids never explode the label set.
    CHECK(m.find(j1) == std::string::npos);

    // The gauge follows the jobs.
    shop.must(j1, "cancel", body({{"reason", "误报"}}), shop.dispatcher);
    std::string m2 = srv.get("/metrics", "").body;
    CHECK(sample(m2, R"(fieldrepair_jobs{state="reported"})") == 1);
    CHECK(sample(m2, R"(fieldrepair_jobs{state="cancelled"})") == 1);
}

TEST_CASE("Chinese text round-trips, is searchable and survives a restart", "[integration][persistence][i18n]") {
    TestServer srv;
    std::string admin = srv.admin_token();
    create_user(srv, admin, "disp", "dispatcher");
    std::string dispatcher = login_as(srv, "disp");
    const std::string name = "张三", address = "上海市浦东新区世纪大道100号环球金融中心52楼",
                      description = "空调不制冷,外机有“咔咔”异响;显示E5。";
    std::string zhang = create_customer(srv, dispatcher, name, "13912345678", address);
    std::string li = create_customer(srv, dispatcher, "李四", "13687654321", "北京市海淀区中关村大街1号");
    std::string asset = create_asset(srv, dispatcher, zhang, "格力 KFR-35GW 壁挂空调", "GL-KFR35-2024-0001");
    create_asset(srv, dispatcher, li, "海尔 冰箱", "HR-BCD-2024-0002");
    auto reported =
        need(
            srv.post(
                "/api/v1/jobs",
                body({{"customer_id", zhang}, {"asset_id", asset}, {"description", description}, {"category", "空调"}}),
                dispatcher),
            201)
            .object();
    std::string job = text_of(reported, "id");

    auto check_all = [&](const std::string& token) {
        auto c = need(srv.get("/api/v1/customers/" + zhang, token), 200).object();
        CHECK(text_of(c, "name") == name);
        CHECK(text_of(c, "address") == address);
        auto j = need(srv.get("/api/v1/jobs/" + job, token), 200).object();
        CHECK(text_of(j, "description") == description);
        CHECK(text_of(j, "customer_name") == name);
        CHECK(text_of(j, "category") == "空调");
        CHECK(text_of(j, "asset_model") == "格力 KFR-35GW 壁挂空调");
        auto summary = need(srv.get("/api/v1/jobs/" + job + "/summary", token), 200).object();
        CHECK(text_of(summary, "text").find("客户 Customer: 张三") != std::string::npos);
        CHECK(text_of(summary, "text").find(description) != std::string::npos);

        auto customers = [&](const std::string& q) {
            return ids_of(list(srv, "/api/v1/customers?q=" + url_encode(q), token)->getArray("items"));
        };
        auto jobs = [&](const std::string& q) {
            return ids_of(list(srv, "/api/v1/jobs?q=" + url_encode(q), token)->getArray("items"));
        };
        CHECK(customers("张") == std::set<std::string>{zhang});
        CHECK(customers("李四") == std::set<std::string>{li});
        CHECK(customers("世纪大道") == std::set<std::string>{zhang});
        CHECK(customers("1391234") == std::set<std::string>{zhang});
        CHECK(customers("GL-KFR35-2024") == std::set<std::string>{zhang});
        CHECK(customers("王").empty());
        CHECK(jobs("张") == std::set<std::string>{job});
        CHECK(jobs("咔咔") == std::set<std::string>{job});
        CHECK(jobs("13912345678") == std::set<std::string>{job});
        CHECK(jobs("GL-KFR35-2024-0001") == std::set<std::string>{job});
        CHECK(jobs("李").empty());
        CHECK(ids_of(list(srv, "/api/v1/customers?phone=13912345678", token)->getArray("items")) ==
              std::set<std::string>{zhang});
        // LIKE wildcards in a query are literal text.
        CHECK(customers("%").empty());
        CHECK(customers("_").empty());
    };
    check_all(dispatcher);
    srv.restart();
    check_all(login_as(srv, "disp"));

    // Length limits count characters, not bytes: 200 Chinese characters (600 bytes) fit a 200-character name.
    std::string long_name;
    for (int i = 0; i < 200; ++i) long_name += "张";
    dispatcher = login_as(srv, "disp");
    auto created = need(srv.post("/api/v1/customers", body({{"name", long_name}, {"phone", "1"}}), dispatcher), 201);
    CHECK(created.str("name") == long_name);
    check_error(srv.post("/api/v1/customers", body({{"name", long_name + "张"}, {"phone", "1"}}), dispatcher), 422,
                "invalid_field", "name");
}

TEST_CASE("demo data: its generated password stays valid across restarts", "[integration][persistence][demo]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_DEMO", "true"}});
    auto read_password = [&] {
        std::ifstream in(srv.data_dir() + "/demo-password.txt");
        std::string password;
        std::getline(in, password);
        return password;
    };
    std::string password = read_password();
    REQUIRE(password.size() >= 12);
    std::string dispatcher = srv.login("dispatcher", password);
    CHECK(total(srv, "/api/v1/jobs", dispatcher) > 0);
    auto jobs = total(srv, "/api/v1/jobs", dispatcher);

    // A later start finds the demo data loaded: it neither loads it twice nor writes a password nobody has.
    srv.restart();
    CHECK(read_password() == password);
    dispatcher = srv.login("dispatcher", password);
    CHECK(total(srv, "/api/v1/jobs", dispatcher) == jobs);
    check_error(
        srv.post("/api/v1/auth/login", body({{"username", "dispatcher"}, {"password", "not-the-password"}}), ""), 401,
        "bad_credentials");
}
