// Parts and fault categories: validated office writes, each recorded in the change log's catalog bucket.
#include "fieldserver/domain/catalog/catalog_service.hpp"

#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldType;
using fieldsync::Message;

namespace {

const char* kPartColumns = "id, sku, name, unit, unit_price_cents, currency, is_active, created_at";
const char* kCategoryColumns = "id, code, name, parent_id, is_active, created_at";

std::string required_text(const Poco::JSON::Object::Ptr& body, const char* key) {
    std::string value = text(body, key);
    if (value.find_first_not_of(" \t") == std::string::npos)
        throw Error(ErrorCode::invalid_field, Message{"field.blank", {{"field", key}}}, key);
    return value;
}

Poco::JSON::Object::Ptr part_view(Poco::JSON::Object::Ptr part) {
    part->set("unit_price", integer(part, "unit_price_cents") / 100.0);
    return part;
}

// The active filter: "true", "false" or absent.
void active_filter(const Query& query, std::string& where, Params& params) {
    auto active = filter(query, "active");
    if (active.empty()) return;
    if (active != "true" && active != "false")
        throw Error(ErrorCode::invalid_field, Message{"field.type.boolean", {{"field", "active"}}}, "active");
    where += " AND is_active = ?";
    params.emplace_back(active == "true");
}

}  // namespace

Poco::JSON::Object::Ptr CatalogService::create_part(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher});
    static const std::vector<fieldsync::FieldSpec> required = {
        {.name = "sku", .type = FieldType::string, .max_length = 64},
        {.name = "name", .type = FieldType::string, .max_length = 200},
        {.name = "unit_price", .type = FieldType::number, .min = 0, .max = 10'000'000},
    };
    static const std::vector<fieldsync::FieldSpec> optional = {
        {.name = "unit", .type = FieldType::string, .max_length = 20},
        {.name = "currency", .type = FieldType::string, .max_length = 3},
        {.name = "is_active", .type = FieldType::boolean},
    };
    fieldsync::validate_fields(required, optional, *body, "create a part");
    std::string sku = required_text(body, "sku"), name = required_text(body, "name");
    std::string id = fieldsync::uuid_v7();
    auto cents = fieldsync::to_cents(number(body, "unit_price"));
    bool active = has_value(body, "is_active") ? body->getValue<bool>("is_active") : true;
    return db_.write([&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM parts WHERE sku = ?", {sku}) > 0)
            throw Error(ErrorCode::conflict, Message{"catalog.sku_taken", {{"sku", sku}}}, "sku");
        db.execute(
            "INSERT INTO parts (id, sku, name, unit, unit_price_cents, currency, is_active, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {id, sku, name, text(body, "unit", "个"), cents, text(body, "currency", "CNY"), active,
             fieldsync::format_utc(fieldsync::now_ms())});
        record_change(db, "parts", id);
        return part_view(db.query_one(std::string("SELECT ") + kPartColumns + " FROM parts WHERE id = ?", {id}));
    });
}

Poco::JSON::Object::Ptr CatalogService::list_parts(const Actor&, const Query& query) {
    allow_filters(query, {"q", "active"});
    std::string where = "1 = 1";
    Params params;
    active_filter(query, where, params);
    if (auto q = filter(query, "q"); !q.empty())
        where += " AND " + text_search(db_.dialect(), {"sku", "name"}, q, params);
    return db_.read([&](Db& db) {
        auto out = paged(db, kPartColumns, "parts", where, params, "sku, id", page_of(query));
        for (const auto& item : *out->getArray("items")) part_view(item.extract<Poco::JSON::Object::Ptr>());
        return out;
    });
}

Poco::JSON::Object::Ptr CatalogService::create_fault_category(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher});
    static const std::vector<fieldsync::FieldSpec> required = {
        {.name = "code", .type = FieldType::string, .max_length = 64},
        {.name = "name", .type = FieldType::string, .max_length = 200},
    };
    static const std::vector<fieldsync::FieldSpec> optional = {
        {.name = "parent_id", .type = FieldType::string, .max_length = 64},
        {.name = "is_active", .type = FieldType::boolean},
    };
    fieldsync::validate_fields(required, optional, *body, "create a fault category");
    std::string code = required_text(body, "code"), name = required_text(body, "name");
    std::string id = fieldsync::uuid_v7();
    bool active = has_value(body, "is_active") ? body->getValue<bool>("is_active") : true;
    return db_.write([&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM fault_categories WHERE code = ?", {code}) > 0)
            throw Error(ErrorCode::conflict, Message{"catalog.code_taken", {{"code", code}}}, "code");
        if (has_value(body, "parent_id") &&
            db.scalar("SELECT COUNT(*) FROM fault_categories WHERE id = ?", {text(body, "parent_id")}) == 0)
            throw Error(ErrorCode::invalid_field, Message{"catalog.no_parent", {{"id", text(body, "parent_id")}}},
                        "parent_id");
        db.execute(
            "INSERT INTO fault_categories (id, code, name, parent_id, is_active, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            {id, code, name, text_or_null(text(body, "parent_id")), active,
             fieldsync::format_utc(fieldsync::now_ms())});
        record_change(db, "fault_categories", id);
        return db.query_one(std::string("SELECT ") + kCategoryColumns + " FROM fault_categories WHERE id = ?", {id});
    });
}

Poco::JSON::Object::Ptr CatalogService::list_fault_categories(const Actor&, const Query& query) {
    allow_filters(query, {"q", "active", "parent_id"});
    std::string where = "1 = 1";
    Params params;
    active_filter(query, where, params);
    if (auto parent = filter(query, "parent_id"); !parent.empty()) {
        where += " AND parent_id = ?";
        params.emplace_back(parent);
    }
    if (auto q = filter(query, "q"); !q.empty())
        where += " AND " + text_search(db_.dialect(), {"code", "name"}, q, params);
    return db_.read([&](Db& db) {
        return paged(db, kCategoryColumns, "fault_categories", where, params, "code, id", page_of(query));
    });
}

}  // namespace fieldserver
