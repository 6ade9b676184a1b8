// Limits on attempts (failed logins, portal reports, failed portal lookups) counted in the database, so every
// instance behind a load balancer sees the same counts and a restart forgets nothing.
#pragma once

#include <string>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Attempts per subject (a username, a client address, a ticket) of one kind (bucket) over a sliding window.
class RateLimit {
  public:
    RateLimit(Database& db, std::string bucket, int max_attempts, int window_seconds)
        : db_(db), bucket_(std::move(bucket)), max_(max_attempts), window_ms_(window_seconds * 1000LL) {}

    // Attempts by subject within the window.
    int count(const std::string& subject);
    // Seconds until subject is under the limit again, or 0 when it is under it now.
    int retry_after(const std::string& subject);
    // Seconds subject must wait before its next attempt: once it has max attempts in the window, each next one
    // waits 2, 4, 8 … seconds (at most the window) after the last; 0 when it need not wait.
    int growing_delay(const std::string& subject);
    void hit(const std::string& subject);
    // Forgets subject's attempts (a success that ends a run of failures).
    void clear(const std::string& subject);

  private:
    Database& db_;
    std::string bucket_;
    int max_;
    std::int64_t window_ms_;
};

}  // namespace fieldserver
