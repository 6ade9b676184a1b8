// Dispatch over HTTPS against the real server: suggestions, auto-assign preview and apply, visits without double
// booking, day timelines with travel, SLA clocks on a known calendar with pauses, escalation, and reports.
#include <Poco/DateTimeFormatter.h>
#include <Poco/Thread.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

constexpr const char* kMonday = "2031-03-03";  // a Monday, far enough ahead to be a planning day
constexpr const char* kMondayEarly = "2031-03-03T08:00:00+08:00";

// Pudong, Xuhui and Minhang: about 15 and 25 km apart.
const double kPudong[2] = {31.2040, 121.5950};
const double kXuhui[2] = {31.1880, 121.4370};
const double kMinhang[2] = {31.1600, 121.3500};

Obj location(const double* p) { return body({{"lat", p[0]}, {"lng", p[1]}}); }

void set_technician(const Shop& shop, const std::string& id, const std::string& skills_json, const double* home) {
    auto b = body({{"home_location", location(home)}});
    b->set("skills", json(skills_json));
    need(shop.srv.patch("/api/v1/users/" + id, b, shop.admin), 200);
}

void set_customer_location(const Shop& shop, const std::string& customer_id, const double* p) {
    need(shop.srv.patch("/api/v1/customers/" + customer_id, body({{"location", location(p)}}), shop.dispatcher), 200);
}

std::string report_job(const Shop& shop, const std::string& customer_id, const std::string& asset_id,
                       const std::string& priority = "normal", const std::string& category = "冰箱") {
    auto b = body({{"customer_id", customer_id},
                   {"asset_id", asset_id},
                   {"description", "冰箱不制冷 not cooling"},
                   {"priority", priority},
                   {"category", category}});
    return need(shop.srv.post("/api/v1/jobs", b, shop.dispatcher), 201).str("id");
}

Arr items_of(const Reply& r, const char* key = "items") { return r.object()->getArray(key); }

Obj item(const Arr& a, std::size_t i) { return a->getObject(static_cast<unsigned>(i)); }

std::vector<std::string> reason_codes(const Obj& suggestion) {
    std::vector<std::string> out;
    for (const auto& v : *suggestion->getArray("reasons")) out.push_back(text_of(v.extract<Obj>(), "code"));
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::int64_t ms_of(const std::string& iso) {
    int tz = 0;
    Poco::DateTime d = Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, iso, tz);
    return d.timestamp().epochMicroseconds() / 1000 - static_cast<std::int64_t>(tz) * 1000;
}

std::string iso_of(std::int64_t ms) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000), "%Y-%m-%dT%H:%M:%S.%iZ");
}

// The time of the job's first event with this action.
std::int64_t event_at(const Shop& shop, const std::string& job_id, const std::string& action) {
    auto events =
        need(shop.srv.get("/api/v1/jobs/" + job_id + "/events", shop.dispatcher), 200).object()->getArray("items");
    for (const auto& v : *events)
        if (text_of(v.extract<Obj>(), "action") == action) return ms_of(text_of(v.extract<Obj>(), "at"));
    FAIL("no event " << action);
    return 0;
}

Obj find_event(const Shop& shop, const std::string& job_id, const std::string& action) {
    auto events =
        need(shop.srv.get("/api/v1/jobs/" + job_id + "/events", shop.dispatcher), 200).object()->getArray("items");
    for (const auto& v : *events)
        if (text_of(v.extract<Obj>(), "action") == action) return v.extract<Obj>();
    return nullptr;
}

// Great-circle km and the server's travel model (30 km/h, detour 1.3, 10 min a stop), computed independently.
double travel_minutes(const double* a, const double* b) {
    const double r = 6371.0088, rad = M_PI / 180;
    double dlat = (b[0] - a[0]) * rad, dlng = (b[1] - a[1]) * rad;
    double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
               std::cos(a[0] * rad) * std::cos(b[0] * rad) * std::sin(dlng / 2) * std::sin(dlng / 2);
    double km = 2 * r * std::asin(std::sqrt(h));
    return km * 1.3 / 30 * 60 + 10;
}

Obj policies_body(const std::string& normal, const std::string& high, const std::string& urgent,
                  const std::string& extra = "") {
    return json(R"({"at_risk_fraction":0.2,"policies":[
        {"priority":"low","response_minutes":1000,"resolution_minutes":10000,"business_hours":true},
        {"priority":"normal",)" +
                normal + R"(},{"priority":"high",)" + high + R"(},{"priority":"urgent",)" + urgent + R"(}])" + extra +
                "}");
}

// Deadlines ten years out, so plans for 2031 are never late and ranking depends on skills and travel alone.
void far_deadlines(const Shop& shop) {
    std::string far = R"("response_minutes":525600,"resolution_minutes":5256000,"business_hours":false)";
    need(shop.srv.request("PUT", "/api/v1/sla/policies", to_text(policies_body(far, far, far)), shop.admin), 200);
}

const char* kEveryDay =
    R"(["00:00-24:00"],["00:00-24:00"],["00:00-24:00"],["00:00-24:00"],["00:00-24:00"],["00:00-24:00"],["00:00-24:00"])";

}  // namespace

TEST_CASE("suggestions rank the skilled technician nearest the job first, with reasons", "[integration][dispatch]") {
    TestServer srv;
    Shop shop(srv);
    std::string tech_c_id = create_user(srv, shop.admin, "tech.c", "technician");
    set_technician(shop, shop.tech_a_id, R"({"冰箱":4})", kPudong);
    set_technician(shop, shop.tech_b_id, R"({"冰箱":4})", kMinhang);
    set_technician(shop, tech_c_id, R"({"空调":5})", kPudong);
    far_deadlines(shop);
    set_customer_location(shop, shop.customer_a, kPudong);
    std::string job = report_job(shop, shop.customer_a, shop.asset_a);

    auto reply =
        need(srv.get("/api/v1/jobs/" + job + "/suggestions?at=" + url_encode(kMondayEarly), shop.dispatcher), 200);
    auto items = items_of(reply);
    REQUIRE(items->size() == 3);
    CHECK(text_of(item(items, 0), "technician_id") == shop.tech_a_id);
    CHECK(item(items, 0)->getValue<bool>("eligible"));
    CHECK(contains(reason_codes(item(items, 0)), "skill_match"));
    CHECK(contains(reason_codes(item(items, 0)), "travel"));
    CHECK(item(items, 0)->getValue<double>("travel_km") < 1.0);
    REQUIRE(item(items, 0)->getObject("slot"));
    CHECK(ms_of(text_of(item(items, 0)->getObject("slot"), "start")) >= ms_of("2031-03-03T09:00:00+08:00"));
    CHECK(text_of(item(items, 1), "technician_id") == shop.tech_b_id);
    CHECK(item(items, 1)->getValue<double>("travel_km") > 20);
    CHECK(item(items, 0)->getValue<double>("score") > item(items, 1)->getValue<double>("score"));
    CHECK(text_of(item(items, 2), "technician_id") == tech_c_id);
    CHECK_FALSE(item(items, 2)->getValue<bool>("eligible"));
    CHECK(reason_codes(item(items, 2)).front() == "no_skill");

    // A technician on a day off drops out with the reason.
    need(srv.patch("/api/v1/technicians/" + shop.tech_a_id + "/schedule-settings",
                   json(R"({"days_off":["2031-03-03"]})"), shop.dispatcher),
         200);
    items = items_of(
        need(srv.get("/api/v1/jobs/" + job + "/suggestions?at=" + url_encode(kMondayEarly), shop.dispatcher), 200));
    CHECK(text_of(item(items, 0), "technician_id") == shop.tech_b_id);
    for (std::size_t i = 0; i < items->size(); ++i)
        if (text_of(item(items, i), "technician_id") == shop.tech_a_id)
            CHECK(contains(reason_codes(item(items, i)), "day_off"));

    check_error(srv.get("/api/v1/jobs/" + job + "/suggestions", shop.tech_a), 403, "forbidden");
    check_error(srv.get("/api/v1/jobs/" + job + "/suggestions", shop.cust_a), 403, "forbidden");
    check_error(srv.get("/api/v1/jobs/" + job + "/suggestions?at=tomorrow", shop.dispatcher), 422, "invalid_field",
                "at");
    check_error(srv.get("/api/v1/jobs/no-such-job/suggestions", shop.dispatcher), 404, "not_found");
}

TEST_CASE("auto-assign previews a plan and applies all or part of it through the workflow", "[integration][dispatch]") {
    TestServer srv;
    Shop shop(srv);
    set_technician(shop, shop.tech_a_id, R"({"冰箱":3})", kPudong);
    set_technician(shop, shop.tech_b_id, R"({"冰箱":3})", kMinhang);
    set_customer_location(shop, shop.customer_a, kPudong);
    set_customer_location(shop, shop.customer_b, kMinhang);
    far_deadlines(shop);
    std::string a1 = report_job(shop, shop.customer_a, shop.asset_a);
    std::string a2 = report_job(shop, shop.customer_a, shop.new_asset(shop.customer_a));
    std::string b1 = report_job(shop, shop.customer_b, shop.asset_b);

    // Bad input changes nothing: no proposal, no assignment.
    check_error(srv.post("/api/v1/dispatch/auto-assign/preview", body({{"date", "2031-02-30"}}), shop.dispatcher), 422,
                "invalid_field", "date");
    check_error(srv.post("/api/v1/dispatch/auto-assign/preview", body({{"date", "2020-01-06"}}), shop.dispatcher), 422,
                "invalid_field", "date");
    check_error(srv.post("/api/v1/dispatch/auto-assign/preview", json(R"({"date":"2031-03-03","job_ids":["nope"]})"),
                         shop.dispatcher),
                422, "invalid_field", "job_ids");
    check_error(srv.post("/api/v1/dispatch/auto-assign/preview", body({{"date", kMonday}}), shop.tech_a), 403,
                "forbidden");
    check_error(srv.post("/api/v1/dispatch/auto-assign/preview", body({}), shop.dispatcher), 422, "missing_field",
                "date");

    auto plan = need(srv.post("/api/v1/dispatch/auto-assign/preview", body({{"date", kMonday}}), shop.dispatcher), 201)
                    .object();
    std::string proposal = text_of(plan, "id");
    CHECK(int_of(plan, "jobs") == 3);
    CHECK(plan->getArray("unassigned")->size() == 0);
    std::map<std::string, std::string> by_job;
    for (const auto& v : *plan->getArray("assignments"))
        by_job[text_of(v.extract<Obj>(), "job_id")] = text_of(v.extract<Obj>(), "technician_id");
    CHECK(by_job ==
          std::map<std::string, std::string>{{a1, shop.tech_a_id}, {a2, shop.tech_a_id}, {b1, shop.tech_b_id}});
    auto totals = plan->getObject("totals");
    auto greedy = plan->getObject("greedy");
    CHECK(int_of(totals, "assigned") == 3);
    CHECK(totals->getValue<double>("travel_km") <= greedy->getValue<double>("travel_km"));
    CHECK(shop.state(a1) == "reported");  // a preview changes no job

    // Apply a part: only a1.
    check_error(srv.post("/api/v1/dispatch/auto-assign/" + proposal + "/apply", json(R"({"job_ids":["nope"]})"),
                         shop.dispatcher),
                422, "invalid_field", "job_ids");
    CHECK(shop.state(a1) == "reported");
    check_error(srv.post("/api/v1/dispatch/auto-assign/no-such/apply", body(), shop.dispatcher), 404, "not_found");
    auto applied = need(srv.post("/api/v1/dispatch/auto-assign/" + proposal + "/apply",
                                 json(R"({"job_ids":[")" + a1 + R"("]})"), shop.dispatcher),
                        200)
                       .object();
    CHECK(int_of(applied, "assigned") == 1);
    auto j = shop.job(a1);
    CHECK(text_of(j, "state") == "assessing");
    CHECK(text_of(j, "assignee_id") == shop.tech_a_id);
    auto assign = find_event(shop, a1, "assign");
    REQUIRE(assign);
    CHECK(text_of(assign, "actor_id") == shop.dispatcher_id);
    CHECK(text_of(assign->getObject("after")->getObject("fields"), "note") == "auto-assign proposal " + proposal);

    // b1 moves meanwhile: applying the rest assigns a2, refuses b1 as stale and a1 as already done.
    shop.must(b1, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    applied =
        need(srv.post("/api/v1/dispatch/auto-assign/" + proposal + "/apply", body(), shop.dispatcher), 200).object();
    std::map<std::string, std::string> status;
    for (const auto& v : *applied->getArray("results"))
        status[text_of(v.extract<Obj>(), "job_id")] =
            text_of(v.extract<Obj>(), "status") + ":" + text_of(v.extract<Obj>(), "code");
    CHECK(status ==
          std::map<std::string, std::string>{{a1, "refused:conflict"}, {a2, "assigned:"}, {b1, "refused:conflict"}});
    CHECK(text_of(shop.job(b1), "assignee_id") == shop.tech_a_id);
    CHECK(text_of(shop.job(a2), "assignee_id") == shop.tech_a_id);

    // Tech A's Monday: the two assessment visits in order, each with the drive before it.
    auto day =
        need(srv.get("/api/v1/technicians/" + shop.tech_a_id + "/day?date=" + kMonday, shop.tech_a), 200).object();
    auto visits = day->getArray("visits");
    REQUIRE(visits->size() == 2);
    CHECK(text_of(item(visits, 0), "kind") == "assessment");
    CHECK(ms_of(text_of(item(visits, 0), "starts_at")) < ms_of(text_of(item(visits, 1), "starts_at")));
    CHECK(int_of(item(visits, 0), "travel_minutes") == 10);  // from home next door: only the stop overhead
    check_error(srv.get("/api/v1/technicians/" + shop.tech_a_id + "/day", shop.tech_b), 404, "not_found");
}

TEST_CASE("visits never double-book a technician; timelines show travel; depot jobs show their shipment",
          "[integration][dispatch]") {
    TestServer srv;
    Shop shop(srv);
    set_technician(shop, shop.tech_a_id, R"({"冰箱":3})", kPudong);
    set_customer_location(shop, shop.customer_a, kPudong);
    set_customer_location(shop, shop.customer_b, kXuhui);
    std::string j1 = shop.report(shop.customer_a, shop.asset_a);
    std::string j2 = shop.report(shop.customer_b, shop.asset_b);
    shop.drive(j1, "approved");
    shop.drive(j2, "approved");
    auto window = [&](const char* start, const char* end) {
        return body({{"technician_id", shop.tech_a_id}, {"window_start", start}, {"window_end", end}});
    };
    shop.must(j1, "schedule", window("2031-03-04T09:00:00+08:00", "2031-03-04T11:00:00+08:00"), shop.dispatcher);
    auto events_before = shop.event_actions(j2).size();
    auto clash =
        shop.act(j2, "schedule", window("2031-03-04T10:00:00+08:00", "2031-03-04T12:00:00+08:00"), shop.dispatcher);
    check_error(clash, 409, "conflict", "window_start");
    CHECK(clash.body.find(text_of(shop.job(j1), "ticket_no")) != std::string::npos);
    CHECK(shop.state(j2) == "approved");
    CHECK(shop.job(j2)->isNull("schedule"));
    CHECK(shop.event_actions(j2).size() == events_before);

    shop.must(j2, "schedule", window("2031-03-04T13:00:00+08:00", "2031-03-04T14:00:00+08:00"), shop.dispatcher);
    auto day =
        need(srv.get("/api/v1/technicians/" + shop.tech_a_id + "/day?date=2031-03-04", shop.dispatcher), 200).object();
    auto visits = day->getArray("visits");
    REQUIRE(visits->size() == 2);
    CHECK(text_of(item(visits, 0), "job_id") == j1);
    CHECK(text_of(item(visits, 1), "job_id") == j2);
    CHECK(int_of(item(visits, 1), "travel_minutes") == std::llround(travel_minutes(kPudong, kXuhui)));
    CHECK(text_of(day->getObject("start_location"), "source") == "home");

    // Rescheduling moves the visit and keeps the old window in the history; its old time is free again.
    shop.must(j1, "reschedule",
              body({{"technician_id", shop.tech_a_id},
                    {"window_start", "2031-03-04T15:00:00+08:00"},
                    {"window_end", "2031-03-04T16:00:00+08:00"},
                    {"reason", "客户改约 customer asked"}}),
              shop.dispatcher);
    auto history = shop.job(j1)->getObject("schedule")->getArray("history");
    REQUIRE(history->size() == 1);
    CHECK(text_of(item(history, 0), "window_start") == "2031-03-04T09:00:00+08:00");
    day =
        need(srv.get("/api/v1/technicians/" + shop.tech_a_id + "/day?date=2031-03-04", shop.dispatcher), 200).object();
    REQUIRE(day->getArray("visits")->size() == 2);
    CHECK(text_of(item(day->getArray("visits"), 0), "job_id") == j2);

    // Starting the repair on site records where the technician is.
    check_error(shop.act(j1, "start_repair", json(R"({"location":{"lat":95,"lng":0}})"), shop.tech_a), 422,
                "invalid_field", "location");
    CHECK(shop.state(j1) == "scheduled");
    shop.must(j1, "start_repair", json(R"({"location":{"lat":31.2041,"lng":121.5951}})"), shop.tech_a);
    auto techs = items_of(need(srv.get("/api/v1/technicians?date=2031-03-04", shop.dispatcher), 200));
    bool found = false;
    for (std::size_t i = 0; i < techs->size(); ++i) {
        if (text_of(item(techs, i), "id") != shop.tech_a_id) continue;
        found = true;
        auto here = item(techs, i)->getObject("current_location");
        REQUIRE(here);
        CHECK(here->getValue<double>("lat") == Approx(31.2041));
        CHECK(int_of(item(techs, i)->getObject("load"), "booked") == 2);
        CHECK(int_of(item(techs, i)->getObject("load"), "capacity") == 6);
    }
    CHECK(found);
    check_error(srv.get("/api/v1/technicians", shop.tech_a), 403, "forbidden");
    check_error(srv.post("/api/v1/technicians/" + shop.tech_a_id + "/checkin", body({{"lat", 31.0}, {"lng", 121.0}}),
                         shop.tech_b),
                404, "not_found");
    need(srv.post("/api/v1/technicians/" + shop.tech_b_id + "/checkin", body({{"lat", 31.0}, {"lng", 121.0}}),
                  shop.tech_b),
         201);

    // Schedule settings: bad hours change nothing.
    auto settings_path = "/api/v1/technicians/" + shop.tech_a_id + "/schedule-settings";
    check_error(srv.patch(settings_path, json(R"({"weekly_hours":[["18:00-09:00"],[],[],[],[],[],[]]})"), shop.admin),
                422, "invalid_field", "weekly_hours");
    check_error(srv.patch(settings_path, json(R"({"capacity_per_day":3})"), shop.tech_a), 403, "forbidden");
    auto settings = need(srv.get(settings_path, shop.tech_a), 200).object();
    CHECK(settings->getValue<bool>("is_default"));
    settings = need(srv.patch(settings_path, json(R"({"capacity_per_day":3,"certified_models":["美的 BCD-520 冰箱"]})"),
                              shop.admin),
                    200)
                   .object();
    CHECK(int_of(settings, "capacity_per_day") == 3);
    CHECK(text_of(settings, "technician_id") == shop.tech_a_id);
    CHECK_FALSE(settings->getValue<bool>("is_default"));

    // Depot: carrier and tracking number, then received, then returned.
    std::string depot = shop.report(shop.customer_b, shop.new_asset(shop.customer_b));
    shop.drive(depot, "scheduled", "depot");
    auto shipment = shop.job(depot)->getObject("shipment");
    REQUIRE(shipment);
    CHECK(text_of(shipment, "status") == "in_transit");
    CHECK(text_of(shipment, "carrier") == "顺丰速运");
    CHECK(text_of(shipment, "tracking_no") == "SF1234567890");
    shop.drive(depot, "in_repair", "depot");
    CHECK(text_of(shop.job(depot)->getObject("shipment"), "status") == "received");
    shop.drive(depot, "awaiting_acceptance", "depot");
    shipment = shop.job(depot)->getObject("shipment");
    CHECK(text_of(shipment, "status") == "returned");
    CHECK(text_of(shipment, "return_tracking_no") == "SF0987654321");
    CHECK(shop.job(j2)->isNull("shipment"));
}

TEST_CASE("SLA deadlines run on business hours, skip holidays and move out by pauses", "[integration][dispatch]") {
    TestServer srv;
    Shop shop(srv);
    auto calendar_before = need(srv.get("/api/v1/sla/calendar", shop.dispatcher), 200).object();
    check_error(
        srv.request("PUT", "/api/v1/sla/calendar",
                    R"({"utc_offset_minutes":0,"weekly_hours":[["17:00-09:00"],[],[],[],[],[],[]],"holidays":[]})",
                    shop.admin),
        422, "invalid_field", "weekly_hours");
    check_error(
        srv.request("PUT", "/api/v1/sla/calendar",
                    R"({"utc_offset_minutes":0,"weekly_hours":[[],[],[],[],[],[],[]],"holidays":[]})", shop.admin),
        422, "invalid_field", "weekly_hours");
    check_error(srv.request("PUT", "/api/v1/sla/calendar",
                            R"({"utc_offset_minutes":0,"weekly_hours":[],"holidays":["2031-02-30"]})", shop.admin),
                422, "invalid_field", "weekly_hours");
    CHECK(to_text(need(srv.get("/api/v1/sla/calendar", shop.dispatcher), 200).json) == to_text(calendar_before));
    check_error(srv.request("PUT", "/api/v1/sla/calendar", to_text(calendar_before), shop.dispatcher), 403,
                "forbidden");
    check_error(srv.get("/api/v1/sla/calendar", shop.cust_a), 403, "forbidden");

    // Working 09:00-17:00 UTC every day, but today and tomorrow are holidays: the clocks start the day after.
    std::string today = today_utc();
    std::string calendar = R"({"utc_offset_minutes":0,"weekly_hours":[["09:00-17:00"],["09:00-17:00"],["09:00-17:00"],
        ["09:00-17:00"],["09:00-17:00"],["09:00-17:00"],["09:00-17:00"]],"holidays":[")" +
                           today + R"(",")" + plus_days(today, 1) + R"("]})";
    need(srv.request("PUT", "/api/v1/sla/calendar", calendar, shop.admin), 200);
    auto policies = policies_body(
        R"("response_minutes":120,"resolution_minutes":600,"business_hours":true)",
        R"("response_minutes":240,"resolution_minutes":1000,"business_hours":true)",
        R"("response_minutes":60,"resolution_minutes":240,"business_hours":false)",
        R"(,"contracts":[{"customer_id":")" + shop.customer_b +
            R"(","priority":"normal","response_minutes":30,"resolution_minutes":600,"business_hours":true}])");
    check_error(srv.request("PUT", "/api/v1/sla/policies", to_text(policies), shop.dispatcher), 403, "forbidden");
    auto bad = policies_body(R"("response_minutes":-1,"resolution_minutes":600,"business_hours":true)",
                             R"("response_minutes":240,"resolution_minutes":1000,"business_hours":true)",
                             R"("response_minutes":60,"resolution_minutes":240,"business_hours":false)");
    auto policies_before = to_text(need(srv.get("/api/v1/sla/policies", shop.dispatcher), 200).json);
    check_error(srv.request("PUT", "/api/v1/sla/policies", to_text(bad), shop.admin), 422, "invalid_field",
                "policies[1]");
    CHECK(to_text(need(srv.get("/api/v1/sla/policies", shop.dispatcher), 200).json) == policies_before);
    need(srv.request("PUT", "/api/v1/sla/policies", to_text(policies), shop.admin), 200);

    std::string job = report_job(shop, shop.customer_a, shop.asset_a, "normal");
    auto sla = shop.job(job)->getObject("sla");
    REQUIRE(sla);
    CHECK(text_of(sla->getObject("response"), "deadline") == plus_days(today, 2) + "T11:00:00.000Z");
    CHECK(text_of(sla->getObject("resolution"), "deadline") == plus_days(today, 3) + "T11:00:00.000Z");
    CHECK(text_of(sla, "status") == "ok");
    CHECK_FALSE(sla->getValue<bool>("paused"));
    // The list shows the same clocks.
    auto listed = list(srv, "/api/v1/jobs", shop.dispatcher)->getArray("items");
    CHECK(text_of(item(listed, 0)->getObject("sla")->getObject("response"), "deadline") ==
          plus_days(today, 2) + "T11:00:00.000Z");
    // Customer B's contract promises a response in 30 business minutes.
    std::string contract_job = report_job(shop, shop.customer_b, shop.asset_b, "normal");
    CHECK(int_of(shop.job(contract_job)->getObject("sla")->getObject("response"), "allowance_minutes") == 30);

    // Urgent runs on wall-clock time; waiting for the customer's approval pauses the resolution clock.
    std::string urgent = report_job(shop, shop.customer_a, shop.new_asset(shop.customer_a), "urgent");
    shop.drive(urgent, "plan_proposed");
    Poco::Thread::sleep(1200);
    auto paused = shop.job(urgent)->getObject("sla");
    CHECK(paused->getValue<bool>("paused"));
    CHECK(paused->getObject("response")->getValue<bool>("met"));
    shop.drive(urgent, "approved");
    std::int64_t reported = event_at(shop, urgent, "report"), proposed = event_at(shop, urgent, "submit_assessment"),
                 approved = event_at(shop, urgent, "approve_plan");
    REQUIRE(approved - proposed >= 1200);
    auto after = shop.job(urgent)->getObject("sla");
    CHECK_FALSE(after->getValue<bool>("paused"));
    CHECK(text_of(after->getObject("resolution"), "deadline") ==
          iso_of(reported + 240 * 60'000 + (approved - proposed)));
    CHECK(text_of(after->getObject("response"), "reached_at") == iso_of(event_at(shop, urgent, "assign")));
}

TEST_CASE("the SLA check escalates breached jobs once, to the named dispatcher", "[integration][dispatch]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_SLA_CHECK_INTERVAL", "0"}});
    Shop shop(srv);
    std::string calendar =
        std::string(R"({"utc_offset_minutes":480,"weekly_hours":[)") + kEveryDay + R"(],"holidays":[]})";
    need(srv.request("PUT", "/api/v1/sla/calendar", calendar, shop.admin), 200);
    // High jobs must be answered at once and escalate to the dispatcher; normal ones have an hour to be resolved.
    auto policies =
        policies_body(R"("response_minutes":600,"resolution_minutes":0,"business_hours":false)",
                      R"("response_minutes":0,"resolution_minutes":600,"business_hours":false,"escalate_to":")" +
                          shop.dispatcher_id + "\"",
                      R"("response_minutes":60,"resolution_minutes":240,"business_hours":false)");
    need(srv.request("PUT", "/api/v1/sla/policies", to_text(policies), shop.admin), 200);
    std::string high = report_job(shop, shop.customer_a, shop.asset_a, "high");
    std::string normal = report_job(shop, shop.customer_b, shop.asset_b, "normal");
    std::string admin_id = need(srv.get("/api/v1/auth/me", shop.admin), 200).str("id");
    shop.must(normal, "assign", body({{"technician_id", shop.tech_a_id}}), shop.admin);
    Poco::Thread::sleep(20);

    check_error(srv.post("/api/v1/sla/check", body(), shop.dispatcher), 403, "forbidden");
    auto result = need(srv.post("/api/v1/sla/check", body(), shop.admin), 200).object();
    std::map<std::string, std::string> escalated;
    for (const auto& v : *result->getArray("escalations")) {
        auto e = v.extract<Obj>();
        escalated[text_of(e, "job_id") + "/" + text_of(e, "clock") + "/" + text_of(e, "status")] =
            text_of(e, "escalated_to");
    }
    // The high job's policy names the dispatcher; the normal job goes to whoever assigned it (the admin).
    CHECK(escalated == std::map<std::string, std::string>{{high + "/response/breached", shop.dispatcher_id},
                                                          {normal + "/resolution/breached", admin_id}});
    auto event = find_event(shop, high, "escalate");
    REQUIRE(event);
    CHECK(text_of(event, "actor_role") == "system");
    CHECK(text_of(event->getObject("after"), "escalated_to") == shop.dispatcher_id);
    CHECK(text_of(event->getObject("after"), "escalated_to_name") == "User disp");
    CHECK(text_of(event->getObject("after"), "sla_status") == "breached");
    CHECK(
        need(srv.get("/api/v1/jobs/" + high + "/events/verify", shop.dispatcher), 200).object()->getValue<bool>("ok"));

    // Once only.
    result = need(srv.post("/api/v1/sla/check", body(), shop.admin), 200).object();
    CHECK(result->getArray("escalations")->size() == 0);
    auto risky = list(srv, "/api/v1/sla/at-risk", shop.dispatcher)->getArray("items");
    CHECK(ids_of(risky, "job_id") == std::set<std::string>{high, normal});
    check_error(srv.get("/api/v1/sla/at-risk", shop.tech_a), 403, "forbidden");
}

TEST_CASE("reports count a known set of jobs exactly, as JSON and as CSV", "[integration][dispatch]") {
    TestServer srv;
    Shop shop(srv);
    std::string calendar =
        std::string(R"({"utc_offset_minutes":0,"weekly_hours":[)") + kEveryDay + R"(],"holidays":[]})";
    need(srv.request("PUT", "/api/v1/sla/calendar", calendar, shop.admin), 200);
    std::string generous = R"("response_minutes":10000,"resolution_minutes":100000,"business_hours":true)";
    need(srv.request("PUT", "/api/v1/sla/policies", to_text(policies_body(generous, generous, generous)), shop.admin),
         200);

    // j1: tech A, fixed first time, rated 5. j2: tech A, another product, rejected once then accepted (rated 5).
    // j3: tech B, Gree, rated 3. j4: a new fault on j1's product under its repair warranty, still open.
    std::string j1 = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(j1, "closed");
    std::string j2 = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.drive(j2, "awaiting_acceptance");
    shop.must(j2, "reject_acceptance", body({{"reason", "还是不制冷 still warm"}}), shop.cust_a);
    shop.must(j2, "complete_repair", completion(), shop.tech_a);
    shop.drive(j2, "accepted");
    std::string j3 = shop.report(shop.customer_b, shop.asset_b);
    shop.drive(j3, "awaiting_acceptance", "on_site", shop.tech_b, shop.tech_b_id);
    auto rated3 = acceptance(shop.summary_sha(j3, shop.tech_b), "Bob Baker");
    rated3->set("rating", 3);
    shop.must(j3, "record_acceptance", rated3, shop.tech_b);
    std::string j4 = shop.report(shop.customer_a, shop.asset_a);
    REQUIRE(shop.job(j4)->getValue<bool>("is_warranty_repair"));

    auto report = [&](const std::string& name, const std::string& query) {
        return need(srv.get("/api/v1/reports/" + name + query, shop.dispatcher), 200).object();
    };
    auto rows_by_group = [](const Obj& r) {
        std::map<std::string, Obj> out;
        for (const auto& v : *r->getArray("rows")) out[text_of(v.extract<Obj>(), "group")] = v.extract<Obj>();
        return out;
    };
    std::string today = today_utc();
    auto period = "?from=" + today + "&to=" + today;

    auto ftf = rows_by_group(report("first-time-fix", period + "&group_by=technician"));
    REQUIRE(ftf.size() == 3);  // tech A, tech B, and the unassigned j4
    CHECK(text_of(ftf[shop.tech_a_id], "name") == "User tech.a");
    CHECK(int_of(ftf[shop.tech_a_id], "resolved") == 2);
    CHECK(int_of(ftf[shop.tech_a_id], "first_time_fixes") == 1);
    CHECK(ftf[shop.tech_a_id]->getValue<double>("first_time_fix_rate") == 0.5);
    CHECK(ftf[shop.tech_b_id]->getValue<double>("first_time_fix_rate") == 1.0);
    CHECK(ftf[""]->isNull("first_time_fix_rate"));

    auto rework = report("rework", period)->getObject("total");
    CHECK(int_of(rework, "resolved") == 3);
    CHECK(int_of(rework, "reworked") == 1);
    CHECK(rework->getValue<double>("rework_rate") == 0.3333);

    auto satisfaction = rows_by_group(report("satisfaction", period + "&group_by=model"));
    CHECK(int_of(satisfaction["美的 BCD-520 冰箱"], "rated") == 1);
    CHECK(satisfaction["海尔 EG100 洗衣机"]->getValue<double>("mean_rating") == 5.0);
    CHECK(satisfaction["Gree KFR-35 AC"]->getValue<double>("mean_rating") == 3.0);

    auto repeats = rows_by_group(report("repeat-repairs", period + "&group_by=model"));
    CHECK(int_of(repeats["美的 BCD-520 冰箱"], "jobs") == 2);
    CHECK(int_of(repeats["美的 BCD-520 冰箱"], "repeat_repairs") == 1);
    CHECK(repeats["美的 BCD-520 冰箱"]->getValue<double>("repeat_rate") == 0.5);
    CHECK(int_of(repeats["海尔 EG100 洗衣机"], "repeat_repairs") == 0);
    auto blamed = rows_by_group(report("repeat-repairs", period + "&group_by=technician"));
    CHECK(int_of(blamed[shop.tech_a_id], "repeat_repairs") == 1);  // the repair that came back was tech A's
    CHECK(int_of(blamed[""], "repeat_repairs") == 0);

    auto by_category = rows_by_group(report("jobs", "?group_by=category"));
    CHECK(int_of(by_category["冰箱"], "jobs") == 3);  // the assessment recorded the fault category
    CHECK(int_of(by_category["冰箱"], "open") == 0);
    CHECK(int_of(by_category[""], "open") == 1);

    auto sla = report("sla-compliance", period)->getObject("total");
    CHECK(int_of(sla, "response_measured") == 3);
    CHECK(sla->getValue<double>("response_compliance") == 1.0);
    CHECK(int_of(sla, "resolution_met") == 3);
    auto mttr = report("mttr", period + "&group_by=month")->getArray("rows");
    REQUIRE(mttr->size() == 1);
    CHECK(text_of(item(mttr, 0), "group") == today.substr(0, 7));
    CHECK(int_of(item(mttr, 0), "resolved") == 3);
    CHECK(int_of(report("jobs", "?from=" + plus_days(today, 1))->getObject("total"), "jobs") == 0);

    auto csv =
        need(srv.get("/api/v1/reports/satisfaction" + period + "&group_by=model&format=csv", shop.dispatcher), 200);
    CHECK(csv.headers["Content-Type"].rfind("text/csv", 0) == 0);
    CHECK(csv.body ==
          "\xEF\xBB\xBFgroup,rated,mean_rating\r\nGree KFR-35 AC,1,3\r\n海尔 EG100 洗衣机,1,5\r\n美的 BCD-520 "
          "冰箱,1,5\r\n");
    auto by_tech = need(srv.get("/api/v1/reports/rework?group_by=technician&format=csv", shop.dispatcher), 200);
    CHECK(by_tech.body.find("group,name,resolved,reworked,rework_rate\r\n") == 3);
    CHECK(by_tech.body.find(shop.tech_a_id + ",User tech.a,2,1,0.5\r\n") != std::string::npos);

    check_error(srv.get("/api/v1/reports/rework?group_by=colour", shop.dispatcher), 422, "invalid_field", "group_by");
    check_error(srv.get("/api/v1/reports/rework?from=2026-13-01", shop.dispatcher), 422, "invalid_field", "from");
    check_error(srv.get("/api/v1/reports/rework?format=xml", shop.dispatcher), 422, "invalid_field", "format");
    check_error(srv.get("/api/v1/reports/happiness", shop.dispatcher), 404, "not_found");
    check_error(srv.get("/api/v1/reports/rework", shop.tech_a), 403, "forbidden");
    check_error(srv.get("/api/v1/reports/rework", shop.cust_a), 403, "forbidden");
}

TEST_CASE("the reports' daily sums stay exact while job actions run concurrently", "[integration][dispatch]") {
    // The sums are gathered per transaction and written at its commit; several writers at once (PostgreSQL: on
    // their own connections, taking the day's rows in one order) must neither lose nor double a job.
    TestServer srv;
    Shop shop(srv);
    constexpr int kWriters = 4, kJobsEach = 5;
    std::atomic<int> created{0}, assigned{0}, failed{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            for (int i = 0; i < kJobsEach; ++i) {
                auto b = body({{"customer_id", w % 2 ? shop.customer_a : shop.customer_b},
                               {"asset_id", w % 2 ? shop.asset_a : shop.asset_b},
                               {"description", "并发 concurrent"}});
                auto reply = srv.post("/api/v1/jobs", b, shop.dispatcher);
                if (reply.status != 201) {
                    ++failed;
                    continue;
                }
                ++created;
                auto job_id = reply.str("id");
                const auto& tech = w % 2 ? shop.tech_a_id : shop.tech_b_id;
                (shop.act(job_id, "assign", body({{"technician_id", tech}}), shop.dispatcher).status == 200 ? assigned
                                                                                                            : failed)++;
            }
        });
    for (auto& t : writers) t.join();
    CHECK(failed == 0);
    REQUIRE(created == kWriters * kJobsEach);
    auto total = need(srv.get("/api/v1/reports/jobs", shop.dispatcher), 200).object()->getObject("total");
    CHECK(int_of(total, "jobs") == created);
    CHECK(int_of(total, "open") == created);
    std::map<std::string, std::int64_t> by_technician;
    // Kept in a variable: a range over a temporary's member would not keep the array alive.
    auto rows =
        need(srv.get("/api/v1/reports/jobs?group_by=technician", shop.dispatcher), 200).object()->getArray("rows");
    for (const auto& v : *rows) by_technician[text_of(v.extract<Obj>(), "group")] = int_of(v.extract<Obj>(), "jobs");
    CHECK(assigned == created);
    CHECK(by_technician[shop.tech_a_id] == kWriters / 2 * kJobsEach);
    CHECK(by_technician[shop.tech_b_id] == kWriters / 2 * kJobsEach);
    CHECK(by_technician[""] == 0);
}
