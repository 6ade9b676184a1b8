// Logins, bearer tokens and the login rate limit.
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/rate_limit.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class AuthService {
  public:
    // pbkdf2_iterations is the configured cost of new password hashes; a failed login costs the same.
    AuthService(Database& db, std::int64_t token_ttl_seconds, int max_failures, int window_seconds,
                int pbkdf2_iterations);

    // {token, expires_at, user}. Throws Error(bad_credentials) or Error(rate_limited) with the wait in the
    // message; retry_after is set to the seconds to wait when rate limited.
    Poco::JSON::Object::Ptr login(const std::string& username, const std::string& password, const std::string& source,
                                  int& retry_after);
    // The actor behind a bearer token, if it is known, unexpired and its user is active.
    std::optional<Actor> authenticate(const std::string& token, const std::string& source);
    // Ends the session, portal session or device (revoked) behind token.
    void logout(const std::string& token);

  private:
    // Many users share one address behind a NAT (a shop's tablets), so an address fails twice as often as a
    // username may before its pauses start.
    static constexpr int kAddressFactor = 2;
    // Seconds to wait before this login may be tried, or 0 (the lockout rules: auth_service.cpp).
    int wait_before(const std::string& username, const std::string& source);
    Database& db_;
    std::int64_t ttl_;
    // Verified against when the username is unknown, so that costs what a wrong password does.
    std::string stand_in_hash_;
    // Failed logins per username, per client address, and per username from one address.
    RateLimit user_failures_;
    RateLimit address_failures_;
    RateLimit pair_failures_;
};

}  // namespace fieldserver
