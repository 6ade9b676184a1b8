// The one mapping from a users row to the typed User.
#include "fieldserver/domain/users/user.hpp"

#include <stdexcept>

#include "fieldserver/util/json.hpp"

namespace fieldserver {
namespace {

std::optional<std::string> optional_column(const Poco::JSON::Object::Ptr& row, const std::string& key) {
    if (!has_value(row, key)) return std::nullopt;
    return text(row, key);
}

Role stored_role(const Poco::JSON::Object::Ptr& row) {
    if (auto role = parse_role(text(row, "role"))) return *role;
    throw std::runtime_error("users row " + text(row, "id") + " has no known role: " + text(row, "role"));
}

}  // namespace

Actor User::actor(const std::string& source) const {
    return Actor{.id = id, .role = role, .name = name, .customer_id = customer_id, .source = source};
}

User user_from_row(const Poco::JSON::Object::Ptr& row) {
    User user;
    user.id = text(row, "id");
    user.username = text(row, "username");
    user.name = text(row, "name");
    user.role = stored_role(row);
    user.customer_id = text(row, "customer_id");
    user.phone = optional_column(row, "phone");
    user.email = optional_column(row, "email");
    user.region = optional_column(row, "region");
    user.time_zone = optional_column(row, "time_zone");
    user.is_active = has_value(row, "is_active") && row->get("is_active").convert<bool>();
    user.created_at = text(row, "created_at");
    user.updated_at = text(row, "updated_at");
    return user;
}

}  // namespace fieldserver
