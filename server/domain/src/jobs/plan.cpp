// The one mapping from a plans row to the typed Plan.
#include "fieldserver/domain/jobs/plan.hpp"

#include "fieldserver/util/json.hpp"

namespace fieldserver {
namespace {

std::optional<std::string> optional_column(const Poco::JSON::Object::Ptr& row, const std::string& key) {
    if (!has_value(row, key)) return std::nullopt;
    return text(row, key);
}

bool flag(const Poco::JSON::Object::Ptr& row, const std::string& key) {
    return has_value(row, key) && row->get(key).convert<bool>();
}

}  // namespace

const char* plan_columns() {
    return "version, findings, fault_category, is_warranty_covered, is_customer_caused, mode, items_json, "
           "total_cents, cost_to_customer_cents, currency, status, created_by, created_at, decided_by, decided_at, "
           "counter_offer_json";
}

Plan plan_from_row(const Poco::JSON::Object::Ptr& row) {
    Plan plan;
    plan.version = integer(row, "version");
    plan.findings = text(row, "findings");
    plan.fault_category = optional_column(row, "fault_category");
    plan.is_warranty_covered = flag(row, "is_warranty_covered");
    plan.is_customer_caused = flag(row, "is_customer_caused");
    plan.mode = text(row, "mode");
    plan.items = has_value(row, "items") ? row->getArray("items") : Poco::JSON::Array::Ptr(new Poco::JSON::Array);
    plan.total_cents = integer(row, "total_cents");
    plan.cost_to_customer_cents = integer(row, "cost_to_customer_cents");
    plan.currency = text(row, "currency");
    plan.status = text(row, "status");
    plan.created_by = text(row, "created_by");
    plan.created_at = text(row, "created_at");
    plan.decided_by = optional_column(row, "decided_by");
    plan.decided_at = optional_column(row, "decided_at");
    return plan;
}

Poco::JSON::Object::Ptr plan_row(Db& db, const std::string& job_id, std::int64_t version) {
    return db.query_one(std::string("SELECT ") + plan_columns() + " FROM plans WHERE job_id = ? AND version = ?",
                        {job_id, version});
}

}  // namespace fieldserver
