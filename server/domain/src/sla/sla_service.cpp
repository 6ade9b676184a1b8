// SLA policies and calendar storage, clocks from audit events via fielddispatch::evaluate_sla, and escalation.
#include "fieldserver/domain/sla/sla_service.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fieldsync::Message;
namespace d = dispatch;

namespace {

// The job states in which no SLA clock runs any more; open jobs are all others.
const char* kClosedStatesSql = "('awaiting_acceptance', 'accepted', 'closed', 'cancelled')";

const std::vector<std::string> kPriorities = {"low", "normal", "high", "urgent"};

int parse_clock(const std::string& text, const std::string& field) {
    int h = 0, m = 0;
    char tail = 0;
    if (text.size() != 5 || std::sscanf(text.c_str(), "%2d:%2d%c", &h, &m, &tail) != 2 || text[2] != ':' || h < 0 ||
        h > 24 || m < 0 || m > 59 || (h == 24 && m != 0))
        throw Error(ErrorCode::invalid_field, Message{"hours.not_clock", {{"field", field}, {"value", text}}}, field);
    return h * 60 + m;
}

std::string clock_text(int minutes) {
    char buffer[32];  // room for any int, so the compiler can prove nothing is cut
    std::snprintf(buffer, sizeof buffer, "%02d:%02d", minutes / 60, minutes % 60);
    return buffer;
}

std::vector<std::string> string_list(const Poco::Dynamic::Var& value, const std::string& field) {
    if (value.type() != typeid(Poco::JSON::Array::Ptr))
        throw Error(ErrorCode::invalid_field, Message{"field.type.array", {{"field", field}}}, field);
    std::vector<std::string> out;
    for (const auto& v : *value.extract<Poco::JSON::Array::Ptr>()) {
        if (!v.isString())
            throw Error(ErrorCode::invalid_field, Message{"field.type.string_list", {{"field", field}}}, field);
        out.push_back(v.extract<std::string>());
    }
    return out;
}

Poco::JSON::Array::Ptr json_array(const std::vector<std::string>& items) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& s : items) out->add(s);
    return out;
}

std::string iso(std::int64_t ms) { return fieldsync::format_utc(ms); }

Poco::JSON::Object::Ptr clock_view(const d::SlaClock& c) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("deadline", iso(c.deadline_ms));
    o->set("allowance_minutes", c.allowance_ms / d::kMinuteMs);
    o->set("elapsed_minutes", c.elapsed_minutes());
    o->set("remaining_minutes", c.remaining_minutes());
    o->set("paused_minutes", c.paused_ms / d::kMinuteMs);
    o->set("status", std::string(d::to_string(c.status)));
    o->set("reached_at", c.reached_at_ms ? Poco::Dynamic::Var(iso(*c.reached_at_ms)) : Poco::Dynamic::Var());
    o->set("met", c.met ? Poco::Dynamic::Var(*c.met) : Poco::Dynamic::Var());
    return o;
}

d::SlaTerms terms_of(const Poco::JSON::Object::Ptr& row) {
    return d::SlaTerms{integer(row, "response_minutes"), integer(row, "resolution_minutes"),
                       row->getValue<bool>("is_business_hours")};
}

// Placeholders "?, ?, …" for n values.
std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out;
}

struct OpenJob {
    std::string id, ticket_no, priority, customer_id, state, assignee_id;
};

std::vector<OpenJob> open_jobs(Db& db) {
    std::vector<OpenJob> out;
    auto job_rows = db.query(std::string("SELECT id, ticket_no, priority, customer_id, state, assignee_id FROM jobs "
                                         "WHERE state NOT IN ") +
                             kClosedStatesSql + " ORDER BY id");
    for (const auto& v : *job_rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        out.push_back({text(r, "id"), text(r, "ticket_no"), text(r, "priority"), text(r, "customer_id"),
                       text(r, "state"), text(r, "assignee_id")});
    }
    return out;
}

const std::vector<FieldSpec> kTermsRequired = {
    {.name = "response_minutes", .type = FieldType::integer, .min = 0, .max = 525600},
    {.name = "resolution_minutes", .type = FieldType::integer, .min = 0, .max = 5256000},
    {.name = "business_hours", .type = FieldType::boolean},
};

}  // namespace

d::SlaPolicy SlaSetup::policy_for(const std::string& customer_id) const {
    d::SlaPolicy out = policy;
    for (std::size_t p = 0; p < kPriorities.size(); ++p) {
        auto it = contracts.find({customer_id, kPriorities[p]});
        if (it != contracts.end()) out.terms_by_priority[p] = it->second;
    }
    return out;
}

d::WeeklyHours parse_weekly_hours(const Poco::Dynamic::Var& value, const std::string& field) {
    if (value.type() != typeid(Poco::JSON::Array::Ptr) || value.extract<Poco::JSON::Array::Ptr>()->size() != 7)
        throw Error(ErrorCode::invalid_field, Message{"hours.week", {{"field", field}}}, field);
    auto days = value.extract<Poco::JSON::Array::Ptr>();
    d::WeeklyHours hours;
    for (unsigned i = 0; i < 7; ++i) {
        for (const auto& text_value : string_list(days->get(i), field)) {
            auto dash = text_value.find('-');
            if (dash == std::string::npos)
                throw Error(ErrorCode::invalid_field,
                            Message{"hours.not_interval", {{"field", field}, {"value", text_value}}}, field);
            hours[i].push_back(
                {parse_clock(text_value.substr(0, dash), field), parse_clock(text_value.substr(dash + 1), field)});
        }
    }
    return hours;
}

Poco::JSON::Array::Ptr weekly_hours_json(const d::WeeklyHours& hours) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& day : hours) {
        std::vector<std::string> spans;
        for (const auto& i : day) spans.push_back(clock_text(i.start_minute) + "-" + clock_text(i.end_minute));
        out->add(json_array(spans));
    }
    return out;
}

SlaSetup load_sla_setup(Db& db) {
    SlaSetup s;
    auto settings = db.query_one(
        "SELECT utc_offset_minutes, weekly_hours_json, holidays_json, at_risk_fraction, escalate_to FROM sla_settings "
        "WHERE id = 1");
    if (!settings) throw Error(ErrorCode::internal, Message{"sla.settings_missing", {}});
    s.default_escalate_to = text(settings, "escalate_to");
    s.holidays = string_list(settings->get("holidays"), "holidays");
    s.calendar = d::BusinessCalendar(static_cast<int>(integer(settings, "utc_offset_minutes")),
                                     parse_weekly_hours(settings->get("weekly_hours"), "weekly_hours"), s.holidays);
    s.policy.at_risk_fraction = number(settings, "at_risk_fraction");
    const auto& workflow = fieldsync::Workflow::builtin();
    s.policy.paused_states.clear();
    for (const auto& state : workflow.states())
        if (workflow.is_sla_paused(state)) s.policy.paused_states.push_back(state);
    auto policy_rows = db.query(
        "SELECT priority, response_minutes, resolution_minutes, is_business_hours, "
        "escalate_to FROM sla_policies");
    for (const auto& v : *policy_rows) {
        auto row = v.extract<Poco::JSON::Object::Ptr>();
        if (auto p = d::parse_priority(text(row, "priority"))) {
            s.policy.terms_by_priority[static_cast<int>(*p)] = terms_of(row);
            if (has_value(row, "escalate_to")) s.escalate_to[text(row, "priority")] = text(row, "escalate_to");
        }
    }
    auto contract_rows = db.query(
        "SELECT customer_id, priority, response_minutes, resolution_minutes, "
        "is_business_hours FROM customer_sla");
    for (const auto& v : *contract_rows) {
        auto row = v.extract<Poco::JSON::Object::Ptr>();
        s.contracts[{text(row, "customer_id"), text(row, "priority")}] = terms_of(row);
    }
    return s;
}

std::map<std::string, std::vector<JobEvent>> load_job_events(Db& db, const std::vector<std::string>& job_ids) {
    std::map<std::string, std::vector<JobEvent>> out;
    // Bounded IN lists: SQLite caps the number of bound values per statement.
    constexpr std::size_t kChunk = 500;
    for (std::size_t start = 0; start < job_ids.size(); start += kChunk) {
        std::size_t n = std::min(kChunk, job_ids.size() - start);
        Params params(job_ids.begin() + static_cast<std::ptrdiff_t>(start),
                      job_ids.begin() + static_cast<std::ptrdiff_t>(start + n));
        auto rows = db.query(
            "SELECT job_id, seq, at, action, actor_id, actor_role, after_json FROM job_events "
            "WHERE job_id IN (" +
                placeholders(n) + ") ORDER BY job_id, seq",
            params);
        for (const auto& v : *rows) {
            auto r = v.extract<Poco::JSON::Object::Ptr>();
            auto at = fieldsync::parse_date_time(text(r, "at"));
            Poco::JSON::Object::Ptr after = r->getObject("after");
            out[text(r, "job_id")].push_back(
                {text(after, "state"), at ? *at : 0, text(r, "action"), text(r, "actor_id"), text(r, "actor_role")});
        }
    }
    return out;
}

std::vector<d::StateEntry> state_history(const std::vector<JobEvent>& events) {
    std::vector<d::StateEntry> out;
    for (const auto& e : events) {
        if (e.state.empty() || (!out.empty() && out.back().state == e.state)) continue;
        // Events are written in order, but two in one millisecond must not look unordered.
        std::int64_t at = out.empty() ? e.at_ms : std::max(e.at_ms, out.back().entered_at_ms);
        out.push_back({e.state, at});
    }
    return out;
}

std::optional<d::SlaReport> evaluate_job_sla(const SlaSetup& setup, const std::string& priority,
                                             const std::string& customer_id, const std::vector<JobEvent>& events,
                                             std::int64_t now_ms) {
    auto p = d::parse_priority(priority);
    auto history = state_history(events);
    if (!p || history.empty()) return std::nullopt;
    return d::evaluate_sla(history, *p, setup.policy_for(customer_id), setup.calendar, now_ms);
}

Poco::JSON::Object::Ptr sla_view(const d::SlaReport& report) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("response", clock_view(report.response));
    o->set("resolution", clock_view(report.resolution));
    auto worst = std::max(static_cast<int>(report.response.status), static_cast<int>(report.resolution.status));
    o->set("status", std::string(d::to_string(static_cast<d::SlaStatus>(worst))));
    o->set("paused", report.paused);
    o->set("stopped", report.stopped);
    return o;
}

void add_sla_views(Db& db, const Poco::JSON::Array::Ptr& jobs, std::int64_t now_ms) {
    if (!jobs || jobs->size() == 0) return;
    std::vector<std::string> ids;
    for (const auto& v : *jobs) ids.push_back(text(v.extract<Poco::JSON::Object::Ptr>(), "id"));
    auto setup = load_sla_setup(db);
    auto events = load_job_events(db, ids);
    for (const auto& v : *jobs) {
        auto job = v.extract<Poco::JSON::Object::Ptr>();
        auto report =
            evaluate_job_sla(setup, text(job, "priority"), text(job, "customer_id"), events[text(job, "id")], now_ms);
        job->set("sla", report ? Poco::Dynamic::Var(sla_view(*report)) : Poco::Dynamic::Var());
    }
}

Poco::JSON::Object::Ptr SlaService::policies(const Actor& actor) {
    require_role(actor, {Role::admin, Role::dispatcher});
    return db_.read([&](Db& db) {
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        auto settings = db.query_one("SELECT at_risk_fraction, escalate_to FROM sla_settings WHERE id = 1");
        out->set("at_risk_fraction", number(settings, "at_risk_fraction"));
        out->set("escalate_to", settings->get("escalate_to"));
        auto rows = db.query(
            "SELECT priority, response_minutes, resolution_minutes, is_business_hours, escalate_to, "
            "updated_at FROM sla_policies");
        Poco::JSON::Array::Ptr policies = new Poco::JSON::Array;
        for (const auto& p : kPriorities)
            for (const auto& v : *rows) {
                auto r = v.extract<Poco::JSON::Object::Ptr>();
                if (text(r, "priority") != p) continue;
                r->set("business_hours", r->get("is_business_hours"));
                r->remove("is_business_hours");
                policies->add(r);
            }
        out->set("policies", policies);
        auto contracts = db.query(
            "SELECT customer_id, priority, response_minutes, resolution_minutes, is_business_hours "
            "FROM customer_sla ORDER BY customer_id, priority");
        for (const auto& v : *contracts) {
            auto r = v.extract<Poco::JSON::Object::Ptr>();
            r->set("business_hours", r->get("is_business_hours"));
            r->remove("is_business_hours");
        }
        out->set("contracts", contracts);
        return out;
    });
}

namespace {

// The policies and customer contracts of a "set SLA policies" body, each checked: one policy per priority, one
// contract per customer and priority.
struct SlaTerms {
    std::vector<Poco::JSON::Object::Ptr> terms, contracts;
};

SlaTerms validated_terms(const Poco::JSON::Object::Ptr& body) {
    auto check_item = [](const Poco::Dynamic::Var& v, const std::string& where, std::vector<FieldSpec> extra,
                         std::vector<FieldSpec> optional) {
        if (v.type() != typeid(Poco::JSON::Object::Ptr))
            throw Error(ErrorCode::invalid_field, Message{"field.type.object", {{"field", where}}}, where);
        auto item = v.extract<Poco::JSON::Object::Ptr>();
        std::vector<FieldSpec> required = kTermsRequired;
        required.insert(required.end(), extra.begin(), extra.end());
        try {
            fieldsync::validate_fields(required, optional, *item, "set SLA terms");
        } catch (const Error& e) {
            // The entry's path in front of the field's name, so the message says which entry is wrong.
            Message message = e.message();
            for (auto& [name, value] : message.args)
                if (name == "field") value = where + "." + value;
            throw Error(e.code(), message, where);
        }
        return item;
    };
    FieldSpec priority{.name = "priority", .type = FieldType::string, .allowed = kPriorities};
    SlaTerms out;
    std::set<std::string> seen;
    auto list = body->getArray("policies");
    for (unsigned i = 0; i < list->size(); ++i) {
        auto p = check_item(list->get(i), "policies[" + std::to_string(i) + "]", {priority},
                            {{.name = "escalate_to", .type = FieldType::string}});
        if (!seen.insert(text(p, "priority")).second)
            throw Error(ErrorCode::invalid_field, Message{"sla.priority_twice", {{"priority", text(p, "priority")}}},
                        "policies");
        out.terms.push_back(p);
    }
    if (seen.size() != kPriorities.size())
        throw Error(ErrorCode::invalid_field, Message{"sla.all_priorities", {}}, "policies");
    if (has_value(body, "contracts")) {
        auto items = body->getArray("contracts");
        std::set<std::pair<std::string, std::string>> keys;
        for (unsigned i = 0; i < items->size(); ++i) {
            auto c = check_item(items->get(i), "contracts[" + std::to_string(i) + "]",
                                {priority, {.name = "customer_id", .type = FieldType::string}}, {});
            if (!keys.insert({text(c, "customer_id"), text(c, "priority")}).second)
                throw Error(ErrorCode::invalid_field, Message{"sla.contract_twice", {}}, "contracts");
            out.contracts.push_back(c);
        }
    }
    return out;
}

}  // namespace

Poco::JSON::Object::Ptr SlaService::put_policies(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    fieldsync::validate_fields({{.name = "policies", .type = FieldType::array}},
                               {{.name = "at_risk_fraction", .type = FieldType::number, .min = 0, .max = 1},
                                {.name = "escalate_to", .type = FieldType::string},
                                {.name = "contracts", .type = FieldType::array}},
                               *body, "set SLA policies");
    SlaTerms checked = validated_terms(body);
    const auto& terms = checked.terms;
    const auto& contracts = checked.contracts;
    std::string now = iso(fieldsync::now_ms());
    db_.write([&](Db& db) {
        auto check_dispatcher = [&](const std::string& user_id, const char* field) {
            if (db.scalar(
                    "SELECT COUNT(*) FROM users WHERE id = ? AND role IN ('dispatcher', 'admin') AND is_active = 1",
                    {user_id}) == 0)
                throw Error(ErrorCode::invalid_field, Message{"sla.escalate_to", {}}, field);
        };
        if (has_value(body, "escalate_to")) check_dispatcher(text(body, "escalate_to"), "escalate_to");
        if (body->has("escalate_to"))
            db.execute("UPDATE sla_settings SET escalate_to = ?, updated_at = ? WHERE id = 1",
                       {text_or_null(text(body, "escalate_to")), now});
        for (const auto& p : terms) {
            if (has_value(p, "escalate_to")) check_dispatcher(text(p, "escalate_to"), "policies.escalate_to");
            db.execute(
                "UPDATE sla_policies SET response_minutes = ?, resolution_minutes = ?, is_business_hours = ?, "
                "escalate_to = ?, updated_at = ? WHERE priority = ?",
                {integer(p, "response_minutes"), integer(p, "resolution_minutes"), p->getValue<bool>("business_hours"),
                 text_or_null(text(p, "escalate_to")), now, text(p, "priority")});
        }
        db.execute("DELETE FROM customer_sla");
        for (const auto& c : contracts) {
            if (db.scalar("SELECT COUNT(*) FROM customers WHERE id = ?", {text(c, "customer_id")}) == 0)
                throw Error(ErrorCode::invalid_field, Message{"customer.not_found", {{"id", text(c, "customer_id")}}},
                            "contracts.customer_id");
            db.execute(
                "INSERT INTO customer_sla (customer_id, priority, response_minutes, resolution_minutes, "
                "is_business_hours) VALUES (?, ?, ?, ?, ?)",
                {text(c, "customer_id"), text(c, "priority"), integer(c, "response_minutes"),
                 integer(c, "resolution_minutes"), c->getValue<bool>("business_hours")});
        }
        if (has_value(body, "at_risk_fraction"))
            db.execute("UPDATE sla_settings SET at_risk_fraction = ?, updated_at = ? WHERE id = 1",
                       {number(body, "at_risk_fraction"), now});
    });
    return policies(actor);
}

Poco::JSON::Object::Ptr SlaService::calendar(const Actor& actor) {
    require_role(actor, {Role::admin, Role::dispatcher});
    return db_.read([&](Db& db) {
        auto row = db.query_one(
            "SELECT utc_offset_minutes, weekly_hours_json, holidays_json, updated_at FROM sla_settings WHERE id = 1");
        return row;
    });
}

Poco::JSON::Object::Ptr SlaService::put_calendar(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    fieldsync::validate_fields({{.name = "utc_offset_minutes", .type = FieldType::integer, .min = -1080, .max = 1080},
                                {.name = "weekly_hours", .type = FieldType::array},
                                {.name = "holidays", .type = FieldType::array}},
                               {}, *body, "set the business calendar");
    auto hours = parse_weekly_hours(body->get("weekly_hours"), "weekly_hours");
    auto holidays = string_list(body->get("holidays"), "holidays");
    for (const auto& h : holidays)
        if (!fieldsync::is_date(h))
            throw Error(ErrorCode::invalid_field, Message{"field.item_not_date", {{"field", "holidays"}, {"value", h}}},
                        "holidays");
    try {
        d::BusinessCalendar(static_cast<int>(integer(body, "utc_offset_minutes")), hours, holidays);
    } catch (const std::invalid_argument& e) {
        throw Error(ErrorCode::invalid_field,
                    Message{"hours.invalid", {{"field", "weekly_hours"}, {"detail", e.what()}}}, "weekly_hours");
    }
    std::sort(holidays.begin(), holidays.end());
    holidays.erase(std::unique(holidays.begin(), holidays.end()), holidays.end());
    db_.write([&](Db& db) {
        db.execute(
            "UPDATE sla_settings SET utc_offset_minutes = ?, weekly_hours_json = ?, holidays_json = ?, "
            "updated_at = ? WHERE id = 1",
            {integer(body, "utc_offset_minutes"), to_json(weekly_hours_json(hours)), to_json(json_array(holidays)),
             iso(fieldsync::now_ms())});
    });
    return calendar(actor);
}

Poco::JSON::Object::Ptr SlaService::at_risk(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher});
    allow_filters(query, {});
    auto page = page_of(query);
    std::int64_t now = fieldsync::now_ms();
    return db_.read([&](Db& db) {
        auto setup = load_sla_setup(db);
        auto jobs = open_jobs(db);
        std::vector<std::string> ids;
        for (const auto& j : jobs) ids.push_back(j.id);
        auto events = load_job_events(db, ids);
        struct Item {
            std::int64_t remaining;
            Poco::JSON::Object::Ptr view;
        };
        std::vector<Item> found;
        for (const auto& j : jobs) {
            auto report = evaluate_job_sla(setup, j.priority, j.customer_id, events[j.id], now);
            if (!report) continue;
            bool response_open = !report->response.reached_at_ms;
            const d::SlaClock* worst = nullptr;
            for (const d::SlaClock* c : {response_open ? &report->response : nullptr, &report->resolution})
                if (c && c->status != d::SlaStatus::ok && (!worst || c->remaining_ms < worst->remaining_ms)) worst = c;
            if (!worst) continue;
            Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
            item->set("job_id", j.id);
            item->set("ticket_no", j.ticket_no);
            item->set("state", j.state);
            item->set("priority", j.priority);
            item->set("assignee_id", j.assignee_id.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(j.assignee_id));
            item->set("clock", std::string(worst == &report->response ? "response" : "resolution"));
            item->set("sla", sla_view(*report));
            found.push_back({worst->remaining_ms, item});
        }
        std::stable_sort(found.begin(), found.end(),
                         [](const Item& a, const Item& b) { return a.remaining < b.remaining; });
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (std::size_t i = static_cast<std::size_t>(page.offset);
             i < found.size() && items->size() < static_cast<std::size_t>(page.limit); ++i)
            items->add(found[i].view);
        out->set("items", items);
        out->set("total", static_cast<std::int64_t>(found.size()));
        out->set("limit", page.limit);
        out->set("offset", page.offset);
        return out;
    });
}

namespace {

// The escalation in the job's audit trail, with the notifications it calls for, in the caller's transaction.
void record_escalation(Db& db, const std::string& job_id, const std::string& source,
                       const Poco::JSON::Object::Ptr& after) {
    Actor checker{.role = Role::system, .name = "SLA checker", .source = source};
    append_event(db, job_id, checker, "escalate", new Poco::JSON::Object, after);
    enqueue_notifications(db, job_id, checker, "escalate", after);
}

}  // namespace

Poco::JSON::Object::Ptr SlaService::check(const Actor& actor) {
    require_role(actor, {Role::admin, Role::system});
    std::int64_t now = fieldsync::now_ms();
    struct Due {
        OpenJob job;
        std::string clock, status, escalate_to, deadline;
    };
    std::vector<Due> due;
    std::size_t checked = 0;
    db_.read([&](Db& db) {
        auto setup = load_sla_setup(db);
        auto jobs = open_jobs(db);
        std::vector<std::string> ids;
        for (const auto& j : jobs) ids.push_back(j.id);
        auto events = load_job_events(db, ids);
        std::set<std::tuple<std::string, std::string, std::string>> done;
        auto escalated_rows = db.query("SELECT job_id, clock, status FROM sla_escalations");
        for (const auto& v : *escalated_rows) {
            auto r = v.extract<Poco::JSON::Object::Ptr>();
            done.insert({text(r, "job_id"), text(r, "clock"), text(r, "status")});
        }
        checked = jobs.size();
        for (const auto& j : jobs) {
            const auto& job_events = events[j.id];
            auto report = evaluate_job_sla(setup, j.priority, j.customer_id, job_events, now);
            if (!report) continue;
            // The configured dispatcher for the priority, else the default escalation dispatcher, else whoever last
            // assigned the job.
            std::string target;
            if (auto it = setup.escalate_to.find(j.priority); it != setup.escalate_to.end()) target = it->second;
            if (target.empty()) target = setup.default_escalate_to;
            for (auto e = job_events.rbegin(); target.empty() && e != job_events.rend(); ++e)
                if ((e->action == "assign" || e->action == "reassign") && !e->actor_id.empty()) target = e->actor_id;
            for (auto [name, clock] : {std::pair<const char*, const d::SlaClock*>{"response", &report->response},
                                       {"resolution", &report->resolution}}) {
                if (clock->status == d::SlaStatus::ok || (clock->reached_at_ms && clock->met.value_or(true))) continue;
                std::string status(d::to_string(clock->status));
                if (done.count({j.id, name, status})) continue;
                due.push_back({j, name, status, target, iso(clock->deadline_ms)});
            }
        }
    });
    Poco::JSON::Array::Ptr escalations = new Poco::JSON::Array;
    for (const auto& e : due) {
        bool recorded = db_.write([&](Db& db) {
            db.execute("UPDATE jobs SET version = version WHERE id = ?", {e.job.id});  // the job's row first
            // Another checker (the thread, a request, another instance) may have escalated it meanwhile.
            if (db.scalar("SELECT COUNT(*) FROM sla_escalations WHERE job_id = ? AND clock = ? AND status = ?",
                          {e.job.id, e.clock, e.status}) > 0)
                return false;
            std::string now_text = iso(fieldsync::now_ms());
            db.execute("INSERT INTO sla_escalations (job_id, clock, status, escalated_to, at) VALUES (?, ?, ?, ?, ?)",
                       {e.job.id, e.clock, e.status, text_or_null(e.escalate_to), now_text});
            auto user =
                e.escalate_to.empty() ? nullptr : db.query_one("SELECT name FROM users WHERE id = ?", {e.escalate_to});
            Poco::JSON::Object::Ptr after = new Poco::JSON::Object;
            after->set("clock", e.clock);
            after->set("sla_status", e.status);
            after->set("deadline", e.deadline);
            after->set("escalated_to",
                       e.escalate_to.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(e.escalate_to));
            after->set("escalated_to_name", user ? Poco::Dynamic::Var(text(user, "name")) : Poco::Dynamic::Var());
            record_escalation(db, e.job.id, actor.source, after);
            return true;
        });
        if (!recorded) continue;
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("job_id", e.job.id);
        item->set("ticket_no", e.job.ticket_no);
        item->set("clock", e.clock);
        item->set("status", e.status);
        item->set("deadline", e.deadline);
        item->set("escalated_to", e.escalate_to.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(e.escalate_to));
        escalations->add(item);
    }
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("checked", static_cast<std::int64_t>(checked));
    out->set("escalations", escalations);
    return out;
}

SlaChecker::SlaChecker(SlaService& sla, int interval_seconds, Poco::Logger& log, std::function<bool()> may_run,
                       std::function<void()> after_check)
    : sla_(sla),
      interval_seconds_(interval_seconds),
      log_(log),
      may_run_(std::move(may_run)),
      after_check_(std::move(after_check)) {
    if (interval_seconds_ > 0) thread_ = std::thread([this] { run(); });
}

SlaChecker::~SlaChecker() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void SlaChecker::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(interval_seconds_), [this] { return stopping_; })) {
        lock.unlock();
        if (!may_run_()) {
            lock.lock();
            continue;
        }
        try {
            auto result = sla_.check(Actor{.role = Role::system, .name = "SLA checker", .source = "sla-checker"});
            auto n = result->getArray("escalations")->size();
            if (n > 0) log_.notice("SLA check: %z escalation(s)", n);
        } catch (const std::exception& e) {
            // The next round retries; a failed check changes nothing (each escalation is its own transaction).
            log_.error("SLA check failed: %s", std::string(e.what()));
        }
        if (after_check_) after_check_();
        lock.lock();
    }
}

}  // namespace fieldserver
