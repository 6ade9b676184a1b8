// The sync benchmarks' seeded server and native device (sync_server.hpp).
#include "sync_server.hpp"

#include <Poco/File.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

#include "bench.hpp"
#include "fieldserver/domain/reports/report_service.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace bench {

using Clock = std::chrono::steady_clock;
using fieldserver::Database;
using fieldserver::Db;

const char* const kTechPassword = "tech-password-1";

void remove_file(const std::string& path) {
    for (const auto& p : {path, path + "-wal", path + "-shm", path + ".files"})
        if (Poco::File(p).exists()) Poco::File(p).remove(true);
}

double load_average() {
    std::ifstream in("/proc/loadavg");
    double one = 0;
    in >> one;
    return one;
}

Poco::JSON::Object::Ptr object(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> fields) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    for (const auto& [k, v] : fields) o->set(k, v);
    return o;
}

fieldtest::Reply expect(fieldtest::Reply reply, int status, const std::string& what) {
    if (reply.status != status)
        throw std::runtime_error(what + ": HTTP " + std::to_string(reply.status) + " " + reply.body);
    return reply;
}

std::string login(const fieldtest::TestServer& server, const std::string& user, const std::string& password) {
    auto body = object({{"username", user}, {"password", password}});
    return expect(server.post("/api/v1/auth/login", body, ""), 200, "login " + user).str("token");
}

std::vector<std::string> create_technicians(const fieldtest::TestServer& server, const std::string& admin,
                                            std::size_t count) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) {
        auto body = object({{"username", "tech" + std::to_string(i)},
                            {"password", std::string(kTechPassword)},
                            {"name", "技师 " + std::to_string(i)},
                            {"role", std::string("technician")}});
        ids.push_back(expect(server.post("/api/v1/users", body, admin), 201, "create technician").str("id"));
    }
    return ids;
}

std::vector<std::vector<std::string>> seed(const std::string& database, const std::vector<std::string>& technicians,
                                           std::size_t jobs_per_technician, std::size_t parts,
                                           const std::string& prefix, double* insert_s, double* log_s) {
    std::vector<std::vector<std::string>> jobs(technicians.size());
    Database db(database, 2);
    auto start = Clock::now();
    db.write([&](Db& tx) {
        std::string now = fieldsync::format_utc(fieldsync::now_ms());
        std::size_t n = 0;
        for (std::size_t t = 0; t < technicians.size(); ++t)
            for (std::size_t j = 0; j < jobs_per_technician; ++j, ++n) {
                std::string key = prefix + std::to_string(n);
                std::string customer = fieldsync::uuid_v7(), asset = fieldsync::uuid_v7(), job = fieldsync::uuid_v7();
                tx.execute(
                    "INSERT INTO customers (id, name, phone, email, address, notes, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    {customer, "客户 Customer " + key, "+86 138 0000 " + key, "c" + key + "@example.com",
                     std::string(key) + " Harbour Road, Flat 12B, Kowloon", std::string("gate code 4711, dog"), now,
                     now});
                tx.execute(
                    "INSERT INTO assets (id, customer_id, model, serial_no, purchase_date, warranty_until, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    {asset, customer, std::string("WM-8000 washing machine"), "SN-" + key, std::string("2025-03-01"),
                     std::string("2027-03-01"), now, now});
                tx.execute(
                    "INSERT INTO jobs (id, ticket_no, customer_id, asset_id, description, channel, priority, state, "
                    "assignee_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {job, "B-" + key, customer, asset,
                     std::string("Drum does not spin; error E21 after the rinse cycle, water left in the drum"),
                     std::string("phone"), std::string("normal"), std::string("assessing"), technicians[t], now, now});
                jobs[t].push_back(job);
            }
        for (std::size_t p = 0; p < parts; ++p) {
            std::string key = prefix + std::to_string(p);
            tx.execute(
                "INSERT INTO parts (id, sku, name, unit, unit_price_cents, currency, is_active, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                {fieldsync::uuid_v7(), "P-" + key, "Drive belt 1270 J5 (" + key + ")", std::string("piece"),
                 static_cast<std::int64_t>(1000 + p % 5000), std::string("EUR"), static_cast<std::int64_t>(1), now});
        }
    });
    *insert_s = bench::seconds_since(start);
    start = Clock::now();
    fieldserver::record_unlogged_rows(db);
    *log_s = bench::seconds_since(start);
    // The report facts of the new jobs too, which the server would otherwise derive at startup, past the test
    // harness's wait for it to start.
    fieldserver::ReportService(db).backfill();
    return jobs;
}

SeededServer seeded_server(std::size_t rows, const std::string& prefix, const std::string& binary) {
    SeededServer out;
    out.parts = rows / 5;
    std::size_t jobs = std::max<std::size_t>(1, (rows - out.parts) / 3);
    std::printf("seeding %zu jobs + %zu customers + %zu assets + %zu parts for tech0 …\n", jobs, jobs, jobs, out.parts);
    std::fflush(stdout);
    out.server = std::make_unique<fieldtest::TestServer>(std::map<std::string, std::string>{}, binary);
    auto technicians = create_technicians(*out.server, login(*out.server, "admin", "admin-password-1"), 1);
    out.server->stop();
    double insert_s = 0, log_s = 0;
    out.jobs = seed(out.server->database(), technicians, jobs, out.parts, prefix, &insert_s, &log_s)[0];
    out.server->start();
    std::printf("seeded: insert %.1f s, change log %.1f s\n", insert_s, log_s);
    std::fflush(stdout);
    return out;
}

fieldmobile::HttpResponse TimedTransport::send(const fieldmobile::HttpRequest& request) {
    auto start = Clock::now();
    auto response = inner_->send(request);
    seconds += bench::seconds_since(start);
    ++requests;
    return response;
}

Device::Device(const fieldtest::TestServer& server, const std::string& path, const fieldmobile::SyncOptions& sync,
               bool gzip)
    : replica(path),
      transport(fieldmobile::make_https_transport({server.base_url(), server.cert_file(), 10, 60, gzip})),
      client(replica, transport, sync) {}

fieldmobile::SyncOptions Device::options(std::size_t page) {
    fieldmobile::SyncOptions o;
    o.pull_limit = page;
    o.pull_max_bytes = 8 << 20;
    return o;
}

Bootstrap bootstrap(Device& device, const fieldtest::TestServer& server, bool pull_only) {
    Bootstrap out;
    auto start = Clock::now();
    device.client.login("tech0", kTechPassword, "linux");
    out.login_s = bench::seconds_since(start);
    device.transport.seconds = 0;
    device.transport.requests = 0;
    double server_cpu = bench::cpu_seconds(server.pid()), device_cpu = bench::cpu_seconds(getpid());
    start = Clock::now();
    out.report = pull_only ? device.client.pull() : device.client.sync();
    out.seconds = bench::seconds_since(start);
    out.server_cpu = bench::cpu_seconds(server.pid()) - server_cpu;
    out.device_cpu = bench::cpu_seconds(getpid()) - device_cpu;
    out.request_s = device.transport.seconds;
    out.requests = device.transport.requests;
    return out;
}

}  // namespace bench
