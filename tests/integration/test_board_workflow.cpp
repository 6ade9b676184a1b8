// What the dispatcher board relies on, over HTTPS against the real server: assign books the assessment visit at the
// time dropped on, priority changes through the workflow, suggestions and auto-assign for customers without a
// location, and preferred visit times in the past refused. Bad input is refused and changes nothing.
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

constexpr const char* kDay = "2031-03-04";  // a Tuesday
const double kPudong[2] = {31.2040, 121.5950};

void set_technician(const Shop& shop, const std::string& id, const std::string& skills_json) {
    auto b = body({{"home_location", body({{"lat", kPudong[0]}, {"lng", kPudong[1]}})}});
    b->set("skills", json(skills_json));
    need(shop.srv.patch("/api/v1/users/" + id, b, shop.admin), 200);
}

std::string report_job(const Shop& shop, const std::string& customer_id, const std::string& asset_id) {
    auto b = body({{"customer_id", customer_id},
                   {"asset_id", asset_id},
                   {"description", "冰箱不制冷 not cooling"},
                   {"category", "冰箱"}});
    return need(shop.srv.post("/api/v1/jobs", b, shop.dispatcher), 201).str("id");
}

Obj assessment_window(const std::string& tech_id, const char* start, const char* end) {
    auto b = body({{"technician_id", tech_id}});
    if (start) b->set("window_start", std::string(start));
    if (end) b->set("window_end", std::string(end));
    return b;
}

// The technician's booked visits of a job on kDay.
std::vector<Obj> visits_of(const Shop& shop, const std::string& tech_id, const std::string& job_id) {
    auto day = need(shop.srv.get("/api/v1/technicians/" + tech_id + "/day?date=" + kDay, shop.dispatcher), 200);
    std::vector<Obj> out;
    for (const auto& v : *day.object()->getArray("visits"))
        if (text_of(v.extract<Obj>(), "job_id") == job_id) out.push_back(v.extract<Obj>());
    return out;
}

std::vector<std::string> reason_codes(const Obj& suggestion) {
    std::vector<std::string> out;
    for (const auto& v : *suggestion->getArray("reasons")) out.push_back(text_of(v.extract<Obj>(), "code"));
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("assign books the assessment visit in the window given; half a window or a clash changes nothing",
          "[integration][dispatch][board]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = report_job(shop, shop.customer_a, shop.asset_a);
    const char* start = "2031-03-04T10:00:00+08:00";
    const char* end = "2031-03-04T12:00:00+08:00";

    check_error(shop.act(job, "assign", assessment_window(shop.tech_a_id, start, nullptr), shop.dispatcher), 422,
                "missing_field", "window_end");
    check_error(shop.act(job, "assign", assessment_window(shop.tech_a_id, end, start), shop.dispatcher), 422,
                "invalid_field", "window_end");
    check_error(shop.act(job, "assign", assessment_window(shop.tech_a_id, "10 o'clock", end), shop.dispatcher), 422,
                "invalid_field", "window_start");
    CHECK(shop.state(job) == "reported");
    CHECK(visits_of(shop, shop.tech_a_id, job).empty());

    auto after = shop.must(job, "assign", assessment_window(shop.tech_a_id, start, end), shop.dispatcher);
    CHECK(text_of(after, "state") == "assessing");
    CHECK(text_of(after, "assignee_id") == shop.tech_a_id);
    auto visits = visits_of(shop, shop.tech_a_id, job);
    REQUIRE(visits.size() == 1);
    CHECK(text_of(visits.front(), "starts_at") == "2031-03-04T02:00:00.000Z");
    CHECK(text_of(visits.front(), "ends_at") == "2031-03-04T04:00:00.000Z");

    // The same technician at an overlapping time: refused, and the second job stays as it was.
    std::string second = report_job(shop, shop.customer_b, shop.asset_b);
    check_error(shop.act(second, "assign",
                         assessment_window(shop.tech_a_id, "2031-03-04T11:00:00+08:00", "2031-03-04T13:00:00+08:00"),
                         shop.dispatcher),
                409, "conflict", "window_start");
    CHECK(shop.state(second) == "reported");
    CHECK(text_of(shop.job(second), "assignee_id").empty());
    // Without a window, assign still only assigns.
    shop.must(second, "assign", body({{"technician_id", shop.tech_b_id}}), shop.dispatcher);
    CHECK(visits_of(shop, shop.tech_b_id, second).empty());
}

TEST_CASE("set_priority changes the priority through the workflow; bad values, roles and states change nothing",
          "[integration][board]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = report_job(shop, shop.customer_a, shop.asset_a);
    shop.must(job, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);

    check_error(shop.act(job, "set_priority", body({{"priority", "highest"}}), shop.dispatcher), 422, "invalid_field",
                "priority");
    check_error(shop.act(job, "set_priority", body({}), shop.dispatcher), 422, "missing_field", "priority");
    check_error(shop.act(job, "set_priority", body({{"priority", "urgent"}}), shop.tech_a), 403, "forbidden");
    check_error(shop.act(job, "set_priority", body({{"priority", "urgent"}}), shop.cust_a), 403, "forbidden");
    CHECK(text_of(shop.job(job), "priority") == "normal");

    auto after = shop.must(job, "set_priority", body({{"priority", "urgent"}, {"reason", "客户投诉 complaint"}}),
                           shop.dispatcher);
    CHECK(text_of(after, "priority") == "urgent");
    CHECK(text_of(after, "state") == "assessing");
    CHECK(shop.event_actions(job).back() == "set_priority");

    shop.must(job, "cancel", body({{"reason", "客户取消"}}), shop.dispatcher);
    check_error(shop.act(job, "set_priority", body({{"priority", "low"}}), shop.dispatcher), 409, "invalid_transition");
    CHECK(text_of(shop.job(job), "priority") == "urgent");
}

TEST_CASE("a customer without a location still gets suggestions, and auto-assign counts the job as not planned",
          "[integration][dispatch][board]") {
    TestServer srv;
    Shop shop(srv);
    set_technician(shop, shop.tech_a_id, R"({"冰箱":4})");
    set_technician(shop, shop.tech_b_id, R"({"空调":5})");
    need(srv.patch("/api/v1/customers/" + shop.customer_a,
                   body({{"location", body({{"lat", kPudong[0]}, {"lng", kPudong[1]}})}}), shop.dispatcher),
         200);
    std::string located = report_job(shop, shop.customer_a, shop.asset_a);
    std::string nowhere = report_job(shop, shop.customer_b, shop.asset_b);

    auto reply = need(srv.get("/api/v1/jobs/" + nowhere + "/suggestions?at=" + url_encode("2031-03-04T08:00:00+08:00"),
                              shop.dispatcher),
                      200)
                     .object();
    CHECK_FALSE(reply->getValue<bool>("located"));
    auto items = reply->getArray("items");
    REQUIRE(items->size() == 2);
    auto first = items->getObject(0), second = items->getObject(1);
    CHECK(text_of(first, "technician_id") == shop.tech_a_id);
    CHECK(first->getValue<bool>("eligible"));
    CHECK(contains(reason_codes(first), "no_location"));
    CHECK_FALSE(contains(reason_codes(first), "travel"));
    CHECK(first->getObject("slot"));
    CHECK_FALSE(second->getValue<bool>("eligible"));
    CHECK(reason_codes(second).front() == "no_skill");
    auto with_location =
        need(srv.get("/api/v1/jobs/" + located + "/suggestions?at=" + url_encode("2031-03-04T08:00:00+08:00"),
                     shop.dispatcher),
             200)
            .object();
    CHECK(with_location->getValue<bool>("located"));
    CHECK(contains(reason_codes(with_location->getArray("items")->getObject(0)), "travel"));

    auto plan =
        need(srv.post("/api/v1/dispatch/auto-assign/preview", body({{"date", kDay}}), shop.dispatcher), 201).object();
    CHECK(plan->getArray("assignments")->size() == 1);
    CHECK(plan->getArray("unassigned")->size() == 1);
    CHECK(int_of(plan->getObject("totals"), "assigned") == 1);
    CHECK(int_of(plan->getObject("totals"), "unassigned") == 1);
    CHECK(int_of(plan->getObject("greedy"), "unassigned") == 1);
}

TEST_CASE("a preferred visit time in the past is refused and creates nothing", "[integration][portal][errors]") {
    TestServer srv;
    Shop shop(srv);
    auto jobs = total(srv, "/api/v1/jobs?limit=1", shop.admin);
    auto customers = total(srv, "/api/v1/customers?limit=1", shop.admin);
    auto past = body({{"contact_name", "王小明"},
                      {"phone", "13912345678"},
                      {"address", "上海市浦东新区世纪大道100号"},
                      {"model", "海尔 EG100 洗衣机"},
                      {"serial_no", "SN-PAST-1"},
                      {"description", "洗衣机不排水"},
                      {"preferred_start", "2020-03-04T09:00:00+08:00"},
                      {"preferred_end", "2020-03-04T12:00:00+08:00"}});
    check_error(srv.post("/api/v1/portal/reports", past, ""), 422, "invalid_field", "preferred_start");
    CHECK(total(srv, "/api/v1/jobs?limit=1", shop.admin) == jobs);
    CHECK(total(srv, "/api/v1/customers?limit=1", shop.admin) == customers);
    past->set("preferred_start", "2031-03-04T09:00:00+08:00");
    past->set("preferred_end", "2031-03-04T12:00:00+08:00");
    need(srv.post("/api/v1/portal/reports", past, ""), 201);
    CHECK(total(srv, "/api/v1/jobs?limit=1", shop.admin) == jobs + 1);
}
