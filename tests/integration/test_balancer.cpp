// Two instances on one PostgreSQL database behind nginx on loopback, as deploy/nginx/fieldrepair.conf sets them
// up: a chunked upload whose chunks alternate between the instances, the same jobs acted on through both at once,
// and a device pulling through one instance while the office writes through the other. Run by ctest
// balancer_postgresql (needs nginx and the test PostgreSQL server).
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>

#include <atomic>
#include <latch>
#include <thread>

#include "fieldserver/storage/database.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

int free_port() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    return socket.address().port();
}

// nginx in the foreground on a free loopback port, TLS ended with the first instance's certificate, proxying
// round-robin to both instances; stopped with the test.
class Balancer {
  public:
    Balancer(const TestServer& a, const TestServer& b) : dir_(a.data_dir() + "/nginx"), port_(free_port()) {
        Poco::File(dir_ + "/tmp").createDirectories();
        std::string cert = a.cert_file(), key = a.data_dir() + "/tls/server.key";
        Poco::FileOutputStream conf(dir_ + "/nginx.conf");
        conf << "daemon off; worker_processes 1; pid " << dir_ << "/nginx.pid; error_log " << dir_
             << "/error.log;\nevents {}\nhttp {\n access_log off;\n";
        for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
            conf << " " << temp << "_temp_path " << dir_ << "/tmp/" << temp << ";\n";
        conf << " upstream fieldrepair { server 127.0.0.1:" << a.port() << "; server 127.0.0.1:" << b.port()
             << "; keepalive 16; }\n server {\n  listen 127.0.0.1:" << port_ << " ssl;\n  ssl_certificate " << cert
             << ";\n  ssl_certificate_key " << key << ";\n  client_max_body_size 8m;\n  location / {\n"
             << "   proxy_pass https://fieldrepair; proxy_http_version 1.1; proxy_set_header Connection \"\";\n"
             << "   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_buffering off;\n"
             << "   proxy_read_timeout 3600s; proxy_next_upstream error timeout; proxy_ssl_verify off;\n  }\n }\n}\n";
        conf.close();
        cert_ = cert;
        std::vector<std::string> args = {"-c", "exec setpriv --pdeathsig TERM nginx -p \"$0\" -c \"$0/nginx.conf\"",
                                         dir_};
        process_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch("/bin/sh", args));
        for (int i = 0; i < 100 && request("GET", "/healthz").status != 200; ++i) Poco::Thread::sleep(50);
    }
    ~Balancer() {
        Poco::Process::requestTermination(process_->id());
        process_->wait();
    }

    Reply request(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& token = {}, const std::string& type = "application/json") const {
        Reply reply;
        try {
            Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", cert_,
                                                                     Poco::Net::Context::VERIFY_STRICT);
            Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_), context);
            Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
            if (!token.empty()) req.set("Authorization", "Bearer " + token);
            if (method != "GET") {
                req.setContentType(type);
                req.setContentLength(static_cast<std::streamsize>(body.size()));
            }
            session.sendRequest(req) << body;
            Poco::Net::HTTPResponse res;
            Poco::StreamCopier::copyToString(session.receiveResponse(res), reply.body);
            reply.status = res.getStatus();
            if (res.getContentType().find("json") != std::string::npos && !reply.body.empty())
                reply.json = Poco::JSON::Parser().parse(reply.body);
        } catch (const Poco::Exception&) {
            reply.status = 0;  // nginx not listening yet
        }
        return reply;
    }
    Reply post(const std::string& path, const Obj& json, const std::string& token) const {
        return request("POST", path, to_text(json), token);
    }

  private:
    std::string dir_;
    int port_;
    std::string cert_;
    std::unique_ptr<Poco::ProcessHandle> process_;
};

struct Shared {
    std::string name, connection;
    Shared() {
        name = "fieldrepair_balancer_" + std::to_string(Poco::Process::id());
        fieldserver::Database admin(postgres_server(), 1);
        admin.read([&](fieldserver::Db& db) { db.execute("CREATE DATABASE " + name); });
        connection = postgres_server() + " dbname=" + name;
    }
    ~Shared() {
        try {
            fieldserver::Database admin(postgres_server(), 1);
            admin.read([&](fieldserver::Db& db) { db.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); });
        } catch (...) {
            // A leftover test database is harmless.
        }
    }
};

std::size_t requests_in_log(const TestServer& srv, const std::string& what) {
    std::string log = srv.log();
    std::size_t n = 0;
    for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("two instances behind nginx act as one server", "[.balancer]") {
    if (postgres_server().empty() || std::system("command -v nginx >/dev/null") != 0) {
        SUCCEED("needs nginx and the test PostgreSQL server");
        return;
    }
    Shared shared;
    std::map<std::string, std::string> env = {{"FIELDREPAIR_DATABASE", shared.connection},
                                              {"FIELDREPAIR_LOG_LEVEL", "information"}};
    TestServer a(env);
    TestServer b(env);
    Balancer lb(a, b);
    REQUIRE(lb.request("GET", "/healthz").status == 200);
    Shop shop(a);
    auto device =
        need(lb.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_id = device.str("device_id"), token = device.str("device_token");

    SECTION("a chunked upload through the balancer completes, its chunks on both instances") {
        auto job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(job, "assessing");
        std::string bytes;
        for (int i = 0; i < 8000; ++i) bytes += static_cast<char>((i * 131) % 256);
        bytes.replace(0, 4, "\xFF\xD8\xFF\xE0");  // a JPEG's first bytes: the store takes only recognised types
        std::string sha = fieldsync::sha256_hex(bytes);
        std::string op = R"({"op_id":")" + fieldsync::uuid_v7() + R"(","table":"attachments","row_id":")" +
                         fieldsync::uuid_v7() + R"(","kind":"insert","hlc":")" +
                         fieldsync::format_hlc({fieldsync::now_ms(), 0, device_id}) +
                         R"(","base_version":0,"fields":{"job_id":")" + job + R"(","kind":"photo","sha256":")" + sha +
                         R"(","content_type":"image/jpeg","size_bytes":8000}})";
        need(lb.request("POST", "/api/v1/sync/push",
                        R"({"protocol":1,"device_id":")" + device_id + R"(","ops":[)" + op + "]}", token),
             200);
        for (int from = 0; from < 8000; from += 1000) {
            auto r =
                need(lb.request("PUT", "/api/v1/attachments/" + sha + "?offset=" + std::to_string(from),
                                bytes.substr(static_cast<std::size_t>(from), 1000), token, "application/octet-stream"),
                     200);
            CHECK(int_of(r.object(), "received_bytes") == from + 1000);
        }
        CHECK(requests_in_log(a, "PUT /api/v1/attachments/") >= 1);
        CHECK(requests_in_log(b, "PUT /api/v1/attachments/") >= 1);
        for (int i = 0; i < 2; ++i)
            CHECK(need(lb.request("GET", "/api/v1/attachments/" + sha + "/content", {}, shop.dispatcher), 200).body ==
                  bytes);
    }

    SECTION("the same jobs acted on through both instances at once: one 200 and one 409 each, no 5xx") {
        std::vector<std::string> jobs;
        for (int i = 0; i < 12; ++i) jobs.push_back(shop.report(shop.customer_a, shop.asset_a));
        for (const auto& job : jobs) {
            std::latch start(2);
            std::atomic<int> ok{0}, refused{0}, other{0};
            auto act = [&](const TestServer& via) {
                start.arrive_and_wait();
                auto r = via.post("/api/v1/jobs/" + job + "/actions/assign", body({{"technician_id", shop.tech_a_id}}),
                                  shop.dispatcher);
                (r.status == 200 ? ok : r.status == 409 ? refused : other)++;
            };
            std::thread one(act, std::cref(a)), two(act, std::cref(b));
            one.join();
            two.join();
            CHECK(ok == 1);
            CHECK(refused == 1);
            CHECK(other == 0);
        }
    }

    SECTION("a device pulling through one instance sees every change written through the other") {
        std::atomic<bool> writing{true};
        std::vector<std::string> written;
        std::atomic<int> failed{0};  // Catch's assertions belong to the test's own thread
        std::thread writer([&] {
            for (int i = 0; i < 15; ++i) {
                auto made = b.post("/api/v1/jobs",
                                   body({{"customer_id", shop.customer_a},
                                         {"asset_id", shop.asset_a},
                                         {"description", "写入 " + std::to_string(i)}}),
                                   shop.dispatcher);
                if (made.status != 201) {
                    ++failed;
                    continue;
                }
                auto job = made.str("id");
                if (b.post("/api/v1/jobs/" + job + "/actions/assign", body({{"technician_id", shop.tech_a_id}}),
                           shop.dispatcher)
                        .status != 200)
                    ++failed;
                written.push_back(job);
            }
            writing = false;
        });
        std::set<std::string> seen;
        std::int64_t cursor = 0;
        for (bool last = false; !last;) {
            last = !writing;  // one more pull after the writer is done
            for (bool more = true; more;) {
                auto page = need(a.get("/api/v1/sync/pull?cursor=" + std::to_string(cursor), token), 200).object();
                for (const auto& v : *page->getArray("changes")) {
                    auto change = v.extract<Obj>();
                    if (text_of(change, "table") == "jobs" && text_of(change, "op") == "put")
                        seen.insert(text_of(change, "row_id"));
                }
                cursor = int_of(page, "cursor");
                more = page->getValue<bool>("has_more");
            }
        }
        writer.join();
        CHECK(failed == 0);
        CHECK(written.size() == 15);
        for (const auto& job : written) CHECK(seen.count(job) == 1);
    }
}
