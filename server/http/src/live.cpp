// The live sync hub: each device's stream is filed under its buckets; a committed change-log entry becomes one
// "change" event on every stream of its bucket, pushed through the front end's sink without a request thread.
#include "fieldserver/http/live.hpp"

namespace fieldserver {

class LiveHub::Stream : public ResponseStream, public std::enable_shared_from_this<Stream> {
  public:
    Stream(LiveHub& hub, std::vector<std::string> buckets) : hub_(hub), buckets_(std::move(buckets)) {}

    const std::vector<std::string>& buckets() const { return buckets_; }

    void open(Sink sink) override {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        sink_ = std::move(sink);
        // Events of changes committed between the subscription and the answer going out.
        if (!pending_.empty()) sink_(std::exchange(pending_, {}));
    }

    void close() override {
        {
            std::lock_guard lock(mutex_);
            if (closed_) return;
            closed_ = true;
            sink_ = nullptr;
        }
        hub_.forget(shared_from_this());
    }

    std::string heartbeat() const override { return ": heartbeat\n\n"; }

    void send(std::string event) {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        if (sink_)
            sink_(std::move(event));
        else
            pending_ += event;
    }

  private:
    LiveHub& hub_;
    std::vector<std::string> buckets_;
    std::mutex mutex_;
    Sink sink_;
    std::string pending_;
    bool closed_ = false;
};

LiveHub::LiveHub(SyncService& sync, LiveSettings settings) : sync_(sync), settings_(settings) {
    feed_id_ = change_feed().listen([this](const ChangeNotice& notice) { deliver(notice); });
}

LiveHub::~LiveHub() { change_feed().unlisten(feed_id_); }

HttpResponse LiveHub::open(const Actor& actor) {
    auto start = sync_.live(actor);
    auto stream = std::make_shared<Stream>(*this, start.buckets);
    {
        std::lock_guard lock(mutex_);
        for (const auto& bucket : stream->buckets()) by_bucket_[bucket].insert(stream);
    }
    // Read after subscribing: a change committed meanwhile is in the seq or arrives as an event (or both).
    std::int64_t seq = sync_.live(actor).seq;
    HttpResponse res;
    res.content_type = "text/event-stream; charset=utf-8";
    res.headers.emplace_back("X-Accel-Buffering", "no");
    res.content = "retry: 1000\nevent: hello\ndata: {\"seq\":" + std::to_string(seq) +
                  ",\"heartbeat_seconds\":" + std::to_string(settings_.heartbeat_seconds) + "}\n\n";
    res.stream = stream;
    return res;
}

std::size_t LiveHub::listeners() const {
    std::lock_guard lock(mutex_);
    std::set<std::shared_ptr<Stream>> all;
    for (const auto& [bucket, streams] : by_bucket_) all.insert(streams.begin(), streams.end());
    return all.size();
}

void LiveHub::deliver(const ChangeNotice& notice) {
    std::vector<std::shared_ptr<Stream>> streams;
    {
        std::lock_guard lock(mutex_);
        auto it = by_bucket_.find(notice.bucket);
        if (it == by_bucket_.end()) return;
        streams.assign(it->second.begin(), it->second.end());
    }
    // Bucket names are ids and fixed words (fieldsync/bucket.hpp): nothing in them needs escaping in JSON.
    std::string event = "event: change\nid: " + std::to_string(notice.seq) + "\ndata: {\"bucket\":\"" + notice.bucket +
                        "\",\"seq\":" + std::to_string(notice.seq) + "}\n\n";
    for (const auto& stream : streams) stream->send(event);
}

void LiveHub::forget(const std::shared_ptr<Stream>& stream) {
    std::lock_guard lock(mutex_);
    for (const auto& bucket : stream->buckets()) {
        auto it = by_bucket_.find(bucket);
        if (it == by_bucket_.end()) continue;
        it->second.erase(stream);
        if (it->second.empty()) by_bucket_.erase(it);
    }
}

}  // namespace fieldserver
