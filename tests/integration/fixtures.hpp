// Helpers for the integration tests: a small repair shop (users, customers, assets) on a real server, and
// short ways to build request bodies, check error replies and drive a job through the workflow.
#pragma once

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_server.hpp"

namespace fieldtest {

using Obj = Poco::JSON::Object::Ptr;
using Arr = Poco::JSON::Array::Ptr;

// A 1×1 PNG, base64: the stand-in for a signature drawn on a tablet.
inline const char* const kSignaturePng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

inline const char* const kWindowStart = "2031-03-04T09:00:00+08:00";
inline const char* const kWindowEnd = "2031-03-04T11:00:00+08:00";

// {"k": v, …} from pairs.
inline Obj body(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> fields = {}) {
    Obj o = new Poco::JSON::Object;
    for (const auto& [k, v] : fields) o->set(k, v);
    return o;
}

inline std::string url_encode(const std::string& s) {
    std::string out;
    Poco::URI::encode(s, "&=?#+/", out);
    return out;
}

// A date YYYY-MM-DD moved by days, computed with Poco (independently of the server's calendar code).
inline std::string plus_days(const std::string& date, int days) {
    int tz = 0;
    Poco::DateTime d = Poco::DateTimeParser::parse("%Y-%m-%d", date, tz);
    d += Poco::Timespan(days, 0, 0, 0, 0);
    return Poco::DateTimeFormatter::format(d, "%Y-%m-%d");
}

inline std::string today_utc() { return Poco::DateTimeFormatter::format(Poco::DateTime(), "%Y-%m-%d"); }

// Requires the reply to have the status; shows the body when it does not.
inline const Reply& need(const Reply& r, int status) {
    INFO("reply " << r.status << ": " << r.body);
    REQUIRE(r.status == status);
    return r;
}

// Checks an error reply: status, {"error":{"code","message","field"}} with that code and field
// (empty field: the error names no field, so "field" is null).
inline void check_error(const Reply& r, int status, const std::string& code, const std::string& field = {}) {
    INFO("reply " << r.status << ": " << r.body);
    CHECK(r.status == status);
    REQUIRE(r.json.type() == typeid(Obj));
    auto error = r.object()->getObject("error");
    REQUIRE(error);
    CHECK(error->getValue<std::string>("code") == code);
    REQUIRE(error->has("message"));
    CHECK(!error->getValue<std::string>("message").empty());
    REQUIRE(error->has("field"));
    if (field.empty())
        CHECK(error->isNull("field"));
    else
        CHECK(r.error_field() == field);
}

inline std::string text_of(const Obj& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return {};
    return o->get(key).convert<std::string>();
}

inline std::int64_t int_of(const Obj& o, const std::string& key) { return o->getValue<std::int64_t>(key); }

inline std::set<std::string> ids_of(const Arr& items, const std::string& key = "id") {
    std::set<std::string> out;
    for (const auto& v : *items) out.insert(text_of(v.extract<Obj>(), key));
    return out;
}

// GET a list endpoint (200 required); returns {items,total,limit,offset}.
inline Obj list(const TestServer& srv, const std::string& path, const std::string& token) {
    return need(srv.get(path, token), 200).object();
}

inline std::int64_t total(const TestServer& srv, const std::string& path, const std::string& token) {
    return int_of(list(srv, path, token), "total");
}

// Users, customers, assets.
inline std::string create_user(const TestServer& srv, const std::string& admin, const std::string& username,
                               const std::string& role, const std::string& customer_id = {}) {
    auto b = body({{"username", username},
                   {"password", "orchard-lantern-" + username},
                   {"name", "User " + username},
                   {"role", role}});
    if (!customer_id.empty()) b->set("customer_id", customer_id);
    return need(srv.post("/api/v1/users", b, admin), 201).str("id");
}

inline std::string login_as(const TestServer& srv, const std::string& username) {
    return srv.login(username, "orchard-lantern-" + username);
}

inline std::string create_customer(const TestServer& srv, const std::string& token, const std::string& name,
                                   const std::string& phone, const std::string& address = {}) {
    auto b = body({{"name", name}, {"phone", phone}});
    if (!address.empty()) b->set("address", address);
    return need(srv.post("/api/v1/customers", b, token), 201).str("id");
}

inline std::string create_asset(const TestServer& srv, const std::string& token, const std::string& customer_id,
                                const std::string& model, const std::string& serial_no,
                                const std::string& warranty_until = {}) {
    auto b = body({{"customer_id", customer_id}, {"model", model}, {"serial_no", serial_no}});
    if (!warranty_until.empty()) b->set("warranty_until", warranty_until);
    return need(srv.post("/api/v1/assets", b, token), 201).str("id");
}

// Request bodies of the workflow actions.
inline Obj assessment(const std::string& mode = "on_site", double cost_to_customer = 380,
                      bool warranty_covered = false) {
    auto plan = json(R"({"items":[
        {"kind":"part","description":"温控器 thermostat","part_no":"TC-520","quantity":1,"unit_price":260},
        {"kind":"labour","description":"上门维修工时 labour","quantity":1,"unit_price":120}]})");
    plan->set("mode", mode);
    plan->set("cost_to_customer", cost_to_customer);
    return body({{"findings", "温控器故障 faulty thermostat"},
                 {"warranty_covered", warranty_covered},
                 {"customer_caused", false},
                 {"fault_category", "冰箱"},
                 {"plan", plan}});
}

inline Obj completion(const std::string& mode = "on_site", const std::string& work = "更换温控器 replaced thermostat") {
    auto b = body({{"work_summary", work}, {"time_spent_minutes", 90}});
    b->set("parts_used",
           json(R"({"p":[{"description":"温控器 thermostat","part_no":"TC-520","quantity":1}]})")->getArray("p"));
    if (mode == "depot") {
        b->set("return_carrier", "顺丰速运");
        b->set("return_tracking_no", "SF0987654321");
    }
    return b;
}

inline Obj acceptance(const std::string& summary_sha256, const std::string& signer = "刘洋") {
    auto b = body({{"signer_name", signer},
                   {"signature_png", kSignaturePng},
                   {"rating", 5},
                   {"summary_sha256", summary_sha256},
                   {"comment", "修得很好"}});
    b->set("signature_strokes", json(R"({"s":[[[10,10],[40,30],[80,12]]]})")->getArray("s"));
    return b;
}

// A small repair shop on a running server: admin, a dispatcher, technicians A and B, customers A and B (each
// with a login and one asset whose product warranty has ended).
struct Shop {
    const TestServer& srv;
    std::string admin, dispatcher, tech_a, tech_b, cust_a, cust_b;  // tokens
    std::string dispatcher_id, tech_a_id, tech_b_id, cust_a_user_id, cust_b_user_id;
    std::string customer_a, customer_b;  // customer records
    std::string asset_a, asset_b;

    explicit Shop(const TestServer& server) : srv(server) {
        admin = srv.admin_token();
        dispatcher_id = create_user(srv, admin, "disp", "dispatcher");
        tech_a_id = create_user(srv, admin, "tech.a", "technician");
        tech_b_id = create_user(srv, admin, "tech.b", "technician");
        dispatcher = login_as(srv, "disp");
        customer_a = create_customer(srv, dispatcher, "刘洋", "13800138001", "上海市浦东新区张江路88号");
        customer_b = create_customer(srv, dispatcher, "Bob Baker", "13900139002", "1 Baker Street");
        cust_a_user_id = create_user(srv, admin, "cust.a", "customer", customer_a);
        cust_b_user_id = create_user(srv, admin, "cust.b", "customer", customer_b);
        tech_a = login_as(srv, "tech.a");
        tech_b = login_as(srv, "tech.b");
        cust_a = login_as(srv, "cust.a");
        cust_b = login_as(srv, "cust.b");
        asset_a = create_asset(srv, dispatcher, customer_a, "美的 BCD-520 冰箱", "SN-A-0001", "2020-01-31");
        asset_b = create_asset(srv, dispatcher, customer_b, "Gree KFR-35 AC", "SN-B-0001", "2020-01-31");
    }

    std::string new_asset(const std::string& customer_id, const std::string& warranty_until = "2020-01-31") {
        static int n = 0;
        return create_asset(srv, dispatcher, customer_id, "海尔 EG100 洗衣机", "SN-X-" + std::to_string(++n),
                            warranty_until);
    }

    // Reports a fault (as token) and returns the job id.
    std::string report(const std::string& customer_id, const std::string& asset_id, const std::string& token = {}) {
        auto b =
            body({{"customer_id", customer_id}, {"asset_id", asset_id}, {"description", "冰箱不制冷 not cooling"}});
        return need(srv.post("/api/v1/jobs", b, token.empty() ? dispatcher : token), 201).str("id");
    }

    Reply act(const std::string& job_id, const std::string& action, const Obj& fields, const std::string& token) const {
        return srv.post("/api/v1/jobs/" + job_id + "/actions/" + action, fields, token);
    }

    // Takes an action that must succeed; returns the job after it.
    Obj must(const std::string& job_id, const std::string& action, const Obj& fields, const std::string& token) const {
        INFO("action " << action);
        return need(act(job_id, action, fields, token), 200).object();
    }

    Obj job(const std::string& job_id, const std::string& token = {}) const {
        return need(srv.get("/api/v1/jobs/" + job_id, token.empty() ? dispatcher : token), 200).object();
    }

    std::string state(const std::string& job_id) const { return text_of(job(job_id), "state"); }

    std::string summary_sha(const std::string& job_id, const std::string& token = {}) const {
        return need(srv.get("/api/v1/jobs/" + job_id + "/summary", token.empty() ? dispatcher : token), 200)
            .str("sha256");
    }

    std::vector<std::string> event_actions(const std::string& job_id) const {
        auto events = need(srv.get("/api/v1/jobs/" + job_id + "/events", dispatcher), 200).object()->getArray("items");
        std::vector<std::string> out;
        for (const auto& e : *events) out.push_back(text_of(e.extract<Obj>(), "action"));
        return out;
    }

    // Moves a job on, with technician tech (a token and id), until it reaches target. States along the
    // way: reported, assessing, plan_proposed, approved, scheduled, in_repair, awaiting_acceptance,
    // accepted, closed (closing needs the follow-up settled: driving waives it).
    void settle_followups(const std::string& job_id) const {
        auto due = need(srv.get("/api/v1/followups?state=due&job_id=" + job_id, dispatcher), 200).object();
        for (const auto& f : *due->getArray("items"))
            need(srv.post("/api/v1/followups/" + text_of(f.extract<Obj>(), "id") + "/waive",
                          body({{"reason", "测试:不回访 test drive"}}), dispatcher),
                 200);
    }

    void drive(const std::string& job_id, const std::string& target, const std::string& mode = "on_site",
               const std::string& tech = {}, const std::string& tech_id = {}) {
        const std::string& t = tech.empty() ? tech_a : tech;
        const std::string& t_id = tech_id.empty() ? tech_a_id : tech_id;
        static const std::vector<std::string> order = {"reported",  "assessing", "plan_proposed",       "approved",
                                                       "scheduled", "in_repair", "awaiting_acceptance", "accepted",
                                                       "closed"};
        for (;;) {
            std::string now = state(job_id);
            INFO("driving job from " << now << " to " << target);
            if (now == target) return;
            REQUIRE(std::find(order.begin(), order.end(), now) < std::find(order.begin(), order.end(), target));
            if (now == "reported") {
                must(job_id, "assign", body({{"technician_id", t_id}}), dispatcher);
            } else if (now == "assessing") {
                must(job_id, "submit_assessment", assessment(mode), t);
            } else if (now == "plan_proposed") {
                must(job_id, "approve_plan", body({{"plan_version", int_of(job(job_id), "plan_version")}}), dispatcher);
            } else if (now == "approved") {
                must(job_id, "schedule",
                     mode == "depot"
                         ? body({{"carrier", "顺丰速运"}, {"tracking_no", "SF1234567890"}})
                         : body({{"technician_id", t_id}, {"window_start", kWindowStart}, {"window_end", kWindowEnd}}),
                     dispatcher);
            } else if (now == "scheduled") {
                must(job_id, "start_repair",
                     mode == "depot" ? body({{"receipt_inspection", "外观完好 no damage"}}) : body(), t);
            } else if (now == "in_repair") {
                must(job_id, "complete_repair", completion(mode), t);
            } else if (now == "awaiting_acceptance") {
                must(job_id, "record_acceptance", acceptance(summary_sha(job_id, t)), t);
            } else if (now == "accepted") {
                settle_followups(job_id);
                must(job_id, "close", body(), dispatcher);
            } else {
                FAIL("cannot drive a job from " << now);
            }
        }
    }
};

}  // namespace fieldtest
