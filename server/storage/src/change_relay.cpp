// NOTIFY at the writing transaction's commit (one per transaction), LISTEN on one connection per instance (libpq): the
// PostgreSQL half of live sync. A notice carries the sending instance's id, so an instance does not publish its own
// commits twice.
#include "fieldserver/storage/change_relay.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <memory>
#include <random>
#include <sstream>

#include "fieldserver/storage/change_feed.hpp"

namespace fieldserver {
namespace {

constexpr const char* kChannel = "fieldrepair_changes";

// Random per process: tells this instance's notices from the others'.
const std::string& instance_id() {
    static const std::string id = [] {
        std::random_device random;
        return std::to_string(random()) + std::to_string(random());
    }();
    return id;
}

}  // namespace

void notify_other_instances(Db& db, const std::string& bucket, std::int64_t seq) {
    db.notify_at_commit(kChannel, instance_id() + " " + std::to_string(seq) + " " + bucket);
}

ChangeRelay::ChangeRelay(std::string connection) : connection_(std::move(connection)) {
    thread_ = std::thread([this] { run(); });
}

ChangeRelay::~ChangeRelay() {
    stop_ = true;
    thread_.join();
}

void ChangeRelay::run() {
    while (!stop_) {
        if (!listen_once())
            for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

bool ChangeRelay::listen_once() {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(connection_.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) return false;
    std::unique_ptr<PGresult, decltype(&PQclear)> listening(PQexec(conn.get(), "LISTEN fieldrepair_changes"), &PQclear);
    if (PQresultStatus(listening.get()) != PGRES_COMMAND_OK) return false;
    while (!stop_) {
        // Half a second at most, so a stop is noticed; a wake-up costs nothing measurable.
        pollfd socket{PQsocket(conn.get()), POLLIN, 0};
        if (::poll(&socket, 1, 500) < 0 || !PQconsumeInput(conn.get())) return false;
        while (PGnotify* raw = PQnotifies(conn.get())) {
            std::unique_ptr<PGnotify, decltype(&PQfreemem)> notify(raw, &PQfreemem);
            // One line per change-log entry of the sending transaction.
            std::istringstream payload(notify->extra);
            for (std::string line; std::getline(payload, line);) {
                std::istringstream entry(line);
                std::string instance;
                ChangeNotice notice;
                if (entry >> instance >> notice.seq >> notice.bucket && instance != instance_id())
                    change_feed().publish(notice);
            }
        }
    }
    return true;
}

}  // namespace fieldserver
