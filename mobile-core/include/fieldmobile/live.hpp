// Live sync on the device: keeps GET /api/v1/sync/live open on its own thread and reports each change the server
// announces, so the app pulls when told instead of polling; reconnects with backoff and jitter when the link drops.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace fieldmobile {

struct LiveOptions {
    std::string base_url;              // "https://host:port"
    std::string ca_file;               // the pinned PEM certificate or CA; empty: the system's CAs
    std::string token;                 // the device token
    std::int64_t base_delay_ms = 500;  // first reconnect delay, doubled after each failed attempt (full jitter)
    std::int64_t max_delay_ms = 30'000;
    int connect_timeout_s = 10;
    // A stream that stays silent this long (no event, no heartbeat) is taken for dead and reconnected; 0: three
    // heartbeat intervals as the server's hello names them.
    int silence_timeout_s = 0;
};

// What the listener saw: the newest seq the server announced for the device's buckets (hello or change).
struct LiveEvent {
    std::string kind;  // "hello" or "change"
    std::int64_t seq = 0;
    std::string bucket;  // for a change
};

class LiveListener {
  public:
    // on_event runs on the listener's thread, for every event, in order; keep it short (wake the syncing thread).
    LiveListener(LiveOptions options, std::function<void(const LiveEvent&)> on_event);
    ~LiveListener();
    LiveListener(const LiveListener&) = delete;
    LiveListener& operator=(const LiveListener&) = delete;

    void start();
    // Ends the connection and joins the thread; safe to call twice.
    void stop();
    bool connected() const { return connected_; }
    // Connections opened so far (1 after the first; more after reconnects).
    std::uint64_t connections() const { return connections_; }

  private:
    class Connection;
    void run();
    void listen_once();
    void wait(std::int64_t ms);

    LiveOptions options_;
    std::function<void(const LiveEvent&)> on_event_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> connections_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::shared_ptr<Connection> current_;  // the open stream, for stop() to abort
    std::mt19937 random_{std::random_device{}()};
};

// The server's newest seq for the device and what it changed: the device pulls while its cursor is below it.
// Collects events from the listener thread for a syncing thread that waits on it.
class LiveChanges {
  public:
    void note(const LiveEvent& event);
    // Waits up to timeout_ms for an announced seq above cursor; returns it, or 0 when none came.
    std::int64_t wait_above(std::int64_t cursor, std::int64_t timeout_ms);
    std::int64_t latest() const;

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::int64_t latest_ = 0;
};

}  // namespace fieldmobile
