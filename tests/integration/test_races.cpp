// Two workflow actions on one job at the same moment, for every pair of actions a job's state allows: each
// request ends in 200 or a clean 409, never a 500, and the job ends as if they had run one after the other (one
// audit event per 200, an intact chain). On PostgreSQL this exercises the deadlock retry and the unique-key
// mapping of the storage gateway; on SQLite, the single writer.
#include <latch>
#include <thread>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// A visit window of its own for every booking, so no two of the test's bookings collide for a technician.
std::pair<std::string, std::string> next_window() {
    static int day = 0;
    std::string date = plus_days("2031-01-01", ++day);
    return {date + "T09:00:00+08:00", date + "T11:00:00+08:00"};
}

Obj booking(const Shop& shop, const std::string& reason = {}) {
    auto [start, end] = next_window();
    auto b = body({{"technician_id", shop.tech_a_id}, {"window_start", start}, {"window_end", end}});
    if (!reason.empty()) b->set("reason", reason);
    return b;
}

struct RaceAction {
    std::string label;   // the action, with who takes it where that matters
    std::string action;  // the workflow action
    std::string token;
    Obj fields;
};

// The actions the job's current state allows, each by a role that keeps seeing the job whatever the other
// action did (the dispatcher, or the job's customer for acceptance), with valid fields.
std::vector<RaceAction> actions_from(Shop& shop, const std::string& job_id, const std::string& state) {
    std::int64_t plan_version = int_of(shop.job(job_id), "plan_version");
    Obj reason = body({{"reason", "客户要求 customer asked"}});
    std::vector<RaceAction> out;
    auto add = [&](const std::string& label, const std::string& action, const std::string& token, Obj fields) {
        out.push_back({label, action, token, fields});
    };
    if (state != "reported" && state != "accepted")
        add("reassign", "reassign", shop.dispatcher, body({{"technician_id", shop.tech_b_id}}));
    if (state == "reported") {
        add("assign", "assign", shop.dispatcher, body({{"technician_id", shop.tech_a_id}}));
        add("cancel by the customer", "cancel", shop.cust_a, reason);
    }
    if (state == "reported" || state == "assessing" || state == "plan_proposed" || state == "approved" ||
        state == "scheduled" || state == "on_hold")
        add("cancel", "cancel", shop.dispatcher, reason);
    if (state == "assessing" || state == "approved" || state == "scheduled" || state == "in_repair")
        add("hold", "hold", shop.dispatcher, reason);
    if (state == "assessing") add("submit_assessment", "submit_assessment", shop.dispatcher, assessment());
    if (state == "plan_proposed") {
        add("approve_plan", "approve_plan", shop.dispatcher, body({{"plan_version", plan_version}}));
        add("decline_plan", "decline_plan", shop.dispatcher, body({{"plan_version", plan_version}}));
        add("revise_plan", "revise_plan", shop.dispatcher, reason);
    }
    if (state == "approved") add("schedule", "schedule", shop.dispatcher, booking(shop));
    if (state == "scheduled") {
        add("reschedule", "reschedule", shop.dispatcher, booking(shop, "客户改期 moved"));
        add("start_repair", "start_repair", shop.dispatcher, body());
    }
    if (state == "in_repair") add("complete_repair", "complete_repair", shop.dispatcher, completion());
    if (state == "awaiting_acceptance") {
        add("record_acceptance", "record_acceptance", shop.cust_a, acceptance(shop.summary_sha(job_id, shop.cust_a)));
        add("reject_acceptance", "reject_acceptance", shop.cust_a, reason);
    }
    if (state == "on_hold") add("resume", "resume", shop.dispatcher, body());
    if (state == "accepted") add("close", "close", shop.dispatcher, body());
    return out;
}

// A job in state: driven along the happy path, or held from assessing.
std::string job_in(Shop& shop, const std::string& state) {
    std::string job = shop.report(shop.customer_a, shop.new_asset(shop.customer_a));
    if (state == "on_hold") {
        shop.drive(job, "assessing");
        shop.must(job, "hold", body({{"reason", "等配件 waiting for parts"}}), shop.dispatcher);
        return job;
    }
    static const std::vector<std::string> after_booking = {"scheduled", "in_repair", "awaiting_acceptance", "accepted"};
    bool booked = std::find(after_booking.begin(), after_booking.end(), state) != after_booking.end();
    shop.drive(job, booked ? std::string("approved") : state);
    if (booked) {
        shop.must(job, "schedule", booking(shop), shop.dispatcher);
        shop.drive(job, state);
    }
    if (state == "accepted") shop.settle_followups(job);  // so that close may race the others
    return job;
}

std::size_t event_count(Shop& shop, const std::string& job) { return shop.event_actions(job).size(); }

// Both requests leave at the same moment, each on its own connection.
std::pair<Reply, Reply> race(const Shop& shop, const std::string& job_a, const RaceAction& a, const std::string& job_b,
                             const RaceAction& b) {
    std::latch start(2);
    Reply ra, rb;
    std::thread first([&] {
        start.arrive_and_wait();
        ra = shop.act(job_a, a.action, a.fields, a.token);
    });
    std::thread second([&] {
        start.arrive_and_wait();
        rb = shop.act(job_b, b.action, b.fields, b.token);
    });
    first.join();
    second.join();
    return {ra, rb};
}

void check_clean(const Reply& r) {
    INFO("reply " << r.status << ": " << r.body);
    REQUIRE((r.status == 200 || r.status == 409));
    if (r.status == 409) {
        auto code = r.object()->getObject("error")->getValue<std::string>("code");
        CHECK((code == "invalid_transition" || code == "conflict"));
    }
}

}  // namespace

TEST_CASE("Racing any two workflow actions on one job ends in 200 or 409 and a serial outcome",
          "[Races][Integration]") {
    TestServer srv;
    Shop shop(srv);
    for (const std::string state : {"reported", "assessing", "plan_proposed", "approved", "scheduled", "in_repair",
                                    "on_hold", "awaiting_acceptance", "accepted"}) {
        std::string probe = job_in(shop, state);
        auto candidates = actions_from(shop, probe, state);
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            for (std::size_t k = i; k < candidates.size(); ++k) {
                std::string job = i == 0 && k == 0 ? probe : job_in(shop, state);
                // Fields that name the job's current plan or summary are taken from this job.
                auto fresh = actions_from(shop, job, state);
                const RaceAction& a = fresh[i];
                const RaceAction& b = fresh[k];
                INFO("in " << state << ": " << a.label << " against " << b.label);
                std::size_t before = event_count(shop, job);
                auto [ra, rb] = race(shop, job, a, job, b);
                check_clean(ra);
                check_clean(rb);
                int succeeded = (ra.status == 200) + (rb.status == 200);
                CHECK(succeeded >= 1);
                // Every success is one audit event (an automatic follow-up, such as auto-approval, adds none here:
                // the plans in this test cost the customer money).
                CHECK(event_count(shop, job) == before + static_cast<std::size_t>(succeeded));
                auto verify = need(srv.get("/api/v1/jobs/" + job + "/events/verify", shop.dispatcher), 200).object();
                CHECK(verify->getValue<bool>("ok"));
            }
        }
    }
}

TEST_CASE("Actions on different jobs at the same moment never deadlock into an error", "[Races][Integration]") {
    TestServer srv;
    Shop shop(srv);
    // complete_repair and record_acceptance, schedule and hold: pairs that took the change log and the report
    // rollup in opposite orders.
    for (int round = 0; round < 8; ++round) {
        std::string repairing = job_in(shop, "in_repair");
        std::string signing = job_in(shop, "awaiting_acceptance");
        auto complete = actions_from(shop, repairing, "in_repair");
        auto accept = actions_from(shop, signing, "awaiting_acceptance");
        auto by_name = [](const std::vector<RaceAction>& list, const std::string& name) {
            return *std::find_if(list.begin(), list.end(), [&](const RaceAction& a) { return a.action == name; });
        };
        auto [ra, rb] =
            race(shop, repairing, by_name(complete, "complete_repair"), signing, by_name(accept, "record_acceptance"));
        need(ra, 200);
        need(rb, 200);

        std::string approved = job_in(shop, "approved");
        std::string held = job_in(shop, "scheduled");
        auto [rc, rd] = race(shop, approved, by_name(actions_from(shop, approved, "approved"), "schedule"), held,
                             by_name(actions_from(shop, held, "scheduled"), "hold"));
        need(rc, 200);
        need(rd, 200);
    }
    CHECK(need(srv.get("/api/v1/audit/verify", shop.admin), 200).object()->getValue<bool>("ok"));
}
