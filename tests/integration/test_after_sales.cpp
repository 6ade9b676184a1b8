// After-sales beyond the happy path (issue 13) against the real server: triage, re-quotes and counter-offers,
// return unrepaired, withdrawal, cancel from hold, exchange/return/refund cases, purchase facts, policies, and
// deadlines fired by a sweep whose clock the test sets (as_of), never by sleeping.
#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <thread>
#include <vector>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// A 1×1 PNG as a proof of purchase.
const char* const kProofPng = kSignaturePng;

// UTC now moved by hours, as an ISO date-time.
std::string in_hours(int hours) {
    Poco::DateTime t;
    t += Poco::Timespan(0, hours, 0, 0, 0);
    return Poco::DateTimeFormatter::format(t, "%Y-%m-%dT%H:%M:%SZ");
}

Reply put(const TestServer& srv, const std::string& path, const Obj& b, const std::string& token) {
    return srv.request("PUT", path, to_text(b), token);
}

// Records the purchase of an asset days ago at price (0: no price).
void bought(const Shop& shop, const std::string& asset_id, int days_ago, double price = 0) {
    auto b = body({{"purchase_date", plus_days(today_utc(), -days_ago)}, {"purchase_channel", "京东 JD.com"}});
    if (price > 0) b->set("purchase_price", price);
    need(put(shop.srv, "/api/v1/assets/" + asset_id + "/purchase", b, shop.dispatcher), 200);
}

Reply open_case(const Shop& shop, const std::string& job_id, const std::string& kind, double amount,
                const std::string& token) {
    auto b = body({{"kind", kind}, {"reason", "到货即故障 faulty on arrival"}});
    if (amount > 0) b->set("amount", amount);
    return shop.srv.post("/api/v1/jobs/" + job_id + "/after-sales", b, token);
}

Reply case_act(const Shop& shop, const std::string& case_id, const std::string& action, const Obj& b,
               const std::string& token) {
    return shop.srv.post("/api/v1/after-sales/cases/" + case_id + "/actions/" + action, b, token);
}

Obj sweep(const Shop& shop, const std::string& as_of) {
    return need(shop.srv.post("/api/v1/deadlines/sweep", body({{"as_of", as_of}}), shop.admin), 200).object();
}

std::set<std::string> rules_of(const Arr& deadlines) { return ids_of(deadlines, "rule"); }

}  // namespace

TEST_CASE("staff triage sets priority, product type and fault cause; the customer's priority is a hint",
          "[after_sales][triage]") {
    TestServer srv;
    Shop shop(srv);
    auto fridge =
        need(srv.post("/api/v1/fault-categories", body({{"code", "fridge"}, {"name", "冰箱"}}), shop.dispatcher), 201)
            .str("id");
    need(srv.post("/api/v1/fault-categories",
                  body({{"code", "fridge.cooling"}, {"name", "不制冷"}, {"parent_id", fridge}}), shop.dispatcher),
         201);
    auto b = body({{"customer_id", shop.customer_a},
                   {"asset_id", shop.asset_a},
                   {"description", "冰箱不制冷"},
                   {"priority", "urgent"}});
    auto job = need(srv.post("/api/v1/jobs", b, shop.cust_a), 201).object();
    std::string id = text_of(job, "id");
    CHECK(text_of(job, "priority") == "normal");
    CHECK(text_of(job, "requested_priority") == "urgent");

    // Refusals change nothing: a customer, a product type that is a fault cause, an unknown one, nothing to set.
    check_error(shop.act(id, "triage", body({{"reason", "x"}, {"priority", "urgent"}}), shop.cust_a), 403, "forbidden");
    check_error(shop.act(id, "triage", body({{"reason", "x"}, {"product_type", "不制冷"}}), shop.dispatcher), 422,
                "invalid_field", "product_type");
    check_error(shop.act(id, "triage", body({{"reason", "x"}, {"fault_category", "洗衣机/排水"}}), shop.dispatcher),
                422, "invalid_field", "fault_category");
    check_error(shop.act(id, "triage", body({{"reason", "x"}}), shop.dispatcher), 422, "missing_field", "priority");
    check_error(shop.act(id, "triage", body({{"reason", "x"}, {"priority", "asap"}}), shop.dispatcher), 422,
                "invalid_field", "priority");
    CHECK(text_of(shop.job(id), "priority") == "normal");

    auto after = shop.must(id, "triage",
                           body({{"reason", "食品会变质 food at risk"},
                                 {"priority", "high"},
                                 {"product_type", "fridge"},
                                 {"fault_category", "不制冷"}}),
                           shop.dispatcher);
    CHECK(text_of(after, "state") == "reported");
    CHECK(text_of(after, "priority") == "high");
    CHECK(text_of(after, "product_type") == "冰箱");
    CHECK(text_of(after, "category") == "不制冷");
    CHECK(shop.event_actions(id).back() == "triage");
    CHECK(need(srv.get("/api/v1/jobs/" + id + "/events/verify", shop.dispatcher), 200).object()->getValue<bool>("ok"));

    need(srv.post("/api/v1/jobs/" + id + "/actions/cancel", body({{"reason", "dup"}}), shop.dispatcher), 200);
    check_error(shop.act(id, "triage", body({{"reason", "x"}, {"priority", "low"}}), shop.dispatcher), 409,
                "invalid_transition");
}

TEST_CASE("a depot job is re-quoted in repair, countered by the customer and returned unrepaired with a fee",
          "[after_sales][requote]") {
    TestServer srv;
    Shop shop(srv);
    auto id = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(id, "in_repair", "depot");

    // Receipt inspection found more: the technician re-quotes.
    check_error(shop.act(id, "revise_plan", body({{"reason", "x"}}), shop.cust_a), 403, "forbidden");
    shop.must(id, "revise_plan", body({{"reason", "拆机发现主板损坏 main board damaged too"}}), shop.tech_a);
    CHECK(shop.state(id) == "assessing");
    auto job = shop.must(id, "submit_assessment", assessment("depot", 380), shop.tech_a);
    CHECK(int_of(job, "plan_version") == 2);

    // The customer negotiates (协商) instead of declining; an "offer" above the quote is no offer.
    check_error(shop.act(id, "counter_offer",
                         body({{"plan_version", 2}, {"message", "太贵了"}, {"proposed_cost", 500}}), shop.cust_a),
                422, "invalid_field", "proposed_cost");
    check_error(shop.act(id, "counter_offer", body({{"plan_version", 1}, {"message", "太贵了"}}), shop.cust_a), 409,
                "conflict", "plan_version");
    job = shop.must(id, "counter_offer",
                    body({{"plan_version", 2}, {"message", "300 元可以接受 I accept 300"}, {"proposed_cost", 300}}),
                    shop.cust_a);
    CHECK(text_of(job, "state") == "assessing");
    auto plan = job->getObject("plan");
    CHECK(text_of(plan, "status") == "countered");
    CHECK(plan->getObject("counter_offer")->getValue<double>("proposed_cost") == 300);

    // No agreement: returned unrepaired; a depot job needs the return shipment.
    check_error(shop.act(id, "return_unrepaired", body({{"reason", "客户不修"}}), shop.tech_a), 422, "missing_field",
                "return_carrier");
    check_error(shop.act(id, "return_unrepaired",
                         body({{"reason", "x"}, {"return_carrier", "SF"}, {"return_tracking_no", "1"}}), shop.cust_a),
                403, "forbidden");
    job = shop.must(id, "return_unrepaired",
                    body({{"reason", "客户放弃维修 customer declined"},
                          {"return_carrier", "顺丰速运"},
                          {"return_tracking_no", "SF-BACK-1"}}),
                    shop.tech_a);
    CHECK(text_of(job, "state") == "returned");
    auto returned = job->getObject("repair")->getObject("returned_unrepaired");
    CHECK(returned->getValue<double>("inspection_fee") == 50);
    CHECK(text_of(returned, "return_tracking_no") == "SF-BACK-1");
    CHECK(job->getArray("available_actions")->size() == 0);
    CHECK(need(srv.get("/api/v1/jobs/" + id + "/events/verify", shop.dispatcher), 200).object()->getValue<bool>("ok"));
}

TEST_CASE("a customer withdraws before the repair starts, confirming the fee shown; cancel works from on_hold",
          "[after_sales][withdraw]") {
    TestServer srv;
    Shop shop(srv);
    // Before inspection: free.
    auto early = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(early, "assessing");
    CHECK(shop.job(early, shop.cust_a)->getValue<double>("withdrawal_fee") == 0);
    check_error(shop.act(early, "withdraw", body({{"reason", "x"}}), shop.cust_b), 404, "not_found");
    CHECK(text_of(shop.must(early, "withdraw", body({{"reason", "自己修好了"}}), shop.cust_a), "state") == "cancelled");

    // After inspection: the inspection fee, which the customer must confirm.
    auto late = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.drive(late, "approved");
    auto seen = shop.job(late, shop.cust_a);
    CHECK(seen->getValue<double>("withdrawal_fee") == 50);
    check_error(shop.act(late, "withdraw", body({{"reason", "不修了"}}), shop.cust_a), 409, "conflict", "accepted_fee");
    check_error(shop.act(late, "withdraw", body({{"reason", "不修了"}, {"accepted_fee", 10}}), shop.cust_a), 409,
                "conflict", "accepted_fee");
    CHECK(shop.state(late) == "approved");
    auto job = shop.must(late, "withdraw", body({{"reason", "不修了"}, {"accepted_fee", 50}}), shop.cust_a);
    CHECK(text_of(job, "state") == "cancelled");
    CHECK(job->getObject("repair")->getObject("withdrawal")->getValue<double>("fee") == 50);

    // Once the repair started, withdrawing is over; a held job in repair can still be cancelled by staff.
    auto started = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.drive(started, "in_repair");
    check_error(shop.act(started, "withdraw", body({{"reason", "x"}}), shop.cust_a), 409, "invalid_transition");
    shop.must(started, "hold", body({{"reason", "等配件 waiting for parts"}}), shop.tech_a);
    check_error(shop.act(started, "withdraw", body({{"reason", "x"}}), shop.cust_a), 409, "invalid_transition");
    CHECK(text_of(shop.must(started, "cancel", body({{"reason", "配件停产 part discontinued"}}), shop.dispatcher),
                  "state") == "cancelled");
}

TEST_CASE("return and refund: window, amount, states, one refund by the original route", "[after_sales][cases]") {
    TestServer srv;
    Shop shop(srv);
    auto asset = shop.new_asset(shop.customer_a);
    bought(shop, asset, 3, 1999);
    auto id = shop.report(shop.customer_a, asset, shop.cust_a);

    check_error(open_case(shop, id, "return_refund", 3000, shop.cust_a), 422, "invalid_field", "amount");
    check_error(open_case(shop, id, "return_refund", 0, shop.cust_a), 422, "missing_field", "amount");
    check_error(open_case(shop, id, "exchange", 10, shop.cust_a), 422, "invalid_field", "amount");
    check_error(open_case(shop, id, "return_refund", 100, shop.cust_b), 404, "not_found");
    CHECK(total(srv, "/api/v1/after-sales/cases", shop.dispatcher) == 0);

    auto opened = need(open_case(shop, id, "return_refund", 1999, shop.cust_a), 201).object();
    std::string case_id = text_of(opened, "id");
    CHECK(text_of(opened, "state") == "requested");
    CHECK(text_of(opened, "window_ends_on") == plus_days(today_utc(), 4));
    CHECK(rules_of(opened->getArray("deadlines")) == std::set<std::string>{"case_response"});
    check_error(open_case(shop, id, "exchange", 0, shop.cust_a), 409, "conflict", "kind");

    check_error(case_act(shop, case_id, "approve", body(), shop.cust_a), 403, "forbidden");
    check_error(
        case_act(shop, case_id, "refund", body({{"amount", 1999}, {"method", "original_route"}}), shop.dispatcher), 409,
        "invalid_transition");
    need(case_act(shop, case_id, "approve", body({{"note", "同意退货"}}), shop.dispatcher), 200);
    // The merchant answered: the default approval is off.
    auto seen = need(srv.get("/api/v1/after-sales/cases/" + case_id, shop.cust_a), 200).object();
    CHECK(text_of(seen->getArray("deadlines")->getObject(0), "state") == "cancelled");
    need(
        case_act(shop, case_id, "ship_back", body({{"carrier", "顺丰速运"}, {"tracking_no", "SF-RET-1"}}), shop.cust_a),
        200);
    check_error(
        case_act(shop, case_id, "refund", body({{"amount", 1999}, {"method", "original_route"}}), shop.dispatcher), 409,
        "invalid_transition");
    need(case_act(shop, case_id, "receive_goods", body({{"inspection", "包装完好"}}), shop.dispatcher), 200);
    check_error(
        case_act(shop, case_id, "refund", body({{"amount", 2500}, {"method", "original_route"}}), shop.dispatcher), 422,
        "invalid_field", "amount");
    check_error(case_act(shop, case_id, "refund", body({{"amount", 1999}, {"method", "bitcoin"}}), shop.dispatcher),
                422, "invalid_field", "method");
    auto refunded = need(case_act(shop, case_id, "refund",
                                  body({{"amount", 1999}, {"method", "original_route"}, {"reference", "WX-REF-1"}}),
                                  shop.dispatcher),
                         200)
                        .object();
    CHECK(text_of(refunded, "state") == "refunded");
    auto refund = refunded->getObject("refund");
    CHECK(refund->getValue<double>("amount") == 1999);
    CHECK(refund->getValue<bool>("original_route"));
    check_error(case_act(shop, case_id, "refund", body({{"amount", 1}, {"method", "cash"}}), shop.dispatcher), 409,
                "invalid_transition");
    need(case_act(shop, case_id, "close", body(), shop.cust_a), 200);

    auto actions = shop.event_actions(id);
    for (const char* a : {"after_sales_request", "after_sales_approve", "after_sales_ship_back",
                          "after_sales_receive_goods", "after_sales_refund", "after_sales_close"})
        CHECK(std::count(actions.begin(), actions.end(), a) == 1);
    CHECK(need(srv.get("/api/v1/jobs/" + id + "/events/verify", shop.dispatcher), 200).object()->getValue<bool>("ok"));
}

TEST_CASE("exchange windows, refusals with a reason, and refunds of nothing paid", "[after_sales][cases]") {
    TestServer srv;
    Shop shop(srv);
    // Bought 10 days ago: the 7-day return is over, the 15-day exchange is not.
    auto asset = shop.new_asset(shop.customer_a);
    bought(shop, asset, 10, 899);
    auto id = shop.report(shop.customer_a, asset, shop.cust_a);
    check_error(open_case(shop, id, "return_refund", 899, shop.cust_a), 422, "invalid_field", "kind");
    auto ex = need(open_case(shop, id, "exchange", 0, shop.cust_a), 201).object();
    std::string case_id = text_of(ex, "id");
    need(case_act(shop, case_id, "approve", body(), shop.dispatcher), 200);
    need(case_act(shop, case_id, "receive_goods", body(), shop.dispatcher), 200);
    check_error(case_act(shop, case_id, "refund", body({{"amount", 1}, {"method", "cash"}}), shop.dispatcher), 409,
                "invalid_transition");
    auto shipped =
        need(case_act(shop, case_id, "ship_replacement",
                      body({{"replacement_serial_no", "SN-NEW-1"}, {"carrier", "顺丰"}, {"tracking_no", "SF9"}}),
                      shop.dispatcher),
             200)
            .object();
    CHECK(text_of(shipped, "replacement_serial_no") == "SN-NEW-1");

    // Staff may open outside the window with a reason; a customer may not.
    auto late = shop.report(shop.customer_a, shop.asset_a);  // the shop's asset has no purchase date
    check_error(open_case(shop, late, "exchange", 0, shop.cust_a), 422, "invalid_field", "kind");
    bought(shop, shop.asset_a, 400);
    auto override_body = body({{"kind", "exchange"}, {"reason", "三次维修仍故障"}, {"override_reason", "三包换货"}});
    check_error(srv.post("/api/v1/jobs/" + late + "/after-sales", override_body, shop.cust_a), 403, "forbidden",
                "override_reason");
    auto refused =
        need(srv.post("/api/v1/jobs/" + late + "/after-sales", override_body, shop.dispatcher), 201).object();
    check_error(case_act(shop, text_of(refused, "id"), "refuse", body(), shop.dispatcher), 422, "missing_field",
                "reason");
    auto r = need(case_act(shop, text_of(refused, "id"), "refuse", body({{"reason", "人为损坏 damage by misuse"}}),
                           shop.dispatcher),
                  200)
                 .object();
    CHECK(text_of(r, "state") == "refused");
    CHECK(text_of(need(srv.get("/api/v1/after-sales/cases/" + text_of(r, "id"), shop.cust_a), 200).object(),
                  "refusal_reason") == "人为损坏 damage by misuse");

    // Refund only for a job never paid: nothing to refund.
    auto unpaid_asset = shop.new_asset(shop.customer_a);
    bought(shop, unpaid_asset, 1);
    auto unpaid = shop.report(shop.customer_a, unpaid_asset, shop.cust_a);
    check_error(open_case(shop, unpaid, "refund_only", 50, shop.cust_a), 422, "invalid_field", "amount");
}

TEST_CASE("time limits are versioned policy; deadlines fire once when the sweep's clock passes them",
          "[after_sales][deadlines]") {
    TestServer srv;
    Shop shop(srv);
    auto limits = need(srv.get("/api/v1/policies/time-limits", shop.dispatcher), 200).object();
    CHECK(int_of(limits, "version") == 0);
    CHECK(limits->getValue<double>("case_response_hours") == 48);
    auto bad = body({{"case_response_hours", 48},
                     {"plan_reminder_hours", 24},
                     {"plan_decision_hours", 72},
                     {"plan_on_expiry", "shrug"},
                     {"hold_reminder_hours", 72}});
    check_error(put(srv, "/api/v1/policies/time-limits", bad, shop.dispatcher), 403, "forbidden");
    check_error(put(srv, "/api/v1/policies/time-limits", bad, shop.admin), 422, "invalid_field", "plan_on_expiry");
    bad->set("plan_on_expiry", "decline");
    auto set = need(put(srv, "/api/v1/policies/time-limits", bad, shop.admin), 200).object();
    CHECK(int_of(set, "version") == 1);
    CHECK(set->getValue<double>("plan_decision_hours") == 72);
    check_error(srv.post("/api/v1/deadlines/sweep", body({{"as_of", "2020-01-01T00:00:00Z"}}), shop.admin), 422,
                "invalid_field", "as_of");
    check_error(srv.post("/api/v1/deadlines/sweep", body(), shop.dispatcher), 403, "forbidden");

    // A webhook subscription, so every notice a deadline sends leaves an outbox row to count.
    auto hook = body({{"url", "https://hooks.example.com/fieldrepair"}});
    hook->set("events", json(R"({"e":["plan_reminder","hold_ended","hold_reminder"]})")->getArray("e"));
    need(srv.post("/api/v1/webhooks", hook, shop.admin), 201);
    auto notices = [&](const std::string& job, const std::string& event) {
        return total(srv, "/api/v1/notifications?job_id=" + job + "&event=" + event, shop.dispatcher);
    };

    // A plan waiting for the customer: reminded after 24 h, declined by the system after 72 h.
    auto id = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(id, "plan_proposed");
    CHECK(rules_of(shop.job(id, shop.cust_a)->getArray("deadlines")) ==
          std::set<std::string>{"plan_reminder", "plan_decision"});
    CHECK(sweep(shop, in_hours(1))->getArray("fired")->size() == 0);
    auto fired = sweep(shop, in_hours(25))->getArray("fired");
    REQUIRE(fired->size() == 1);
    CHECK(text_of(fired->getObject(0), "rule") == "plan_reminder");
    CHECK(shop.state(id) == "plan_proposed");
    CHECK(shop.event_actions(id).back() == "deadline_plan_reminder");
    CHECK(notices(id, "plan_reminder") == 1);
    fired = sweep(shop, in_hours(73))->getArray("fired");
    REQUIRE(fired->size() == 1);
    auto job = shop.job(id);
    CHECK(text_of(job, "state") == "cancelled");
    CHECK(text_of(job, "close_reason").find("rule plan_decision") != std::string::npos);
    auto events = need(srv.get("/api/v1/jobs/" + id + "/events", shop.dispatcher), 200).object()->getArray("items");
    auto last = events->getObject(events->size() - 1);
    CHECK(text_of(last, "action") == "decline_plan");
    CHECK(text_of(last, "actor_role") == "system");
    CHECK(sweep(shop, in_hours(200))->getArray("fired")->size() == 0);

    // A person acting first ends the wait: nothing fires for the approved plan.
    auto other = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.drive(other, "approved");
    CHECK(shop.job(other)->getArray("deadlines")->size() == 0);
    CHECK(sweep(shop, in_hours(100))->getArray("fired")->size() == 0);

    // A hold with an end date resumes by itself then; one without is reminded about.
    shop.must(other, "hold", body({{"reason", "客户出差"}, {"until", in_hours(48)}}), shop.dispatcher);
    CHECK(rules_of(shop.job(other)->getArray("deadlines")) == std::set<std::string>{"hold_until"});
    sweep(shop, in_hours(49));
    CHECK(shop.state(other) == "approved");
    CHECK(shop.event_actions(other).back() == "resume");
    CHECK(notices(other, "hold_ended") == 1);
    shop.must(other, "hold", body({{"reason", "等客户回复"}}), shop.dispatcher);
    sweep(shop, in_hours(73));
    CHECK(shop.state(other) == "on_hold");
    CHECK(shop.event_actions(other).back() == "deadline_hold_reminder");
    CHECK(notices(other, "hold_reminder") == 1);
}

TEST_CASE("an unanswered refund request is approved and refunded by default after 48 hours",
          "[after_sales][deadlines]") {
    TestServer srv;
    Shop shop(srv);
    auto asset = shop.new_asset(shop.customer_a);
    bought(shop, asset, 2, 120);
    auto id = shop.report(shop.customer_a, asset, shop.cust_a);
    auto opened = need(open_case(shop, id, "refund_only", 120, shop.cust_a), 201).object();
    std::string case_id = text_of(opened, "id");
    CHECK(sweep(shop, in_hours(47))->getArray("fired")->size() == 0);
    auto fired = sweep(shop, in_hours(49))->getArray("fired");
    REQUIRE(fired->size() == 1);
    CHECK(text_of(fired->getObject(0), "rule") == "case_response");
    auto c = need(srv.get("/api/v1/after-sales/cases/" + case_id, shop.cust_a), 200).object();
    CHECK(text_of(c, "state") == "refunded");
    CHECK(text_of(c, "decided_by") == "system");
    CHECK(c->getObject("refund")->getValue<bool>("original_route"));
    CHECK(c->getObject("refund")->getValue<double>("amount") == 120);
    CHECK(sweep(shop, in_hours(100))->getArray("fired")->size() == 0);
    auto events = need(srv.get("/api/v1/jobs/" + id + "/events", shop.dispatcher), 200).object()->getArray("items");
    auto approve = events->getObject(events->size() - 2);
    CHECK(text_of(approve, "action") == "after_sales_approve");
    CHECK(text_of(approve, "source") == "deadline:case_response");
    CHECK(need(srv.get("/api/v1/jobs/" + id + "/events/verify", shop.dispatcher), 200).object()->getValue<bool>("ok"));
}

TEST_CASE("purchase facts with a proof of purchase make a warranty claim from the portal work",
          "[after_sales][purchase]") {
    TestServer srv;
    Shop shop(srv);
    auto report = body({{"contact_name", "王小明"},
                        {"phone", "139 1234 5678"},
                        {"address", "北京市朝阳区建国路1号"},
                        {"model", "海尔 EG100 洗衣机"},
                        {"serial_no", "SN-PORTAL-9"},
                        {"description", "洗衣机不排水"},
                        {"purchase_date", plus_days(today_utc(), -30)},
                        {"purchase_channel", "苏宁 Suning"},
                        {"purchase_price", 2599},
                        {"received_on", plus_days(today_utc(), -5)},
                        {"proof_of_purchase", "bm90IGFuIGltYWdl"}});
    check_error(srv.post("/api/v1/portal/reports", report, ""), 422, "invalid_field", "proof_of_purchase");
    report->set("proof_of_purchase", kProofPng);
    report->set("purchase_date", plus_days(today_utc(), 3));
    check_error(srv.post("/api/v1/portal/reports", report, ""), 422, "invalid_field", "purchase_date");
    CHECK(total(srv, "/api/v1/jobs", shop.dispatcher) == 0);
    report->set("purchase_date", plus_days(today_utc(), -30));
    auto made = need(srv.post("/api/v1/portal/reports", report, ""), 201).object();
    std::string token = text_of(made, "token"), job_id = text_of(made, "job_id");
    auto job = need(srv.get("/api/v1/jobs/" + job_id, token), 200).object();
    auto purchase = need(srv.get("/api/v1/assets/" + text_of(job, "asset_id") + "/purchase", token), 200).object();
    CHECK(text_of(purchase, "purchase_channel") == "苏宁 Suning");
    CHECK(purchase->getValue<double>("purchase_price") == 2599);
    CHECK(text_of(purchase->getObject("proof"), "content_type") == "image/png");
    CHECK(srv.get("/api/v1/assets/" + shop.asset_a + "/purchase", token).status == 404);

    // The warranty claim uses the purchase date and says so.
    need(srv.post("/api/v1/jobs/" + job_id + "/actions/assign", body({{"technician_id", shop.tech_a_id}}),
                  shop.dispatcher),
         200);
    auto assessed = shop.must(job_id, "submit_assessment", assessment("on_site", 0, true), shop.tech_a);
    CHECK(text_of(assessed, "state") == "approved");
    CHECK(text_of(assessed->getObject("repair"), "warranty_basis").find("purchased on") != std::string::npos);

    // The portal session asks for an exchange of its own product.
    auto ex = need(srv.post("/api/v1/jobs/" + job_id + "/after-sales",
                            body({{"kind", "exchange"}, {"reason", "新机故障"}}), token),
                   201)
                  .object();
    CHECK(text_of(ex, "state") == "requested");
    CHECK(total(srv, "/api/v1/after-sales/cases", token) == 1);
}

TEST_CASE("reports count cancelled and returned jobs as ended, not open; by product type; after-sales figures",
          "[after_sales][reports]") {
    TestServer srv;
    Shop shop(srv);
    need(srv.post("/api/v1/fault-categories", body({{"code", "fridge"}, {"name", "冰箱"}}), shop.dispatcher), 201);
    auto open_job = shop.report(shop.customer_a, shop.asset_a);
    shop.must(open_job, "triage", body({{"reason", "r"}, {"product_type", "冰箱"}}), shop.dispatcher);
    auto cancelled = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.must(cancelled, "cancel", body({{"reason", "重复报修"}}), shop.dispatcher);
    auto returned = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    shop.drive(returned, "assessing");
    shop.must(returned, "return_unrepaired", body({{"reason", "无法维修"}}), shop.tech_a);

    auto jobs = need(srv.get("/api/v1/reports/jobs", shop.dispatcher), 200).object()->getObject("total");
    CHECK(int_of(jobs, "jobs") == 3);
    CHECK(int_of(jobs, "ended") == 2);
    CHECK(int_of(jobs, "open") == 1);
    auto rows =
        need(srv.get("/api/v1/reports/jobs?group_by=product_type", shop.dispatcher), 200).object()->getArray("rows");
    std::map<std::string, Obj> by_type;
    for (const auto& v : *rows) by_type[text_of(v.extract<Obj>(), "group")] = v.extract<Obj>();
    REQUIRE(by_type.count("冰箱") == 1);
    CHECK(int_of(by_type["冰箱"], "open") == 1);
    CHECK(int_of(by_type[""], "ended") == 2);

    auto asset = shop.new_asset(shop.customer_a);
    bought(shop, asset, 1, 300);
    auto id = shop.report(shop.customer_a, asset, shop.cust_a);
    need(open_case(shop, id, "refund_only", 300, shop.cust_a), 201);
    sweep(shop, in_hours(49));
    auto report = need(srv.get("/api/v1/reports/after-sales", shop.dispatcher), 200).object();
    auto total_row = report->getObject("total");
    CHECK(int_of(total_row, "requests") == 1);
    CHECK(int_of(total_row, "approved_by_default") == 1);
    CHECK(int_of(total_row, "refunds") == 1);
    CHECK(total_row->getValue<double>("refunded_amount") == 300);
}

TEST_CASE("concurrent sweeps fire each deadline once; concurrent refunds refund once",
          "[after_sales][deadlines][races]") {
    TestServer srv;
    Shop shop(srv);
    std::vector<std::string> jobs, cases;
    for (int i = 0; i < 4; ++i) {
        auto asset = shop.new_asset(shop.customer_a);
        bought(shop, asset, 1, 100 + i);
        jobs.push_back(shop.report(shop.customer_a, asset, shop.cust_a));
        cases.push_back(
            text_of(need(open_case(shop, jobs.back(), "refund_only", 100 + i, shop.cust_a), 201).object(), "id"));
    }
    // Four sweeps at once, as four server instances would run them: every deadline fires in exactly one.
    std::atomic<int> fired{0}, failed{0};
    std::vector<std::thread> sweeps;
    std::string as_of = in_hours(49);
    for (int i = 0; i < 4; ++i)
        sweeps.emplace_back([&] {
            auto r = srv.post("/api/v1/deadlines/sweep", body({{"as_of", as_of}}), shop.admin);
            if (r.status != 200) {
                ++failed;
                return;
            }
            fired += static_cast<int>(r.object()->getArray("fired")->size());
        });
    for (auto& t : sweeps) t.join();
    CHECK(failed == 0);
    CHECK(fired == 4);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        auto actions = shop.event_actions(jobs[i]);
        CHECK(std::count(actions.begin(), actions.end(), "after_sales_approve") == 1);
        CHECK(std::count(actions.begin(), actions.end(), "after_sales_refund") == 1);
        auto c = need(srv.get("/api/v1/after-sales/cases/" + cases[i], shop.dispatcher), 200).object();
        CHECK(text_of(c, "state") == "refunded");
    }

    // Two people refunding the same approved case at once: one refund, one refusal.
    auto asset = shop.new_asset(shop.customer_a);
    bought(shop, asset, 1, 500);
    auto job = shop.report(shop.customer_a, asset, shop.cust_a);
    auto case_id = text_of(need(open_case(shop, job, "refund_only", 500, shop.cust_a), 201).object(), "id");
    need(case_act(shop, case_id, "approve", body(), shop.dispatcher), 200);
    std::atomic<int> ok{0}, refused{0};
    std::vector<std::thread> refunds;
    for (int i = 0; i < 2; ++i)
        refunds.emplace_back([&] {
            auto r = case_act(shop, case_id, "refund", body({{"amount", 500}, {"method", "original_route"}}),
                              shop.dispatcher);
            if (r.status == 200) ++ok;
            if (r.status == 409) ++refused;
        });
    for (auto& t : refunds) t.join();
    CHECK(ok == 1);
    CHECK(refused == 1);
    auto actions = shop.event_actions(job);
    CHECK(std::count(actions.begin(), actions.end(), "after_sales_refund") == 1);
}
