// Repair jobs: the workflow table decides which moves exist; this file holds what each move records.
#include "fieldserver/domain/jobs/job_service.hpp"

#include <Poco/Base64Decoder.h>

#include <iomanip>
#include <sstream>

#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/customers/customer_service.hpp"
#include "fieldserver/domain/jobs/scheduling.hpp"
#include "fieldserver/domain/reports/report_service.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/job_summary.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;

namespace {

const char* kJobSelect =
    "SELECT j.id, j.ticket_no, j.customer_id, j.asset_id, j.description, j.channel, j.priority, j.category, j.state, "
    "j.previous_state, j.assignee_id, j.mode, j.plan_version, j.approved_plan_version, j.is_warranty_repair, "
    "j.linked_job_id, j.rework_count, j.schedule_json, j.repair_json, j.close_reason, j.reported_by, j.created_at, "
    "j.updated_at, j.version, j.notes, j.site_contact, j.site_phone, j.site_address, j.access_notes, "
    "c.name AS customer_name, c.phone AS customer_phone, c.address AS customer_address, "
    "a.model AS asset_model, a.serial_no AS asset_serial_no, u.name AS assignee_name "
    "FROM jobs j JOIN customers c ON c.id = j.customer_id LEFT JOIN assets a ON a.id = j.asset_id "
    "LEFT JOIN users u ON u.id = j.assignee_id";

const char* kPlanColumns =
    "version, findings, fault_category, is_warranty_covered, is_customer_caused, mode, items_json, total_cents, "
    "cost_to_customer_cents, currency, status, created_by, created_at, decided_by, decided_at";

std::string now_text() { return fieldsync::format_utc(fieldsync::now_ms()); }

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
                            "rework_count", "schedule", "close_reason"})
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

void check_png(const std::string& base64) {
    std::istringstream in(base64);
    Poco::Base64Decoder decoder(in);
    std::string bytes;
    char buffer[4096];
    try {
        while (decoder.read(buffer, sizeof buffer) || decoder.gcount() > 0) bytes.append(buffer, decoder.gcount());
    } catch (const Poco::Exception&) {
        bytes.clear();
    }
    if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
        throw Error(ErrorCode::invalid_field, "signature_png must be a base64-encoded PNG image", "signature_png");
}

// Validates the items of a plan or of parts used, each against specs; returns the sum of quantity × unit_price.
std::int64_t check_items(const Poco::JSON::Array::Ptr& items, const std::string& field,
                         const std::vector<FieldSpec>& required, const std::vector<FieldSpec>& optional) {
    std::int64_t total = 0;
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto item = items->getObject(static_cast<unsigned>(i));
        std::string where = field + "[" + std::to_string(i) + "]";
        if (!item) throw Error(ErrorCode::invalid_field, where + " must be an object", field);
        try {
            fieldsync::validate_fields(required, optional, *item, "describe " + field);
        } catch (const Error& e) {
            throw Error(e.code(), where + ": " + e.what(), field);
        }
        if (number(item, "quantity") <= 0)
            throw Error(ErrorCode::invalid_field, where + ": quantity must be more than 0", field);
        total += fieldsync::to_cents(number(item, "quantity") * number(item, "unit_price"));
    }
    return total;
}

struct PlanInput {
    std::string mode, currency;
    std::int64_t total = 0, cost_to_customer = 0;
    Poco::JSON::Array::Ptr items;
};

PlanInput check_plan(const Poco::JSON::Object::Ptr& plan) {
    static const std::vector<FieldSpec> required = {
        {.name = "mode", .type = FieldType::string, .allowed = {"on_site", "depot"}},
        {.name = "items", .type = FieldType::array},
        {.name = "cost_to_customer", .type = FieldType::number, .min = 0, .max = 10'000'000},
    };
    static const std::vector<FieldSpec> optional = {{.name = "currency", .type = FieldType::string, .max_length = 3}};
    static const std::vector<FieldSpec> item_required = {
        {.name = "kind", .type = FieldType::string, .allowed = {"part", "labour"}},
        {.name = "description", .type = FieldType::string, .max_length = 500},
        {.name = "quantity", .type = FieldType::number, .max = 100000},
        {.name = "unit_price", .type = FieldType::number, .min = 0, .max = 10'000'000},
    };
    static const std::vector<FieldSpec> item_optional = {
        {.name = "part_no", .type = FieldType::string, .max_length = 100}};
    try {
        fieldsync::validate_fields(required, optional, *plan, "propose a plan");
    } catch (const Error& e) {
        throw Error(e.code(), std::string("plan.") + e.what(), "plan." + e.field());
    }
    PlanInput in;
    in.mode = text(plan, "mode");
    in.currency = text(plan, "currency", "CNY");
    in.items = plan->getArray("items");
    if (in.items->size() == 0)
        throw Error(ErrorCode::invalid_field, "plan.items must list at least one item", "plan.items");
    in.total = check_items(in.items, "plan.items", item_required, item_optional);
    in.cost_to_customer = fieldsync::to_cents(number(plan, "cost_to_customer"));
    if (in.cost_to_customer > in.total)
        throw Error(ErrorCode::invalid_field,
                    "plan.cost_to_customer (" + fieldsync::format_cents(in.cost_to_customer) +
                        ") is more than the plan's total (" + fieldsync::format_cents(in.total) + ")",
                    "plan.cost_to_customer");
    return in;
}

// The open repair-warranty record of an asset on a date, if any.
Poco::JSON::Object::Ptr open_warranty(Db& db, const std::string& asset_id, const std::string& today) {
    return db.query_one(
        "SELECT id, job_id, ends_on FROM warranties WHERE asset_id = ? AND starts_on <= ? AND ends_on >= ? "
        "ORDER BY ends_on DESC LIMIT 1",
        {asset_id, today, today});
}

void require_technician(Db& db, const std::string& user_id, const std::string& field) {
    if (db.scalar("SELECT COUNT(*) FROM users WHERE id = ? AND role = 'technician' AND is_active = 1", {user_id}) == 0)
        throw Error(ErrorCode::invalid_field, "no active technician " + user_id, field);
}

// What the signed summary shows of a job row (kJobSelect): the text itself is fieldsync's, shared with the device.
fieldsync::JobSummaryInput summary_input(Db& db, const Poco::JSON::Object::Ptr& job) {
    fieldsync::JobSummaryInput in{.ticket_no = text(job, "ticket_no"),
                                  .customer_name = text(job, "customer_name"),
                                  .asset_model = text(job, "asset_model"),
                                  .asset_serial_no = text(job, "asset_serial_no"),
                                  .description = text(job, "description"),
                                  .plan_version = fieldsync::summary_plan_version(*job),
                                  .repair = job->getObject("repair")};
    in.plan = db.query_one(std::string("SELECT ") + kPlanColumns + " FROM plans WHERE job_id = ? AND version = ?",
                           {text(job, "id"), in.plan_version});
    return in;
}

}  // namespace

Poco::JSON::Object::Ptr JobService::load_visible(Db& db, const Actor& actor, const std::string& id) {
    auto job = db.query_one(std::string(kJobSelect) + " WHERE j.id = ?", {id});
    bool visible = job && (actor.is_staff() || actor.role == Role::system ||
                           (actor.role == Role::technician && text(job, "assignee_id") == actor.id) ||
                           (actor.role == Role::customer && text(job, "customer_id") == actor.customer_id &&
                            (actor.job_scope.empty() || actor.job_scope == id)));
    // Someone else's job looks exactly like a missing one, so ids cannot be probed.
    if (!visible) throw Error(ErrorCode::not_found, "no job " + id);
    return job;
}

Poco::JSON::Object::Ptr JobService::view(Db& db, const Actor& actor, const std::string& id) {
    auto job = load_visible(db, actor, id);
    Poco::JSON::Array::Ptr plans =
        db.query(std::string("SELECT ") + kPlanColumns + " FROM plans WHERE job_id = ? ORDER BY version", {id});
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
    Poco::JSON::Array::Ptr one = new Poco::JSON::Array;
    one->add(job);
    add_dispatch_views(db, one);
    return job;
}

Poco::JSON::Object::Ptr JobService::create(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::technician, Role::customer});
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
        throw Error(ErrorCode::forbidden, "a customer may report faults only for themselves", "customer_id");
    std::string id = fieldsync::uuid_v7();
    std::int64_t now_ms = fieldsync::now_ms();
    std::string now = fieldsync::format_utc(now_ms), today = fieldsync::format_date(now_ms);
    return db_.write([&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM customers WHERE id = ?", {customer_id}) == 0)
            throw Error(ErrorCode::invalid_field, "no customer " + customer_id, "customer_id");
        auto asset = db.query_one("SELECT customer_id FROM assets WHERE id = ?", {asset_id});
        if (!asset || text(asset, "customer_id") != customer_id)
            throw Error(ErrorCode::invalid_field, "no asset " + asset_id + " of customer " + customer_id, "asset_id");
        if (actor.role == Role::technician && !CustomerService::technician_serves(db, actor.id, customer_id))
            throw Error(ErrorCode::invalid_field, "a technician reports faults only for customers they serve",
                        "customer_id");
        std::string day = today.substr(0, 4) + today.substr(5, 2) + today.substr(8, 2);
        db.execute(
            "INSERT INTO ticket_counters (day, last_no) VALUES (?, 1) "
            "ON CONFLICT (day) DO UPDATE SET last_no = ticket_counters.last_no + 1",
            {day});
        std::ostringstream ticket;
        ticket << "FR-" << day << "-" << std::setw(4) << std::setfill('0')
               << db.scalar("SELECT last_no FROM ticket_counters WHERE day = ?", {day});
        auto warranty = open_warranty(db, asset_id, today);
        std::string channel = text(body, "channel", actor.role == Role::customer ? "web" : "phone");
        db.execute(
            "INSERT INTO jobs (id, ticket_no, customer_id, asset_id, description, channel, priority, category, state, "
            "is_warranty_repair, linked_job_id, reported_by, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            {id, ticket.str(), customer_id, asset_id, text(body, "description"), channel,
             text(body, "priority", "normal"), optional_text(body, "category"), std::string("reported"),
             warranty != nullptr, warranty ? Value(text(warranty, "job_id")) : Value(std::monostate{}),
             text_or_null(actor.id), now, now});
        Poco::JSON::Object::Ptr after = new Poco::JSON::Object(*body);
        after->set("state", "reported");
        after->set("ticket_no", ticket.str());
        after->set("is_warranty_repair", warranty != nullptr);
        append_event(db, id, actor, "report", new Poco::JSON::Object, after);
        refresh_job_facts(db, id);
        record_change(db, "jobs", id);
        // A technician sees a job only once it is assigned to them, so load it as the system would (or the
        // report would fail and roll back), with the actions the reporter's own role may take.
        if (actor.role != Role::technician) return view(db, actor, id);
        auto job =
            view(db, Actor{.id = actor.id, .role = Role::system, .name = actor.name, .source = actor.source}, id);
        Poco::JSON::Array::Ptr actions = new Poco::JSON::Array;
        for (const auto& a : workflow_.available({"reported", "", ""}, actor.role_name())) actions->add(a);
        job->set("available_actions", actions);
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
            if (!workflow_.is_state(s)) throw Error(ErrorCode::invalid_field, "no state " + s, "state");
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
            throw Error(ErrorCode::invalid_field, "priority must be low, normal, high or urgent", "priority");
        where += " AND j.priority = ?";
        params.emplace_back(priority);
    }
    for (const char* key : {"customer_id", "asset_id", "category"})
        if (auto v = filter(query, key); !v.empty()) {
            where += std::string(" AND j.") + key + " = ?";
            params.emplace_back(v);
        }
    if (auto q = filter(query, "q"); !q.empty()) {
        where += " AND " + text_search(db_.dialect(),
                                       {"j.ticket_no", "j.description", "c.name", "c.phone", "a.serial_no", "a.model"},
                                       q, params);
    }
    std::string select(kJobSelect);
    std::string columns = select.substr(7, select.find(" FROM ") - 7);
    std::string from = select.substr(select.find(" FROM ") + 6);
    return db_.read([&](Db& db) {
        auto page = paged(db, columns, from, where, params, "j.created_at DESC, j.id DESC", page_of(query));
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

void JobService::apply(Db& db, const Actor& actor, const std::string& id, const std::string& action,
                       const Poco::JSON::Object::Ptr& fields) {
    auto job = load_visible(db, actor, id);
    fieldsync::JobPosition position{text(job, "state"), text(job, "previous_state"), text(job, "mode")};
    const auto& t = workflow_.resolve(action, position, actor.role_name());
    workflow_.validate(t, *fields, position.mode);
    auto before = snapshot(job);
    std::string now = now_text(), today = fieldsync::format_date(fieldsync::now_ms());
    std::string next = workflow_.target(t, position);
    Poco::JSON::Object::Ptr schedule = job->getObject("schedule");
    Poco::JSON::Object::Ptr repair = job->getObject("repair");
    if (!repair) repair = new Poco::JSON::Object;
    std::string assignee = text(job, "assignee_id"), mode = position.mode, close_reason = text(job, "close_reason");
    // An action that keeps a held job on hold (reassign) keeps the state to resume to.
    std::string previous = next != "on_hold"             ? ""
                           : position.state == "on_hold" ? position.previous_state
                                                         : position.state;
    std::int64_t plan_version = integer(job, "plan_version");
    Value approved_version = has_value(job, "approved_plan_version") ? Value(integer(job, "approved_plan_version"))
                                                                     : Value(std::monostate{});
    std::int64_t rework = integer(job, "rework_count");
    bool auto_approve = false;

    auto check_plan_version = [&] {
        if (integer(fields, "plan_version") != plan_version)
            throw Error(ErrorCode::conflict,
                        "plan version " + text(fields, "plan_version") + " is not the current plan (version " +
                            std::to_string(plan_version) + ")",
                        "plan_version");
    };

    if (action == "assign" || action == "reassign") {
        require_technician(db, text(fields, "technician_id"), "technician_id");
        assignee = text(fields, "technician_id");
    } else if (action == "submit_assessment") {
        auto plan = check_plan(fields->getObject("plan"));
        bool covered = fields->getValue<bool>("warranty_covered");
        bool caused = fields->getValue<bool>("customer_caused");
        if (covered && caused)
            throw Error(ErrorCode::invalid_field, "damage the customer caused is not covered by warranty",
                        "warranty_covered");
        if (covered) {
            auto asset = db.query_one("SELECT warranty_until FROM assets WHERE id = ?", {text(job, "asset_id")});
            bool product_warranty =
                asset && has_value(asset, "warranty_until") && text(asset, "warranty_until") >= today;
            if (!product_warranty && !open_warranty(db, text(job, "asset_id"), today))
                throw Error(
                    ErrorCode::invalid_field,
                    "the product is not under warranty (" +
                        (asset && has_value(asset, "warranty_until") ? "it ended on " + text(asset, "warranty_until")
                                                                     : std::string("no warranty date recorded")) +
                        ") and has no open repair warranty",
                    "warranty_covered");
        }
        db.execute("UPDATE plans SET status = 'superseded' WHERE job_id = ? AND status = 'proposed'", {id});
        plan_version += 1;
        mode = plan.mode;
        db.execute(
            std::string("INSERT INTO plans (job_id, ") +
                "version, findings, fault_category, is_warranty_covered, is_customer_caused, mode, items_json, "
                "total_cents, cost_to_customer_cents, currency, status, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?)",
            {id, plan_version, text(fields, "findings"), optional_text(fields, "fault_category"), covered, caused, mode,
             to_json(plan.items), plan.total, plan.cost_to_customer, plan.currency, text_or_null(actor.id), now});
        if (has_value(fields, "fault_category"))
            db.execute("UPDATE jobs SET category = ? WHERE id = ?", {text(fields, "fault_category"), id});
        auto_approve = policy_.auto_approve_free_warranty && covered && plan.cost_to_customer == 0;
    } else if (action == "approve_plan" || action == "decline_plan") {
        check_plan_version();
        bool approve = action == "approve_plan";
        db.execute("UPDATE plans SET status = ?, decided_by = ?, decided_at = ? WHERE job_id = ? AND version = ?",
                   {std::string(approve ? "approved" : "declined"), actor.id.empty() ? actor.role_name() : actor.id,
                    now, id, plan_version});
        if (approve) approved_version = plan_version;
        if (!approve) close_reason = text(fields, "reason", "plan declined");
    } else if (action == "revise_plan") {
        db.execute("UPDATE plans SET status = 'superseded' WHERE job_id = ? AND status = 'proposed'", {id});
    } else if (action == "schedule" || action == "reschedule") {
        Poco::JSON::Object::Ptr next_schedule = new Poco::JSON::Object(*fields);
        next_schedule->remove("reason");
        next_schedule->set("mode", mode);
        next_schedule->set("scheduled_at", now);
        next_schedule->set("scheduled_by", actor.id);
        if (mode == "on_site") {
            auto start = fieldsync::parse_date_time(text(fields, "window_start"));
            auto end = fieldsync::parse_date_time(text(fields, "window_end"));
            if (*end <= *start)
                throw Error(ErrorCode::invalid_field, "window_end must be after window_start", "window_end");
            require_technician(db, text(fields, "technician_id"), "technician_id");
            assignee = text(fields, "technician_id");
            book_visit(db, actor, id, assignee, "repair", *start, *end);
        }
        Poco::JSON::Array::Ptr history = new Poco::JSON::Array;
        if (schedule) {
            if (auto old = schedule->getArray("history")) history = old;
            Poco::JSON::Object::Ptr old_entry = new Poco::JSON::Object(*schedule);
            old_entry->remove("history");
            if (has_value(fields, "reason")) old_entry->set("replaced_because", text(fields, "reason"));
            history->add(old_entry);
        }
        next_schedule->set("history", history);
        schedule = next_schedule;
    } else if (action == "start_repair") {
        repair->set("started_at", now);
        if (has_value(fields, "receipt_inspection"))
            repair->set("receipt_inspection", text(fields, "receipt_inspection"));
        if (has_value(fields, "note")) repair->set("start_note", text(fields, "note"));
        if (has_value(fields, "location") && !assignee.empty())
            record_check_in(db, assignee, id, fields->getObject("location"), "location");
    } else if (action == "complete_repair") {
        static const std::vector<FieldSpec> part_required = {
            {.name = "description", .type = FieldType::string, .max_length = 500},
            {.name = "quantity", .type = FieldType::number, .max = 100000},
        };
        static const std::vector<FieldSpec> part_optional = {
            {.name = "part_no", .type = FieldType::string, .max_length = 100},
            {.name = "unit_price", .type = FieldType::number, .min = 0, .max = 10'000'000},
        };
        check_items(fields->getArray("parts_used"), "parts_used", part_required, part_optional);
        for (const auto& [k, v] : *fields) repair->set(k, v);
        repair->set("completed_at", now);
    } else if (action == "record_acceptance") {
        check_png(text(fields, "signature_png"));
        if (fields->getArray("signature_strokes")->size() == 0)
            throw Error(ErrorCode::invalid_field, "signature_strokes must hold the strokes of the signature",
                        "signature_strokes");
        std::string expected = fieldsync::job_summary_sha256(summary_input(db, job));
        if (text(fields, "summary_sha256") != expected)
            throw Error(ErrorCode::stale_summary,
                        "the job changed after the summary was shown to the signer; show the current summary and sign "
                        "again",
                        "summary_sha256");
        db.execute(
            "INSERT INTO acceptances (id, job_id, signer_name, signature_png, signature_strokes_json, summary_sha256, "
            "rating, comment, signed_by, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {fieldsync::uuid_v7(), id, text(fields, "signer_name"), text(fields, "signature_png"),
             to_json(fields->get("signature_strokes")), expected, integer(fields, "rating"),
             optional_text(fields, "comment"), text_or_null(actor.id), now});
        auto plan = db.query_one("SELECT items_json FROM plans WHERE job_id = ? AND version = ?",
                                 {id, integer(job, "approved_plan_version", plan_version)});
        std::string covers;
        if (plan)
            for (const auto& v : *plan->getArray("items")) {
                auto item = v.extract<Poco::JSON::Object::Ptr>();
                covers += (covers.empty() ? "" : "; ") + text(item, "description");
            }
        std::string warranty_id = fieldsync::uuid_v7();
        db.execute(
            "INSERT INTO warranties (id, asset_id, job_id, covers, starts_on, ends_on, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {warranty_id, text(job, "asset_id"), id, covers.empty() ? std::string("repair work") : covers, today,
             fieldsync::add_days(today, policy_.warranty_days), now});
        record_change(db, "warranties", warranty_id);
    } else if (action == "reject_acceptance") {
        rework += 1;
        repair->set("rework_reason", text(fields, "reason"));
    } else if (action == "cancel") {
        close_reason = text(fields, "reason");
    }

    // The version guard turns a concurrent move of the same job (possible on PostgreSQL) into a clear conflict.
    std::size_t changed = db.execute(
        "UPDATE jobs SET state = ?, previous_state = ?, assignee_id = ?, mode = ?, plan_version = ?, "
        "approved_plan_version = ?, rework_count = ?, schedule_json = ?, repair_json = ?, close_reason = ?, "
        "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {next, previous.empty() ? Value(std::monostate{}) : Value(previous),
         assignee.empty() ? Value(std::monostate{}) : Value(assignee),
         mode.empty() ? Value(std::monostate{}) : Value(mode), plan_version, approved_version, rework,
         schedule ? Value(to_json(schedule)) : Value(std::monostate{}),
         repair->size() ? Value(to_json(repair)) : Value(std::monostate{}),
         close_reason.empty() ? Value(std::monostate{}) : Value(close_reason), now, id, integer(job, "version")});
    if (changed != 1)
        throw Error(ErrorCode::conflict, "the job was changed by someone else meanwhile; reload and retry");
    auto after = snapshot(load_visible(db, actor, id));
    after->set("fields", auditable(fields));
    append_event(db, id, actor, action, before, after);
    refresh_job_facts(db, id);
    // Also the rows that follow the job onto (or off) technicians' devices: its plans, warranty, customer.
    record_change(db, "jobs", id);

    if (auto_approve) {
        Poco::JSON::Object::Ptr approval = new Poco::JSON::Object;
        approval->set("plan_version", plan_version);
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
        return list_events(db, id);
    });
}

Poco::JSON::Object::Ptr JobService::verify(const Actor& actor, const std::string& id) {
    require_role(actor, {Role::admin, Role::dispatcher});
    return db_.read([&](Db& db) {
        load_visible(db, actor, id);
        return verify_chain(db, id);
    });
}

Poco::JSON::Object::Ptr JobService::verify_all(const Actor& actor) {
    require_role(actor, {Role::admin});
    return db_.read([&](Db& db) {
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        Poco::JSON::Array::Ptr broken = new Poco::JSON::Array;
        auto ids = db.query("SELECT id FROM jobs ORDER BY id");
        for (const auto& row : *ids) {
            auto result = verify_chain(db, text(row.extract<Poco::JSON::Object::Ptr>(), "id"));
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
            throw Error(ErrorCode::invalid_field, "active_on must be a date YYYY-MM-DD", "active_on");
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
        if (!visible) throw Error(ErrorCode::not_found, "no warranty " + id);
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
