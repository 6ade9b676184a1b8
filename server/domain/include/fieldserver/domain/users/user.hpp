// A user account as the rules read it: the columns of a users row, mapped from the row in one place.
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

#include "fieldserver/domain/common/actor.hpp"

namespace fieldserver {

struct User {
    std::string id;
    std::string username;
    std::string name;
    Role role = Role::technician;
    std::string customer_id;  // set for, and only for, role customer
    std::optional<std::string> phone;
    std::optional<std::string> email;
    std::optional<std::string> region;
    std::optional<std::string> time_zone;  // IANA name; the server's zone when unset
    bool is_active = false;
    std::string created_at;
    std::string updated_at;

    // The actor this user is when signed in from source.
    Actor actor(const std::string& source) const;
};

// The user of a users row, or of a selection of its columns (an absent or null key reads as empty / false /
// nullopt). The schema allows only role names, so a row with another role is a damaged database:
// throws std::runtime_error.
User user_from_row(const Poco::JSON::Object::Ptr& row);

}  // namespace fieldserver
