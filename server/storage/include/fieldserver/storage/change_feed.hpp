// Committed change-log entries announced inside the process (live sync), and on PostgreSQL across instances:
// an entry is published only after the transaction that wrote it committed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fieldserver {

// A bucket's change log reached seq.
struct ChangeNotice {
    std::string bucket;
    std::int64_t seq = 0;
};

class ChangeFeed {
  public:
    using Listener = std::function<void(const ChangeNotice&)>;
    // Listener is called on the committing thread (or the PostgreSQL listener's), so it must be quick.
    std::uint64_t listen(Listener listener);
    void unlisten(std::uint64_t id);
    void publish(const ChangeNotice& notice);

  private:
    std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::vector<std::pair<std::uint64_t, std::shared_ptr<const Listener>>> listeners_;
};

// The process's feed: the change log publishes to it, live sync listens.
ChangeFeed& change_feed();

}  // namespace fieldserver
