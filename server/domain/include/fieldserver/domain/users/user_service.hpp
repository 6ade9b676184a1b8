// Users and their roles; technicians' skills, region and home location.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/domain/users/user.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class UserService {
  public:
    UserService(Database& db, int pbkdf2_iterations) : db_(db), iterations_(pbkdf2_iterations) {}

    Poco::JSON::Object::Ptr create(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get(const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr update(const Actor& actor, const std::string& id, const Poco::JSON::Object::Ptr& body);
    // Gives a staff user another staff role (admins only): recorded in user_role_changes with the actor and the
    // reason; the user's sessions end and devices are revoked, as a deactivation does; the last active admin keeps
    // the role. Customers' accounts belong to a customer and keep their role.
    Poco::JSON::Object::Ptr change_role(const Actor& actor, const std::string& id, const Poco::JSON::Object::Ptr& body);
    // The role changes of one user, newest first (admins only).
    Poco::JSON::Object::Ptr role_changes(const Actor& actor, const std::string& id);
    // Creates user 'admin' with password when no active admin exists; true if it did.
    bool ensure_admin(const std::string& password);

    // The public view of one user (no password hash), or throws Error(not_found).
    static Poco::JSON::Object::Ptr load(Db& db, const std::string& id);
    // The user of id, or throws Error(not_found).
    static User find(Db& db, const std::string& id);

  private:
    static void end_credentials(Db& db, const Actor& actor, const std::string& id, const std::string& now);
    Database& db_;
    int iterations_;
};

}  // namespace fieldserver
