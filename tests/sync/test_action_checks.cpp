// fieldsync's plan and parts checks: the one implementation the server and the device apply.
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include "fieldsync/action_checks.hpp"
#include "fieldsync/error.hpp"

using fieldsync::ErrorCode;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

// The error check_action_details throws for fields, as "code field".
std::string refusal(const std::string& action, const std::string& fields) {
    try {
        fieldsync::check_action_details(action, *parse(fields));
    } catch (const fieldsync::Error& e) {
        return std::string(fieldsync::to_string(e.code())) + " " + e.field();
    }
    return "accepted";
}

std::string plan(const std::string& cost, const std::string& items) {
    return R"({"findings":"x","plan":{"mode":"on_site","cost_to_customer":)" + cost + R"(,"items":)" + items + "}}";
}

const std::string kItems = R"([{"kind":"part","description":"温控器","quantity":2,"unit_price":40.5},
                                {"kind":"labour","description":"人工","quantity":1,"unit_price":19}])";

}  // namespace

TEST_CASE("A plan's cost to the customer may not exceed its items' total", "[Sync][ActionChecks]") {
    CHECK(refusal("submit_assessment", plan("100", kItems)) == "accepted");
    CHECK(refusal("submit_assessment", plan("0", kItems)) == "accepted");
    CHECK(refusal("submit_assessment", plan("100.01", kItems)) == "invalid_field plan.cost_to_customer");
    auto checked = fieldsync::check_plan(parse(plan("60", kItems))->getObject("plan"));
    CHECK(checked.total_cents == 10000);
    CHECK(checked.cost_to_customer_cents == 6000);
    CHECK(checked.currency == "CNY");
}

TEST_CASE("A plan's shape and items are checked with fields named under plan", "[Sync][ActionChecks]") {
    CHECK(refusal("submit_assessment", plan("0", "[]")) == "invalid_field plan.items");
    CHECK(refusal("submit_assessment", plan("-1", kItems)) == "invalid_field plan.cost_to_customer");
    CHECK(
        refusal("submit_assessment", plan("1", R"([{"kind":"part","description":"x","quantity":0,"unit_price":1}])")) ==
        "invalid_field plan.items");
    CHECK(refusal("submit_assessment", R"({"plan":{"mode":"flying","items":[],"cost_to_customer":0}})") ==
          "invalid_field plan.mode");
    CHECK(refusal("submit_assessment", R"({"plan":{"items":[],"cost_to_customer":0}})") == "missing_field plan.mode");
}

TEST_CASE("Parts used are checked on completion; other actions have no detail checks", "[Sync][ActionChecks]") {
    CHECK(refusal("complete_repair", R"({"parts_used":[{"description":"温控器","quantity":1}]})") == "accepted");
    CHECK(refusal("complete_repair", R"({"parts_used":[{"description":"温控器","quantity":-1}]})") ==
          "invalid_field parts_used");
    CHECK(refusal("complete_repair", R"({"work_summary":"x"})") == "accepted");
    CHECK(refusal("hold", R"({"plan":{"mode":"flying"}})") == "accepted");
}

TEST_CASE("A signature is pen strokes or the signer's name typed, stored apart from strokes", "[Sync][ActionChecks]") {
    CHECK(refusal("record_acceptance", R"({"signer_name":"王芳","signature_strokes":[[[1,2],[3,4]],[[5,6]]]})") ==
          "accepted");
    CHECK(refusal("record_acceptance", R"({"signer_name":"王芳","signature_strokes":[{"typed":"王芳"}]})") ==
          "accepted");
    CHECK(refusal("record_acceptance", R"({"signer_name":"王芳","signature_strokes":[]})") ==
          "invalid_field signature_strokes");
    CHECK(refusal("record_acceptance", R"({"signer_name":"王芳","signature_strokes":[{"typed":"李四"}]})") ==
          "invalid_field signature_strokes");
    CHECK(refusal("record_acceptance", R"({"signer_name":"王芳","signature_strokes":[{"typed":"王芳"},[[1,2]]]})") ==
          "invalid_field signature_strokes");
    CHECK(refusal("record_acceptance", R"({"signer_name":"王芳","signature_strokes":[{"typed":"王芳","x":1}]})") ==
          "invalid_field signature_strokes");
    CHECK(refusal("record_acceptance", R"({"signer_name":"王芳","signature_strokes":[7]})") ==
          "invalid_field signature_strokes");
}
