// Opening after-sales cases (window and amount checks) and the common part of their actions.
#include "fieldserver/domain/aftersales/case_service.hpp"

#include "fieldserver/domain/aftersales/policies.hpp"
#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/deadlines/deadline_store.hpp"
#include "fieldserver/domain/jobs/job_actions.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fieldsync::Message;

namespace {

const char* kCaseColumns =
    "s.id, s.job_id, s.asset_id, s.customer_id, s.kind, s.state, s.reason, s.amount_cents, s.currency, "
    "s.window_from, s.window_basis, s.window_ends_on, s.respond_by, s.refusal_reason, s.return_carrier, "
    "s.return_tracking_no, s.inspection, s.replacement_serial_no, s.replacement_carrier, s.replacement_tracking_no, "
    "s.decided_by, s.opened_by, s.opened_role, s.created_at, s.updated_at, s.version, j.ticket_no";

// What the customer paid that a refund can give back: the recorded purchase price, else what the job's approved
// plan cost them; 0 when nothing was paid.
std::int64_t paid_cents(Db& db, const Poco::JSON::Object::Ptr& job, const Poco::JSON::Object::Ptr& asset) {
    if (has_value(asset, "purchase_price_cents")) return integer(asset, "purchase_price_cents");
    if (!has_value(job, "approved_plan_version")) return 0;
    return db.scalar("SELECT COALESCE(MAX(cost_to_customer_cents), 0) FROM plans WHERE job_id = ? AND version = ?",
                     {text(job, "id"), integer(job, "approved_plan_version")});
}

struct Window {
    std::string from, basis, ends_on;
};

// The window of a kind from the date the product was received (else bought); throws when there is none.
Window window_of(const AfterSalesTerms& terms, const std::string& kind, const Poco::JSON::Object::Ptr& asset) {
    Window w;
    w.basis = has_value(asset, "received_on") ? "received_on" : "purchase_date";
    w.from = text(asset, w.basis);
    if (w.from.empty()) throw Error(ErrorCode::invalid_field, Message{"case.no_purchase_date", {}}, "kind");
    w.ends_on = fieldsync::add_days(w.from, kind == "exchange" ? terms.exchange_days : terms.return_days);
    return w;
}

// A case as its job's audit events record it: keys of their own, since a job event's "state" is the job's state
// (the SLA clocks read it).
Poco::JSON::Object::Ptr snapshot(const Poco::JSON::Object::Ptr& row) {
    Poco::JSON::Object::Ptr s = new Poco::JSON::Object;
    for (const char* key : {"id", "kind", "state", "amount_cents"}) s->set(std::string("case_") + key, row->get(key));
    return s;
}

Poco::JSON::Object::Ptr case_view(Db& db, Poco::JSON::Object::Ptr row) {
    row->set("amount", has_value(row, "amount_cents") ? Poco::Dynamic::Var(integer(row, "amount_cents") / 100.0)
                                                      : Poco::Dynamic::Var());
    row->remove("amount_cents");
    auto refund = db.query_one(
        "SELECT id, amount_cents, currency, method, original_route, reference, refunded_by, created_at FROM refunds "
        "WHERE case_id = ?",
        {text(row, "id")});
    if (refund) {
        refund->set("amount", integer(refund, "amount_cents") / 100.0);
        refund->remove("amount_cents");
        refund->set("original_route", refund->get("original_route").convert<bool>());
    }
    row->set("refund", or_null(refund));
    row->set("deadlines", db.query("SELECT id, rule, due_at, state, outcome, fired_at FROM deadlines WHERE case_id = ? "
                                   "ORDER BY due_at, id",
                                   {text(row, "id")}));
    return row;
}

}  // namespace

CaseService::CaseService(Database& db, JobService& jobs)
    : db_(db), jobs_(jobs), workflow_(fieldsync::Workflow::after_sales()) {
    std::vector<std::string> handled;
    for (const auto& [action, handler] : case_action_handlers()) handled.push_back(action);
    check_action_table(workflow_actions(workflow_), handled);
}

Poco::JSON::Object::Ptr CaseService::open(const Actor& actor, const std::string& job_id,
                                          const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    static const std::vector<FieldSpec> required = {
        {.name = "kind", .type = FieldType::string, .allowed = {"exchange", "return_refund", "refund_only"}},
        {.name = "reason", .type = FieldType::string, .max_length = 2000},
    };
    static const std::vector<FieldSpec> optional = {
        {.name = "amount", .type = FieldType::number, .min = 0.01, .max = 10'000'000},
        {.name = "override_reason", .type = FieldType::string, .max_length = 2000},
    };
    fieldsync::validate_fields(required, optional, *body, "open an after-sales case");
    std::string kind = text(body, "kind");
    if (kind == "exchange" && has_value(body, "amount"))
        throw Error(ErrorCode::invalid_field, Message{"case.exchange_amount", {}}, "amount");
    if (kind != "exchange" && !has_value(body, "amount"))
        throw Error(ErrorCode::missing_field, Message{"case.amount_required", {}}, "amount");
    // Overriding a window is a decision: the office or a supervisor, never an agent or the customer.
    if (has_value(body, "override_reason") &&
        !(actor.role == Role::admin || actor.role == Role::dispatcher || actor.role == Role::supervisor))
        throw Error(ErrorCode::forbidden, Message{"case.override_role", {}}, "override_reason");
    jobs_.get(actor, job_id);  // not_found unless the actor may see the job
    std::int64_t now_ms = fieldsync::now_ms();
    std::string now = fieldsync::format_utc(now_ms), today = fieldsync::format_date(now_ms);
    std::string id = fieldsync::uuid_v7();
    return db_.write([&](Db& db) {
        auto job =
            db.query_one("SELECT id, customer_id, asset_id, approved_plan_version FROM jobs WHERE id = ?", {job_id});
        auto asset = db.query_one("SELECT purchase_date, received_on, purchase_price_cents FROM assets WHERE id = ?",
                                  {text(job, "asset_id")});
        if (db.scalar("SELECT COUNT(*) FROM after_sales_cases WHERE job_id = ? AND state NOT IN ('refused', "
                      "'withdrawn', 'closed')",
                      {job_id}) > 0)
            throw Error(ErrorCode::conflict, Message{"case.open_already", {}}, "kind");
        auto terms = load_after_sales_terms(db);
        Window w = window_of(terms, kind, asset);
        if (today > w.ends_on && !has_value(body, "override_reason"))
            throw Error(ErrorCode::invalid_field,
                        Message{kind == "exchange" ? "case.window_ended.exchange" : "case.window_ended.return",
                                {{"days", std::to_string(kind == "exchange" ? terms.exchange_days : terms.return_days)},
                                 {"from", w.from},
                                 {"until", w.ends_on}}},
                        "kind");
        Value amount = std::monostate{};
        if (kind != "exchange") {
            std::int64_t asked = fieldsync::to_cents(number(body, "amount")), paid = paid_cents(db, job, asset);
            if (paid == 0) throw Error(ErrorCode::invalid_field, Message{"case.nothing_paid", {}}, "amount");
            if (asked > paid)
                throw Error(ErrorCode::invalid_field,
                            Message{"case.amount_over_paid", {{"paid", fieldsync::format_cents(paid)}}}, "amount");
            amount = asked;
        }
        auto limits = load_time_limits(db);
        std::string respond_by =
            fieldsync::format_utc(now_ms + static_cast<std::int64_t>(limits.case_response_hours * 3'600'000));
        db.execute(
            "INSERT INTO after_sales_cases (id, job_id, asset_id, customer_id, kind, state, reason, amount_cents, "
            "currency, window_from, window_basis, window_ends_on, respond_by, opened_by, opened_role, created_at, "
            "updated_at, version) VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            {id, job_id, text(job, "asset_id"), text(job, "customer_id"), kind, text(body, "reason"), amount,
             terms.currency, w.from, w.basis, w.ends_on, respond_by, text_or_null(actor.id), actor.role_name(), now,
             now});
        schedule_deadline(db, job_id, id, deadline_rule::case_response, respond_by, now);
        auto row = db.query_one(std::string("SELECT ") + kCaseColumns +
                                    " FROM after_sales_cases s JOIN jobs j ON j.id = s.job_id WHERE s.id = ?",
                                {id});
        publish(db, actor, row, "request", new Poco::JSON::Object, body);
        return view(db, actor, id);
    });
}

Poco::JSON::Object::Ptr CaseService::load_visible(Db& db, const Actor& actor, const std::string& id) {
    auto row = db.query_one(std::string("SELECT ") + kCaseColumns +
                                " FROM after_sales_cases s JOIN jobs j ON j.id = s.job_id WHERE s.id = ?",
                            {id});
    bool visible = row && (actor.is_staff() || actor.role == Role::system ||
                           (actor.role == Role::customer && text(row, "customer_id") == actor.customer_id &&
                            (actor.job_scope.empty() || actor.job_scope == text(row, "job_id"))));
    if (!visible) throw Error(ErrorCode::not_found, Message{"case.not_found", {{"id", id}}});
    return row;
}

Poco::JSON::Object::Ptr CaseService::with_actions(Db& db, const Actor& actor, Poco::JSON::Object::Ptr row) const {
    case_view(db, row);
    Poco::JSON::Array::Ptr actions = new Poco::JSON::Array;
    for (const auto& a : workflow_.available({text(row, "state"), "", text(row, "kind")}, actor.role_name()))
        actions->add(a);
    row->set("available_actions", actions);
    return row;
}

Poco::JSON::Object::Ptr CaseService::view(Db& db, const Actor& actor, const std::string& id) {
    return with_actions(db, actor, load_visible(db, actor, id));
}

Poco::JSON::Object::Ptr CaseService::get(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) { return view(db, actor, id); });
}

Poco::JSON::Object::Ptr CaseService::list(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    allow_filters(query, {"state", "kind", "job_id"});
    Params params;
    std::string where = scoped_where(actor, "s", query, {"state", "kind", "job_id"}, params);
    return db_.read([&](Db& db) {
        auto page = paged(db, kCaseColumns, "after_sales_cases s JOIN jobs j ON j.id = s.job_id", where, params,
                          "s.created_at DESC, s.id DESC", page_of(query));
        for (const auto& v : *page->getArray("items")) with_actions(db, actor, v.extract<Poco::JSON::Object::Ptr>());
        return page;
    });
}

Poco::JSON::Object::Ptr CaseService::act(const Actor& actor, const std::string& id, const std::string& action,
                                         const Poco::JSON::Object::Ptr& fields) {
    return db_.write([&](Db& db) {
        act_in(db, actor, id, action, fields);
        return view(db, actor, id);
    });
}

void CaseService::act_in(Db& db, const Actor& actor, const std::string& id, const std::string& action,
                         const Poco::JSON::Object::Ptr& fields) {
    auto row = load_visible(db, actor, id);
    fieldsync::JobPosition position{text(row, "state"), "", text(row, "kind")};
    const auto& t = workflow_.resolve(action, position, actor.role_name());
    workflow_.validate(t, *fields, position.mode);
    CaseActionContext c{.db = db,
                        .actor = actor,
                        .row = row,
                        .fields = fields,
                        .now = fieldsync::format_utc(fieldsync::now_ms()),
                        .set = {}};
    case_action_handlers().at(action)(c);
    std::string sql = "UPDATE after_sales_cases SET state = ?, updated_at = ?, version = version + 1";
    Params params{workflow_.target(t, position), c.now};
    for (const auto& [column, value] : c.set) {
        sql += ", " + column + " = ?";
        params.push_back(value);
    }
    sql += " WHERE id = ? AND version = ?";
    params.emplace_back(id);
    params.emplace_back(integer(row, "version"));
    if (db.execute(sql, params) != 1) throw Error(ErrorCode::conflict, Message{"case.changed", {}});
    // The merchant answered (or the customer withdrew): the default approval no longer applies.
    if (text(row, "state") == "requested")
        cancel_deadlines(db, text(row, "job_id"), id, {deadline_rule::case_response}, c.now);
    publish(db, actor, row, action, snapshot(row), fields);
}

// A case's move is an event on its job's audit chain ("after_sales_<action>"), with the notifications and the
// change-log entry every job change gets.
void CaseService::publish(Db& db, const Actor& actor, const Poco::JSON::Object::Ptr& row, const std::string& action,
                          const Poco::JSON::Object::Ptr& before, const Poco::JSON::Object::Ptr& fields) {
    auto now_row =
        db.query_one("SELECT id, kind, state, amount_cents FROM after_sales_cases WHERE id = ?", {text(row, "id")});
    Poco::JSON::Object::Ptr after = snapshot(now_row);
    after->set("fields", fields);
    std::string event = "after_sales_" + action, job_id = text(row, "job_id");
    jobs_.listeners().publish(db, JobChange{job_id, event, actor, before, after});
}

}  // namespace fieldserver
