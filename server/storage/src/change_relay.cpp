// NOTIFY at the writing transaction's commit (one per transaction), LISTEN on one connection per instance (libpq): the
// PostgreSQL half of live sync. A notice carries the sending instance's id, so an instance does not publish its own
// commits twice.
#include "fieldserver/storage/change_relay.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

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

ChangeRelay::ChangeRelay(std::string connection)
    : connection_(std::move(connection)), wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (wake_fd_ < 0) throw std::runtime_error("cannot create the change relay's wake-up descriptor");
    thread_ = std::thread([this] { run(); });
}

ChangeRelay::~ChangeRelay() {
    stop_ = true;
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
    ::close(wake_fd_);
}

void ChangeRelay::run() {
    while (!stop_) {
        if (!listen_once()) {
            // Wait a second before reconnecting, or until the destructor's wake-up.
            pollfd wake{wake_fd_, POLLIN, 0};
            ::poll(&wake, 1, 1000);
        }
    }
}

bool ChangeRelay::listen_once() {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(connection_.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) return false;
    std::unique_ptr<PGresult, decltype(&PQclear)> listening(PQexec(conn.get(), "LISTEN fieldrepair_changes"), &PQclear);
    if (PQresultStatus(listening.get()) != PGRES_COMMAND_OK) return false;
    while (!stop_) {
        // The destructor's wake-up ends the wait at once; the half-second bound is a second guard.
        pollfd sockets[] = {{PQsocket(conn.get()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (::poll(sockets, 2, 500) < 0 || !PQconsumeInput(conn.get())) return false;
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
