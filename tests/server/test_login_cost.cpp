// Failed logins cost the same PBKDF2 work whether the username is unknown, inactive or has a wrong password, so
// timing cannot tell which usernames exist.
#include <Poco/JSON/Parser.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include "fieldserver/domain/users/auth_service.hpp"
#include "fieldserver/domain/users/user_service.hpp"
#include "fieldserver/storage/migrations.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldsync/error.hpp"

using namespace fieldserver;

namespace {

Poco::JSON::Object::Ptr json(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// The PBKDF2 iterations one failed login runs; fails the test if the login succeeds.
std::uint64_t failed_login_cost(AuthService& auth, const std::string& username, const std::string& password) {
    int retry_after = 0;
    auto before = pbkdf2_iterations_run();
    CHECK_THROWS_AS(auth.login(username, password, "203.0.113.7", retry_after), fieldsync::Error);
    return pbkdf2_iterations_run() - before;
}

}  // namespace

TEST_CASE("unknown, inactive and wrong-password logins run the same configured PBKDF2 work", "[server][auth]") {
    const int iterations = 4321;
    Poco::TemporaryFile dir;
    dir.createDirectories();
    Database db(dir.path() + "/auth.db");
    migrate(db);
    UserService users(db, iterations);
    AuthService auth(db, 3600, 1000, 60, iterations);
    Actor admin{.role = Role::admin, .name = "test admin", .source = "test"};
    users.create(admin,
                 json(R"({"username":"active","name":"A","role":"dispatcher","password":"orchard-lantern-123456"})"));
    auto gone = users.create(
        admin, json(R"({"username":"gone","name":"G","role":"dispatcher","password":"orchard-lantern-123456"})"));
    users.update(admin, gone->getValue<std::string>("id"), json(R"({"is_active":false})"));

    CHECK(failed_login_cost(auth, "active", "wrong-password") == iterations);
    CHECK(failed_login_cost(auth, "nobody-by-this-name", "wrong-password") == iterations);
    CHECK(failed_login_cost(auth, "gone", "orchard-lantern-123456") == iterations);
    int retry_after = 0;
    CHECK(auth.login("active", "orchard-lantern-123456", "203.0.113.7", retry_after)->has("token"));
}
