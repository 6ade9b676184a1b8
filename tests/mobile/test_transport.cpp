// The retry decorator: network errors, 5xx and 429 are retried with bounded, jittered, growing delays; 4xx never.
#include <catch2/catch.hpp>
#include <deque>

#include "fieldmobile/transport.hpp"
#include "fieldsync/error.hpp"

using fieldmobile::HttpRequest;
using fieldmobile::HttpResponse;
using fieldmobile::RetryingTransport;

namespace {

// Answers from a script: a status, or 0 for "no response" (thrown as unavailable).
struct ScriptedTransport : fieldmobile::Transport {
    std::deque<HttpResponse> script;
    int calls = 0;
    HttpResponse send(const HttpRequest&) override {
        ++calls;
        HttpResponse r = script.front();
        script.pop_front();
        if (r.status == 0) throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "connection refused");
        return r;
    }
};

}  // namespace

TEST_CASE("Retries network errors, 5xx and 429 with exponential backoff and jitter", "[Mobile][Transport]") {
    ScriptedTransport inner;
    inner.script = {{0, "", {}}, {503, "", {}}, {429, "", {{"retry-after", "2"}}}, {200, "ok", {}}};
    std::vector<std::int64_t> sleeps;
    RetryingTransport retrying(
        inner, {5, 100, 10'000}, [&](std::int64_t ms) { sleeps.push_back(ms); }, 42);
    auto r = retrying.send({"GET", "/x", "", "", ""});
    CHECK(r.status == 200);
    CHECK(inner.calls == 4);
    REQUIRE(sleeps.size() == 3);
    CHECK(sleeps[0] <= 100);
    CHECK(sleeps[1] <= 200);
    CHECK(sleeps[2] == 2000);  // Retry-After wins over a shorter backoff
}

TEST_CASE("Never retries a 4xx", "[Mobile][Transport]") {
    for (int status : {400, 401, 404, 409, 422}) {
        ScriptedTransport inner;
        inner.script = {{status, "", {}}, {200, "", {}}};
        RetryingTransport retrying(inner, {5, 1, 10}, [](std::int64_t) {});
        CHECK(retrying.send({"POST", "/x", "{}", "", ""}).status == status);
        CHECK(inner.calls == 1);
    }
}

TEST_CASE("Gives up after the last attempt", "[Mobile][Transport]") {
    ScriptedTransport inner;
    inner.script = {{0, "", {}}, {0, "", {}}, {0, "", {}}};
    RetryingTransport retrying(inner, {3, 1, 10}, [](std::int64_t) {});
    CHECK_THROWS_AS(retrying.send({"GET", "/x", "", "", ""}), fieldsync::Error);
    CHECK(inner.calls == 3);
    ScriptedTransport busy;
    busy.script = {{500, "", {}}, {500, "", {}}};
    RetryingTransport twice(busy, {2, 1, 10}, [](std::int64_t) {});
    CHECK(twice.send({"GET", "/x", "", "", ""}).status == 500);
}

TEST_CASE("The HTTPS transport refuses anything but an https URL", "[Mobile][Transport]") {
    CHECK_THROWS_AS(fieldmobile::make_https_transport({"http://example.com", "", 1, 1}), std::invalid_argument);
    CHECK_THROWS_AS(fieldmobile::make_https_transport({"example.com", "", 1, 1}), std::invalid_argument);
}

TEST_CASE("An unreachable server is reported as unavailable", "[Mobile][Transport]") {
    auto https = fieldmobile::make_https_transport({"https://127.0.0.1:1", "", 2, 2});
    try {
        https->send({"GET", "/healthz", "", "", ""});
        FAIL("no error");
    } catch (const fieldsync::Error& e) {
        CHECK(e.code() == fieldsync::ErrorCode::unavailable);
    }
}
