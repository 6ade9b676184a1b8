// The workflow table as interpreted by Workflow: every transition row against every role and state, and the
// field validation of actions.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/workflow.hpp"

using namespace fieldsync;

namespace {

const std::vector<std::string> kRoles = {"admin",  "dispatcher", "technician", "customer",
                                         "system", "agent",      "supervisor"};

const Workflow& wf() { return Workflow::builtin(); }

// The positions a job can be in: every state, and for on_hold every state it could have been held from
// (and none, which the table must treat like any other non-matching previous state); every requirement holds.
std::vector<JobPosition> positions() {
    std::set<std::string> all;
    for (const auto& [name, words] : wf().requirements()) all.insert(name);
    std::vector<JobPosition> out;
    for (const auto& s : wf().states()) {
        if (s == "on_hold") {
            out.push_back({s, "", "", all});
            for (const auto& p : wf().states())
                if (p != "on_hold") out.push_back({s, p, "", all});
        } else {
            out.push_back({s, "", "", all});
        }
    }
    return out;
}

bool row_allows(const Transition& t, const std::string& role, const JobPosition& p) {
    return t.roles.count(role) && t.from.count(p.state) &&
           (t.previous_in.empty() || t.previous_in.count(p.previous_state));
}

const Transition& transition(const std::string& action, const std::string& role) {
    for (const auto& t : wf().transitions())
        if (t.action == action && t.roles.count(role)) return t;
    FAIL("no row for " << action << " by " << role);
    throw std::logic_error("unreachable");
}

Poco::JSON::Object::Ptr fields(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> values) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    for (const auto& [k, v] : values) o->set(k, v);
    return o;
}

void expect_invalid(const Transition& t, const Poco::JSON::Object::Ptr& f, std::string_view mode, ErrorCode code,
                    const std::string& field) {
    try {
        wf().validate(t, *f, mode);
        FAIL(t.action << " accepted the fields");
    } catch (const Error& e) {
        INFO(e.what());
        CHECK(to_string(e.code()) == to_string(code));
        CHECK(e.field() == field);
    }
}

Poco::JSON::Object::Ptr acceptance() {
    return fields({{"signer_name", std::string("王小明")},
                   {"signature_png", std::string("iVBORw0KGgo=")},
                   {"signature_strokes", Poco::JSON::Array::Ptr(new Poco::JSON::Array)},
                   {"rating", 5},
                   {"summary_sha256", std::string(64, 'a')}});
}

}  // namespace

TEST_CASE("the builtin table knows its roles, states and actions", "[sync][workflow]") {
    CHECK(wf().version() == 1);
    CHECK(wf().states().size() == 12);
    CHECK(wf().is_state("awaiting_acceptance"));
    CHECK_FALSE(wf().is_state("done"));
    CHECK(wf().is_terminal("closed"));
    CHECK(wf().is_terminal("cancelled"));
    CHECK_FALSE(wf().is_terminal("accepted"));
    CHECK(wf().is_sla_paused("plan_proposed"));
    CHECK(wf().is_sla_paused("on_hold"));
    CHECK_FALSE(wf().is_sla_paused("in_repair"));
    for (const auto& t : wf().transitions()) {
        INFO(t.action);
        CHECK(wf().has_action(t.action));
        for (const auto& r : t.roles) CHECK(std::find(kRoles.begin(), kRoles.end(), r) != kRoles.end());
    }
}

TEST_CASE("every transition row against every role and state", "[sync][workflow]") {
    const auto all_positions = positions();
    std::size_t successes = 0, forbidden = 0, invalid = 0;
    for (const auto& row : wf().transitions()) {
        for (const auto& role : kRoles) {
            for (const auto& position : all_positions) {
                INFO(row.action << " by " << role << " from " << position.state << " (held from '"
                                << position.previous_state << "')");
                // The table may hold several rows for one action (cancel): any of them can allow the move.
                bool allowed = false, role_listed = false;
                for (const auto& other : wf().transitions()) {
                    if (other.action != row.action) continue;
                    role_listed = role_listed || other.roles.count(role);
                    allowed = allowed || row_allows(other, role, position);
                }
                if (row_allows(row, role, position)) REQUIRE(allowed);
                try {
                    const Transition& t = wf().resolve(row.action, position, role);
                    CHECK(allowed);
                    CHECK(t.action == row.action);
                    CHECK(row_allows(t, role, position));
                    ++successes;
                } catch (const Error& e) {
                    CHECK_FALSE(allowed);
                    CHECK(e.code() == (role_listed ? ErrorCode::invalid_transition : ErrorCode::forbidden));
                    ++(e.code() == ErrorCode::forbidden ? forbidden : invalid);
                }
            }
        }
    }
    // All three outcomes occur, so this test would notice a resolve() that always succeeds or always throws.
    CHECK(successes > 0);
    CHECK(forbidden > 0);
    CHECK(invalid > 0);
}

TEST_CASE("resolve() outcomes read off the workflow diagram", "[sync][workflow]") {
    auto ok = [](const char* action, JobPosition p, const char* role) {
        INFO(action << " by " << role << " from " << p.state);
        CHECK_NOTHROW(wf().resolve(action, p, role));
    };
    auto fails = [](const char* action, JobPosition p, const char* role, ErrorCode code) {
        INFO(action << " by " << role << " from " << p.state);
        try {
            wf().resolve(action, p, role);
            FAIL("resolved");
        } catch (const Error& e) {
            CHECK(to_string(e.code()) == to_string(code));
        }
    };
    ok("assign", {"reported", "", ""}, "dispatcher");
    fails("assign", {"reported", "", ""}, "technician", ErrorCode::forbidden);
    fails("assign", {"assessing", "", ""}, "dispatcher", ErrorCode::invalid_transition);
    ok("approve_plan", {"plan_proposed", "", ""}, "system");  // auto-approval under warranty
    ok("record_acceptance", {"awaiting_acceptance", "", "on_site"}, "customer");
    fails("record_acceptance", {"awaiting_acceptance", "", ""}, "dispatcher", ErrorCode::forbidden);
    fails("complete_repair", {"cancelled", "", ""}, "technician", ErrorCode::invalid_transition);
    // Customers may cancel only before assessment starts; later only the dispatcher may.
    ok("cancel", {"reported", "", ""}, "customer");
    fails("cancel", {"assessing", "", ""}, "customer", ErrorCode::invalid_transition);
    ok("cancel", {"assessing", "", ""}, "dispatcher");
    fails("cancel", {"in_repair", "", ""}, "dispatcher", ErrorCode::invalid_transition);
    // on_hold remembers where it came from: staff may cancel from any hold, the customer withdraws only if it was
    // before in_repair.
    ok("cancel", {"on_hold", "scheduled", ""}, "dispatcher");
    ok("cancel", {"on_hold", "in_repair", ""}, "dispatcher");
    ok("withdraw", {"on_hold", "scheduled", ""}, "customer");
    fails("withdraw", {"on_hold", "in_repair", ""}, "customer", ErrorCode::invalid_transition);
    fails("cancel", {"on_hold", "", ""}, "admin", ErrorCode::invalid_transition);
    fails("hold", {"on_hold", "in_repair", ""}, "technician", ErrorCode::invalid_transition);
    for (const auto& role : kRoles) fails("teleport", {"reported", "", ""}, role.c_str(), ErrorCode::unknown_action);
    fails("", {"reported", "", ""}, "admin", ErrorCode::unknown_action);
}

TEST_CASE("target() follows to, '=' and '@previous'", "[sync][workflow]") {
    JobPosition held{"on_hold", "in_repair", "depot"};
    CHECK(wf().target(wf().resolve("resume", held, "technician"), held) == "in_repair");
    JobPosition scheduled{"scheduled", "", "on_site"};
    CHECK(wf().target(wf().resolve("reschedule", scheduled, "dispatcher"), scheduled) == "scheduled");
    CHECK(wf().target(wf().resolve("start_repair", scheduled, "technician"), scheduled) == "in_repair");
    CHECK(wf().target(wf().resolve("hold", scheduled, "technician"), scheduled) == "on_hold");
}

TEST_CASE("available() lists the actions a role may take now", "[sync][workflow]") {
    CHECK(wf().available({"in_repair", "", "on_site"}, "technician") ==
          std::vector<std::string>{"revise_plan", "complete_repair", "hold", "return_unrepaired"});
    CHECK(wf().available({"on_hold", "scheduled", ""}, "dispatcher") ==
          std::vector<std::string>{"reassign", "resume", "cancel", "set_priority", "triage", "withdraw"});
    CHECK(wf().available({"closed", "", ""}, "admin").empty());
    CHECK(wf().available({"reported", "", ""}, "customer") == std::vector<std::string>{"cancel", "withdraw"});
}

TEST_CASE("validate(): required fields", "[sync][workflow]") {
    const auto& submit = transition("submit_assessment", "technician");
    auto good = fields({{"findings", std::string("主板电容鼓包")},
                        {"warranty_covered", true},
                        {"customer_caused", false},
                        {"plan", Poco::JSON::Object::Ptr(new Poco::JSON::Object)}});
    CHECK_NOTHROW(wf().validate(submit, *good, ""));
    for (const char* name : {"findings", "warranty_covered", "customer_caused", "plan"}) {
        INFO(name);
        Poco::JSON::Object::Ptr missing = new Poco::JSON::Object(*good);
        missing->remove(name);
        expect_invalid(submit, missing, "", ErrorCode::missing_field, name);
        missing->set(name, Poco::Dynamic::Var());  // null is missing too
        expect_invalid(submit, missing, "", ErrorCode::missing_field, name);
    }
    // Optional fields may be left out, but are checked when given.
    good->set("fault_category", std::string("电源"));
    CHECK_NOTHROW(wf().validate(submit, *good, ""));
    good->set("fault_category", 12);
    expect_invalid(submit, good, "", ErrorCode::invalid_field, "fault_category");
}

TEST_CASE("validate(): types", "[sync][workflow]") {
    const auto& submit = transition("submit_assessment", "technician");
    auto base = fields({{"findings", std::string("x")},
                        {"warranty_covered", true},
                        {"customer_caused", false},
                        {"plan", Poco::JSON::Object::Ptr(new Poco::JSON::Object)}});
    struct Case {
        const char* field;
        Poco::Dynamic::Var value;
    };
    for (const auto& c : std::vector<Case>{{"warranty_covered", std::string("yes")},
                                           {"warranty_covered", 1},
                                           {"customer_caused", Poco::JSON::Array::Ptr(new Poco::JSON::Array)},
                                           {"plan", Poco::JSON::Array::Ptr(new Poco::JSON::Array)},
                                           {"plan", std::string("{}")},
                                           {"findings", 42},
                                           {"findings", true},
                                           {"findings", std::string("   ")}}) {
        INFO(c.field << " = " << c.value.toString());
        Poco::JSON::Object::Ptr f = new Poco::JSON::Object(*base);
        f->set(c.field, c.value);
        expect_invalid(submit, f, "", ErrorCode::invalid_field, c.field);
    }

    const auto& complete = transition("complete_repair", "technician");
    auto done = fields({{"work_summary", std::string("换屏")},
                        {"time_spent_minutes", 95},
                        {"parts_used", Poco::JSON::Array::Ptr(new Poco::JSON::Array)}});
    CHECK_NOTHROW(wf().validate(complete, *done, "on_site"));
    for (Poco::Dynamic::Var bad :
         {Poco::Dynamic::Var(std::string("95")), Poco::Dynamic::Var(95.5), Poco::Dynamic::Var(true)}) {
        INFO(bad.toString());
        done->set("time_spent_minutes", bad);
        expect_invalid(complete, done, "on_site", ErrorCode::invalid_field, "time_spent_minutes");
    }
    done->set("time_spent_minutes", -1);
    expect_invalid(complete, done, "on_site", ErrorCode::invalid_field, "time_spent_minutes");
    done->set("time_spent_minutes", 100001);
    expect_invalid(complete, done, "on_site", ErrorCode::invalid_field, "time_spent_minutes");
    done->set("time_spent_minutes", 0);
    CHECK_NOTHROW(wf().validate(complete, *done, "on_site"));
}

TEST_CASE("validate(): integer range of the rating", "[sync][workflow]") {
    const auto& accept = transition("record_acceptance", "customer");
    for (int rating : {1, 3, 5}) {
        auto f = acceptance();
        f->set("rating", rating);
        CHECK_NOTHROW(wf().validate(accept, *f, "on_site"));
    }
    for (int rating : {0, 6, -1}) {
        INFO(rating);
        auto f = acceptance();
        f->set("rating", rating);
        expect_invalid(accept, f, "on_site", ErrorCode::invalid_field, "rating");
    }
    auto f = acceptance();
    f->set("plan_version", 0);
    expect_invalid(accept, f, "on_site", ErrorCode::invalid_field, "plan_version");  // not a field of this action
    const auto& approve = transition("approve_plan", "customer");
    expect_invalid(approve, fields({{"plan_version", 0}}), "", ErrorCode::invalid_field, "plan_version");
    CHECK_NOTHROW(wf().validate(approve, *fields({{"plan_version", 1}}), ""));
}

TEST_CASE("validate(): string length counts characters, not bytes", "[sync][workflow]") {
    const auto& hold = transition("hold", "technician");
    CHECK_NOTHROW(wf().validate(hold, *fields({{"reason", std::string(2000, 'x')}}), ""));
    expect_invalid(hold, fields({{"reason", std::string(2001, 'x')}}), "", ErrorCode::invalid_field, "reason");
    std::string chinese;
    for (int i = 0; i < 2000; ++i) chinese += "等";
    CHECK_NOTHROW(wf().validate(hold, *fields({{"reason", chinese}}), ""));
    expect_invalid(hold, fields({{"reason", chinese + "件"}}), "", ErrorCode::invalid_field, "reason");
    expect_invalid(hold, fields({{"reason", std::string("")}}), "", ErrorCode::invalid_field, "reason");
}

TEST_CASE("validate(): unknown extra fields are rejected", "[sync][workflow]") {
    const auto& hold = transition("hold", "technician");
    expect_invalid(hold, fields({{"reason", std::string("等配件")}, {"resaon", std::string("typo")}}), "",
                   ErrorCode::invalid_field, "resaon");
    const auto& close = transition("close", "dispatcher");
    CHECK_NOTHROW(wf().validate(close, Poco::JSON::Object(), ""));
    expect_invalid(close, fields({{"state", std::string("closed")}}), "", ErrorCode::invalid_field, "state");
}

TEST_CASE("validate(): by_mode fields are required only in their mode", "[sync][workflow]") {
    const auto& schedule = transition("schedule", "dispatcher");
    auto on_site = fields({{"technician_id", std::string("u1")},
                           {"window_start", std::string("2026-11-21T09:00:00+08:00")},
                           {"window_end", std::string("2026-11-21T11:00:00+08:00")}});
    auto depot = fields({{"carrier", std::string("顺丰")}, {"tracking_no", std::string("SF1234567890")}});
    CHECK_NOTHROW(wf().validate(schedule, *on_site, "on_site"));
    CHECK_NOTHROW(wf().validate(schedule, *depot, "depot"));
    // The other mode's fields are not fields of this mode.
    expect_invalid(schedule, on_site, "depot", ErrorCode::missing_field, "carrier");
    on_site->set("carrier", std::string("顺丰"));
    on_site->set("tracking_no", std::string("SF1"));
    expect_invalid(schedule, on_site, "depot", ErrorCode::invalid_field, "technician_id");
    Poco::JSON::Object::Ptr partial = new Poco::JSON::Object(*depot);
    partial->remove("tracking_no");
    expect_invalid(schedule, partial, "depot", ErrorCode::missing_field, "tracking_no");

    const auto& start = transition("start_repair", "technician");
    CHECK_NOTHROW(wf().validate(start, Poco::JSON::Object(), "on_site"));
    expect_invalid(start, fields({}), "depot", ErrorCode::missing_field, "receipt_inspection");
    CHECK_NOTHROW(wf().validate(start, *fields({{"receipt_inspection", std::string("外壳有划痕")}}), "depot"));
    expect_invalid(start, fields({{"receipt_inspection", std::string("x")}}), "on_site", ErrorCode::invalid_field,
                   "receipt_inspection");
}

TEST_CASE("validate(): date-time fields need an ISO 8601 date-time with a zone", "[sync][workflow]") {
    const auto& schedule = transition("schedule", "dispatcher");
    auto with_start = [](Poco::Dynamic::Var start) {
        return fields({{"technician_id", std::string("u1")},
                       {"window_start", start},
                       {"window_end", std::string("2026-11-21T11:00:00Z")}});
    };
    for (const char* good : {"2026-11-21T09:00:00Z", "2026-11-21T09:00:00.250+08:00", "2026-11-21T09:00Z"}) {
        INFO(good);
        CHECK_NOTHROW(wf().validate(schedule, *with_start(std::string(good)), "on_site"));
    }
    for (const char* bad : {"2026-11-21T09:00:00", "2026-11-21", "2026-02-30T09:00:00Z", "2026-11-21T25:00:00Z",
                            "21/11/2026 09:00", "tomorrow"}) {
        INFO(bad);
        expect_invalid(schedule, with_start(std::string(bad)), "on_site", ErrorCode::invalid_field, "window_start");
    }
    expect_invalid(schedule, with_start(1763715600000), "on_site", ErrorCode::invalid_field, "window_start");
    const auto& hold = transition("hold", "technician");
    expect_invalid(hold, fields({{"reason", std::string("x")}, {"until", std::string("next week")}}), "",
                   ErrorCode::invalid_field, "until");
}

TEST_CASE("a requirement the table names must hold for the move", "[sync][workflow][requirements]") {
    CHECK(wf().requirements_of("close") == std::set<std::string>{"followup_settled"});
    CHECK(wf().requirements_of("assign").empty());
    JobPosition accepted{"accepted", "", ""};
    try {
        wf().resolve("close", accepted, "dispatcher");
        FAIL("close resolved without its follow-up settled");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::requirement_unmet);
        CHECK(e.field() == "followup_settled");
        CHECK(std::string(e.what()).find("follow-up") != std::string::npos);
    }
    // Role and state are judged first: a technician is forbidden, a closed job is not closable at all.
    CHECK_THROWS_AS(wf().resolve("close", accepted, "technician"), Error);
    try {
        wf().resolve("close", JobPosition{"closed", "", ""}, "dispatcher");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_transition);
    }
    accepted.holding = {"followup_settled"};
    CHECK(wf().resolve("close", accepted, "dispatcher").to == "closed");
}

TEST_CASE("a table naming an unknown requirement is refused", "[sync][workflow][requirements]") {
    const char* table = R"({"version":1,"roles":["admin"],"states":["a","b"],"initial":"a","terminal":["b"],
        "sla_paused":[],"requirements":{"known":"it holds"},
        "transitions":[{"action":"go","from":["a"],"to":"b","roles":["admin"],"requires":["unknown"]}]})";
    CHECK_THROWS_AS(Workflow::parse(table), std::invalid_argument);
}
