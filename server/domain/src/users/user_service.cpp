// User administration: admins manage everyone; dispatchers may read users to assign work; others see themselves.
#include "fieldserver/domain/users/user_service.hpp"

#include <algorithm>

#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldserver/util/password_strength.hpp"
#include "fieldserver/util/time_zone.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fieldsync::Message;

namespace {

const char* kColumns =
    "id, username, name, role, phone, email, customer_id, region, skills_json, home_lat, home_lng, time_zone, "
    "is_active, created_at, updated_at";

const std::vector<FieldSpec>& editable_fields() {
    static const std::vector<FieldSpec> specs = {
        {.name = "name", .type = FieldType::string, .max_length = 200},
        {.name = "password", .type = FieldType::string, .max_length = 200},
        {.name = "phone", .type = FieldType::string, .max_length = 50},
        {.name = "email", .type = FieldType::string, .max_length = 200},
        {.name = "region", .type = FieldType::string, .max_length = 200},
        {.name = "skills", .type = FieldType::object},
        {.name = "home_location", .type = FieldType::object},
        {.name = "time_zone", .type = FieldType::string, .max_length = 64},
        {.name = "is_active", .type = FieldType::boolean},
    };
    return specs;
}

// Moves home_location {lat, lng} out of the flat columns, for the API view.
Poco::JSON::Object::Ptr view(Poco::JSON::Object::Ptr row) {
    nest_location(*row, "home_lat", "home_lng", "home_location");
    if (!has_value(row, "skills")) row->set("skills", Poco::JSON::Object::Ptr(new Poco::JSON::Object));
    return row;
}

// At least 10 characters and hard to guess (zxcvbn), the user's own username and name counting as known words.
void check_password(const Poco::JSON::Object::Ptr& body, const std::string& username, const std::string& name) {
    if (!has_value(body, "password")) return;
    std::string password = text(body, "password");
    auto characters = std::count_if(password.begin(), password.end(), [](char c) { return (c & 0xC0) != 0x80; });
    if (characters < 10)
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"password.too_short", {{"min", "10"}}}, "password");
    if (password_entropy_bits(password, {username, name}) < kMinPasswordEntropyBits)
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"password.guessable", {}}, "password");
}

void check_skills(const Poco::JSON::Object::Ptr& body) {
    if (!has_value(body, "skills")) return;
    for (const auto& [category, level] : *body->getObject("skills")) {
        // Compared as a double: any JSON integer converts to one, while convert<int> throws past its range.
        if (!level.isInteger() || level.isBoolean() || level.convert<double>() < 1 || level.convert<double>() > 5)
            throw Error(ErrorCode::invalid_field, Message{"user.skill_level", {{"category", category}}}, "skills");
    }
}

void check_time_zone(const Poco::JSON::Object::Ptr& body) {
    if (has_value(body, "time_zone") && !is_time_zone(text(body, "time_zone")))
        throw Error(ErrorCode::invalid_field, Message{"field.time_zone", {{"field", "time_zone"}}}, "time_zone");
}

}  // namespace

Poco::JSON::Object::Ptr UserService::load(Db& db, const std::string& id) {
    auto row = db.query_one(std::string("SELECT ") + kColumns + " FROM users WHERE id = ?", {id});
    if (!row) throw Error(ErrorCode::not_found, Message{"user.not_found", {{"id", id}}});
    return view(row);
}

User UserService::find(Db& db, const std::string& id) {
    auto row = db.query_one(std::string("SELECT ") + kColumns + " FROM users WHERE id = ?", {id});
    if (!row) throw Error(ErrorCode::not_found, Message{"user.not_found", {{"id", id}}});
    return user_from_row(row);
}

Poco::JSON::Object::Ptr UserService::create(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    static const std::vector<FieldSpec> required = {
        {.name = "username", .type = FieldType::string, .max_length = 64},
        {.name = "password", .type = FieldType::string, .max_length = 200},
        {.name = "name", .type = FieldType::string, .max_length = 200},
        {.name = "role",
         .type = FieldType::string,
         .allowed = {"admin", "dispatcher", "technician", "customer", "agent", "supervisor"}},
    };
    // New users are active; is_active is for later changes.
    std::vector<FieldSpec> optional(editable_fields().begin(), editable_fields().end() - 1);
    optional.push_back({.name = "customer_id", .type = FieldType::string});
    fieldsync::validate_fields(required, optional, *body, "create a user");
    check_password(body, text(body, "username"), text(body, "name"));
    check_skills(body);
    check_time_zone(body);
    std::string username = text(body, "username");
    Role role = *parse_role(text(body, "role"));  // one of the allowed names, checked above
    for (char c : username)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
            throw Error(ErrorCode::invalid_field, Message{"user.username_chars", {}}, "username");
    if ((role == Role::customer) != has_value(body, "customer_id"))
        throw Error(ErrorCode::invalid_field, Message{"user.customer_id_role", {}}, "customer_id");
    auto [lat, lng] = location_values(body, "home_location");
    std::string hash = hash_password(text(body, "password"), iterations_);
    std::string id = fieldsync::uuid_v7(), now = fieldsync::format_utc(fieldsync::now_ms());
    return db_.write([&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM users WHERE username = ?", {username}) > 0)
            throw Error(ErrorCode::conflict, fieldsync::Message{"conflict.username_taken", {{"username", username}}},
                        "username");
        if (role == Role::customer &&
            db.scalar("SELECT COUNT(*) FROM customers WHERE id = ?", {text(body, "customer_id")}) == 0)
            throw Error(ErrorCode::invalid_field, Message{"customer.not_found", {{"id", text(body, "customer_id")}}},
                        "customer_id");
        db.execute(
            "INSERT INTO users (id, username, name, role, password_hash, phone, email, customer_id, region, "
            "skills_json, home_lat, home_lng, time_zone, is_active, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            {id, username, text(body, "name"), to_string(role), hash, optional_text(body, "phone"),
             optional_text(body, "email"), optional_text(body, "customer_id"), optional_text(body, "region"),
             has_value(body, "skills") ? Value(to_json(body->get("skills"))) : Value(std::monostate{}), lat, lng,
             optional_text(body, "time_zone"), now, now});
        return load(db, id);
    });
}

Poco::JSON::Object::Ptr UserService::list(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher});
    allow_filters(query, {"role", "q", "region"});
    std::string where = "1 = 1";
    Params params;
    if (auto role = filter(query, "role"); !role.empty()) {
        if (auto parsed = parse_role(role); !parsed || *parsed == Role::system)
            throw Error(
                ErrorCode::invalid_field,
                Message{"field.one_of",
                        {{"field", "role"}, {"values", "admin, dispatcher, technician, customer, agent, supervisor"}}},
                "role");
        where += " AND role = ?";
        params.emplace_back(role);
    }
    if (auto region = filter(query, "region"); !region.empty()) {
        where += " AND region = ?";
        params.emplace_back(region);
    }
    if (auto q = filter(query, "q"); !q.empty()) {
        where += " AND " + text_search(db_.dialect(), {"name", "username", "phone"}, q, params);
    }
    return db_.read([&](Db& db) {
        auto out = paged(db, kColumns, "users", where, params, "name, id", page_of(query));
        for (const auto& item : *out->getArray("items")) view(item.extract<Poco::JSON::Object::Ptr>());
        return out;
    });
}

Poco::JSON::Object::Ptr UserService::get(const Actor& actor, const std::string& id) {
    if (actor.id != id) require_role(actor, {Role::admin, Role::dispatcher});
    return db_.read([&](Db& db) { return load(db, id); });
}

// A new password or a deactivation ends every session and revokes every device for good: a stolen password's
// tokens do not survive the reset, and reactivating the user does not bring old devices back.
void UserService::end_credentials(Db& db, const Actor& actor, const std::string& id, const std::string& now) {
    db.execute("DELETE FROM auth_tokens WHERE user_id = ?", {id});
    db.execute("UPDATE sync_devices SET revoked_at = ?, revoked_by = ? WHERE user_id = ? AND revoked_at IS NULL",
               {now, text_or_null(actor.id), id});
}

Poco::JSON::Object::Ptr UserService::update(const Actor& actor, const std::string& id,
                                            const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    fieldsync::validate_fields({}, editable_fields(), *body, "update a user");
    for (const char* key : {"name", "password", "is_active"})
        if (body->has(key) && !has_value(body, key))
            throw Error(ErrorCode::invalid_field, Message{"field.cannot_clear", {{"field", key}}}, key);
    if (has_value(body, "password")) {
        User current = db_.read([&](Db& db) { return find(db, id); });
        check_password(body, current.username, has_value(body, "name") ? text(body, "name") : current.name);
    }
    check_skills(body);
    check_time_zone(body);
    return db_.write([&](Db& db) {
        User user = find(db, id);
        std::string now = fieldsync::format_utc(fieldsync::now_ms());
        for (const char* key : {"name", "phone", "email", "region", "time_zone"})
            if (body->has(key))
                db.execute(std::string("UPDATE users SET ") + key + " = ?, updated_at = ? WHERE id = ?",
                           {optional_text(body, key), now, id});
        if (body->has("skills"))
            db.execute(
                "UPDATE users SET skills_json = ?, updated_at = ? WHERE id = ?",
                {has_value(body, "skills") ? Value(to_json(body->get("skills"))) : Value(std::monostate{}), now, id});
        if (body->has("home_location")) {
            auto [lat, lng] = location_values(body, "home_location");
            db.execute("UPDATE users SET home_lat = ?, home_lng = ?, updated_at = ? WHERE id = ?", {lat, lng, now, id});
        }
        if (has_value(body, "password")) {
            db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                       {hash_password(text(body, "password"), iterations_), now, id});
            end_credentials(db, actor, id, now);
        }
        if (has_value(body, "is_active")) {
            bool active = body->getValue<bool>("is_active");
            if (!active && user.id == actor.id)
                throw Error(ErrorCode::invalid_field, Message{"user.deactivate_self", {}}, "is_active");
            db.execute("UPDATE users SET is_active = ?, updated_at = ? WHERE id = ?", {active, now, id});
            if (!active) end_credentials(db, actor, id, now);
        }
        return load(db, id);
    });
}

Poco::JSON::Object::Ptr UserService::change_role(const Actor& actor, const std::string& id,
                                                 const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    fieldsync::validate_fields({{.name = "role",
                                 .type = FieldType::string,
                                 .allowed = {"admin", "dispatcher", "technician", "agent", "supervisor"}}},
                               {{.name = "reason", .type = FieldType::string, .max_length = 2000}}, *body,
                               "change a role");
    std::string role = text(body, "role");
    return db_.write([&](Db& db) {
        User user = find(db, id);
        std::string old_role = to_string(user.role);
        if (user.role == Role::customer)
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"user.customer_role", {}}, "role");
        if (old_role == role) throw Error(ErrorCode::conflict, fieldsync::Message{"user.role_unchanged", {}}, "role");
        if (user.role == Role::admin && user.is_active &&
            db.scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND is_active = 1") <= 1)
            throw Error(ErrorCode::conflict, fieldsync::Message{"conflict.last_admin", {}}, "role");
        std::string now = fieldsync::format_utc(fieldsync::now_ms());
        db.execute("UPDATE users SET role = ?, updated_at = ? WHERE id = ?", {role, now, id});
        db.execute(
            "INSERT INTO user_role_changes (id, user_id, old_role, new_role, changed_by, reason, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {fieldsync::uuid_v7(), id, old_role, role, actor.id, optional_text(body, "reason"),
             text_or_null(actor.source), now});
        // Tokens carry the role they were issued with: the user signs in again under the new one.
        end_credentials(db, actor, id, now);
        return load(db, id);
    });
}

Poco::JSON::Object::Ptr UserService::role_changes(const Actor& actor, const std::string& id) {
    require_role(actor, {Role::admin});
    return db_.read([&](Db& db) {
        find(db, id);
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("items", db.query("SELECT r.id, r.user_id, r.old_role, r.new_role, r.changed_by, u.name AS "
                                   "changed_by_name, r.reason, r.source, r.created_at FROM user_role_changes r LEFT "
                                   "JOIN users u ON u.id = r.changed_by WHERE r.user_id = ? ORDER BY r.created_at "
                                   "DESC, r.id DESC",
                                   {id}));
        return out;
    });
}

bool UserService::ensure_admin(const std::string& password) {
    return db_.write([&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND is_active = 1") > 0) return false;
        if (db.scalar("SELECT COUNT(*) FROM users WHERE username = 'admin'") > 0)
            throw std::runtime_error("user 'admin' exists but is not an active admin; fix it in the database");
        std::string now = fieldsync::format_utc(fieldsync::now_ms());
        db.execute(
            "INSERT INTO users (id, username, name, role, password_hash, is_active, created_at, updated_at) "
            "VALUES (?, 'admin', 'Administrator', 'admin', ?, 1, ?, ?)",
            {fieldsync::uuid_v7(), hash_password(password, iterations_), now, now});
        return true;
    });
}

}  // namespace fieldserver
