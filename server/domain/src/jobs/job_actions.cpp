// One handler per workflow action: what each move checks and records beyond what the workflow table says.
#include "fieldserver/domain/jobs/job_actions.hpp"

#include <algorithm>
#include <stdexcept>

#include "fieldserver/domain/aftersales/policies.hpp"
#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/jobs/plan.hpp"
#include "fieldserver/domain/jobs/scheduling.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/action_checks.hpp"
#include "fieldsync/base64.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

void check_png(const std::string& base64) {
    std::string bytes = fieldsync::base64_decode(base64).value_or(std::string());
    if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.png", {{"field", "signature_png"}}},
                    "signature_png");
}

// The proposed plan of a request's plan member, checked by fieldsync as the device checks it before queueing.
Plan check_plan(const Poco::JSON::Object::Ptr& plan) {
    auto checked = fieldsync::check_plan(plan);
    Plan in;
    in.mode = checked.mode;
    in.currency = checked.currency;
    in.items = checked.items;
    in.total_cents = checked.total_cents;
    in.cost_to_customer_cents = checked.cost_to_customer_cents;
    return in;
}

void require_technician(Db& db, const std::string& user_id, const std::string& field) {
    if (db.scalar("SELECT COUNT(*) FROM users WHERE id = ? AND role = 'technician' AND is_active = 1", {user_id}) == 0)
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"user.no_technician", {{"id", user_id}}}, field);
}

void check_plan_version(const JobActionContext& c) {
    if (integer(c.fields, "plan_version") != c.plan_version)
        throw Error(ErrorCode::conflict,
                    fieldsync::Message{
                        "conflict.plan_version",
                        {{"given", text(c.fields, "plan_version")}, {"current", std::to_string(c.plan_version)}}},
                    "plan_version");
}

// hold, resume and close change nothing but the state, which the workflow table decides.
void state_only(JobActionContext&) {}

void assign(JobActionContext& c) {
    require_technician(c.db, text(c.fields, "technician_id"), "technician_id");
    c.assignee_id = text(c.fields, "technician_id");
    // A dispatcher who assigns a new report at a time books the assessment visit in the same move.
    if (!has_value(c.fields, "window_start") && !has_value(c.fields, "window_end")) return;
    if (!has_value(c.fields, "window_start") || !has_value(c.fields, "window_end"))
        throw Error(ErrorCode::missing_field,
                    fieldsync::Message{"field.window_both", {{"field", "window_start"}, {"other", "window_end"}}},
                    has_value(c.fields, "window_start") ? "window_end" : "window_start");
    auto start = fieldsync::parse_date_time(text(c.fields, "window_start"));
    auto end = fieldsync::parse_date_time(text(c.fields, "window_end"));
    if (*end <= *start)
        throw Error(ErrorCode::invalid_field,
                    fieldsync::Message{"field.window_order", {{"field", "window_end"}, {"other", "window_start"}}},
                    "window_end");
    book_visit(c.db, c.actor, c.job.id, c.assignee_id, "assessment", *start, *end);
}

// The priority is a column of its own; the SLA clocks read it afresh, so nothing else changes.
void set_priority(JobActionContext& c) {
    c.db.execute("UPDATE jobs SET priority = ? WHERE id = ?", {text(c.fields, "priority"), c.job.id});
}

// A claim of warranty cover needs the product's own warranty (its end date, else the purchase date and the
// policy's product warranty) or an open repair warranty on the asset. The fact used is kept with the repair.
void check_warranty_claim(JobActionContext& c) {
    auto asset = c.db.query_one("SELECT warranty_until, purchase_date FROM assets WHERE id = ?", {c.job.asset_id});
    std::string until, basis;
    Message refusal{"plan.warranty_none", {}};
    if (asset && has_value(asset, "warranty_until")) {
        until = text(asset, "warranty_until");
        basis = "product warranty until " + until;
        refusal = {"plan.warranty_ended", {{"until", until}}};
    } else if (asset && has_value(asset, "purchase_date")) {
        int days = load_after_sales_terms(c.db).product_warranty_days;
        until = fieldsync::add_days(text(asset, "purchase_date"), days);
        basis = "purchased on " + text(asset, "purchase_date") + ", " + std::to_string(days) +
                " days of product warranty: until " + until;
        refusal = {"plan.warranty_ended.purchase",
                   {{"purchased", text(asset, "purchase_date")}, {"days", std::to_string(days)}, {"until", until}}};
    }
    if (!until.empty() && until >= c.today) {
        c.repair->set("warranty_basis", basis);
        return;
    }
    if (auto open = open_warranty(c.db, c.job.asset_id, c.today)) {
        c.repair->set("warranty_basis",
                      "repair warranty of job " + text(open, "job_id") + " until " + text(open, "ends_on"));
        return;
    }
    throw Error(ErrorCode::invalid_field, refusal, "warranty_covered");
}

void submit_assessment(JobActionContext& c) {
    auto plan = check_plan(c.fields->getObject("plan"));
    plan.is_warranty_covered = c.fields->getValue<bool>("warranty_covered");
    plan.is_customer_caused = c.fields->getValue<bool>("customer_caused");
    if (plan.is_warranty_covered && plan.is_customer_caused)
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"plan.customer_caused", {}}, "warranty_covered");
    if (plan.is_warranty_covered) check_warranty_claim(c);
    c.db.execute("UPDATE plans SET status = 'superseded' WHERE job_id = ? AND status = 'proposed'", {c.job.id});
    c.plan_version += 1;
    plan.version = c.plan_version;
    c.mode = plan.mode;
    c.db.execute(
        "INSERT INTO plans (job_id, version, findings, fault_category, is_warranty_covered, is_customer_caused, mode, "
        "items_json, total_cents, cost_to_customer_cents, currency, status, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?)",
        {c.job.id, plan.version, text(c.fields, "findings"), optional_text(c.fields, "fault_category"),
         plan.is_warranty_covered, plan.is_customer_caused, plan.mode, to_json(plan.items), plan.total_cents,
         plan.cost_to_customer_cents, plan.currency, text_or_null(c.actor.id), c.now});
    if (has_value(c.fields, "fault_category"))
        c.db.execute("UPDATE jobs SET category = ? WHERE id = ?", {text(c.fields, "fault_category"), c.job.id});
    c.auto_approve =
        c.policy.auto_approve_free_warranty && plan.is_warranty_covered && plan.cost_to_customer_cents == 0;
}

void decide_plan(JobActionContext& c, bool approve) {
    check_plan_version(c);
    c.db.execute("UPDATE plans SET status = ?, decided_by = ?, decided_at = ? WHERE job_id = ? AND version = ?",
                 {std::string(approve ? "approved" : "declined"), c.actor.id.empty() ? c.actor.role_name() : c.actor.id,
                  c.now, c.job.id, c.plan_version});
    if (approve) c.approved_plan_version = c.plan_version;
    if (!approve) c.close_reason = text(c.fields, "reason", "plan declined");
}

void approve_plan(JobActionContext& c) { decide_plan(c, true); }
void decline_plan(JobActionContext& c) { decide_plan(c, false); }

// The customer answers a plan with their own offer: the plan goes back to the technician to revise.
void counter_offer(JobActionContext& c) {
    check_plan_version(c);
    auto row = plan_row(c.db, c.job.id, c.plan_version);
    Poco::JSON::Object::Ptr offer = new Poco::JSON::Object;
    offer->set("message", text(c.fields, "message"));
    if (has_value(c.fields, "proposed_cost")) {
        std::int64_t proposed = fieldsync::to_cents(number(c.fields, "proposed_cost"));
        if (row && proposed >= integer(row, "cost_to_customer_cents"))
            throw Error(ErrorCode::invalid_field,
                        fieldsync::Message{"plan.counter_too_high",
                                           {{"cost", fieldsync::format_cents(integer(row, "cost_to_customer_cents"))}}},
                        "proposed_cost");
        offer->set("proposed_cost", number(c.fields, "proposed_cost"));
    }
    offer->set("by", c.actor.id.empty() ? c.actor.role_name() : c.actor.id);
    offer->set("at", c.now);
    c.db.execute(
        "UPDATE plans SET status = 'countered', counter_offer_json = ?, decided_by = ?, decided_at = ? "
        "WHERE job_id = ? AND version = ?",
        {to_json(offer), c.actor.id.empty() ? c.actor.role_name() : c.actor.id, c.now, c.job.id, c.plan_version});
}

// Staff set how urgent the job is and what it is (product type and fault cause, both from the catalog).
void triage(JobActionContext& c) {
    if (!has_value(c.fields, "priority") && !has_value(c.fields, "product_type") &&
        !has_value(c.fields, "fault_category"))
        throw Error(ErrorCode::missing_field, fieldsync::Message{"job.triage_empty", {}}, "priority");
    if (has_value(c.fields, "priority"))
        c.db.execute("UPDATE jobs SET priority = ? WHERE id = ?", {text(c.fields, "priority"), c.job.id});
    for (const char* field : {"product_type", "fault_category"}) {
        if (!has_value(c.fields, field)) continue;
        bool product = std::string(field) == "product_type";
        // Product types are the catalog's top-level entries; fault causes any active entry.
        auto entry = c.db.query_one(std::string("SELECT name FROM fault_categories WHERE (name = ? OR code = ?) AND "
                                                "is_active = 1") +
                                        (product ? " AND parent_id IS NULL" : "") + " ORDER BY code LIMIT 1",
                                    {text(c.fields, field), text(c.fields, field)});
        if (!entry)
            throw Error(ErrorCode::invalid_field,
                        fieldsync::Message{product ? "catalog.no_product_type" : "catalog.no_fault_category",
                                           {{"value", text(c.fields, field)}}},
                        field);
        c.db.execute(std::string("UPDATE jobs SET ") + (product ? "product_type" : "category") + " = ? WHERE id = ?",
                     {text(entry, "name"), c.job.id});
    }
}

// The customer's fee for withdrawing now: free until the product was inspected, then the inspection fee unless
// the plan on the table was a free warranty repair.
void withdraw(JobActionContext& c) {
    std::int64_t fee = withdrawal_fee_cents(c.db, c.job);
    if (fee > 0 &&
        (!has_value(c.fields, "accepted_fee") || fieldsync::to_cents(number(c.fields, "accepted_fee")) != fee))
        throw Error(ErrorCode::conflict,
                    fieldsync::Message{"job.withdraw_fee", {{"fee", fieldsync::format_cents(fee)}}}, "accepted_fee");
    Poco::JSON::Object::Ptr w = new Poco::JSON::Object;
    w->set("fee", static_cast<double>(fee) / 100.0);
    w->set("reason", text(c.fields, "reason"));
    w->set("at", c.now);
    c.repair->set("withdrawal", w);
    c.close_reason = "withdrawn: " + text(c.fields, "reason");
}

// Back to the customer without a repair, with the inspection fee (policy's, or as given; none under warranty)
// and, for a depot job, the return shipment.
void return_unrepaired(JobActionContext& c) {
    auto plan = c.plan_version > 0 ? plan_row(c.db, c.job.id, c.plan_version) : nullptr;
    bool warranty = plan && has_value(plan, "is_warranty_covered") && plan->get("is_warranty_covered").convert<bool>();
    std::int64_t fee = has_value(c.fields, "inspection_fee") ? fieldsync::to_cents(number(c.fields, "inspection_fee"))
                       : warranty                            ? 0
                                                             : load_after_sales_terms(c.db).inspection_fee_cents;
    Poco::JSON::Object::Ptr r = new Poco::JSON::Object;
    r->set("reason", text(c.fields, "reason"));
    r->set("inspection_fee", static_cast<double>(fee) / 100.0);
    for (const char* key : {"return_carrier", "return_tracking_no"})
        if (has_value(c.fields, key)) r->set(key, text(c.fields, key));
    r->set("at", c.now);
    c.repair->set("returned_unrepaired", r);
    c.close_reason = "returned unrepaired: " + text(c.fields, "reason");
}

void revise_plan(JobActionContext& c) {
    c.db.execute("UPDATE plans SET status = 'superseded' WHERE job_id = ? AND status = 'proposed'", {c.job.id});
}

// The previous schedule goes into the new one's history, with the reason it was replaced.
Poco::JSON::Array::Ptr schedule_history(const JobActionContext& c) {
    Poco::JSON::Array::Ptr history = new Poco::JSON::Array;
    if (!c.schedule) return history;
    if (auto old = c.schedule->getArray("history")) history = old;
    Poco::JSON::Object::Ptr old_entry = new Poco::JSON::Object(*c.schedule);
    old_entry->remove("history");
    if (has_value(c.fields, "reason")) old_entry->set("replaced_because", text(c.fields, "reason"));
    history->add(old_entry);
    return history;
}

void schedule(JobActionContext& c) {
    Poco::JSON::Object::Ptr next = new Poco::JSON::Object(*c.fields);
    next->remove("reason");
    next->set("mode", c.mode);
    next->set("scheduled_at", c.now);
    next->set("scheduled_by", c.actor.id);
    if (c.mode == "on_site") {
        auto start = fieldsync::parse_date_time(text(c.fields, "window_start"));
        auto end = fieldsync::parse_date_time(text(c.fields, "window_end"));
        if (*end <= *start)
            throw Error(ErrorCode::invalid_field,
                        fieldsync::Message{"field.window_order", {{"field", "window_end"}, {"other", "window_start"}}},
                        "window_end");
        require_technician(c.db, text(c.fields, "technician_id"), "technician_id");
        c.assignee_id = text(c.fields, "technician_id");
        book_visit(c.db, c.actor, c.job.id, c.assignee_id, "repair", *start, *end);
    }
    next->set("history", schedule_history(c));
    c.schedule = next;
}

void start_repair(JobActionContext& c) {
    c.repair->set("started_at", c.now);
    if (has_value(c.fields, "receipt_inspection"))
        c.repair->set("receipt_inspection", text(c.fields, "receipt_inspection"));
    if (has_value(c.fields, "note")) c.repair->set("start_note", text(c.fields, "note"));
    if (has_value(c.fields, "location") && !c.assignee_id.empty())
        record_check_in(c.db, c.assignee_id, c.job.id, c.fields->getObject("location"), "location");
}

void complete_repair(JobActionContext& c) {
    fieldsync::check_parts_used(c.fields->getArray("parts_used"));
    for (const auto& [k, v] : *c.fields) c.repair->set(k, v);
    c.repair->set("completed_at", c.now);
}

// The repair warranty an acceptance starts, covering the approved plan's items; a synced row of its own.
void issue_warranty(JobActionContext& c) {
    auto row = plan_row(c.db, c.job.id, c.job.approved_plan_version.value_or(c.plan_version));
    std::string covers;
    if (row)
        for (const auto& v : *plan_from_row(row).items) {
            auto item = v.extract<Poco::JSON::Object::Ptr>();
            covers += (covers.empty() ? "" : "; ") + text(item, "description");
        }
    std::string warranty_id = fieldsync::uuid_v7();
    c.db.execute(
        "INSERT INTO warranties (id, asset_id, job_id, covers, starts_on, ends_on, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {warranty_id, c.job.asset_id, c.job.id, covers.empty() ? std::string("repair work") : covers, c.today,
         fieldsync::add_days(c.today, c.policy.warranty_days), c.now});
    c.listeners.publish(c.db, RowChange{"warranties", warranty_id});
}

void record_acceptance(JobActionContext& c) {
    check_png(text(c.fields, "signature_png"));
    fieldsync::check_signature(*c.fields);
    std::string expected = fieldsync::job_summary_sha256(summary_input(c.db, c.row));
    if (text(c.fields, "summary_sha256") != expected)
        throw Error(ErrorCode::stale_summary, fieldsync::Message{"error.stale_summary", {}}, "summary_sha256");
    c.db.execute(
        "INSERT INTO acceptances (id, job_id, signer_name, signature_png, signature_strokes_json, summary_sha256, "
        "rating, comment, signed_by, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {fieldsync::uuid_v7(), c.job.id, text(c.fields, "signer_name"), text(c.fields, "signature_png"),
         to_json(c.fields->get("signature_strokes")), expected, integer(c.fields, "rating"),
         optional_text(c.fields, "comment"), text_or_null(c.actor.id), c.now});
    issue_warranty(c);
}

void reject_acceptance(JobActionContext& c) {
    c.rework_count += 1;
    c.repair->set("rework_reason", text(c.fields, "reason"));
    if (!has_value(c.fields, "inbound_carrier") && !has_value(c.fields, "inbound_tracking_no")) return;
    // A depot job sent back for rework travels to the depot again: a new inbound shipment.
    if (c.mode != "depot")
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"job.inbound_depot_only", {}}, "inbound_carrier");
    Poco::JSON::Array::Ptr shipments = c.repair->getArray("inbound_shipments");
    if (!shipments) shipments = new Poco::JSON::Array;
    Poco::JSON::Object::Ptr s = new Poco::JSON::Object;
    s->set("carrier", text(c.fields, "inbound_carrier"));
    s->set("tracking_no", text(c.fields, "inbound_tracking_no"));
    s->set("at", c.now);
    shipments->add(s);
    c.repair->set("inbound_shipments", shipments);
}

void cancel(JobActionContext& c) { c.close_reason = text(c.fields, "reason"); }

}  // namespace

const std::map<std::string, JobActionHandler>& job_action_handlers() {
    static const std::map<std::string, JobActionHandler> handlers = {
        {"assign", assign},
        {"reassign", assign},
        {"submit_assessment", submit_assessment},
        {"approve_plan", approve_plan},
        {"decline_plan", decline_plan},
        {"revise_plan", revise_plan},
        {"schedule", schedule},
        {"reschedule", schedule},
        {"start_repair", start_repair},
        {"complete_repair", complete_repair},
        {"record_acceptance", record_acceptance},
        {"reject_acceptance", reject_acceptance},
        {"close", state_only},
        {"hold", state_only},
        {"resume", state_only},
        {"cancel", cancel},
        {"set_priority", set_priority},
        {"counter_offer", counter_offer},
        {"triage", triage},
        {"withdraw", withdraw},
        {"return_unrepaired", return_unrepaired},
    };
    return handlers;
}

void check_action_table(const std::vector<std::string>& workflow_actions, const std::vector<std::string>& handled) {
    auto missing_from = [](const std::vector<std::string>& names, const std::vector<std::string>& in) {
        std::string out;
        for (const auto& name : names)
            if (std::find(in.begin(), in.end(), name) == in.end()) out += (out.empty() ? "" : ", ") + name;
        return out;
    };
    std::string unhandled = missing_from(workflow_actions, handled), unknown = missing_from(handled, workflow_actions);
    if (unhandled.empty() && unknown.empty()) return;
    std::string message = "the job action handlers do not match the workflow table:";
    if (!unhandled.empty()) message += " no handler for " + unhandled + ";";
    if (!unknown.empty()) message += " handlers for actions the workflow does not have: " + unknown + ";";
    throw std::logic_error(message);
}

std::vector<std::string> workflow_actions(const fieldsync::Workflow& workflow) {
    std::vector<std::string> out;
    for (const auto& t : workflow.transitions())
        if (std::find(out.begin(), out.end(), t.action) == out.end()) out.push_back(t.action);
    return out;
}

std::int64_t withdrawal_fee_cents(Db& db, const Job& job) {
    if (job.plan_version == 0) return 0;
    auto plan = plan_row(db, job.id, job.plan_version);
    if (plan && has_value(plan, "is_warranty_covered") && plan->get("is_warranty_covered").convert<bool>()) return 0;
    return load_after_sales_terms(db).inspection_fee_cents;
}

Poco::JSON::Object::Ptr open_warranty(Db& db, const std::string& asset_id, const std::string& today) {
    return db.query_one(
        "SELECT id, job_id, ends_on FROM warranties WHERE asset_id = ? AND starts_on <= ? AND ends_on >= ? "
        "ORDER BY ends_on DESC LIMIT 1",
        {asset_id, today, today});
}

fieldsync::JobSummaryInput summary_input(Db& db, const Poco::JSON::Object::Ptr& row) {
    fieldsync::JobSummaryInput in{.ticket_no = text(row, "ticket_no"),
                                  .customer_name = text(row, "customer_name"),
                                  .asset_model = text(row, "asset_model"),
                                  .asset_serial_no = text(row, "asset_serial_no"),
                                  .description = text(row, "description"),
                                  .plan_version = fieldsync::summary_plan_version(*row),
                                  .repair = row->getObject("repair")};
    in.plan = plan_row(db, text(row, "id"), in.plan_version);
    return in;
}

}  // namespace fieldserver
