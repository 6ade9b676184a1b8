// The HTTPS front end against the real server: idle and slow clients hold no request thread and meet their
// deadlines, the per-address limit answers the excess, and every input error, even one of the HTTP framing, is
// answered in the JSON error shape with valid UTF-8.
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/Thread.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "fieldsync/wire.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

struct RawReply {
    int status = 0;  // 0: the connection ended without an answer
    std::string head;
    std::string body;
};

// A TLS connection that writes and reads raw bytes, for requests no HTTP client library would send.
class RawTls {
  public:
    explicit RawTls(const TestServer& srv)
        : socket_(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(srv.port())), context(srv)) {
        socket_.setReceiveTimeout(Poco::Timespan(20, 0));
    }

    void send(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size())
            sent +=
                static_cast<std::size_t>(socket_.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
    }

    // One answer: the head, then Content-Length bytes of body.
    RawReply read() {
        RawReply reply;
        std::string in;
        try {
            while (in.find("\r\n\r\n") == std::string::npos && receive(in)) {
            }
            auto end = in.find("\r\n\r\n");
            if (end == std::string::npos) return reply;
            reply.head = in.substr(0, end);
            reply.status = std::stoi(reply.head.substr(9, 3));
            std::string lower = Poco::toLower(reply.head);
            auto at = lower.find("content-length: ");
            std::size_t length = at == std::string::npos ? 0 : std::stoul(lower.substr(at + 16));
            reply.body = in.substr(end + 4);
            while (reply.body.size() < length && receive(reply.body)) {
            }
        } catch (const Poco::Exception&) {
            // A reset after the answer: what arrived is the answer.
        }
        return reply;
    }

    // Whether the server ended the connection (a read sees the end, or a reset) within the receive timeout.
    bool closed_by_server() {
        std::string ignored;
        try {
            while (receive(ignored)) {
            }
            return true;
        } catch (const Poco::TimeoutException&) {
            return false;
        } catch (const Poco::Exception&) {
            return true;
        }
    }

  private:
    static Poco::Net::Context::Ptr context(const TestServer& srv) {
        return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", srv.cert_file(),
                                      Poco::Net::Context::VERIFY_RELAXED);
    }

    bool receive(std::string& into) {
        char buffer[8192];
        int n = socket_.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) return false;
        into.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    Poco::Net::SecureStreamSocket socket_;
};

// The answer's error code, after checking it is the JSON error shape in valid UTF-8.
std::string json_error_code(const RawReply& reply) {
    INFO(reply.head << "\n" << reply.body);
    REQUIRE(Poco::toLower(reply.head).find("content-type: application/json") != std::string::npos);
    auto body = fieldsync::parse_json_object(reply.body);  // the strict scanner: refuses invalid UTF-8
    return body->getObject("error")->getValue<std::string>("code");
}

std::string login_json() { return R"({"username":"admin","password":"admin-password-1"})"; }

// The server's peak resident memory so far (VmHWM), in MiB.
double peak_mib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024;
    return 0;
}

}  // namespace

TEST_CASE("Idle and slow connections hold no request thread and meet their deadlines", "[integration][front]") {
    TestServer srv(
        std::map<std::string, std::string>{{"FIELDREPAIR_HEADER_TIMEOUT", "3"}, {"FIELDREPAIR_THREADS", "4"}});
    // 200 TCP connections that never even start TLS.
    std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle;
    for (int i = 0; i < 200; ++i)
        idle.push_back(std::make_unique<Poco::Net::StreamSocket>(
            Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(srv.port()))));
    // 20 clients sending a request head slowly, 20 sending a body shorter than its Content-Length.
    std::vector<std::unique_ptr<RawTls>> slow_head, slow_body;
    for (int i = 0; i < 20; ++i) {
        slow_head.push_back(std::make_unique<RawTls>(srv));
        slow_head.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        slow_body.push_back(std::make_unique<RawTls>(srv));
        slow_body.back()->send(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 1000\r\n\r\n{\"username\":");
    }

    // With all of them open (more than the 4 request threads), a new client is answered.
    CHECK(srv.get("/healthz", "").status == 200);
    CHECK_FALSE(srv.admin_token().empty());

    // A byte now and then does not restart the header deadline: the trickling clients are answered 408.
    auto started = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - started < std::chrono::milliseconds(4500)) {
        for (auto& c : slow_head) {
            try {
                c->send("X");
            } catch (const Poco::Exception&) {
                // Closed after its 408: what was sent after the answer may be refused.
            }
        }
        Poco::Thread::sleep(300);
    }
    for (auto& c : slow_head) {
        auto reply = c->read();
        CHECK(reply.status == 408);
        if (reply.status == 408) CHECK(json_error_code(reply) == "unavailable");
    }
    // A body that stops coming is answered 408 as well, without a request thread ever waiting for it.
    for (auto& c : slow_body) CHECK(c->read().status == 408);
    // The idle TCP connections are closed by the handshake deadline.
    for (auto& s : idle) {
        s->setReceiveTimeout(Poco::Timespan(10, 0));
        char byte = 0;
        int n = -1;
        try {
            n = s->receiveBytes(&byte, 1);
        } catch (const Poco::Net::ConnectionResetException&) {
            n = 0;
        }
        CHECK(n == 0);
    }
    CHECK(srv.get("/healthz", "").status == 200);
}

TEST_CASE("Connections past the limit per client address are answered 503 and closed", "[integration][front]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_MAX_CONNECTIONS_PER_ADDRESS", "5"}});
    std::vector<std::unique_ptr<RawTls>> held;
    for (int i = 0; i < 5; ++i) held.push_back(std::make_unique<RawTls>(srv));
    Poco::Thread::sleep(200);
    auto refused = srv.get("/healthz", "");
    check_error(refused, 503, "unavailable");
    CHECK(refused.headers.count("Retry-After") == 1);
    held.clear();
    Poco::Thread::sleep(200);
    CHECK(srv.get("/healthz", "").status == 200);
}

TEST_CASE("Errors of the HTTP framing are answered in the JSON error shape", "[integration][front]") {
    TestServer srv;
    SECTION("a 100 KB URL") {
        RawTls c(srv);
        c.send("GET /" + std::string(100 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
        auto reply = c.read();
        CHECK(reply.status == 414);
        CHECK(json_error_code(reply) == "payload_too_large");
    }
    SECTION("2,000 header fields") {
        RawTls c(srv);
        std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 2000; ++i) head += "X-" + std::to_string(i) + ": y\r\n";
        c.send(head + "\r\n");
        auto reply = c.read();
        CHECK(reply.status == 431);
        CHECK(json_error_code(reply) == "payload_too_large");
    }
    SECTION("HTTP/0.9") {
        RawTls c(srv);
        c.send("GET /healthz\r\n");
        auto reply = c.read();
        CHECK(reply.status == 400);
        CHECK(json_error_code(reply) == "invalid_field");
    }
    SECTION("a malformed request line and an unknown version") {
        RawTls c(srv);
        c.send("GET\t/healthz\r\n\r\n");
        auto reply = c.read();
        CHECK(reply.status == 400);
        CHECK(json_error_code(reply) == "invalid_field");
        RawTls d(srv);
        d.send("GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n");
        reply = d.read();
        CHECK(reply.status == 505);
        CHECK(json_error_code(reply) == "invalid_field");
    }
    SECTION("chunked bodies: decoded, bounded, and no other transfer coding") {
        std::string head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
        std::string json = login_json();
        std::ostringstream chunks;
        chunks << std::hex << 10 << "\r\n"
               << json.substr(0, 10) << "\r\n"
               << json.size() - 10 << ";note=x\r\n"
               << json.substr(10) << "\r\n0\r\nX-Trailer: y\r\n\r\n";
        RawTls c(srv);
        c.send(head + "Transfer-Encoding: chunked\r\n\r\n" + chunks.str());
        CHECK(c.read().status == 200);
        RawTls big(srv);
        big.send(head + "Transfer-Encoding: chunked\r\n\r\nFFFFFFF\r\n{");
        auto reply = big.read();
        CHECK(reply.status == 413);
        CHECK(json_error_code(reply) == "payload_too_large");
        RawTls other(srv);
        other.send(head + "Transfer-Encoding: gzip\r\n\r\n");
        reply = other.read();
        CHECK(reply.status == 400);
        CHECK(json_error_code(reply) == "invalid_field");
    }
    SECTION("control characters in a header value: a bare CR or LF would split the head for another parser") {
        for (const std::string& value :
             std::vector<std::string>{"a\rTransfer-Encoding: chunked", "a\nX-Injected: 1", std::string("a\0b", 3)}) {
            RawTls c(srv);
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: " + value + "\r\n\r\n");
            auto reply = c.read();
            CHECK(reply.status == 400);
            CHECK(json_error_code(reply) == "invalid_field");
        }
    }
    SECTION("a chunk-size line past 4 KiB is refused however its bytes arrive") {
        // Found by fuzz_http_head: the bound held only while the line's end had not arrived, so one extension of
        // 5,000 bytes passed when it came in one read and failed when it came in two.
        std::string head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
        std::string json = login_json();
        std::ostringstream chunks;
        chunks << std::hex << json.size() << ";x=" << std::string(5000, 'e') << "\r\n" << json << "\r\n0\r\n\r\n";
        RawTls c(srv);
        c.send(head + "Transfer-Encoding: chunked\r\n\r\n" + chunks.str());
        auto reply = c.read();
        CHECK(reply.status == 400);
        CHECK(json_error_code(reply) == "invalid_field");
    }
    SECTION("a Content-Length past the limit is refused before the body is read") {
        RawTls c(srv);
        c.send(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 999999999\r\n\r\n{}");
        auto reply = c.read();
        CHECK(reply.status == 413);
        CHECK(json_error_code(reply) == "payload_too_large");
    }
    // The server still answers well-formed requests, on a kept-alive connection twice.
    RawTls ok(srv);
    ok.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(ok.read().status == 200);
    CHECK(ok.read().status == 200);
}

TEST_CASE("Media types are matched exactly and messages never echo invalid UTF-8", "[integration][front]") {
    TestServer srv;
    check_error(srv.request("POST", "/api/v1/auth/login", login_json(), "", "application/jsonx"), 415,
                "unsupported_media");
    check_error(srv.request("POST", "/api/v1/auth/login", login_json(), "", "text/json"), 415, "unsupported_media");
    check_error(srv.request("POST", "/api/v1/auth/login", login_json(), "", "application/json; charset=latin1"), 415,
                "unsupported_media");
    CHECK(srv.request("POST", "/api/v1/auth/login", login_json(), "", "application/json; charset=utf-8").status == 200);
    CHECK(srv.request("POST", "/api/v1/auth/login", login_json(), "", "Application/JSON").status == 200);

    // A path with bytes that are not UTF-8: the 404 names it with U+FFFD in their place.
    RawTls c(srv);
    c.send("GET /api/v1/no%FF%FEsuch HTTP/1.1\r\nHost: x\r\n\r\n");
    auto reply = c.read();
    CHECK(reply.status == 404);
    CHECK(json_error_code(reply) == "not_found");
    auto message = fieldsync::parse_json_object(reply.body)->getObject("error")->getValue<std::string>("message");
    CHECK(message.find("no\xEF\xBF\xBD\xEF\xBF\xBDsuch") != std::string::npos);
}

TEST_CASE("Eight parallel 4 MiB bodies do not multiply the server's memory", "[integration][front]") {
#if defined(__SANITIZE_ADDRESS__)
    SUCCEED("AddressSanitizer keeps freed memory in quarantine: the peak says nothing under it");
    return;
#endif
    // The issue measured 58 MB growing to 210 MB; bodies now wait for the body budget, are moved (not copied) to
    // the parser, and are given back to the system when freed.
    TestServer srv;
    std::string body = R"({"access_key":"k","ticket_no":")" + std::string(4 * 1024 * 1024 - 40, 'x') + "\"}";
    need(srv.get("/healthz", ""), 200);
    double before = peak_mib(srv.pid());
    std::vector<std::thread> clients;
    std::vector<int> statuses(8);
    for (int i = 0; i < 8; ++i)
        clients.emplace_back([&, i] {
            RawTls c(srv);
            c.send(
                "POST /api/v1/portal/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                "application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body);
            statuses[static_cast<std::size_t>(i)] = c.read().status;
        });
    for (auto& t : clients) t.join();
    for (int status : statuses) CHECK(status == 422);
    double grown = peak_mib(srv.pid()) - before;
    INFO("peak before " << before << " MiB, grown by " << grown << " MiB");
    CHECK(grown < 100);
    need(srv.get("/healthz", ""), 200);
}
