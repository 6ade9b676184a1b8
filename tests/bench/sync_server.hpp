// The sync benchmarks' shared pieces: a real server seeded in bulk with one technician's rows, and a native device
// (fieldmobile::Replica + SyncClient over the HTTPS transport) bootstrapping from it (bench_sync.cpp,
// bench_browser.cpp).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "test_server.hpp"

namespace bench {

// The password of the technicians create_technicians makes (tech0, tech1, …).
extern const char* const kTechPassword;

// Removes a SQLite file and what lies next to it (journal, WAL, attachments).
void remove_file(const std::string& path);
// The 1-minute load average of the machine.
double load_average();

Poco::JSON::Object::Ptr object(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> fields);
// reply, or an exception naming what when its status is not status.
fieldtest::Reply expect(fieldtest::Reply reply, int status, const std::string& what);
// The token of a login through the API.
std::string login(const fieldtest::TestServer& server, const std::string& user, const std::string& password);
// Technicians tech0 … tech<count-1> through the API (real users who can log in); returns their ids.
std::vector<std::string> create_technicians(const fieldtest::TestServer& server, const std::string& admin,
                                            std::size_t count);

// Bulk-inserts jobs (each with its own customer and asset) for each technician, and a parts catalog, in one
// transaction while the server is stopped; the change log is then built by record_unlogged_rows, as the server
// does at startup for rows written before the sync migration. Returns each technician's job ids.
std::vector<std::vector<std::string>> seed(const std::string& database, const std::vector<std::string>& technicians,
                                           std::size_t jobs_per_technician, std::size_t parts,
                                           const std::string& prefix, double* insert_s, double* log_s);

// A running server whose technician tech0 has about rows rows to sync: a fifth parts, the rest jobs with their
// customers and assets.
struct SeededServer {
    std::unique_ptr<fieldtest::TestServer> server;
    std::vector<std::string> jobs;  // tech0's
    std::size_t parts = 0;
};
// Starts and seeds it, printing what was seeded and how long it took; binary: another build's server, if not empty.
SeededServer seeded_server(std::size_t rows, const std::string& prefix, const std::string& binary = {});

// Counts the time spent waiting for the server (request, server work, response) apart from the client's own work.
class TimedTransport : public fieldmobile::Transport {
  public:
    explicit TimedTransport(std::unique_ptr<fieldmobile::Transport> inner) : inner_(std::move(inner)) {}
    fieldmobile::HttpResponse send(const fieldmobile::HttpRequest& request) override;
    double seconds = 0;
    std::size_t requests = 0;

  private:
    std::unique_ptr<fieldmobile::Transport> inner_;
};

// One technician's tablet: its replica file, HTTPS transport and sync client.
struct Device {
    Device(const fieldtest::TestServer& server, const std::string& path, std::size_t page, bool gzip = true)
        : Device(server, path, options(page), gzip) {}
    Device(const fieldtest::TestServer& server, const std::string& path, const fieldmobile::SyncOptions& sync,
           bool gzip = true);
    static fieldmobile::SyncOptions options(std::size_t page);
    fieldmobile::Replica replica;
    TimedTransport transport;
    fieldmobile::SyncClient client;
};

// What a device's first sync took: the report, wall seconds, and the CPU seconds the server and this process spent.
struct Bootstrap {
    fieldmobile::SyncReport report;
    double login_s = 0, seconds = 0, server_cpu = 0, device_cpu = 0;
    double request_s = 0;  // of seconds, waiting for the server's answers
    std::size_t requests = 0;
    double rate() const { return static_cast<double>(report.pulled) / seconds; }
};
// Logs device in as tech0 and times its first pull (pull_only) or sync (push, uploads, pull: what the app calls).
Bootstrap bootstrap(Device& device, const fieldtest::TestServer& server, bool pull_only = true);

}  // namespace bench
