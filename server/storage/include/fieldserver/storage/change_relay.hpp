// Live sync across server instances on one PostgreSQL database: the change-log entries of a transaction are sent
// with one NOTIFY as it commits, a line each (PostgreSQL delivers it only when that commits), and one listening
// connection per instance publishes what the other instances committed into this process's change feed.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Inside the caller's transaction on PostgreSQL: tells the other instances that bucket reached seq once it commits.
// Nothing on SQLite (one instance per file).
void notify_other_instances(Db& db, const std::string& bucket, std::int64_t seq);

class ChangeRelay {
  public:
    // connection: the PostgreSQL connection string the server uses. Listens on a thread of its own, reconnecting
    // after a lost connection (changes committed meanwhile reach devices with their next hello or pull).
    explicit ChangeRelay(std::string connection);
    ~ChangeRelay();
    ChangeRelay(const ChangeRelay&) = delete;
    ChangeRelay& operator=(const ChangeRelay&) = delete;

  private:
    void run();
    bool listen_once();

    std::string connection_;
    std::atomic<bool> stop_{false};
    int wake_fd_ = -1;  // an eventfd the destructor writes, so a stop does not wait out the listening poll
    std::thread thread_;
};

}  // namespace fieldserver
