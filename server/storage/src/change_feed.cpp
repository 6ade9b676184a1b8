// The process-wide change feed: a list of listeners copied out under the lock, so a listener may unlisten itself.
#include "fieldserver/storage/change_feed.hpp"

#include <algorithm>

namespace fieldserver {

std::uint64_t ChangeFeed::listen(Listener listener) {
    std::lock_guard lock(mutex_);
    listeners_.emplace_back(next_id_, std::make_shared<const Listener>(std::move(listener)));
    return next_id_++;
}

void ChangeFeed::unlisten(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

void ChangeFeed::publish(const ChangeNotice& notice) {
    std::vector<std::shared_ptr<const Listener>> listeners;
    {
        std::lock_guard lock(mutex_);
        for (const auto& entry : listeners_) listeners.push_back(entry.second);
    }
    for (const auto& listener : listeners) (*listener)(notice);
}

ChangeFeed& change_feed() {
    static ChangeFeed feed;
    return feed;
}

}  // namespace fieldserver
