// Suggestions and auto-assign over fielddispatch: jobs and technicians loaded from storage, plans stored as
// proposals, and applying a proposal through JobService so the workflow and the audit trail apply to every move.
#include "fieldserver/domain/dispatch/dispatch_service.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "fieldserver/dispatch/auto_assign.hpp"
#include "fieldserver/dispatch/suggest.hpp"
#include "fieldserver/domain/dispatch/technician_service.hpp"
#include "fieldserver/domain/jobs/scheduling.hpp"
#include "fieldserver/domain/sla/sla_service.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldType;
using fieldsync::Message;
namespace d = dispatch;

namespace {

constexpr std::size_t kMaxJobsPerPlan = 5000;
// Above this many jobs the optimiser gets a time budget, so a preview answers in seconds.
constexpr std::size_t kUnboundedJobs = 500;
constexpr std::int64_t kTimeLimitMs = 4000;

struct JobRow {
    d::Job job;
    std::string ticket_no, state, assignee_id;
    std::int64_t version = 0;
    bool located = false;
};

const char* kJobColumns =
    "SELECT j.id, j.ticket_no, j.state, j.assignee_id, j.version, j.priority, j.category, j.customer_id, c.lat, c.lng, "
    "a.model, pr.preferred_start, pr.preferred_end FROM jobs j JOIN customers c ON c.id = j.customer_id "
    "LEFT JOIN assets a ON a.id = j.asset_id LEFT JOIN portal_reports pr ON pr.job_id = j.id WHERE ";

// The customer's preferred window of a job row, when the portal report gave one.
std::optional<d::TimeSpan> preferred_window(const Poco::JSON::Object::Ptr& row) {
    auto start = fieldsync::parse_date_time(text(row, "preferred_start"));
    auto end = fieldsync::parse_date_time(text(row, "preferred_end"));
    if (!start || !end || *end <= *start) return std::nullopt;
    return d::TimeSpan{*start, *end};
}

// Jobs matching where (fixed SQL with placeholders), with the resolution deadline from their SLA clocks.
std::vector<JobRow> load_jobs(Db& db, const std::string& where, const Params& params, std::int64_t now_ms) {
    auto rows = db.query(kJobColumns + where + " ORDER BY j.created_at, j.id", params);
    std::vector<std::string> ids;
    for (const auto& v : *rows) ids.push_back(text(v.extract<Poco::JSON::Object::Ptr>(), "id"));
    auto setup = load_sla_setup(db);
    auto events = load_job_events(db, ids);
    std::vector<JobRow> out;
    for (const auto& v : *rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        JobRow row;
        row.job.id = text(r, "id");
        row.job.category = text(r, "category");
        row.job.product_model = text(r, "model");
        row.job.location = {number(r, "lat"), number(r, "lng")};
        row.job.priority = d::parse_priority(text(r, "priority")).value_or(d::Priority::normal);
        row.job.preferred = preferred_window(r);
        if (auto sla = evaluate_job_sla(setup, text(r, "priority"), text(r, "customer_id"), events[row.job.id], now_ms);
            sla && !sla->resolution.reached_at_ms && !sla->stopped)
            row.job.sla_deadline_ms = sla->resolution.deadline_ms;
        row.ticket_no = text(r, "ticket_no");
        row.state = text(r, "state");
        row.assignee_id = text(r, "assignee_id");
        row.version = integer(r, "version");
        row.located = has_value(r, "lat");
        out.push_back(std::move(row));
    }
    return out;
}

double rounded(double v) { return std::round(v * 10) / 10; }

Poco::JSON::Object::Ptr totals(const d::Plan& plan) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("travel_km", rounded(plan.total_travel_km));
    o->set("late_minutes", rounded(plan.total_late_minutes));
    o->set("objective", rounded(plan.objective));
    o->set("assigned", static_cast<std::int64_t>(plan.assignments.size()));
    o->set("unassigned", static_cast<std::int64_t>(plan.unassigned.size()));
    return o;
}

std::string iso(std::int64_t ms) { return fieldsync::format_utc(ms); }

// "MM-DD HH:MM" at a UTC offset: how a window reads on the board of that zone.
std::string local_text(std::int64_t ms, int utc_offset_minutes) {
    std::string utc = fieldsync::format_utc(ms + std::int64_t{utc_offset_minutes} * 60'000);
    return utc.substr(5, 5) + " " + utc.substr(11, 5);
}

// Whether a visit keeps the job's preferred window, as a message ("<prefix>.in_window" / ".outside_window").
fieldsync::Message window_message(const std::string& prefix, const d::TimeSpan& window, const d::TimeSpan& visit,
                                  int utc_offset_minutes) {
    bool inside = visit.start_ms >= window.start_ms && visit.end_ms <= window.end_ms;
    return {prefix + (inside ? ".in_window" : ".outside_window"),
            {{"from", local_text(window.start_ms, utc_offset_minutes)},
             {"to", local_text(window.end_ms, utc_offset_minutes)},
             {"start", local_text(visit.start_ms, utc_offset_minutes)}}};
}

// The suggestions for a job. Without the customer's location the job is taken to be where each technician
// starts the day, so skill, region, load and free time still rank them; travel is then left out and said so.
std::vector<d::Suggestion> ranked(const d::Job& job, bool located, const std::vector<d::Technician>& technicians,
                                  std::int64_t at) {
    if (located) return d::suggest(job, technicians, at);
    std::vector<d::Suggestion> out;
    for (const auto& t : technicians) {
        d::Job near = job;
        near.location = t.home;
        auto one = d::suggest(near, {t}, at);
        for (auto& r : one.front().reasons)
            if (r.code == "travel") {
                one.front().score -= r.weight;
                r = {"no_location", {"reason.no_location", {}}, 0, false};
            }
        out.push_back(std::move(one.front()));
    }
    std::stable_sort(out.begin(), out.end(), [](const d::Suggestion& a, const d::Suggestion& b) {
        return a.eligible != b.eligible ? a.eligible : a.score > b.score;
    });
    return out;
}

// Each slot said to be inside or outside the customer's preferred window, when the job has one.
void add_window_reasons(const d::Job& job, const std::vector<d::Technician>& technicians,
                        std::vector<d::Suggestion>& suggestions) {
    if (!job.preferred) return;
    std::map<std::string, int> offsets;
    for (const auto& t : technicians) offsets[t.id] = t.hours.utc_offset_minutes();
    for (auto& s : suggestions) {
        if (!s.slot) continue;
        auto message = window_message("reason", *job.preferred, *s.slot, offsets[s.technician_id]);
        s.reasons.push_back({message.id.substr(7), message, 0, false});
    }
}

}  // namespace

Poco::JSON::Object::Ptr DispatchService::suggestions(const Actor& actor, const std::string& job_id,
                                                     const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher});
    allow_filters(query, {"at"});
    std::int64_t at = fieldsync::now_ms();
    if (auto text_at = filter(query, "at"); !text_at.empty()) {
        auto parsed = fieldsync::parse_date_time(text_at);
        if (!parsed) throw Error(ErrorCode::invalid_field, Message{"field.type.date_time", {{"field", "at"}}}, "at");
        at = *parsed;
    }
    return db_.read([&](Db& db) {
        auto jobs = load_jobs(db, "j.id = ?", {job_id}, at);
        if (jobs.empty()) throw Error(ErrorCode::not_found, Message{"job.not_found", {{"id", job_id}}});
        const auto& job = jobs.front();
        auto technicians = load_technicians(db, at);
        std::map<std::string, std::string> names;
        for (const auto& t : technicians) names[t.id] = t.name;
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        auto suggestions = ranked(job.job, job.located, technicians, at);
        add_window_reasons(job.job, technicians, suggestions);
        for (const auto& s : suggestions) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
            o->set("technician_id", s.technician_id);
            o->set("name", names[s.technician_id]);
            o->set("score", rounded(s.score));
            o->set("eligible", s.eligible);
            o->set("travel_km", rounded(s.travel_km));
            if (s.slot) {
                Poco::JSON::Object::Ptr slot = new Poco::JSON::Object;
                slot->set("start", iso(s.slot->start_ms));
                slot->set("end", iso(s.slot->end_ms));
                o->set("slot", slot);
            } else {
                o->set("slot", Poco::Dynamic::Var());
            }
            Poco::JSON::Array::Ptr reasons = new Poco::JSON::Array;
            for (const auto& r : s.reasons) {
                Poco::JSON::Object::Ptr reason = new Poco::JSON::Object;
                reason->set("code", r.code);
                reason->set("text", fieldsync::localize(r.message));
                reason->set("weight", rounded(r.weight));
                reason->set("disqualifying", r.disqualifying);
                reasons->add(reason);
            }
            o->set("reasons", reasons);
            items->add(o);
        }
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("job_id", job_id);
        out->set("ticket_no", job.ticket_no);
        out->set("located", job.located);
        out->set("at", iso(at));
        out->set("items", items);
        return out;
    });
}

namespace {

// The job ids a preview is limited to (empty: every unassigned reported job), without duplicates.
Params wanted_job_ids(const Poco::JSON::Object::Ptr& body) {
    Params wanted;
    if (!has_value(body, "job_ids")) return wanted;
    auto ids = body->getArray("job_ids");
    if (ids->size() == 0 || ids->size() > kMaxJobsPerPlan)
        throw Error(ErrorCode::invalid_field, Message{"dispatch.job_count", {{"max", std::to_string(kMaxJobsPerPlan)}}},
                    "job_ids");
    std::set<std::string> seen;
    for (const auto& v : *ids) {
        if (!v.isString()) throw Error(ErrorCode::invalid_field, Message{"dispatch.job_ids", {}}, "job_ids");
        if (seen.insert(v.extract<std::string>()).second) wanted.emplace_back(v.extract<std::string>());
    }
    return wanted;
}

// The unassigned reported jobs to plan; every wanted id must be one of them.
std::vector<JobRow> load_unassigned_jobs(Db& db, const Params& wanted, std::int64_t start_ms) {
    std::string where = "j.state = 'reported' AND j.assignee_id IS NULL";
    if (!wanted.empty()) {
        std::string in;
        for (std::size_t i = 0; i < wanted.size(); ++i) in += i ? ", ?" : "?";
        where += " AND j.id IN (" + in + ")";
    }
    auto jobs = load_jobs(db, where, wanted, start_ms);
    if (!wanted.empty() && jobs.size() != wanted.size()) {
        std::set<std::string> found;
        for (const auto& j : jobs) found.insert(j.job.id);
        for (const auto& v : wanted)
            if (!found.count(std::get<std::string>(v)))
                throw Error(
                    ErrorCode::invalid_field,
                    Message{"dispatch.not_unassigned", {{"id", std::get<std::string>(v)}, {"state", "reported"}}},
                    "job_ids");
    }
    if (jobs.size() > kMaxJobsPerPlan)
        throw Error(ErrorCode::invalid_field, Message{"dispatch.too_many", {{"max", std::to_string(kMaxJobsPerPlan)}}},
                    "job_ids");
    return jobs;
}

// A plan as the preview shows it: one entry per assignment and per route; records each job's version.
struct PlanJson {
    Poco::JSON::Array::Ptr assignments = new Poco::JSON::Array, routes = new Poco::JSON::Array,
                           unassigned = new Poco::JSON::Array;
    Poco::JSON::Object::Ptr versions = new Poco::JSON::Object;
};

// How a planned visit keeps the customer's preferred window: null without one, else the window, whether it is
// kept and the reason in the reader's language.
Poco::Dynamic::Var assignment_window(const d::Job& job, const d::Assignment& a, int utc_offset_minutes) {
    if (!job.preferred) return Poco::Dynamic::Var();
    auto message = window_message("assign", *job.preferred, {a.start_ms, a.end_ms}, utc_offset_minutes);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("start", iso(job.preferred->start_ms));
    o->set("end", iso(job.preferred->end_ms));
    o->set("kept", a.in_window.value_or(false));
    o->set("code", message.id.substr(7));
    o->set("text", fieldsync::localize(message));
    return o;
}

PlanJson plan_json(const d::Plan& plan, const std::vector<JobRow>& jobs,
                   const std::vector<d::Technician>& technicians) {
    std::map<std::string, const JobRow*> by_id;
    for (const auto& j : jobs) by_id[j.job.id] = &j;
    std::map<std::string, std::string> names;
    std::map<std::string, int> offsets;
    for (const auto& t : technicians) {
        names[t.id] = t.name;
        offsets[t.id] = t.hours.utc_offset_minutes();
    }
    PlanJson out;
    for (const auto& route : plan.routes) {
        Poco::JSON::Object::Ptr r = new Poco::JSON::Object;
        r->set("technician_id", route.technician_id);
        r->set("technician_name", names[route.technician_id]);
        Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
        for (const auto& id : route.job_ids) {
            ids->add(id);
            const auto& a = plan.assignments.at(id);
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
            o->set("job_id", id);
            o->set("ticket_no", by_id[id]->ticket_no);
            o->set("technician_id", a.technician_id);
            o->set("technician_name", names[a.technician_id]);
            o->set("order", a.order);
            o->set("start", iso(a.start_ms));
            o->set("end", iso(a.end_ms));
            o->set("late_minutes", a.late_ms / d::kMinuteMs);
            o->set("window", assignment_window(by_id[id]->job, a, offsets[a.technician_id]));
            out.assignments->add(o);
            out.versions->set(id, by_id[id]->version);
        }
        r->set("job_ids", ids);
        r->set("travel_km", rounded(route.travel_km));
        out.routes->add(r);
    }
    auto add_unassigned = [&](const std::string& id, const std::string& code, const fieldsync::Message& reason) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("job_id", id);
        o->set("ticket_no", by_id[id]->ticket_no);
        o->set("code", code);
        o->set("text", fieldsync::localize(reason));
        out.unassigned->add(o);
    };
    for (const auto& j : jobs)
        if (!j.located) add_unassigned(j.job.id, "no_location", {"assign.no_location", {}});
    for (const auto& u : plan.unassigned) add_unassigned(u.job_id, u.code, u.message);
    return out;
}

// Throws Error(conflict) when the job's version moved on from the one the preview saw.
void check_unchanged(Db& db, const std::string& id, std::int64_t previewed) {
    auto now_version = db.scalar("SELECT version FROM jobs WHERE id = ?", {id});
    if (now_version != previewed)
        throw Error(ErrorCode::conflict,
                    fieldsync::Message{"conflict.preview_stale",
                                       {{"then", std::to_string(previewed)}, {"now", std::to_string(now_version)}}});
}

}  // namespace

Poco::JSON::Object::Ptr DispatchService::preview(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher});
    fieldsync::validate_fields({{.name = "date", .type = FieldType::string, .max_length = 10}},
                               {{.name = "job_ids", .type = FieldType::array}}, *body, "preview auto-assign");
    Params wanted = wanted_job_ids(body);
    std::string date = text(body, "date");
    auto started = std::chrono::steady_clock::now();
    std::int64_t start_ms = 0;
    std::vector<JobRow> jobs;
    std::vector<d::Technician> technicians;
    db_.read([&](Db& db) {
        start_ms = plan_start(db, date, "date");
        jobs = load_unassigned_jobs(db, wanted, start_ms);
        technicians = load_technicians(db, start_ms);
    });
    std::vector<d::Job> plannable;
    for (const auto& j : jobs)
        if (j.located) plannable.push_back(j.job);
    d::AssignParams params;
    if (plannable.size() > kUnboundedJobs) params.time_limit_ms = kTimeLimitMs;
    auto plan = d::auto_assign(plannable, technicians, start_ms, params);
    auto greedy = d::greedy_assign(plannable, technicians, start_ms, params);
    auto shown = plan_json(plan, jobs, technicians);

    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    std::string id = fieldsync::uuid_v7(), now = iso(fieldsync::now_ms());
    out->set("id", id);
    out->set("date", date);
    out->set("plan_start", iso(start_ms));
    out->set("created_at", now);
    out->set("jobs", static_cast<std::int64_t>(jobs.size()));
    out->set("technicians", static_cast<std::int64_t>(technicians.size()));
    out->set("assignments", shown.assignments);
    out->set("routes", shown.routes);
    out->set("unassigned", shown.unassigned);
    // Jobs left out for want of a location are unplanned too: the counts agree with the list beside them.
    auto unlocated = static_cast<std::int64_t>(jobs.size() - plannable.size());
    auto plan_totals = totals(plan), greedy_totals = totals(greedy);
    plan_totals->set("unassigned", static_cast<std::int64_t>(shown.unassigned->size()));
    plan_totals->set("passes", plan.passes);
    plan_totals->set("moves", plan.moves);
    greedy_totals->set("unassigned", static_cast<std::int64_t>(greedy.unassigned.size()) + unlocated);
    out->set("totals", plan_totals);
    out->set("greedy", greedy_totals);
    out->set(
        "elapsed_ms",
        static_cast<std::int64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()));
    db_.write([&](Db& db) {
        db.execute(
            "INSERT INTO assign_proposals (id, created_by, created_at, plan_date, proposal_json, "
            "job_versions_json, applied_json) VALUES (?, ?, ?, ?, ?, ?, '[]')",
            {id, text_or_null(actor.id), now, date, to_json(out), to_json(shown.versions)});
    });
    return out;
}

Poco::JSON::Object::Ptr DispatchService::apply(const Actor& actor, const std::string& proposal_id,
                                               const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher});
    fieldsync::validate_fields({}, {{.name = "job_ids", .type = FieldType::array}}, *body, "apply auto-assign");
    auto proposal = db_.read([&](Db& db) {
        return db.query_one("SELECT proposal_json, job_versions_json, applied_json FROM assign_proposals WHERE id = ?",
                            {proposal_id});
    });
    if (!proposal) throw Error(ErrorCode::not_found, Message{"dispatch.no_proposal", {{"id", proposal_id}}});
    auto versions = proposal->getObject("job_versions");
    std::map<std::string, Poco::JSON::Object::Ptr> planned;
    std::vector<std::string> order;
    for (const auto& v : *proposal->getObject("proposal")->getArray("assignments")) {
        auto a = v.extract<Poco::JSON::Object::Ptr>();
        planned[text(a, "job_id")] = a;
        order.push_back(text(a, "job_id"));
    }
    std::set<std::string> applied;
    for (const auto& v : *proposal->getArray("applied")) applied.insert(v.convert<std::string>());
    std::vector<std::string> chosen = order;
    if (has_value(body, "job_ids")) {
        std::set<std::string> wanted;
        for (const auto& v : *body->getArray("job_ids")) {
            if (!v.isString() || !planned.count(v.extract<std::string>()))
                throw Error(ErrorCode::invalid_field, Message{"dispatch.not_in_proposal", {}}, "job_ids");
            wanted.insert(v.extract<std::string>());
        }
        chosen.clear();
        for (const auto& id : order)
            if (wanted.count(id)) chosen.push_back(id);
    }
    Poco::JSON::Array::Ptr results = new Poco::JSON::Array;
    std::int64_t assigned = 0, refused = 0;
    for (const auto& id : chosen) {
        const auto& a = planned[id];
        Poco::JSON::Object::Ptr result = new Poco::JSON::Object;
        result->set("job_id", id);
        result->set("ticket_no", text(a, "ticket_no"));
        result->set("technician_id", text(a, "technician_id"));
        try {
            if (applied.count(id)) throw Error(ErrorCode::conflict, fieldsync::Message{"conflict.already_applied", {}});
            db_.write([&](Db& db) {
                // Each job on its own: a job moved since the preview is refused, the others go ahead.
                check_unchanged(db, id, integer(versions, id));
                Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
                fields->set("technician_id", text(a, "technician_id"));
                fields->set("note", "auto-assign proposal " + proposal_id);
                jobs_.act_in(db, actor, id, "assign", fields);
                book_visit(db, actor, id, text(a, "technician_id"), "assessment",
                           *fieldsync::parse_date_time(text(a, "start")), *fieldsync::parse_date_time(text(a, "end")));
            });
            applied.insert(id);
            result->set("status", "assigned");
            result->set("code", Poco::Dynamic::Var());
            result->set("reason", Poco::Dynamic::Var());
            ++assigned;
        } catch (const Error& e) {
            result->set("status", "refused");
            result->set("code", std::string(fieldsync::to_string(e.code())));
            result->set("reason", fieldsync::error_text(e, fieldsync::current_locale()));
            ++refused;
        }
        results->add(result);
    }
    Poco::JSON::Array::Ptr applied_list = new Poco::JSON::Array;
    for (const auto& id : applied) applied_list->add(id);
    db_.write([&](Db& db) {
        db.execute("UPDATE assign_proposals SET applied_json = ? WHERE id = ?", {to_json(applied_list), proposal_id});
    });
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("proposal_id", proposal_id);
    out->set("results", results);
    out->set("assigned", assigned);
    out->set("refused", refused);
    return out;
}

}  // namespace fieldserver
