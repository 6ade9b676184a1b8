// fieldrepair-bench mixed_load: a steady mixed HTTP load (job actions, reads, device pushes and pulls) on SQLite,
// on PostgreSQL with one instance, and on PostgreSQL with two instances sharing the database (issue 11 aim 4:
// PostgreSQL one instance at least half of SQLite, two instances more than one). Prints requests/s, p50/p99,
// 5xx count and CPU per request (server processes plus the PostgreSQL cluster's processes).
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "test_server.hpp"

namespace {

using fieldtest::TestServer;

// The CPU of the PostgreSQL cluster whose postmaster.pid is in pg_dir: the postmaster and its backends.
double cluster_cpu(const std::string& pg_dir) {
    if (pg_dir.empty()) return 0;
    std::ifstream pidfile(pg_dir + "/postmaster.pid");
    int postmaster = 0;
    pidfile >> postmaster;
    if (postmaster <= 0) return 0;
    double total = bench::cpu_seconds(postmaster);
    std::ifstream children("/proc/" + std::to_string(postmaster) + "/task/" + std::to_string(postmaster) + "/children");
    for (int child = 0; children >> child;) total += bench::cpu_seconds(child);
    return total;
}

// One client: a kept-alive HTTPS connection to one instance.
class Client {
  public:
    explicit Client(const TestServer& srv)
        : session_(srv.base_url().substr(8, srv.base_url().rfind(':') - 8), static_cast<Poco::UInt16>(srv.port()),
                   new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", srv.cert_file(),
                                          Poco::Net::Context::VERIFY_STRICT)) {
        session_.setKeepAlive(true);
    }
    int call(const std::string& method, const std::string& path, const std::string& body, const std::string& token,
             std::string* out = nullptr) {
        try {
            Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
            req.setKeepAlive(true);
            if (!token.empty()) req.set("Authorization", "Bearer " + token);
            if (method != "GET") {
                req.setContentType("application/json");
                req.setContentLength(static_cast<std::streamsize>(body.size()));
            }
            session_.sendRequest(req) << body;
            Poco::Net::HTTPResponse res;
            std::string text;
            Poco::StreamCopier::copyToString(session_.receiveResponse(res), text);
            if (out) *out = std::move(text);
            return res.getStatus();
        } catch (const Poco::Exception&) {
            session_.reset();
            return 599;
        }
    }

  private:
    Poco::Net::HTTPSClientSession session_;
};

std::string field(const std::string& json, const std::string& key) {
    auto object = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    return object->has(key) ? object->get(key).convert<std::string>() : std::string();
}

// The shop every worker uses: a dispatcher and a technician. Passwords pass the server's strength check.
struct Shop {
    std::string dispatcher, tech, tech_id;
};

Shop make_shop(const TestServer& srv) {
    Client c(srv);
    std::string out, admin;
    c.call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"admin-password-1"})", "", &out);
    admin = field(out, "token");
    Shop shop;
    for (auto [name, role] : {std::pair{"disp", "dispatcher"}, std::pair{"tech", "technician"}}) {
        c.call("POST", "/api/v1/users",
               std::string(R"({"username":")") + name + R"(","password":"Quartz-lantern-58-)" + name + R"(","name":")" +
                   name + R"(","role":")" + role + R"("})",
               admin, &out);
        if (std::string(role) == "technician") shop.tech_id = field(out, "id");
        c.call("POST", "/api/v1/auth/login",
               std::string(R"({"username":")") + name + R"(","password":"Quartz-lantern-58-)" + name + R"("})", "",
               &out);
        (std::string(role) == "technician" ? shop.tech : shop.dispatcher) = field(out, "token");
    }
    return shop;
}

// A customer with an asset of a worker's own: its jobs and its tablet's edits are for them. (One customer row that
// every worker's push edited made that row's lock the load's limit on PostgreSQL, which no shop of many customers
// sees.)
std::pair<std::string, std::string> own_customer(Client& c, const Shop& shop) {
    std::string out;
    c.call("POST", "/api/v1/customers", R"({"name":"刘洋","phone":"13800138001"})", shop.dispatcher, &out);
    std::string customer = field(out, "id");
    c.call("POST", "/api/v1/assets",
           R"({"customer_id":")" + customer + R"(","model":"美的 BCD-520","serial_no":"SN-)" + fieldsync::uuid_v7() +
               R"("})",
           shop.dispatcher, &out);
    return {customer, field(out, "id")};
}

struct Figures {
    std::vector<double> latencies_ms;
    std::size_t errors_5xx = 0;
};

// One worker: job actions (report + assign), a list read, a push of one edit, a pull from its cursor, in turn.
void work(const TestServer& srv, const Shop& shop, std::chrono::steady_clock::time_point until, Figures& figures,
          std::mutex& mutex) {
    Client c(srv);
    std::string out;
    c.call("POST", "/api/v1/sync/devices", R"({"name":"bench","platform":"android"})", shop.tech, &out);
    std::string device = field(out, "device_id"), token = field(out, "device_token");
    auto [customer, asset] = own_customer(c, shop);
    std::int64_t cursor = 0;
    Figures mine;
    for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
        auto started = std::chrono::steady_clock::now();
        int status = 0;
        switch (i % 5) {
            case 0:
                status = c.call("POST", "/api/v1/jobs",
                                R"({"customer_id":")" + customer + R"(","asset_id":")" + asset +
                                    R"(","description":"不制冷 not cooling"})",
                                shop.dispatcher, &out);
                break;
            case 1:
                status = c.call("POST", "/api/v1/jobs/" + field(out, "id") + "/actions/assign",
                                R"({"technician_id":")" + shop.tech_id + R"("})", shop.dispatcher);
                break;
            case 2:
                status = c.call("GET", "/api/v1/jobs?limit=20", {}, shop.dispatcher);
                break;
            case 3:
                status =
                    c.call("POST", "/api/v1/sync/push",
                           R"({"protocol":1,"device_id":")" + device + R"(","ops":[{"op_id":")" + fieldsync::uuid_v7() +
                               R"(","table":"customers","row_id":")" + customer + R"(","kind":"update","hlc":")" +
                               fieldsync::format_hlc({fieldsync::now_ms(), 0, device}) +
                               R"(","base_version":0,"fields":{"notes":"笔记 )" + std::to_string(i) + R"("}}]})",
                           token);
                break;
            default:
                status = c.call("GET", "/api/v1/sync/pull?cursor=" + std::to_string(cursor), {}, token, &out);
                if (status == 200) cursor = std::stoll(field(out, "cursor"));
        }
        mine.latencies_ms.push_back(bench::seconds_since(started) * 1000);
        if (status >= 500) ++mine.errors_5xx;
    }
    std::lock_guard lock(mutex);
    figures.latencies_ms.insert(figures.latencies_ms.end(), mine.latencies_ms.begin(), mine.latencies_ms.end());
    figures.errors_5xx += mine.errors_5xx;
}

// Runs the load on the instances (workers spread over them, each keeping its connection) for seconds; prints a
// line and returns requests/s.
double run_load(const std::string& label, const std::vector<TestServer*>& instances, int workers, double seconds,
                const std::string& pg_dir) {
    Shop shop = make_shop(*instances.front());
    auto server_cpu = [&] {
        double total = 0;
        for (auto* srv : instances) total += bench::cpu_seconds(srv->pid());
        return total;
    };
    double server_before = server_cpu(), db_before = cluster_cpu(pg_dir);
    Figures figures;
    std::mutex mutex;
    auto started = std::chrono::steady_clock::now();
    auto until = started + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w)
        threads.emplace_back(work, std::cref(*instances[static_cast<std::size_t>(w) % instances.size()]),
                             std::cref(shop), until, std::ref(figures), std::ref(mutex));
    for (auto& t : threads) t.join();
    double elapsed = bench::seconds_since(started);
    double requests = static_cast<double>(figures.latencies_ms.size());
    double rate = requests / elapsed;
    double server_ms = requests > 0 ? (server_cpu() - server_before) / requests * 1000 : 0.0;
    double db_ms = requests > 0 ? (cluster_cpu(pg_dir) - db_before) / requests * 1000 : 0.0;
    std::printf(
        "%-28s %8.0f requests/s  p50 %6.1f ms  p99 %7.1f ms  5xx %zu  CPU/request %5.2f ms (server %.2f, "
        "database %.2f)\n",
        label.c_str(), rate, bench::median(figures.latencies_ms), bench::percentile(figures.latencies_ms, 99),
        figures.errors_5xx, server_ms + db_ms, server_ms, db_ms);
    return rate;
}

std::string fresh_database(const std::string& server, const std::string& name) {
    fieldserver::Database admin(server, 1);
    admin.read([&](fieldserver::Db& db) {
        db.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        db.execute("CREATE DATABASE " + name);
    });
    return server + " dbname=" + name;
}

// The three configurations with one server binary; prints a line each and the aims. Returns {SQLite, PG one, PG two}
// requests/s (0 for what was skipped).
std::array<double, 3> run_stores(const std::string& binary, const std::string& tag, int workers, double seconds,
                                 const std::string& pg, const std::string& pg_dir) {
    std::map<std::string, std::string> quiet = {{"FIELDREPAIR_LOG_LEVEL", "warning"}, {"FIELDREPAIR_THREADS", "16"}};
    double sqlite = 0, one = 0, two = 0;
    {
        auto env = quiet;
        env["FIELDREPAIR_DATABASE"] = "/tmp/fieldrepair-bench-mixed-" + std::to_string(getpid()) + ".db";
        TestServer srv(env, binary);
        sqlite = run_load(tag + "SQLite, one instance", {&srv}, workers, seconds, {});
        std::remove(env["FIELDREPAIR_DATABASE"].c_str());
    }
    if (pg.empty()) {
        std::printf("PostgreSQL: skipped (--postgres=CONNSTR or FIELDREPAIR_TEST_POSTGRES)\n");
        return {sqlite, 0, 0};
    }
    {
        auto env = quiet;
        env["FIELDREPAIR_DATABASE"] = fresh_database(pg, "fieldrepair_bench_one");
        TestServer srv(env, binary);
        one = run_load(tag + "PostgreSQL, one instance", {&srv}, workers, seconds, pg_dir);
    }
    {
        auto env = quiet;
        env["FIELDREPAIR_DATABASE"] = fresh_database(pg, "fieldrepair_bench_two");
        TestServer a(env, binary), b(env, binary);
        two = run_load(tag + "PostgreSQL, two instances", {&a, &b}, workers, seconds, pg_dir);
    }
    std::printf("%saim: PostgreSQL one instance >= 50%% of SQLite: %.0f%% %s; two instances > one: %.2fx %s\n",
                tag.c_str(), 100 * one / sqlite, one >= sqlite / 2 ? "met" : "NOT met", two / one,
                two > one ? "met" : "NOT met");
    return {sqlite, one, two};
}

// With --baseline-server=PATH another build's server runs the same load right after this one's, store by store, so
// before and after come from one run on the same machine.
int mixed_load(const bench::Options& options) {
    int workers = static_cast<int>(bench::option(options, "workers", 8.0));
    double seconds = bench::option(options, "seconds", 15.0);
    std::string pg =
        bench::option(options, "postgres",
                      std::string(getenv("FIELDREPAIR_TEST_POSTGRES") ? getenv("FIELDREPAIR_TEST_POSTGRES") : ""));
    std::string pg_dir = bench::option(options, "pg_dir", std::string());
    std::string baseline = bench::option(options, "baseline-server", std::string());
    std::printf(
        "%d workers, %.0f s each; job actions, reads, pushes and pulls in turn, each worker for a customer of its own; "
        "CPU = server%s\n",
        workers, seconds, pg_dir.empty() ? "" : " + PostgreSQL cluster");
    auto now = run_stores({}, "", workers, seconds, pg, pg_dir);
    if (baseline.empty()) return 0;
    auto before = run_stores(baseline, "baseline: ", workers, seconds, pg, pg_dir);
    std::printf("side by side (this / baseline): SQLite %.2fx, PostgreSQL one %.2fx, PostgreSQL two %.2fx\n",
                now[0] / before[0], before[1] > 0 ? now[1] / before[1] : 0.0, before[2] > 0 ? now[2] / before[2] : 0.0);
    return 0;
}

const bench::Register registered{
    {"mixed_load",
     "job actions, reads, pushes and pulls: SQLite, PostgreSQL with one and two instances "
     "(--workers, --seconds, --postgres, --pg_dir for the cluster's CPU, --baseline-server=PATH)",
     mixed_load}};

}  // namespace
