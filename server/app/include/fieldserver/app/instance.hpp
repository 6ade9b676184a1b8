// One instance among several on one database: its node id, its start-up under the database's start-up lock, and
// the lease that lets one instance at a time run the periodic round.
#pragma once

#include <Poco/Logger.h>

#include <cstdint>
#include <memory>
#include <string>

#include "fieldserver/app/config.hpp"
#include "fieldserver/http/services.hpp"

namespace fieldserver {

// The key of the database's start-up lock (a PostgreSQL advisory lock): "fieldrep".
inline constexpr std::int64_t kStartupLockKey = 0x6669656c64726570;

// The instance's node id, which stamps its edits and holds its leases: node.id when set, else the one kept in
// the data folder's node-id file (made up at the first start there).
std::string instance_node_id(const ServerConfig& cfg);

// The TLS certificate and key the instance serves: the configured pair, else the self-signed pair in the data
// folder (made by the first instance to start on it).
struct TlsFiles {
    std::string cert;
    std::string key;
};

// Everything that changes shared state at start, under the database's start-up lock so that any number of
// instances started together come up one after another: migrations, the admin, demo data, start-up backfills,
// a self-signed certificate. Then the server clock restored as node. Returns the composed services.
std::unique_ptr<Services> start_instance(Database& db, const ServerConfig& cfg, const std::string& node, TlsFiles& tls,
                                         Poco::Logger& log);

// Why a start failed, in words: the database's own message (Poco's class name alone says nothing) and a hint.
std::string start_failure(const std::exception& e);

// The lease on the periodic round (SLA checks and whatever else runs in it): hold() takes or renews it for this
// instance each round and says whether the round is this instance's to run. Given up on destruction.
class PeriodicLease {
  public:
    PeriodicLease(Database& db, std::string node, int interval_seconds, Poco::Logger& log);
    ~PeriodicLease();
    PeriodicLease(const PeriodicLease&) = delete;
    PeriodicLease& operator=(const PeriodicLease&) = delete;

    bool hold();

  private:
    Database& db_;
    std::string node_;
    std::int64_t ttl_ms_;
    Poco::Logger& log_;
    bool held_ = false;
};

}  // namespace fieldserver
