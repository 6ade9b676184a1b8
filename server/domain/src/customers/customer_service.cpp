// Customer and asset records: validation, visibility by role, versioned updates.
#include "fieldserver/domain/customers/customer_service.hpp"

#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/customers/customer.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/entity_fields.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Writer;

namespace {

const char* kCustomerColumns = "id, name, phone, email, address, lat, lng, notes, created_at, updated_at, version";
const char* kAssetColumns =
    "a.id, a.customer_id, a.model, a.serial_no, a.purchase_date, a.warranty_until, a.created_at, a.updated_at, "
    "a.version";

Poco::JSON::Object::Ptr customer_view(Poco::JSON::Object::Ptr row) {
    nest_location(*row, "lat", "lng", "location");
    return row;
}

// The dates themselves are checked by the field table.
void check_serial_free(Db& db, const Asset& asset) {
    if (db.scalar("SELECT COUNT(*) FROM assets WHERE serial_no = ? AND id <> ?", {asset.serial_no, asset.id}) > 0)
        throw Error(ErrorCode::conflict, fieldsync::Message{"conflict.serial_taken", {{"serial", asset.serial_no}}},
                    "serial_no");
}

void check_date_order(const Asset& asset) {
    if (asset.purchase_date && asset.warranty_until && *asset.warranty_until < *asset.purchase_date)
        throw Error(ErrorCode::invalid_field,
                    fieldsync::Message{"field.window_order", {{"field", "warranty_until"}, {"other", "purchase_date"}}},
                    "warranty_until");
}

}  // namespace

Poco::JSON::Object::Ptr CustomerService::load_customer(Db& db, const std::string& id) {
    auto row = db.query_one(std::string("SELECT ") + kCustomerColumns + " FROM customers WHERE id = ?", {id});
    if (!row) throw Error(ErrorCode::not_found, fieldsync::Message{"customer.not_found", {{"id", id}}});
    return customer_view(row);
}

Poco::JSON::Object::Ptr CustomerService::load_asset(Db& db, const std::string& id) {
    auto row = db.query_one(std::string("SELECT ") + kAssetColumns + " FROM assets a WHERE a.id = ?", {id});
    if (!row) throw Error(ErrorCode::not_found, fieldsync::Message{"asset.not_found", {{"id", id}}});
    return row;
}

std::string CustomerService::customer_scope(const Actor& actor, const std::string& customer_id_column, Params& params) {
    if (actor.role == Role::customer) {
        params.emplace_back(actor.customer_id);
        return " AND " + customer_id_column + " = ?";
    }
    if (actor.role == Role::technician) {
        params.emplace_back(actor.id);
        return " AND " + customer_id_column + " IN (SELECT customer_id FROM jobs WHERE assignee_id = ?)";
    }
    return "";
}

bool CustomerService::technician_serves(Db& db, const std::string& technician_id, const std::string& customer_id) {
    return db.scalar("SELECT COUNT(*) FROM jobs WHERE customer_id = ? AND assignee_id = ?",
                     {customer_id, technician_id}) > 0;
}

void CustomerService::check_visible(Db& db, const Actor& actor, const std::string& customer_id) {
    bool visible = actor.is_staff() || (actor.role == Role::customer && actor.customer_id == customer_id) ||
                   (actor.role == Role::technician && technician_serves(db, actor.id, customer_id));
    if (!visible) throw Error(ErrorCode::not_found, fieldsync::Message{"customer.not_found", {{"id", customer_id}}});
}

Poco::JSON::Object::Ptr CustomerService::create_customer(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    fieldsync::validate_insert(fieldsync::entity_fields("customers"), Writer::api, *body, "create a customer");
    auto [lat, lng] = location_values(body, "location");
    std::string id = fieldsync::uuid_v7(), now = fieldsync::format_utc(fieldsync::now_ms());
    return db_.write([&](Db& db) {
        db.execute(
            "INSERT INTO customers (id, name, phone, email, address, lat, lng, notes, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            {id, text(body, "name"), text(body, "phone"), optional_text(body, "email"), optional_text(body, "address"),
             lat, lng, optional_text(body, "notes"), now, now});
        record_change(db, "customers", id);
        return load_customer(db, id);
    });
}

Poco::JSON::Object::Ptr CustomerService::list_customers(const Actor& actor, const Query& query) {
    allow_filters(query, {"q", "phone"});
    Params params;
    std::string where = "1 = 1" + customer_scope(actor, "id", params);
    if (auto phone = filter(query, "phone"); !phone.empty()) {
        where += " AND phone = ?";
        params.emplace_back(phone);
    }
    if (auto q = filter(query, "q"); !q.empty()) {
        where += " AND (" + text_search(db_.dialect(), {"name", "phone", "address", "email"}, q, params) +
                 " OR id IN (SELECT customer_id FROM assets WHERE " +
                 text_search(db_.dialect(), {"serial_no"}, q, params) + "))";
    }
    return db_.read([&](Db& db) {
        auto out = paged(db, kCustomerColumns, "customers", where, params, "name, id", page_of(query));
        for (const auto& item : *out->getArray("items")) customer_view(item.extract<Poco::JSON::Object::Ptr>());
        return out;
    });
}

Poco::JSON::Object::Ptr CustomerService::get_customer(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) {
        auto customer = load_customer(db, id);
        check_visible(db, actor, id);
        return customer;
    });
}

Poco::JSON::Object::Ptr CustomerService::update_customer(const Actor& actor, const std::string& id,
                                                         const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::customer, Role::agent, Role::supervisor});
    fieldsync::validate_update(fieldsync::entity_fields("customers"), Writer::api, *body, "update a customer");
    auto [lat, lng] = location_values(body, "location");
    return db_.write([&](Db& db) {
        load_customer(db, id);
        check_visible(db, actor, id);
        std::string now = fieldsync::format_utc(fieldsync::now_ms());
        for (const char* key : {"name", "phone", "email", "address", "notes"})
            if (body->has(key))
                db.execute(std::string("UPDATE customers SET ") + key + " = ? WHERE id = ?",
                           {optional_text(body, key), id});
        if (body->has("location")) db.execute("UPDATE customers SET lat = ?, lng = ? WHERE id = ?", {lat, lng, id});
        db.execute("UPDATE customers SET updated_at = ?, version = version + 1 WHERE id = ?", {now, id});
        record_change(db, "customers", id);
        return load_customer(db, id);
    });
}

Poco::JSON::Object::Ptr CustomerService::create_asset(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor,
                 {Role::admin, Role::dispatcher, Role::technician, Role::customer, Role::agent, Role::supervisor});
    fieldsync::validate_insert(fieldsync::entity_fields("assets"), Writer::api, *body, "create an asset");
    std::string id = fieldsync::uuid_v7(), now = fieldsync::format_utc(fieldsync::now_ms());
    Asset asset = asset_from_row(body);
    asset.id = id;
    check_date_order(asset);
    const std::string& customer_id = asset.customer_id;
    return db_.write([&](Db& db) {
        try {
            load_customer(db, customer_id);
            check_visible(db, actor, customer_id);
        } catch (const Error&) {
            // Missing and not visible read alike, so customer ids cannot be probed.
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"customer.not_found", {{"id", customer_id}}},
                        "customer_id");
        }
        check_serial_free(db, asset);
        db.execute(
            "INSERT INTO assets (id, customer_id, model, serial_no, purchase_date, warranty_until, created_at, "
            "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
            {id, customer_id, text(body, "model"), text(body, "serial_no"), optional_text(body, "purchase_date"),
             optional_text(body, "warranty_until"), now, now});
        record_change(db, "assets", id);
        return load_asset(db, id);
    });
}

Poco::JSON::Object::Ptr CustomerService::list_assets(const Actor& actor, const Query& query) {
    allow_filters(query, {"q", "customer_id", "serial_no"});
    Params params;
    std::string where = "1 = 1" + customer_scope(actor, "a.customer_id", params);
    for (const char* key : {"customer_id", "serial_no"})
        if (auto v = filter(query, key); !v.empty()) {
            where += std::string(" AND a.") + key + " = ?";
            params.emplace_back(v);
        }
    if (auto q = filter(query, "q"); !q.empty()) {
        where += " AND " + text_search(db_.dialect(), {"a.model", "a.serial_no"}, q, params);
    }
    return db_.read(
        [&](Db& db) { return paged(db, kAssetColumns, "assets a", where, params, "a.model, a.id", page_of(query)); });
}

Poco::JSON::Object::Ptr CustomerService::get_asset(const Actor& actor, const std::string& id) {
    return db_.read([&](Db& db) {
        auto asset = load_asset(db, id);
        try {
            check_visible(db, actor, asset_from_row(asset).customer_id);
        } catch (const Error&) {
            throw Error(ErrorCode::not_found, fieldsync::Message{"asset.not_found", {{"id", id}}});
        }
        return asset;
    });
}

Poco::JSON::Object::Ptr CustomerService::update_asset(const Actor& actor, const std::string& id,
                                                      const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    fieldsync::validate_update(fieldsync::entity_fields("assets"), Writer::api, *body, "update an asset");
    return db_.write([&](Db& db) {
        auto current = load_asset(db, id);
        auto merged = Poco::JSON::Object::Ptr(new Poco::JSON::Object(*current));
        for (const auto& [k, v] : *body) merged->set(k, v);
        Asset asset = asset_from_row(merged);
        check_date_order(asset);
        if (has_value(body, "serial_no")) check_serial_free(db, asset);
        for (const char* key : {"model", "serial_no", "purchase_date", "warranty_until"})
            if (body->has(key))
                db.execute(std::string("UPDATE assets SET ") + key + " = ? WHERE id = ?",
                           {optional_text(body, key), id});
        db.execute("UPDATE assets SET updated_at = ?, version = version + 1 WHERE id = ?",
                   {fieldsync::format_utc(fieldsync::now_ms()), id});
        record_change(db, "assets", id);
        return load_asset(db, id);
    });
}

}  // namespace fieldserver
