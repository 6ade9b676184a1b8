// Live sync: GET /api/v1/sync/live keeps a server-sent event stream open to a device and tells it, right after each
// commit, that its buckets changed, so it pulls then instead of polling (docs/sync-protocol.md, "Live changes").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/http/router.hpp"
#include "fieldserver/storage/change_feed.hpp"
#include "fieldserver/sync/sync_service.hpp"

namespace fieldserver {

struct LiveSettings {
    int heartbeat_seconds = 25;  // sent by the front end on a quiet stream; announced to clients in the hello event
};

class LiveHub {
  public:
    LiveHub(SyncService& sync, LiveSettings settings);
    ~LiveHub();
    LiveHub(const LiveHub&) = delete;
    LiveHub& operator=(const LiveHub&) = delete;

    // The stream for the device of actor: subscribed to its buckets first, then opened with the hello event naming
    // the newest seq of its buckets, so no change between the two is lost.
    HttpResponse open(const Actor& actor);
    // Streams open now.
    std::size_t listeners() const;

  private:
    class Stream;
    void deliver(const ChangeNotice& notice);
    void forget(const std::shared_ptr<Stream>& stream);

    SyncService& sync_;
    LiveSettings settings_;
    mutable std::mutex mutex_;
    std::map<std::string, std::set<std::shared_ptr<Stream>>> by_bucket_;
    std::uint64_t feed_id_ = 0;
};

// Registers GET /api/v1/sync/live (routes_live.cpp).
void add_live_routes(Router& r, LiveHub& hub);

}  // namespace fieldserver
