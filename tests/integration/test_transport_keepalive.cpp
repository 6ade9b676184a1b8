// The device's HTTPS transport keeps its connection to the real server alive: requests in a row each get their own
// answer, after an idle pause and after the server closed the connection because it left a request body unread.
// Large text answers travel gzip-compressed to clients that ask for it.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Thread.h>

#include <catch2/catch.hpp>

#include "fieldmobile/transport.hpp"
#include "fieldsync/gzip.hpp"
#include "fieldsync/wire.hpp"
#include "test_server.hpp"

using fieldtest::TestServer;

namespace {

std::string login_body() {
    Poco::JSON::Object::Ptr credentials = new Poco::JSON::Object;
    credentials->set("username", "admin");
    credentials->set("password", "admin-password-1");
    return fieldsync::to_json_text(credentials);
}

struct RawAnswer {
    std::string encoding, vary, body;
};

// One GET over a fresh connection with the given Accept-Encoding (none when empty), the body as it came.
RawAnswer raw_get(const TestServer& srv, const std::string& path, const std::string& accept_encoding) {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                             srv.cert_file(), Poco::Net::Context::VERIFY_RELAXED);
    Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(srv.port()), context);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!accept_encoding.empty()) request.set("Accept-Encoding", accept_encoding);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    RawAnswer out;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), out.body);
    REQUIRE(response.getStatus() == 200);
    out.encoding = response.get("Content-Encoding", "");
    out.vary = response.get("Vary", "");
    return out;
}

}  // namespace

TEST_CASE("The HTTPS transport reuses its connection and each request still gets its own answer",
          "[Mobile][Integration][Transport]") {
    TestServer srv;
    auto transport = fieldmobile::make_https_transport({srv.base_url(), srv.cert_file()});
    for (int i = 0; i < 20; ++i) CHECK(transport->send({"GET", "/healthz", "", "", ""}).status == 200);
    auto session = fieldsync::parse_json_object(
        transport->send({"POST", "/api/v1/auth/login", login_body(), "application/json", ""}).body);
    std::string token = session->getValue<std::string>("token");
    CHECK(transport->send({"GET", "/api/v1/auth/me", "", "", token}).status == 200);

    SECTION("a push refused before its body is read does not leave the body to be taken for the next request") {
        std::string push = R"({"protocol":1,"device_id":"tab-1","ops":[]})";
        auto refused = transport->send({"POST", "/api/v1/sync/push", push, "application/json", "not-a-token"});
        CHECK(refused.status == 401);
        CHECK(Poco::toLower(refused.headers["connection"]) == "close");
        CHECK(transport->send({"GET", "/healthz", "", "", ""}).status == 200);
        CHECK(transport->send({"POST", "/api/v1/auth/login", login_body(), "application/json", ""}).status == 200);
    }
    SECTION("after an idle pause longer than the server keeps a connection open") {
        Poco::Thread::sleep(1500);
        CHECK(transport->send({"GET", "/api/v1/auth/me", "", "", token}).status == 200);
        CHECK(transport->send({"GET", "/api/v1/auth/me", "", "", token}).status == 200);
    }
}

TEST_CASE("Large text answers are gzip-compressed for clients that ask, and the transport inflates them",
          "[Mobile][Integration][Transport]") {
    TestServer srv;
    auto plain = raw_get(srv, "/board/app.js", "");
    CHECK(plain.encoding.empty());
    REQUIRE(plain.body.size() >= fieldsync::kGzipMinBytes);

    auto packed = raw_get(srv, "/board/app.js", "br, gzip");
    CHECK(packed.encoding == "gzip");
    CHECK(packed.vary == "Accept-Encoding");
    CHECK(packed.body.size() * 2 < plain.body.size());
    CHECK(fieldsync::gzip_decompress(packed.body, 1 << 24) == plain.body);

    // Refused by q=0, or an answer too small to be worth it: sent as it is.
    CHECK(raw_get(srv, "/board/app.js", "gzip;q=0").encoding.empty());
    auto small = raw_get(srv, "/healthz", "gzip");
    CHECK(small.encoding.empty());
    CHECK(small.body.size() < fieldsync::kGzipMinBytes);

    // The device transport asks for gzip and hands its caller the inflated body.
    auto transport = fieldmobile::make_https_transport({srv.base_url(), srv.cert_file()});
    auto answer = transport->send({"GET", "/board/app.js", "", "", ""});
    CHECK(answer.status == 200);
    CHECK(answer.body == plain.body);
    CHECK(answer.headers.count("content-encoding") == 0);
}
