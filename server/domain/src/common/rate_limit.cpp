// Rate limits as rows of rate_events: counted with one indexed query, pruned as they age out.
#include "fieldserver/domain/common/rate_limit.hpp"

#include <algorithm>

#include "fieldserver/util/json.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

namespace {

int seconds_until(std::int64_t at_ms, std::int64_t now_ms) {
    return at_ms <= now_ms ? 0 : static_cast<int>((at_ms - now_ms + 999) / 1000);
}

}  // namespace

int RateLimit::count(const std::string& subject) {
    std::int64_t since = fieldsync::now_ms() - window_ms_;
    return static_cast<int>(db_.read([&](Db& db) {
        return db.scalar("SELECT COUNT(*) FROM rate_events WHERE bucket = ? AND subject = ? AND at_ms > ?",
                         {bucket_, subject, since});
    }));
}

int RateLimit::retry_after(const std::string& subject) {
    std::int64_t now = fieldsync::now_ms();
    auto times = db_.read([&](Db& db) {
        return db.query(
            "SELECT at_ms FROM rate_events WHERE bucket = ? AND subject = ? AND at_ms > ? ORDER BY at_ms DESC LIMIT ?",
            {bucket_, subject, now - window_ms_, static_cast<std::int64_t>(max_)});
    });
    if (static_cast<int>(times->size()) < max_) return 0;
    // The oldest of the last max attempts leaves the window first.
    std::int64_t oldest = integer(times->getObject(static_cast<unsigned>(max_ - 1)), "at_ms");
    return std::max(1, seconds_until(oldest + window_ms_, now));
}

int RateLimit::growing_delay(const std::string& subject) {
    std::int64_t now = fieldsync::now_ms();
    auto row = db_.read([&](Db& db) {
        return db.query_one(
            "SELECT COUNT(*) AS attempts, MAX(at_ms) AS last_ms FROM rate_events WHERE bucket = ? AND subject = ? "
            "AND at_ms > ?",
            {bucket_, subject, now - window_ms_});
    });
    // The attempt after the max-th waits 2 s after the last failure, the next 4 s, and so on.
    std::int64_t beyond = integer(row, "attempts") - max_ + 1;
    if (beyond <= 0) return 0;
    std::int64_t pause_ms = std::min<std::int64_t>(window_ms_, 1000LL << std::min<std::int64_t>(beyond, 20));
    return seconds_until(integer(row, "last_ms") + pause_ms, now);
}

void RateLimit::hit(const std::string& subject) {
    std::int64_t now = fieldsync::now_ms();
    db_.write([&](Db& db) {
        // Rows older than a day are no limit's concern (no window is longer): each write sweeps a few of them.
        db.execute("DELETE FROM rate_events WHERE at_ms < ?", {now - 86'400'000LL});
        db.execute("INSERT INTO rate_events (bucket, subject, at_ms) VALUES (?, ?, ?)", {bucket_, subject, now});
    });
}

void RateLimit::clear(const std::string& subject) {
    db_.write([&](Db& db) {
        db.execute("DELETE FROM rate_events WHERE bucket = ? AND subject = ?", {bucket_, subject});
    });
}

}  // namespace fieldserver
