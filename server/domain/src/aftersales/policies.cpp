// Versioned policy documents: each PUT stores a new version, the highest is in force, older ones stay for audit.
#include "fieldserver/domain/aftersales/policies.hpp"

#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::FieldSpec;
using fieldsync::FieldType;

namespace {

const char* kTimeLimits = "time-limits";
const char* kAfterSales = "after-sales";

// The stored document of the policy in force with its version, or nullptr when none was stored.
Poco::JSON::Object::Ptr stored(Db& db, const std::string& name) {
    auto row = db.query_one(
        "SELECT version, body_json, updated_by, updated_at FROM policies WHERE name = ? ORDER BY version DESC LIMIT 1",
        {name});
    if (!row) return nullptr;
    // The gateway parses *_json columns: the document is row["body"].
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object(*row->getObject("body"));
    out->set("version", integer(row, "version"));
    out->set("updated_by", row->get("updated_by"));
    out->set("updated_at", text(row, "updated_at"));
    return out;
}

Poco::JSON::Object::Ptr limits_json(const TimeLimits& t) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("case_response_hours", t.case_response_hours);
    o->set("plan_reminder_hours", t.plan_reminder_hours);
    o->set("plan_decision_hours", t.plan_decision_hours);
    o->set("plan_on_expiry", t.plan_on_expiry);
    o->set("hold_reminder_hours", t.hold_reminder_hours);
    return o;
}

Poco::JSON::Object::Ptr terms_json(const AfterSalesTerms& t) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("return_days", t.return_days);
    o->set("exchange_days", t.exchange_days);
    o->set("inspection_fee", static_cast<double>(t.inspection_fee_cents) / 100.0);
    o->set("product_warranty_days", t.product_warranty_days);
    o->set("currency", t.currency);
    return o;
}

// The document with its version fields (0 and null for the built-in defaults).
Poco::JSON::Object::Ptr with_version(Db& db, const std::string& name, Poco::JSON::Object::Ptr values) {
    auto row = stored(db, name);
    values->set("name", name);
    values->set("version", row ? row->get("version") : Poco::Dynamic::Var(0));
    values->set("updated_by", row ? row->get("updated_by") : Poco::Dynamic::Var());
    values->set("updated_at", row ? row->get("updated_at") : Poco::Dynamic::Var());
    return values;
}

Poco::JSON::Object::Ptr put(Database& database, const Actor& actor, const std::string& name,
                            const Poco::JSON::Object::Ptr& values) {
    return database.write([&](Db& db) {
        std::int64_t next = db.scalar("SELECT COALESCE(MAX(version), 0) FROM policies WHERE name = ?", {name}) + 1;
        db.execute("INSERT INTO policies (name, version, body_json, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)",
                   {name, next, to_json(values), text_or_null(actor.id.empty() ? actor.name : actor.id),
                    fieldsync::format_utc(fieldsync::now_ms())});
        return with_version(db, name, values);
    });
}

}  // namespace

TimeLimits load_time_limits(Db& db) {
    TimeLimits t;
    auto o = stored(db, kTimeLimits);
    if (!o) return t;
    t.case_response_hours = o->getValue<double>("case_response_hours");
    t.plan_reminder_hours = o->getValue<double>("plan_reminder_hours");
    t.plan_decision_hours = o->getValue<double>("plan_decision_hours");
    t.plan_on_expiry = text(o, "plan_on_expiry");
    t.hold_reminder_hours = o->getValue<double>("hold_reminder_hours");
    return t;
}

AfterSalesTerms load_after_sales_terms(Db& db) {
    AfterSalesTerms t;
    auto o = stored(db, kAfterSales);
    if (!o) return t;
    t.return_days = static_cast<int>(integer(o, "return_days"));
    t.exchange_days = static_cast<int>(integer(o, "exchange_days"));
    t.inspection_fee_cents = fieldsync::to_cents(o->getValue<double>("inspection_fee"));
    t.product_warranty_days = static_cast<int>(integer(o, "product_warranty_days"));
    t.currency = text(o, "currency");
    return t;
}

Poco::JSON::Object::Ptr PolicyService::time_limits(const Actor& actor) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    return db_.read([&](Db& db) { return with_version(db, kTimeLimits, limits_json(load_time_limits(db))); });
}

Poco::JSON::Object::Ptr PolicyService::after_sales_terms(const Actor& actor) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    return db_.read([&](Db& db) { return with_version(db, kAfterSales, terms_json(load_after_sales_terms(db))); });
}

Poco::JSON::Object::Ptr PolicyService::put_time_limits(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    static const std::vector<FieldSpec> required = {
        {.name = "case_response_hours", .type = FieldType::number, .min = 0, .max = 8760},
        {.name = "plan_reminder_hours", .type = FieldType::number, .min = 0, .max = 8760},
        {.name = "plan_decision_hours", .type = FieldType::number, .min = 0, .max = 8760},
        {.name = "plan_on_expiry", .type = FieldType::string, .allowed = {"decline", "keep_waiting"}},
        {.name = "hold_reminder_hours", .type = FieldType::number, .min = 0, .max = 8760},
    };
    fieldsync::validate_fields(required, {}, *body, "set the time limits");
    if (body->getValue<double>("plan_reminder_hours") > body->getValue<double>("plan_decision_hours"))
        throw fieldsync::Error(fieldsync::ErrorCode::invalid_field, fieldsync::Message{"policies.plan_reminder", {}},
                               "plan_reminder_hours");
    TimeLimits t{.case_response_hours = body->getValue<double>("case_response_hours"),
                 .plan_reminder_hours = body->getValue<double>("plan_reminder_hours"),
                 .plan_decision_hours = body->getValue<double>("plan_decision_hours"),
                 .plan_on_expiry = text(body, "plan_on_expiry"),
                 .hold_reminder_hours = body->getValue<double>("hold_reminder_hours")};
    return put(db_, actor, kTimeLimits, limits_json(t));
}

Poco::JSON::Object::Ptr PolicyService::put_after_sales_terms(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    static const std::vector<FieldSpec> required = {
        {.name = "return_days", .type = FieldType::integer, .min = 0, .max = 365},
        {.name = "exchange_days", .type = FieldType::integer, .min = 0, .max = 365},
        {.name = "inspection_fee", .type = FieldType::number, .min = 0, .max = 100000},
        {.name = "product_warranty_days", .type = FieldType::integer, .min = 0, .max = 3650},
    };
    static const std::vector<FieldSpec> optional = {{.name = "currency", .type = FieldType::string, .max_length = 3}};
    fieldsync::validate_fields(required, optional, *body, "set the after-sales terms");
    AfterSalesTerms t{.return_days = static_cast<int>(integer(body, "return_days")),
                      .exchange_days = static_cast<int>(integer(body, "exchange_days")),
                      .inspection_fee_cents = fieldsync::to_cents(body->getValue<double>("inspection_fee")),
                      .product_warranty_days = static_cast<int>(integer(body, "product_warranty_days")),
                      .currency = text(body, "currency", "CNY")};
    return put(db_, actor, kAfterSales, terms_json(t));
}

}  // namespace fieldserver
