// Customer care end to end against the real server: complaints, appeals, follow-ups and surveys, messages on a
// job, the deadline sweep (deadlines of 0 minutes stand in for a clock moved past them) and the knowledge search.
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "fieldsync/base64.hpp"
#include "fieldsync/digest.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// The shop with a customer-service agent and a supervisor.
struct Care {
    TestServer srv;
    Shop shop{srv};
    std::string agent, supervisor, agent_id, supervisor_id;

    explicit Care(std::map<std::string, std::string> env = {}) : srv(std::move(env)) {
        agent_id = create_user(srv, shop.admin, "agent.he", "agent");
        supervisor_id = create_user(srv, shop.admin, "sup.zhou", "supervisor");
        agent = login_as(srv, "agent.he");
        supervisor = login_as(srv, "sup.zhou");
    }

    Reply complaint_act(const std::string& id, const std::string& action, const Obj& fields,
                        const std::string& token) const {
        return srv.post("/api/v1/complaints/" + id + "/actions/" + action, fields, token);
    }
    Reply appeal_act(const std::string& id, const std::string& action, const Obj& fields,
                     const std::string& token) const {
        return srv.post("/api/v1/appeals/" + id + "/actions/" + action, fields, token);
    }
    std::int64_t count(const std::string& path) const { return total(srv, path, shop.admin); }
};

std::vector<std::string> column(const Obj& page, const std::string& key) {
    std::vector<std::string> out;
    for (const auto& v : *page->getArray("items")) out.push_back(text_of(v.extract<Obj>(), key));
    return out;
}

}  // namespace

TEST_CASE("a complaint is recorded, contacted, escalated and resolved by a supervisor", "[integration][care]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    auto complaint = body({{"type", "service_attitude"},
                           {"description", "工程师态度恶劣 the technician was rude"},
                           {"job_id", job},
                           {"channel", "phone"}});

    SECTION("bad input and wrong roles change nothing") {
        check_error(c.srv.post("/api/v1/complaints", complaint, c.shop.tech_a), 403, "forbidden");
        auto bad = body({{"type", "weather"}, {"description", "x"}, {"job_id", job}});
        check_error(c.srv.post("/api/v1/complaints", bad, c.agent), 422, "invalid_field", "type");
        auto blank = body({{"type", "price"}, {"description", "   "}, {"job_id", job}});
        check_error(c.srv.post("/api/v1/complaints", blank, c.agent), 422, "invalid_field", "description");
        auto long_text = body({{"type", "price"}, {"description", std::string(4001, 'x')}, {"job_id", job}});
        check_error(c.srv.post("/api/v1/complaints", long_text, c.agent), 422, "invalid_field", "description");
        auto unknown = body({{"type", "price"}, {"description", "贵"}, {"job_id", "no-such-job"}});
        check_error(c.srv.post("/api/v1/complaints", unknown, c.agent), 404, "not_found", "job_id");
        // Customer B cannot complain about A's job, nor for A.
        check_error(c.srv.post("/api/v1/complaints", complaint, c.shop.cust_b), 404, "not_found", "job_id");
        auto for_a = body({{"type", "price"}, {"description", "贵"}, {"customer_id", c.shop.customer_a}});
        check_error(c.srv.post("/api/v1/complaints", for_a, c.shop.cust_b), 403, "forbidden", "customer_id");
        auto evidence = body({{"type", "price"}, {"description", "贵"}, {"job_id", job}});
        evidence->set("evidence", json(R"({"e":["no-such-attachment"]})")->getArray("e"));
        check_error(c.srv.post("/api/v1/complaints", evidence, c.agent), 422, "invalid_field", "evidence");
        CHECK(c.count("/api/v1/complaints") == 0);
    }

    SECTION("the whole way") {
        auto made = need(c.srv.post("/api/v1/complaints", complaint, c.agent), 201).object();
        std::string id = text_of(made, "id");
        CHECK(text_of(made, "state") == "open");
        CHECK(text_of(made, "customer_id") == c.shop.customer_a);
        CHECK(text_of(made, "description") == "工程师态度恶劣 the technician was rude");
        // Default policy: first contact within a day, resolution within three.
        CHECK(text_of(made, "contact_due_at") < text_of(made, "resolve_due_at"));

        // Customer A sees it, customer B does not (neither by id nor in a list).
        need(c.srv.get("/api/v1/complaints/" + id, c.shop.cust_a), 200);
        check_error(c.srv.get("/api/v1/complaints/" + id, c.shop.cust_b), 404, "not_found");
        CHECK(total(c.srv, "/api/v1/complaints", c.shop.cust_b) == 0);
        CHECK(total(c.srv, "/api/v1/complaints?type=service_attitude", c.shop.cust_a) == 1);
        check_error(c.srv.get("/api/v1/complaints/" + id, c.shop.tech_a), 403, "forbidden");

        // Wrong state, unknown action, unknown id.
        check_error(c.complaint_act(id, "close", body(), c.agent), 409, "invalid_transition");
        check_error(c.complaint_act(id, "teleport", body(), c.agent), 404, "unknown_action");
        check_error(c.complaint_act("no-such-id", "contact", body(), c.agent), 404, "not_found");
        check_error(c.complaint_act(id, "contact", body({{"colour", "red"}}), c.agent), 422, "invalid_field", "colour");
        CHECK(text_of(need(c.srv.get("/api/v1/complaints/" + id, c.agent), 200).object(), "state") == "open");

        auto contacted = need(c.complaint_act(id, "contact", body({{"note", "已致电客户"}}), c.agent), 200).object();
        CHECK(text_of(contacted, "state") == "contacted");
        CHECK(text_of(contacted, "owner_id") == c.agent_id);
        // The customer asks for a supervisor (要求见上级主管).
        auto escalated = need(c.complaint_act(id, "escalate", body({{"note", "要求主管处理"}}), c.shop.cust_a), 200);
        CHECK(escalated.str("state") == "escalated");
        // Once escalated, only a supervisor (or admin) resolves it.
        auto answer = body({{"outcome", "apology"}, {"answer", "已向客户道歉并批评教育工程师"}});
        check_error(c.complaint_act(id, "resolve", answer, c.agent), 403, "forbidden");
        check_error(c.complaint_act(id, "resolve", body({{"outcome", "apology"}, {"answer", " "}}), c.supervisor), 422,
                    "invalid_field", "answer");
        auto resolved = need(c.complaint_act(id, "resolve", answer, c.supervisor), 200).object();
        CHECK(text_of(resolved, "state") == "resolved");
        CHECK(text_of(resolved, "outcome") == "apology");
        CHECK(text_of(resolved, "answer") == "已向客户道歉并批评教育工程师");
        CHECK(need(c.complaint_act(id, "close", body(), c.agent), 200).str("state") == "closed");
        auto history = need(c.srv.get("/api/v1/complaints/" + id, c.agent), 200).object()->getArray("history");
        CHECK(history->size() == 5);
        // The job's audit trail shows each step, and the chain still verifies.
        auto actions = c.shop.event_actions(job);
        for (const char* a :
             {"complaint_opened", "complaint_contact", "complaint_escalate", "complaint_resolve", "complaint_close"})
            CHECK(std::count(actions.begin(), actions.end(), a) == 1);
        CHECK(need(c.srv.get("/api/v1/jobs/" + job + "/events/verify", c.shop.admin), 200)
                  .object()
                  ->getValue<bool>("ok"));
    }
}

TEST_CASE("complaint deadlines are swept once and a supervisor may move them", "[integration][care]") {
    Care c(std::map<std::string, std::string>{{"FIELDREPAIR_CARE_COMPLAINT_CONTACT_MINUTES", "0"},
                                              {"FIELDREPAIR_SLA_CHECK_INTERVAL", "0"}});
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    auto made =
        need(c.srv.post("/api/v1/complaints",
                        body({{"type", "timeliness"}, {"description", "三天没人联系"}, {"job_id", job}}), c.agent),
             201);
    std::string id = made.str("id");
    check_error(c.srv.post("/api/v1/care/sweep", body(), c.agent), 403, "forbidden");
    auto swept = need(c.srv.post("/api/v1/care/sweep", body(), c.supervisor), 200).object();
    REQUIRE(swept->getArray("complaints_contact")->size() == 1);
    CHECK(swept->getArray("complaints_contact")->getElement<std::string>(0) == id);
    CHECK(swept->getArray("complaints_resolve")->size() == 0);
    CHECK(total(c.srv, "/api/v1/complaints?overdue=true", c.agent) == 1);
    for (const char* list : {"/api/v1/complaints", "/api/v1/appeals", "/api/v1/followups"})
        check_error(c.srv.get(std::string(list) + "?overdue=yes", c.agent), 422, "invalid_field", "overdue");
    // Once only.
    swept = need(c.srv.post("/api/v1/care/sweep", body(), c.supervisor), 200).object();
    CHECK(swept->getArray("complaints_contact")->size() == 0);
    auto after = need(c.srv.get("/api/v1/complaints/" + id, c.agent), 200).object();
    CHECK_FALSE(text_of(after, "contact_overdue_at").empty());

    // Overriding a deadline belongs to supervisors.
    auto later = body({{"resolve_due_at", "2031-01-01T00:00:00Z"}});
    check_error(c.complaint_act(id, "set_deadlines", later, c.agent), 403, "forbidden");
    check_error(c.complaint_act(id, "set_deadlines", body(), c.supervisor), 422, "missing_field", "resolve_due_at");
    auto moved = need(c.complaint_act(id, "set_deadlines", later, c.supervisor), 200).object();
    CHECK(text_of(moved, "resolve_due_at") == "2031-01-01T00:00:00.000Z");
    auto report = need(c.srv.get("/api/v1/care/report", c.supervisor), 200).object();
    CHECK(int_of(report->getObject("complaints"), "contact_late") == 1);
    CHECK(int_of(report->getObject("complaints")->getObject("by_type"), "timeliness") == 1);
    check_error(c.srv.get("/api/v1/care/report", c.shop.dispatcher), 403, "forbidden");
}

TEST_CASE("an appeal against a refused warranty is called back and decided by a supervisor",
          "[integration][care][appeals]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    std::string fresh = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
    c.shop.drive(job, "plan_proposed");
    auto appeal = body({{"job_id", job}, {"decision", "warranty_refused"}, {"reason", "购买不到一年，应在保修期内"}});

    // No decision to appeal: a job not yet assessed, a plan that did not find the fault customer-caused.
    auto early = body({{"job_id", fresh}, {"decision", "warranty_refused"}, {"reason", "x"}});
    check_error(c.srv.post("/api/v1/appeals", early, c.shop.cust_a), 409, "conflict", "decision");
    auto caused = body({{"job_id", job}, {"decision", "customer_caused"}, {"reason", "x"}});
    check_error(c.srv.post("/api/v1/appeals", caused, c.shop.cust_a), 409, "conflict", "decision");
    check_error(c.srv.post("/api/v1/appeals", appeal, c.shop.cust_b), 404, "not_found", "job_id");
    check_error(c.srv.post("/api/v1/appeals", appeal, c.shop.tech_a), 403, "forbidden");
    check_error(
        c.srv.post("/api/v1/appeals", body({{"job_id", job}, {"decision", "price"}, {"reason", "x"}}), c.shop.cust_a),
        422, "invalid_field", "decision");
    CHECK(c.count("/api/v1/appeals") == 0);

    auto made = need(c.srv.post("/api/v1/appeals", appeal, c.shop.cust_a), 201).object();
    std::string id = text_of(made, "id");
    CHECK(text_of(made, "state") == "open");
    CHECK(int_of(made, "plan_version") == 1);
    // Called back within 48 hours by default (申诉…48 小时内…电联).
    int tz = 0;
    auto created =
        Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text_of(made, "created_at"), tz);
    auto due =
        Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text_of(made, "callback_due_at"), tz);
    CHECK((due - created).totalHours() == 48);
    // A second open appeal on the same decision is a conflict, even made by an agent for the customer.
    check_error(c.srv.post("/api/v1/appeals", appeal, c.agent), 409, "conflict", "decision");
    check_error(c.srv.get("/api/v1/appeals/" + id, c.shop.cust_b), 404, "not_found");

    check_error(c.appeal_act(id, "call_back", body({{"note", " "}}), c.agent), 422, "invalid_field", "note");
    check_error(c.appeal_act(id, "call_back", body({{"note", "x"}}), c.shop.cust_a), 403, "forbidden");
    CHECK(
        need(c.appeal_act(id, "call_back", body({{"note", "已电联客户，核实购买日期"}}), c.agent), 200).str("state") ==
        "called_back");
    check_error(c.appeal_act(id, "call_back", body({{"note", "again"}}), c.agent), 409, "invalid_transition");
    CHECK(need(c.appeal_act(id, "escalate", body(), c.shop.cust_a), 200).str("state") == "escalated");
    auto upheld = body({{"outcome", "upheld"}, {"note", "发票显示在保修期内"}});
    check_error(c.appeal_act(id, "decide", upheld, c.agent), 403, "forbidden");
    check_error(c.appeal_act(id, "decide", body({{"outcome", "maybe"}, {"note", "x"}}), c.supervisor), 422,
                "invalid_field", "outcome");
    CHECK(c.shop.state(job) == "plan_proposed");
    auto decided = need(c.appeal_act(id, "decide", upheld, c.supervisor), 200).object();
    CHECK(text_of(decided, "state") == "upheld");
    CHECK(text_of(decided, "decision_note") == "发票显示在保修期内");
    // Upheld: the plan goes back to assessment through the workflow, audited with the appeal.
    CHECK(c.shop.state(job) == "assessing");
    auto actions = c.shop.event_actions(job);
    CHECK(std::find(actions.begin(), actions.end(), "revise_plan") != actions.end());
    CHECK(std::find(actions.begin(), actions.end(), "appeal_decide") != actions.end());
    check_error(c.appeal_act(id, "decide", upheld, c.supervisor), 409, "invalid_transition");
    check_error(c.appeal_act("no-such-id", "decide", upheld, c.supervisor), 404, "not_found");
}

TEST_CASE("an appeal not called back in time is swept and reported", "[integration][care][appeals]") {
    Care c(std::map<std::string, std::string>{{"FIELDREPAIR_CARE_APPEAL_CALLBACK_MINUTES", "0"},
                                              {"FIELDREPAIR_SLA_CHECK_INTERVAL", "0"}});
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(job, "plan_proposed");
    auto made = need(c.srv.post("/api/v1/appeals",
                                body({{"job_id", job}, {"decision", "warranty_refused"}, {"reason", "不服"}}), c.agent),
                     201);
    CHECK(total(c.srv, "/api/v1/appeals?overdue=true", c.agent) == 1);
    auto swept = need(c.srv.post("/api/v1/care/sweep", body(), c.shop.admin), 200).object();
    REQUIRE(swept->getArray("appeals")->size() == 1);
    CHECK(swept->getArray("appeals")->getElement<std::string>(0) == made.str("id"));
    CHECK(need(c.srv.post("/api/v1/care/sweep", body(), c.supervisor), 200).object()->getArray("appeals")->size() == 0);
    auto report = need(c.srv.get("/api/v1/care/report", c.supervisor), 200).object();
    CHECK(int_of(report->getObject("appeals"), "callback_late") == 1);
    // Supervisors may push the deadline out.
    auto moved = need(c.appeal_act(made.str("id"), "set_deadline",
                                   body({{"callback_due_at", "2031-01-01T08:00:00+08:00"}}), c.supervisor),
                      200);
    CHECK(moved.str("callback_due_at") == "2031-01-01T00:00:00.000Z");
}

TEST_CASE("follow-ups are due for accepted, declined and cancelled jobs; low ratings open complaints",
          "[integration][care][followups]") {
    Care c(std::map<std::string, std::string>{{"FIELDREPAIR_CARE_FOLLOWUP_DELAY_MINUTES", "0"}});
    std::string accepted = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(accepted, "accepted");
    std::string cancelled = c.shop.report(c.shop.customer_b, c.shop.asset_b);
    c.shop.must(cancelled, "cancel", body({{"reason", "客户自行修好"}}), c.agent);
    std::string declined = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
    c.shop.drive(declined, "plan_proposed");
    c.shop.must(declined, "decline_plan", body({{"plan_version", 1}}), c.shop.cust_a);

    auto due = list(c.srv, "/api/v1/followups?state=due&overdue=true", c.agent);
    CHECK(int_of(due, "total") == 3);
    std::map<std::string, std::string> by_job;
    for (const auto& v : *due->getArray("items")) {
        auto f = v.extract<Obj>();
        by_job[text_of(f, "job_id")] = text_of(f, "reason");
    }
    CHECK(by_job ==
          std::map<std::string, std::string>{{accepted, "accepted"}, {cancelled, "cancelled"}, {declined, "declined"}});
    // Customers see only their own.
    CHECK(total(c.srv, "/api/v1/followups", c.shop.cust_b) == 1);
    check_error(c.srv.get("/api/v1/followups", c.shop.tech_a), 403, "forbidden");

    auto id_of = [&](const std::string& job) {
        return column(list(c.srv, "/api/v1/followups?job_id=" + job, c.agent), "id").at(0);
    };
    std::string f_accepted = id_of(accepted), f_cancelled = id_of(cancelled), f_declined = id_of(declined);
    check_error(c.srv.post("/api/v1/followups/" + f_accepted + "/survey", body({{"rating", 6}}), c.agent), 422,
                "invalid_field", "rating");
    check_error(c.srv.post("/api/v1/followups/" + f_cancelled + "/survey", body({{"rating", 5}}), c.shop.cust_a), 404,
                "not_found");
    CHECK(c.count("/api/v1/complaints") == 0);

    // A phone survey with a 2 overall and a 1 for timeliness opens a timeliness complaint.
    auto survey = body({{"rating", 2}, {"technician_rating", 4}, {"timeliness_rating", 1}, {"comment", "等了一周"}});
    auto done = need(c.srv.post("/api/v1/followups/" + f_accepted + "/survey", survey, c.agent), 200).object();
    CHECK(text_of(done, "state") == "done");
    CHECK(text_of(done, "survey_channel") == "phone");
    std::string complaint = text_of(done, "complaint_id");
    REQUIRE_FALSE(complaint.empty());
    auto k = need(c.srv.get("/api/v1/complaints/" + complaint, c.shop.cust_a), 200).object();
    CHECK(text_of(k, "type") == "timeliness");
    CHECK(text_of(k, "channel") == "survey");
    check_error(c.srv.post("/api/v1/followups/" + f_accepted + "/survey", survey, c.agent), 409, "invalid_transition");

    // The customer fills in their own survey in the portal.
    auto portal =
        need(c.srv.post("/api/v1/followups/" + f_declined + "/survey", body({{"rating", 4}}), c.shop.cust_a), 200);
    CHECK(portal.str("survey_channel") == "portal");
    CHECK(text_of(portal.object(), "complaint_id").empty());

    check_error(c.srv.post("/api/v1/followups/" + f_cancelled + "/waive", body({{"reason", " "}}), c.agent), 422,
                "invalid_field", "reason");
    check_error(c.srv.post("/api/v1/followups/" + f_cancelled + "/waive", body({{"reason", "x"}}), c.shop.cust_b), 403,
                "forbidden");
    CHECK(need(c.srv.post("/api/v1/followups/" + f_cancelled + "/waive", body({{"reason", "客户拒绝回访"}}), c.agent),
               200)
              .str("state") == "waived");
    CHECK(total(c.srv, "/api/v1/followups?state=due", c.agent) == 0);

    auto report = need(c.srv.get("/api/v1/care/report", c.supervisor), 200).object();
    auto satisfaction = report->getObject("satisfaction");
    CHECK(int_of(satisfaction, "count") == 2);
    CHECK(satisfaction->getValue<double>("average") == Approx(3.0));
    CHECK(int_of(report->getObject("followups")->getObject("by_state"), "waived") == 1);
}

TEST_CASE("a 1-star acceptance opens a complaint", "[integration][care][followups]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(job, "awaiting_acceptance");
    auto signed_off = acceptance(c.shop.summary_sha(job, c.shop.cust_a));
    signed_off->set("rating", 1);
    signed_off->set("comment", "修完还是不制冷");
    c.shop.must(job, "record_acceptance", signed_off, c.shop.cust_a);
    auto complaints = list(c.srv, "/api/v1/complaints?job_id=" + job, c.agent);
    REQUIRE(int_of(complaints, "total") == 1);
    auto k = complaints->getArray("items")->getObject(0);
    CHECK(text_of(k, "type") == "quality_of_repair");
    CHECK(text_of(k, "channel") == "acceptance");
    CHECK(text_of(k, "description").find("修完还是不制冷") != std::string::npos);
    CHECK(total(c.srv, "/api/v1/followups?job_id=" + job, c.agent) == 1);
}

TEST_CASE("customers and staff exchange messages on a job", "[integration][care][messages]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    std::string path = "/api/v1/jobs/" + job + "/messages";
    check_error(c.srv.post(path, body({{"body", " "}}), c.shop.cust_a), 422, "invalid_field", "body");
    check_error(c.srv.post(path, body({{"body", std::string(2001, 'x')}}), c.shop.cust_a), 422, "invalid_field",
                "body");
    check_error(c.srv.post(path, body({{"body", "hi"}}), c.shop.cust_b), 404, "not_found");
    check_error(c.srv.get(path, c.shop.cust_b), 404, "not_found");
    check_error(c.srv.get("/api/v1/jobs/no-such-job/messages", c.agent), 404, "not_found");
    CHECK(need(c.srv.get(path, c.agent), 200).object()->getArray("items")->size() == 0);

    auto asked = need(c.srv.post(path, body({{"body", "师傅什么时候来？<b>急</b>"}}), c.shop.cust_a), 201).object();
    CHECK(text_of(asked, "author_role") == "customer");
    CHECK(text_of(asked, "body") == "师傅什么时候来？<b>急</b>");
    auto waiting = list(c.srv, "/api/v1/messages/waiting", c.agent);
    CHECK(column(waiting, "job_id") == std::vector<std::string>{job});
    check_error(c.srv.get("/api/v1/messages/waiting", c.shop.cust_a), 403, "forbidden");

    need(c.srv.post(path, body({{"body", "明天上午九点到十一点上门"}}), c.agent), 201);
    CHECK(total(c.srv, "/api/v1/messages/waiting", c.agent) == 0);
    auto thread = need(c.srv.get(path, c.shop.cust_a), 200).object()->getArray("items");
    REQUIRE(thread->size() == 2);
    CHECK(text_of(thread->getObject(1), "author_role") == "agent");
    CHECK(text_of(thread->getObject(1), "body") == "明天上午九点到十一点上门");
}

TEST_CASE("job search finds past findings and work summaries", "[integration][care][search]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(job, "accepted");
    std::string other = c.shop.report(c.shop.customer_b, c.shop.asset_b);
    for (const char* q : {"温控器故障", "faulty thermostat", "更换温控器"}) {
        INFO(q);
        CHECK(column(list(c.srv, "/api/v1/jobs?q=" + url_encode(q), c.agent), "id") == std::vector<std::string>{job});
    }
    CHECK(total(c.srv, "/api/v1/jobs?q=" + url_encode("压缩机"), c.agent) == 0);
    // A customer's search stays within their own jobs.
    CHECK(total(c.srv, "/api/v1/jobs?q=" + url_encode("温控器"), c.shop.cust_b) == 0);
    CHECK(!other.empty());
}

TEST_CASE("closing a job requires its follow-up done or waived; returned and withdrawn jobs get one too",
          "[integration][care][followups][close]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(job, "accepted");
    auto followup = column(list(c.srv, "/api/v1/followups?job_id=" + job, c.agent), "id").at(0);
    auto version = int_of(c.shop.job(job), "version");
    auto events = c.shop.event_actions(job).size();

    // Not yet: a 409 that names the requirement, and nothing changed.
    auto refused = c.shop.act(job, "close", body(), c.shop.dispatcher);
    check_error(refused, 409, "requirement_unmet", "followup_settled");
    CHECK(refused.body.find("follow-up") != std::string::npos);
    CHECK(c.shop.state(job) == "accepted");
    CHECK(int_of(c.shop.job(job), "version") == version);
    CHECK(c.shop.event_actions(job).size() == events);
    // A role that may never close still hears 403, and the state check still comes first on other jobs.
    check_error(c.shop.act(job, "close", body(), c.agent), 403, "forbidden");
    std::string fresh = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
    check_error(c.shop.act(fresh, "close", body(), c.shop.dispatcher), 409, "invalid_transition");

    // A waiver needs a reason; with one the job closes.
    check_error(c.srv.post("/api/v1/followups/" + followup + "/waive", body({{"reason", " "}}), c.agent), 422,
                "invalid_field", "reason");
    check_error(c.shop.act(job, "close", body(), c.shop.dispatcher), 409, "requirement_unmet", "followup_settled");
    need(c.srv.post("/api/v1/followups/" + followup + "/waive", body({{"reason", "客户明确表示不需回访"}}), c.agent),
         200);
    CHECK(text_of(c.shop.must(job, "close", body(), c.shop.dispatcher), "state") == "closed");

    // A survey settles it too.
    std::string surveyed = c.shop.report(c.shop.customer_b, c.shop.asset_b);
    c.shop.drive(surveyed, "accepted", "on_site", c.shop.tech_b, c.shop.tech_b_id);
    auto f2 = column(list(c.srv, "/api/v1/followups?job_id=" + surveyed, c.agent), "id").at(0);
    need(c.srv.post("/api/v1/followups/" + f2 + "/survey", body({{"rating", 5}}), c.shop.cust_b), 200);
    CHECK(text_of(c.shop.must(surveyed, "close", body(), c.shop.dispatcher), "state") == "closed");

    // Returned unrepaired and withdrawn jobs are followed up as well.
    std::string returned = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
    c.shop.drive(returned, "assessing");
    c.shop.must(returned, "return_unrepaired", body({{"reason", "无法维修 beyond repair"}}), c.shop.tech_a);
    std::string withdrawn = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
    c.shop.must(withdrawn, "withdraw", body({{"reason", "不修了"}}), c.shop.cust_a);
    for (const auto& [id, reason] : {std::pair{returned, "returned"}, std::pair{withdrawn, "withdrawn"}}) {
        auto items = list(c.srv, "/api/v1/followups?job_id=" + id, c.agent);
        INFO(reason);
        CHECK(column(items, "reason") == std::vector<std::string>{reason});
        CHECK(column(items, "state") == std::vector<std::string>{"due"});
    }
}

TEST_CASE("the periodic round sweeps care deadlines by itself", "[integration][care][periodic]") {
    Care c(std::map<std::string, std::string>{{"FIELDREPAIR_CARE_COMPLAINT_CONTACT_MINUTES", "0"},
                                              {"FIELDREPAIR_SLA_CHECK_INTERVAL", "1"}});
    auto id =
        need(c.srv.post("/api/v1/complaints",
                        body({{"type", "price"}, {"description", "收费不透明"}, {"customer_id", c.shop.customer_a}}),
                        c.agent),
             201)
            .str("id");
    std::string marked;
    for (int i = 0; i < 100 && marked.empty(); ++i) {
        marked = text_of(need(c.srv.get("/api/v1/complaints/" + id, c.agent), 200).object(), "contact_overdue_at");
        if (marked.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK_FALSE(marked.empty());
    CHECK(c.srv.log().find("care deadlines: 1 record(s) overdue") != std::string::npos);
}

TEST_CASE("a new customer message reaches the assigned technician's device and no one else's",
          "[integration][care][messages][sync]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(job, "assessing");
    auto register_device = [&](const std::string& token) {
        return need(c.srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), token), 201)
            .str("device_token");
    };
    std::string device_a = register_device(c.shop.tech_a), device_b = register_device(c.shop.tech_b);
    auto messages_pulled = [&](const std::string& device) {
        std::vector<Obj> out;
        auto page = need(c.srv.get("/api/v1/sync/pull?cursor=0&limit=1000", device), 200).object();
        for (const auto& v : *page->getArray("changes")) {
            auto change = v.extract<Obj>();
            if (text_of(change, "table") == "job_messages") out.push_back(change);
        }
        return out;
    };
    CHECK(messages_pulled(device_a).empty());

    auto sent = need(c.srv.post("/api/v1/jobs/" + job + "/messages", body({{"body", "门铃坏了，请打电话 13800000000"}}),
                                c.shop.cust_a),
                     201)
                    .object();
    auto pulled = messages_pulled(device_a);
    REQUIRE(pulled.size() == 1);
    CHECK(text_of(pulled[0], "row_id") == text_of(sent, "id"));
    auto row = pulled[0]->getObject("row");
    CHECK(text_of(row, "job_id") == job);
    CHECK(text_of(row, "author_role") == "customer");
    CHECK(text_of(row, "body") == "门铃坏了，请打电话 13800000000");
    CHECK(messages_pulled(device_b).empty());  // another technician's device never gets it

    // Reassigned: the message leaves A's device and reaches B's with the job.
    c.shop.must(job, "reassign", body({{"technician_id", c.shop.tech_b_id}}), c.shop.dispatcher);
    CHECK(messages_pulled(device_b).size() == 1);
}

TEST_CASE("evidence files are uploaded with a complaint or an appeal, checked by type and size",
          "[integration][care][evidence]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(job, "plan_proposed");  // the fixture's plan refuses warranty cover
    const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + "水渍照片 photo of the leak";
    const std::string pdf = "%PDF-1.4 维修发票 invoice";
    auto files = [](std::initializer_list<std::string> contents) {
        Arr out = new Poco::JSON::Array;
        for (const auto& bytes : contents) {
            Obj f = new Poco::JSON::Object;
            f->set("content_base64", fieldsync::base64_encode(bytes));
            f->set("file_name", "证据.jpg");
            out->add(f);
        }
        return out;
    };
    auto complaint = [&](const Arr& evidence, const std::string& job_id) {
        auto b = body({{"type", "quality_of_repair"}, {"description", "修完又漏水"}});
        if (!job_id.empty()) b->set("job_id", job_id);
        b->set("evidence_files", evidence);
        return b;
    };
    auto complaints = [&] { return total(c.srv, "/api/v1/complaints", c.shop.admin); };

    // Refused, and nothing recorded: a GIF, six files, a file without bytes, bad base64, no job, someone else's job.
    check_error(c.srv.post("/api/v1/complaints", complaint(files({"GIF89a..."}), job), c.shop.cust_a), 422,
                "invalid_field", "evidence_files");
    check_error(
        c.srv.post("/api/v1/complaints", complaint(files({jpeg, jpeg, jpeg, jpeg, jpeg, jpeg}), job), c.shop.cust_a),
        422, "invalid_field", "evidence_files");
    check_error(c.srv.post("/api/v1/complaints", complaint(files({""}), job), c.shop.cust_a), 422, "invalid_field",
                "evidence_files");
    auto bad = complaint(files({jpeg}), job);
    bad->getArray("evidence_files")->getObject(0)->set("content_base64", "不是base64!");
    check_error(c.srv.post("/api/v1/complaints", bad, c.shop.cust_a), 422, "invalid_field", "evidence_files");
    check_error(c.srv.post("/api/v1/complaints", complaint(files({jpeg}), job), c.shop.cust_b), 404, "not_found",
                "job_id");
    CHECK(complaints() == 0);

    // A photo with the complaint: care evidence of the complaint, readable by care staff.
    auto made = need(c.srv.post("/api/v1/complaints", complaint(files({jpeg}), job), c.shop.cust_a), 201).object();
    auto evidence = made->getArray("evidence");
    REQUIRE(evidence->size() == 1);
    auto bytes =
        need(c.srv.get("/api/v1/care/evidence/" + evidence->getElement<std::string>(0) + "/content", c.shop.dispatcher),
             200);
    CHECK(bytes.body == jpeg);

    // An appeal refused (409: this job has no decision to appeal) stores none of its evidence bytes.
    std::string undecided = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
    const std::string refused_pdf = "%PDF-1.4 被拒绝的申诉 refused appeal";
    auto no_decision = body({{"job_id", undecided}, {"decision", "warranty_refused"}, {"reason", "不服"}});
    no_decision->set("evidence_files", files({refused_pdf}));
    check_error(c.srv.post("/api/v1/appeals", no_decision, c.shop.cust_a), 409, "conflict", "decision");
    bool stored = false;
    if (c.srv.database().find("dbname=") == std::string::npos)  // SQLite: the bytes would be a file named by hash
        for (const auto& entry : std::filesystem::recursive_directory_iterator(c.srv.data_dir()))
            stored = stored || entry.path().filename().string().find(fieldsync::sha256_hex(refused_pdf)) == 0;
    CHECK_FALSE(stored);

    // An appeal with a PDF invoice as evidence.
    auto appeal = body({{"job_id", job}, {"decision", "warranty_refused"}, {"reason", "有发票，仍在保修期内"}});
    appeal->set("evidence_files", files({pdf}));
    auto opened = need(c.srv.post("/api/v1/appeals", appeal, c.shop.cust_a), 201).object();
    CHECK(opened->getArray("evidence")->size() == 1);
    CHECK(opened->getArray("evidence")->getElement<std::string>(0) != evidence->getElement<std::string>(0));
}

TEST_CASE("the care report: deadlines kept or missed, appeals decided, follow-ups done, satisfaction over time",
          "[integration][care][report]") {
    Care c;
    // Product types from the catalog; the second is named like a spreadsheet formula.
    for (const auto& [code, name] : {std::pair<const char*, const char*>{"fridge", "冰箱"}, {"evil", "=HYPERLINK(1)"}})
        need(c.srv.post("/api/v1/fault-categories", body({{"code", code}, {"name", name}}), c.shop.dispatcher), 201);
    auto report = [&](const std::string& query = "") {
        return need(c.srv.get("/api/v1/care/report" + query, c.agent), 200).object();
    };

    SECTION("bad filters and other roles are refused; nothing to count is zeros") {
        for (const auto& [query, field] : {std::pair<const char*, const char*>{"?period=week", "period"},
                                           {"?group_by=colour", "group_by"},
                                           {"?from=yesterday", "from"},
                                           {"?from=2026-02-01&to=2026-01-01", "to"},
                                           {"?format=xml", "format"},
                                           {"?to=2026-13-40", "to"}})
            check_error(c.srv.get(std::string("/api/v1/care/report") + query, c.supervisor), 422, "invalid_field",
                        field);
        for (const auto& token : {c.shop.dispatcher, c.shop.tech_a, c.shop.cust_a})
            check_error(c.srv.get("/api/v1/care/report", token), 403, "forbidden");
        auto empty = report("?from=2026-01-01&to=2026-01-31");
        CHECK(int_of(empty->getObject("complaints")->getObject("first_contact"), "count") == 0);
        CHECK(empty->getObject("appeals")->getObject("decided")->get("upheld_rate").isEmpty());
        CHECK(empty->getObject("satisfaction")->getArray("series")->size() == 0);
    }

    SECTION("figures, the period filter and the CSV") {
        // Complaints: one contacted and resolved in time, one contacted after its deadline, one still open past it.
        std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
        auto complaint = [&](const char* type) {
            return need(c.srv.post("/api/v1/complaints",
                                   body({{"type", type}, {"description", "等了三天没人来"}, {"job_id", job}}), c.agent),
                        201)
                .str("id");
        };
        std::string in_time = complaint("timeliness"), late = complaint("timeliness"), waiting = complaint("price");
        auto past = body({{"contact_due_at", "2020-01-01T00:00:00Z"}});
        need(c.complaint_act(late, "set_deadlines", past, c.supervisor), 200);
        need(c.complaint_act(waiting, "set_deadlines", past, c.supervisor), 200);
        need(c.complaint_act(in_time, "contact", body(), c.agent), 200);
        need(c.complaint_act(late, "contact", body(), c.agent), 200);
        need(c.complaint_act(in_time, "resolve", body({{"outcome", "apology"}, {"answer", "已致歉"}}), c.agent), 200);

        // Appeals: one upheld, one refused (on two jobs whose plans refused cover).
        std::string other = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
        for (const auto& [appealed, outcome] :
             {std::pair<std::string, const char*>{job, "upheld"}, {other, "refused"}}) {
            c.shop.drive(appealed, "plan_proposed");
            auto id =
                need(c.srv.post("/api/v1/appeals",
                                body({{"job_id", appealed}, {"decision", "warranty_refused"}, {"reason", "不服"}}),
                                c.agent),
                     201)
                    .str("id");
            need(c.appeal_act(id, "call_back", body({{"note", "已回电"}}), c.agent), 200);
            need(c.appeal_act(id, "decide", body({{"outcome", outcome}, {"note", "裁定"}}), c.supervisor), 200);
        }

        // Follow-ups: two cancelled fridges, one surveyed (4 stars), one waived.
        std::vector<std::string> followups;
        for (int i = 0; i < 2; ++i) {
            std::string cancelled = c.shop.report(c.shop.customer_a, c.shop.new_asset(c.shop.customer_a));
            c.shop.must(cancelled, "triage",
                        body({{"product_type", i == 0 ? "冰箱" : "=HYPERLINK(1)"}, {"reason", "电话确认"}}), c.agent);
            c.shop.must(cancelled, "cancel", body({{"reason", "客户取消"}}), c.agent);
            followups.push_back(column(list(c.srv, "/api/v1/followups?job_id=" + cancelled, c.agent), "id").at(0));
        }
        need(c.srv.post("/api/v1/followups/" + followups[0] + "/survey", body({{"rating", 4}}), c.agent), 200);
        need(c.srv.post("/api/v1/followups/" + followups[1] + "/survey", body({{"rating", 2}}), c.agent), 200);

        auto r = report();
        auto contact = r->getObject("complaints")->getObject("first_contact");
        CHECK(int_of(contact, "count") == 2);
        CHECK(int_of(contact, "within_deadline") == 1);
        CHECK(int_of(contact, "late") == 1);
        CHECK(int_of(contact, "waiting_overdue") == 1);
        CHECK(contact->getValue<double>("average_minutes") >= 0);
        auto resolution = r->getObject("complaints")->getObject("resolution");
        CHECK(int_of(resolution, "count") == 1);
        CHECK(int_of(resolution, "within_deadline") == 1);
        auto decided = r->getObject("appeals")->getObject("decided");
        CHECK(int_of(decided, "upheld") == 1);
        CHECK(int_of(decided, "refused") == 1);
        CHECK(decided->getValue<double>("upheld_rate") == Approx(0.5));
        CHECK(int_of(r->getObject("appeals")->getObject("callback"), "within_deadline") == 2);
        auto completion = r->getObject("followups")->getObject("completion");
        CHECK(int_of(completion, "done") == 2);
        CHECK(int_of(completion, "total") >= 2);
        auto series = r->getObject("satisfaction")->getArray("series");
        REQUIRE(series->size() == 2);
        std::map<std::string, double> by_type;
        for (const auto& v : *series)
            by_type[text_of(v.extract<Obj>(), "name")] = v.extract<Obj>()->getValue<double>("average");
        CHECK(by_type["冰箱"] == Approx(4.0));
        CHECK(by_type["=HYPERLINK(1)"] == Approx(2.0));
        CHECK(text_of(series->getObject(0), "period").size() == 7);  // a month
        auto daily = report("?period=day&group_by=technician")->getObject("satisfaction")->getArray("series");
        REQUIRE(daily->size() == 1);  // both jobs were cancelled before anyone was assigned
        CHECK(text_of(daily->getObject(0), "period").size() == 10);

        // A period before any of it counts nothing.
        CHECK(int_of(report("?to=2020-12-31")->getObject("complaints")->getObject("first_contact"), "count") == 0);

        // The CSV: UTF-8 with a byte order mark, Chinese as sent, a formula made text.
        auto csv = need(c.srv.get("/api/v1/care/report?format=csv&from=2000-01-01", c.supervisor), 200);
        CHECK(csv.headers["Content-Type"].rfind("text/csv", 0) == 0);
        CHECK(csv.headers["Content-Disposition"].find("care-report_2000-01-01.csv") != std::string::npos);
        CHECK(csv.body.rfind("\xEF\xBB\xBFsection,figure,group,period,count,value\r\n", 0) == 0);
        CHECK(csv.body.find("complaints,first_contact.late,,,,1\r\n") != std::string::npos);
        CHECK(csv.body.find("appeals,decided.upheld_rate,,,,0.5\r\n") != std::string::npos);
        CHECK(csv.body.find(",冰箱,") != std::string::npos);
        CHECK(csv.body.find(",'=HYPERLINK(1),") != std::string::npos);
        CHECK(csv.body.find(",=HYPERLINK") == std::string::npos);
    }
}

TEST_CASE("a complaint without a job is acknowledged and answered to the customer", "[integration][care][notices]") {
    Care c;
    auto customer =
        need(c.srv.post("/api/v1/customers",
                        body({{"name", "王芳"}, {"phone", "13900001111"}, {"email", "wang@example.com"}}), c.agent),
             201)
            .str("id");
    auto notices = [&](const std::string& event) {
        return total(c.srv, "/api/v1/notifications?event=" + event + "&channel=email", c.shop.admin);
    };
    // Refused input records no complaint and tells nobody.
    check_error(
        c.srv.post("/api/v1/complaints",
                   body({{"type", "service_attitude"}, {"description", "态度差"}, {"customer_id", "nobody"}}), c.agent),
        422, "invalid_field", "customer_id");
    CHECK(notices("complaint_received") == 0);

    auto id =
        need(c.srv.post(
                 "/api/v1/complaints",
                 body({{"type", "service_attitude"}, {"description", "热线客服态度差"}, {"customer_id", customer}}),
                 c.agent),
             201)
            .str("id");
    CHECK(notices("complaint_received") == 1);
    need(c.complaint_act(id, "contact", body(), c.agent), 200);
    need(c.complaint_act(id, "resolve", body({{"outcome", "apology"}, {"answer", "已向您致歉"}}), c.agent), 200);
    auto answered = list(c.srv, "/api/v1/notifications?event=complaint_answered&channel=email", c.shop.admin);
    REQUIRE(answered->getArray("items")->size() == 1);
    auto notice = answered->getArray("items")->getObject(0);
    CHECK(text_of(notice, "recipient") == "wang@example.com");
    CHECK(notice->get("job_id").isEmpty());
}

TEST_CASE("complaint evidence stays with care staff and its customer, never on the technician's device",
          "[integration][care][evidence][sync]") {
    Care c;
    std::string job = c.shop.report(c.shop.customer_a, c.shop.asset_a);
    c.shop.drive(job, "plan_proposed");  // assigned to technician A, who syncs it
    const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + "工程师态度 photo";
    auto file = json(R"({"files":[{"file_name":"证据.jpg"}]})")->getArray("files");
    file->getObject(0)->set("content_base64", fieldsync::base64_encode(jpeg));
    auto b = body({{"type", "service_attitude"}, {"description", "师傅态度恶劣"}, {"job_id", job}});
    b->set("evidence_files", file);
    auto made = need(c.srv.post("/api/v1/complaints", b, c.shop.cust_a), 201).object();
    std::string evidence = made->getArray("evidence")->getElement<std::string>(0);
    std::string path = "/api/v1/care/evidence/" + evidence + "/content";

    CHECK(need(c.srv.get(path, c.agent), 200).body == jpeg);
    CHECK(need(c.srv.get(path, c.shop.cust_a), 200).body == jpeg);
    check_error(c.srv.get(path, c.shop.cust_b), 404, "not_found");
    check_error(c.srv.get(path, c.shop.tech_a), 403, "forbidden");
    check_error(c.srv.get("/api/v1/attachments/" + fieldsync::sha256_hex(jpeg) + "/content", c.shop.tech_a), 404,
                "not_found");
    // The technician's device pulls the job but no evidence row.
    auto device =
        need(c.srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), c.shop.tech_a), 201)
            .str("device_token");
    auto page = need(c.srv.get("/api/v1/sync/pull?cursor=0&limit=1000", device), 200).object();
    bool job_pulled = false, evidence_pulled = false;
    for (const auto& v : *page->getArray("changes")) {
        auto change = v.extract<Obj>();
        job_pulled = job_pulled || text_of(change, "row_id") == job;
        std::ostringstream text;
        change->stringify(text);
        evidence_pulled = evidence_pulled || text.str().find(fieldsync::sha256_hex(jpeg)) != std::string::npos;
    }
    CHECK(job_pulled);
    CHECK_FALSE(evidence_pulled);

    // An evidence file without a job now belongs to the customer's complaint.
    auto loose = body({{"type", "other"}, {"description", "电话打不通"}});
    loose->set("evidence_files", file);
    CHECK(need(c.srv.post("/api/v1/complaints", loose, c.shop.cust_a), 201).object()->getArray("evidence")->size() ==
          1);
}
