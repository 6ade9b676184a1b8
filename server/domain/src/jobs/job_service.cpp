// Repair jobs: reporting, listing, views, and the common part of every workflow action (job_actions.cpp holds what
// each action itself checks and records).
#include "fieldserver/domain/jobs/job_service.hpp"

#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/customers/customer_service.hpp"
#include "fieldserver/domain/jobs/job_actions.hpp"
#include "fieldserver/domain/jobs/plan.hpp"
#include "fieldserver/domain/jobs/scheduling.hpp"
#include "fieldserver/storage/search_index.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/job_summary.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;

namespace {

const std::string kReport = "report";  // the action of a new job in its audit trail

const char* kJobSelect =
    "SELECT j.id, j.ticket_no, j.customer_id, j.asset_id, j.description, j.channel, j.priority, j.category, j.state, "
    "j.previous_state, j.assignee_id, j.mode, j.plan_version, j.approved_plan_version, j.is_warranty_repair, "
    "j.linked_job_id, j.rework_count, j.schedule_json, j.repair_json, j.close_reason, j.reported_by, j.created_at, "
    "j.updated_at, j.version, j.notes, j.site_contact, j.site_phone, j.site_address, j.access_notes, j.product_type, "
    "j.requested_priority, "
    "c.name AS customer_name, c.phone AS customer_phone, c.address AS customer_address, "
    "a.model AS asset_model, a.serial_no AS asset_serial_no, u.name AS assignee_name "
    "FROM jobs j JOIN customers c ON c.id = j.customer_id LEFT JOIN assets a ON a.id = j.asset_id "
    "LEFT JOIN users u ON u.id = j.assignee_id";

// Plan rows with amounts in currency units, as the API shows them.
Poco::JSON::Object::Ptr plan_view(Poco::JSON::Object::Ptr plan) {
    plan->set("total", integer(plan, "total_cents") / 100.0);
    plan->set("cost_to_customer", integer(plan, "cost_to_customer_cents") / 100.0);
    plan->remove("total_cents");
    plan->remove("cost_to_customer_cents");
    return plan;
}

// The fields of a job that actions change; an event records them before and after.
Poco::JSON::Object::Ptr snapshot(const Poco::JSON::Object::Ptr& job) {
    Poco::JSON::Object::Ptr s = new Poco::JSON::Object;
    for (const char* key : {"state", "previous_state", "assignee_id", "mode", "plan_version", "approved_plan_version",
                            "rework_count", "schedule", "close_reason", "priority", "product_type", "category"})
        s->set(key, job->has(key) ? job->get(key) : Poco::Dynamic::Var());
    return s;
}

// The action's input as the audit trail keeps it: a signature image by its hash and size, not its bytes.
Poco::JSON::Object::Ptr auditable(const Poco::JSON::Object::Ptr& fields) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object(*fields);
    if (has_value(out, "signature_png")) {
        std::string png = text(out, "signature_png");
        out->set("signature_png", "sha256:" + sha256_hex(png) + " (" + std::to_string(png.size()) + " base64 bytes)");
    }
    return out;
}

}  // namespace

JobService::JobService(Database& db, const fieldsync::Workflow& workflow, JobPolicy policy)
    : db_(db), workflow_(workflow), policy_(policy) {
    std::vector<std::string> handled;
    for (const auto& [action, handler] : job_action_handlers()) handled.push_back(action);
    check_action_table(workflow_actions(workflow_), handled);
}

Poco::JSON::Object::Ptr JobService::load_visible(Db& db, const Actor& actor, const std::string& id) {
    auto job = db.query_one(std::string(kJobSelect) + " WHERE j.id = ?", {id});
    bool visible = job && (actor.is_staff() || actor.role == Role::system ||
                           (actor.role == Role::technician && text(job, "assignee_id") == actor.id) ||
                           (actor.role == Role::customer && text(job, "customer_id") == actor.customer_id &&
                            (actor.job_scope.empty() || actor.job_scope == id)));
    // Someone else's job looks exactly like a missing one, so ids cannot be probed.
    if (!visible) throw Error(ErrorCode::not_found, fieldsync::Message{"job.not_found", {{"id", id}}});
    return job;
}

Poco::JSON::Object::Ptr JobService::view(Db& db, const Actor& actor, const std::string& id) {
    auto job = load_visible(db, actor, id);
    Poco::JSON::Array::Ptr plans =
        db.query(std::string("SELECT ") + plan_columns() + " FROM plans WHERE job_id = ? ORDER BY version", {id});
    for (const auto& p : *plans) plan_view(p.extract<Poco::JSON::Object::Ptr>());
    job->set("plans", plans);
    job->set("plan", plans->size() ? plans->get(static_cast<unsigned>(plans->size() - 1)) : Poco::Dynamic::Var());
    job->set("acceptance",
             or_null(db.query_one("SELECT id, signer_name, signature_png, signature_strokes_json, summary_sha256, "
                                  "rating, comment, signed_by, signed_at FROM acceptances WHERE job_id = ? "
                                  "ORDER BY signed_at DESC LIMIT 1",
                                  {id})));
    job->set("warranty",
             or_null(db.query_one("SELECT id, asset_id, job_id, covers, starts_on, ends_on, created_at FROM "
                                  "warranties WHERE job_id = ?",
                                  {id})));
    Poco::JSON::Array::Ptr actions = new Poco::JSON::Array;
    for (const auto& a :
         workflow_.available({text(job, "state"), text(job, "previous_state"), text(job, "mode")}, actor.role_name()))
        actions->add(a);
    job->set("available_actions", actions);
    // What a withdrawal would cost now, shown before the customer confirms it; and what will happen when.
    job->set("withdrawal_fee", static_cast<double>(withdrawal_fee_cents(db, job_from_row(job))) / 100.0);
    job->set("deadlines", db.query("SELECT id, rule, due_at, state FROM deadlines WHERE job_id = ? AND state = "
                                   "'pending' ORDER BY due_at, id",
                                   {id}));
    Poco::JSON::Array::Ptr one = new Poco::JSON::Array;
    one->add(job);
    add_dispatch_views(db, one);
    return job;
}

namespace {

// The key of a new job's tracking link: 128 random bits, only its hash kept. Every job gets one, so a customer whose
// call staff took follows the repair on the portal as one who reported it there; the ticket number (sequential) and
// the phone (known to many) never open a job.
std::string issue_access_key(Db& db, const std::string& job_id, const std::string& now) {
    std::string key = random_token(16);
    db.execute("INSERT INTO job_access_keys (job_id, key_hash, created_at) VALUES (?, ?, ?)",
               {job_id, sha256_hex(key), now});
    return key;
}

// The next ticket number of the day (YYYY-MM-DD), as FR-YYYYMMDD-NNNN.
std::string next_ticket_no(Db& db, const std::string& today) {
    std::string day = today.substr(0, 4) + today.substr(5, 2) + today.substr(8, 2);
    db.execute(
        "INSERT INTO ticket_counters (day, last_no) VALUES (?, 1) "
        "ON CONFLICT (day) DO UPDATE SET last_no = ticket_counters.last_no + 1",
        {day});
    std::ostringstream out;
    out << "FR-" << day << "-" << std::setw(4) << std::setfill('0')
        << db.scalar("SELECT last_no FROM ticket_counters WHERE day = ?", {day});
    return out.str();
}

}  // namespace

Poco::JSON::Object::Ptr JobService::create(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor,
                 {Role::admin, Role::dispatcher, Role::technician, Role::customer, Role::agent, Role::supervisor});
    static const std::vector<FieldSpec> required = {
        {.name = "customer_id", .type = FieldType::string},
        {.name = "asset_id", .type = FieldType::string},
        {.name = "description", .type = FieldType::string, .max_length = 5000},
    };
    static const std::vector<FieldSpec> optional = {
        {.name = "channel",
         .type = FieldType::string,
         .allowed = {"phone", "web", "app", "on_site", "email", "wechat", "walk_in"}},
        {.name = "priority", .type = FieldType::string, .allowed = {"low", "normal", "high", "urgent"}},
        {.name = "category", .type = FieldType::string, .max_length = 200},
    };
    fieldsync::validate_fields(required, optional, *body, "report a fault");
    std::string customer_id = text(body, "customer_id"), asset_id = text(body, "asset_id");
    if (actor.role == Role::customer && customer_id != actor.customer_id)
        throw Error(ErrorCode::forbidden, fieldsync::Message{"job.report_for_self", {}}, "customer_id");
    std::string id = fieldsync::uuid_v7();
    std::int64_t now_ms = fieldsync::now_ms();
    std::string now = fieldsync::format_utc(now_ms), today = fieldsync::format_date(now_ms);
    auto check = [&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM customers WHERE id = ?", {customer_id}) == 0)
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"customer.not_found", {{"id", customer_id}}},
                        "customer_id");
        auto asset = db.query_one("SELECT customer_id FROM assets WHERE id = ?", {asset_id});
        if (!asset || text(asset, "customer_id") != customer_id)
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"asset.not_of_customer", {{"id", asset_id}}},
                        "asset_id");
        if (actor.role == Role::technician && !CustomerService::technician_serves(db, actor.id, customer_id))
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"job.report_for_served", {}}, "customer_id");
    };
    // The day's ticket number is taken in a short transaction of its own, once the report is known to be good: the
    // counter's row stays locked only until that commits, not for the whole report (on PostgreSQL every report of
    // the day queued behind the one in flight). A report that then fails on a race loses its number.
    std::string ticket = db_.write([&](Db& db) {
        check(db);
        return next_ticket_no(db, today);
    });
    return db_.write([&](Db& db) {
        check(db);
        auto warranty = open_warranty(db, asset_id, today);
        std::string channel = text(body, "channel", actor.role == Role::customer ? "web" : "phone");
        db.execute(
            "INSERT INTO jobs (id, ticket_no, customer_id, asset_id, description, channel, priority, "
            "requested_priority, "
            "category, state, is_warranty_repair, linked_job_id, reported_by, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            {id, ticket, customer_id, asset_id, text(body, "description"), channel,
             // A customer's priority is a request for staff to assess (triage), not the job's priority.
             actor.role == Role::customer ? std::string("normal") : text(body, "priority", "normal"),
             optional_text(body, "priority"), optional_text(body, "category"), std::string("reported"),
             warranty != nullptr, warranty ? Value(text(warranty, "job_id")) : Value(std::monostate{}),
             text_or_null(actor.id), now, now});
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object(*body);
        after->set("state", "reported");
        after->set("ticket_no", ticket);
        after->set("is_warranty_repair", warranty != nullptr);
        std::string key = issue_access_key(db, id, now), link = "/portal/#ticket=" + ticket + "&key=" + key;
        // The link reaches the customer with the "report received" notice; the audit trail never holds it.
        listeners_.publish(db, JobChange{id, kReport, actor, new Poco::JSON::Object, after, policy_.portal_url + link});
        // A technician sees a job only once it is assigned to them, so load it as the system would (or the
        // report would fail and roll back), with the actions the reporter's own role may take.
        auto job = view(db,
                        actor.role != Role::technician
                            ? actor
                            : Actor{.id = actor.id, .role = Role::system, .name = actor.name, .source = actor.source},
                        id);
        if (actor.role == Role::technician) {
            Poco::JSON::Array::Ptr actions = new Poco::JSON::Array;
            for (const auto& a : workflow_.available({"reported", "", ""}, actor.role_name())) actions->add(a);
            job->set("available_actions", actions);
        }
        job->set("access_key", key);
        job->set("tracking_link", link);
        return job;
    });
}

Poco::JSON::Object::Ptr JobService::list(const Actor& actor, const Query& query) {
    allow_filters(query, {"state", "assignee_id", "priority", "customer_id", "asset_id", "category", "q"});
    std::string where = "1 = 1";
    Params params;
    if (actor.role == Role::technician) {
        where += " AND j.assignee_id = ?";
        params.emplace_back(actor.id);
    } else if (actor.role == Role::customer) {
        where += " AND j.customer_id = ?";
        params.emplace_back(actor.customer_id);
        if (!actor.job_scope.empty()) {
            where += " AND j.id = ?";
            params.emplace_back(actor.job_scope);
        }
    }
    if (auto states = filter(query, "state"); !states.empty()) {
        std::string in;
        std::istringstream parts(states);
        for (std::string s; std::getline(parts, s, ',');) {
            if (!workflow_.is_state(s))
                throw Error(ErrorCode::invalid_field, fieldsync::Message{"job.no_state", {{"value", s}}}, "state");
            in += in.empty() ? "?" : ", ?";
            params.emplace_back(s);
        }
        where += " AND j.state IN (" + in + ")";
    }
    if (auto assignee = filter(query, "assignee_id"); assignee == "none") {
        where += " AND j.assignee_id IS NULL";
    } else if (!assignee.empty()) {
        where += " AND j.assignee_id = ?";
        params.emplace_back(assignee);
    }
    if (auto priority = filter(query, "priority"); !priority.empty()) {
        if (priority != "low" && priority != "normal" && priority != "high" && priority != "urgent")
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.not_allowed", {{"field", "priority"}}},
                        "priority");
        where += " AND j.priority = ?";
        params.emplace_back(priority);
    }
    for (const char* key : {"customer_id", "asset_id", "category"})
        if (auto v = filter(query, key); !v.empty()) {
            where += std::string(" AND j.") + key + " = ?";
            params.emplace_back(v);
        }
    auto terms = search_terms(filter(query, "q"), "q");
    std::string select(kJobSelect);
    std::string columns = select.substr(7, select.find(" FROM ") - 7);
    std::string from = select.substr(select.find(" FROM ") + 6);
    return db_.read([&](Db& db) {
        // Without a search the filters name only jobs' columns, and every job has its customer (NOT NULL, a foreign
        // key): the count needs no join, which on a million closed jobs is most of the time of a page.
        auto page =
            terms.empty()
                ? paged(db, columns, from, where, params, "j.created_at DESC, j.id DESC", page_of(query), "jobs j")
                : search_page(db, actor, terms, {columns, from.substr(6), where, params}, page_of(query));
        add_dispatch_views(db, page->getArray("items"));
        return page;
    });
}

Poco::JSON::Object::Ptr JobService::get(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) { return view(db, actor, id); });
}

Poco::JSON::Object::Ptr JobService::act(const Actor& actor, const std::string& id, const std::string& action,
                                        const Poco::JSON::Object::Ptr& fields) {
    return db_.write([&](Db& db) {
        apply(db, actor, id, action, fields);
        return view(db, actor, id);
    });
}

JobActionContext JobService::start_action(Db& db, const Actor& actor, const Job& job,
                                          const Poco::JSON::Object::Ptr& row,
                                          const Poco::JSON::Object::Ptr& fields) const {
    std::int64_t now_ms = fieldsync::now_ms();
    JobActionContext c{.db = db,
                       .actor = actor,
                       .job = job,
                       .row = row,
                       .fields = fields,
                       .policy = policy_,
                       .listeners = listeners_,
                       .now = fieldsync::format_utc(now_ms),
                       .today = fieldsync::format_date(now_ms),
                       .assignee_id = job.assignee_id,
                       .mode = job.mode,
                       .close_reason = job.close_reason,
                       .plan_version = job.plan_version,
                       .approved_plan_version = job.approved_plan_version,
                       .rework_count = job.rework_count,
                       .schedule = job.schedule,
                       .repair = job.repair ? job.repair : Poco::JSON::Object::Ptr(new Poco::JSON::Object)};
    return c;
}

// The version guard turns a concurrent move of the same job (possible on PostgreSQL) into a clear conflict.
void JobService::save(const JobActionContext& c, const std::string& next) const {
    // An action that keeps a held job on hold (reassign) keeps the state to resume to.
    std::string previous = next != "on_hold" ? "" : c.job.state == "on_hold" ? c.job.previous_state : c.job.state;
    std::size_t changed = c.db.execute(
        "UPDATE jobs SET state = ?, previous_state = ?, assignee_id = ?, mode = ?, plan_version = ?, "
        "approved_plan_version = ?, rework_count = ?, schedule_json = ?, repair_json = ?, close_reason = ?, "
        "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {next, text_or_null(previous), text_or_null(c.assignee_id), text_or_null(c.mode), c.plan_version,
         c.approved_plan_version ? Value(*c.approved_plan_version) : Value(std::monostate{}), c.rework_count,
         c.schedule ? Value(to_json(c.schedule)) : Value(std::monostate{}),
         c.repair->size() ? Value(to_json(c.repair)) : Value(std::monostate{}), text_or_null(c.close_reason), c.now,
         c.job.id, c.job.version});
    if (changed != 1) throw Error(ErrorCode::conflict, fieldsync::Message{"conflict.job_changed", {}});
}

std::set<std::string> JobService::holding(Db& db, const std::string& id, const std::string& action) const {
    std::set<std::string> out;
    for (const auto& name : workflow_.requirements_of(action)) {
        auto check = requirement_checks_.find(name);
        if (check == requirement_checks_.end())
            throw std::logic_error("no check registered for the workflow requirement " + name);
        if (check->second(db, id)) out.insert(name);
    }
    return out;
}

void JobService::apply(Db& db, const Actor& actor, const std::string& id, const std::string& action,
                       const Poco::JSON::Object::Ptr& fields) {
    auto row = load_visible(db, actor, id);
    Job job = job_from_row(row);
    fieldsync::JobPosition position = job.position();
    position.holding = holding(db, id, action);
    const auto& t = workflow_.resolve(action, position, actor.role_name());
    workflow_.validate(t, *fields, position.mode);
    auto before = snapshot(row);
    std::string next = workflow_.target(t, position);
    JobActionContext c = start_action(db, actor, job, row, fields);
    job_action_handlers().at(action)(c);
    save(c, next);
    auto after = snapshot(load_visible(db, actor, id));
    after->set("fields", auditable(fields));
    // The listeners record it in this transaction: audit event, notifications, report facts, sync change log.
    listeners_.publish(db, JobChange{id, action, actor, before, after});

    if (c.auto_approve) {
        Poco::JSON::Object::Ptr approval = new Poco::JSON::Object;
        approval->set("plan_version", c.plan_version);
        approval->set("comment", "approved automatically: covered by warranty at no cost to the customer");
        apply(db, Actor{.role = Role::system, .name = "system", .source = actor.source}, id, "approve_plan", approval);
    }
}

Poco::JSON::Object::Ptr JobService::summary(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) {
        auto job = load_visible(db, actor, id);
        auto input = summary_input(db, job);
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("job_id", id);
        out->set("text", fieldsync::job_summary_text(input));
        out->set("sha256", fieldsync::job_summary_sha256(input));
        return out;
    });
}

Poco::JSON::Array::Ptr JobService::events(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) {
        load_visible(db, actor, id);
        auto events = trail_.events(db, id);
        // A customer sees where their own changes came from, never the addresses of the staff's.
        if (actor.role == Role::customer)
            for (const auto& v : *events) {
                auto event = v.extract<Poco::JSON::Object::Ptr>();
                if (text(event, "actor_role") != "customer") event->set("source", Poco::Dynamic::Var());
            }
        return events;
    });
}

Poco::JSON::Object::Ptr JobService::verify(const Actor& actor, const std::string& id) {
    require_role(actor, {Role::admin, Role::dispatcher});
    return db_.read([&](Db& db) {
        load_visible(db, actor, id);
        return trail_.verify(db, id);
    });
}

Poco::JSON::Object::Ptr JobService::verify_all(const Actor& actor) {
    require_role(actor, {Role::admin});
    return db_.read([&](Db& db) {
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        Poco::JSON::Array::Ptr broken = new Poco::JSON::Array;
        auto ids = db.query("SELECT id FROM jobs ORDER BY id");
        for (const auto& row : *ids) {
            auto result = trail_.verify(db, text(row.extract<Poco::JSON::Object::Ptr>(), "id"));
            if (!result->getValue<bool>("ok")) broken->add(result);
        }
        out->set("ok", broken->size() == 0);
        out->set("jobs", static_cast<std::int64_t>(ids->size()));
        out->set("broken", broken);
        return out;
    });
}

Poco::JSON::Object::Ptr JobService::list_warranties(const Actor& actor, const Query& query) {
    allow_filters(query, {"asset_id", "job_id", "customer_id", "active_on"});
    Params params;
    std::string where = "1 = 1" + CustomerService::customer_scope(actor, "a.customer_id", params);
    // A portal session sees the warranty records of its job's product only.
    if (actor.role == Role::customer && !actor.job_scope.empty()) {
        where += " AND w.asset_id IN (SELECT asset_id FROM jobs WHERE id = ?)";
        params.emplace_back(actor.job_scope);
    }
    for (const char* key : {"asset_id", "job_id"})
        if (auto v = filter(query, key); !v.empty()) {
            where += std::string(" AND w.") + key + " = ?";
            params.emplace_back(v);
        }
    if (auto v = filter(query, "customer_id"); !v.empty()) {
        where += " AND a.customer_id = ?";
        params.emplace_back(v);
    }
    if (auto v = filter(query, "active_on"); !v.empty()) {
        if (!fieldsync::is_date(v))
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.type.date", {{"field", "active_on"}}},
                        "active_on");
        where += " AND w.starts_on <= ? AND w.ends_on >= ?";
        params.emplace_back(v);
        params.emplace_back(v);
    }
    return db_.read([&](Db& db) {
        return paged(db,
                     "w.id, w.asset_id, w.job_id, w.covers, w.starts_on, w.ends_on, w.created_at, a.customer_id, "
                     "a.model AS asset_model, a.serial_no AS asset_serial_no, j.ticket_no",
                     "warranties w JOIN assets a ON a.id = w.asset_id JOIN jobs j ON j.id = w.job_id", where, params,
                     "w.starts_on DESC, w.id", page_of(query));
    });
}

Poco::JSON::Object::Ptr JobService::get_warranty(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) {
        auto w = db.query_one(
            "SELECT w.id, w.asset_id, w.job_id, w.covers, w.starts_on, w.ends_on, w.created_at, a.customer_id, "
            "a.model AS asset_model, a.serial_no AS asset_serial_no, j.ticket_no FROM warranties w "
            "JOIN assets a ON a.id = w.asset_id JOIN jobs j ON j.id = w.job_id WHERE w.id = ?",
            {id});
        bool visible =
            w && (actor.is_staff() ||
                  (actor.role == Role::customer && text(w, "customer_id") == actor.customer_id &&
                   (actor.job_scope.empty() || db.scalar("SELECT COUNT(*) FROM jobs WHERE id = ? AND asset_id = ?",
                                                         {actor.job_scope, text(w, "asset_id")}) > 0)) ||
                  (actor.role == Role::technician &&
                   CustomerService::technician_serves(db, actor.id, text(w, "customer_id"))));
        if (!visible) throw Error(ErrorCode::not_found, fieldsync::Message{"warranty.not_found", {{"id", id}}});
        return w;
    });
}

std::vector<std::pair<std::string, std::int64_t>> JobService::count_by_state() {
    return db_.read([&](Db& db) {
        std::vector<std::pair<std::string, std::int64_t>> out;
        for (const auto& state : workflow_.states())
            out.emplace_back(state, db.scalar("SELECT COUNT(*) FROM jobs WHERE state = ?", {state}));
        return out;
    });
}

}  // namespace fieldserver
