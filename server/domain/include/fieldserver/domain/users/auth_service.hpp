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
    AuthService(Database& db, std::int64_t token_ttl_seconds, int max_failures, int window_seconds)
        : db_(db),
          ttl_(token_ttl_seconds),
          limiter_(max_failures, window_seconds),
          address_limiter_(max_failures * kAddressFactor, window_seconds) {}

    // {token, expires_at, user}. Throws Error(bad_credentials) or Error(rate_limited) with the wait in the
    // message; retry_after is set to the seconds to wait when rate limited.
    Poco::JSON::Object::Ptr login(const std::string& username, const std::string& password, const std::string& source,
                                  int& retry_after);
    // The actor behind a bearer token, if it is known, unexpired and its user is active.
    std::optional<Actor> authenticate(const std::string& token, const std::string& source);
    void logout(const std::string& token);

  private:
    // Many users share one address behind a NAT (a shop's tablets), so an address may fail more often than a
    // username before it is paused.
    static constexpr int kAddressFactor = 10;
    Database& db_;
    std::int64_t ttl_;
    LoginLimiter limiter_;
    LoginLimiter address_limiter_;
};

}  // namespace fieldserver
