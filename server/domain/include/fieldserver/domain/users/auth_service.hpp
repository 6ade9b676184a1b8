// Logins, bearer tokens and the login rate limit.
#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Counts failed logins per key (username, client address) in a sliding window.
class LoginLimiter {
  public:
    LoginLimiter(int max_failures, int window_seconds) : max_(max_failures), window_(window_seconds) {}
    // Seconds until key may try again, or 0.
    int retry_after(const std::string& key);
    void failed(const std::string& key);
    void succeeded(const std::string& key);

  private:
    using Clock = std::chrono::steady_clock;
    void prune(std::vector<Clock::time_point>& times, Clock::time_point now) const;
    int max_;
    std::chrono::seconds window_;
    std::mutex mutex_;
    std::map<std::string, std::vector<Clock::time_point>> failures_;
};

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
    // Many users share one address behind a NAT (a shop's tablets), so an address may fail more often than a
    // username before it is paused.
    static constexpr int kAddressFactor = 10;
    Database& db_;
    std::int64_t ttl_;
    // Verified against when the username is unknown, so that costs what a wrong password does.
    std::string stand_in_hash_;
    LoginLimiter limiter_;
    LoginLimiter address_limiter_;
};

}  // namespace fieldserver
