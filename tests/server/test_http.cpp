// Route matching, error statuses and metrics rendering, without a network.
#include <catch2/catch.hpp>

#include "fieldserver/http/api_server.hpp"
#include "fieldserver/http/metrics.hpp"
#include "fieldserver/http/router.hpp"

using namespace fieldserver;

TEST_CASE("routes match by method and pattern, in order", "[server][http]") {
    Router r;
    auto handler = [](HttpRequest&) { return HttpResponse{}; };
    r.add({"GET", "/api/v1/jobs/{id}", {}, false, handler});
    r.add({"POST", "/api/v1/jobs/{id}/actions/{action}", {}, true, handler});
    std::map<std::string, std::string> params;
    bool known = false;
    auto* route = r.match("POST", "/api/v1/jobs/abc/actions/assign", params, known);
    REQUIRE(route);
    CHECK(route->pattern == "/api/v1/jobs/{id}/actions/{action}");
    CHECK(params["id"] == "abc");
    CHECK(params["action"] == "assign");

    CHECK(r.match("GET", "/api/v1/jobs/%E5%BC%A0", params, known));
    CHECK(params["id"] == "张");

    CHECK_FALSE(r.match("DELETE", "/api/v1/jobs/abc", params, known));
    CHECK(known);
    CHECK_FALSE(r.match("GET", "/api/v1/jobs", params, known));
    CHECK_FALSE(known);
    CHECK_FALSE(r.match("GET", "/api/v1/jobs//", params, known));
}

TEST_CASE("every error code has a 4xx or 5xx status", "[server][http]") {
    using fieldsync::ErrorCode;
    CHECK(http_status(ErrorCode::malformed_json) == 400);
    CHECK(http_status(ErrorCode::missing_field) == 422);
    CHECK(http_status(ErrorCode::unauthenticated) == 401);
    CHECK(http_status(ErrorCode::forbidden) == 403);
    CHECK(http_status(ErrorCode::not_found) == 404);
    CHECK(http_status(ErrorCode::invalid_transition) == 409);
    CHECK(http_status(ErrorCode::payload_too_large) == 413);
    CHECK(http_status(ErrorCode::rate_limited) == 429);
    CHECK(http_status(ErrorCode::internal) == 500);
    auto res = error_response(fieldsync::Error(ErrorCode::invalid_field, "rating must be at most 5", "rating"));
    CHECK(res.status == 422);
    auto error = res.json.extract<Poco::JSON::Object::Ptr>()->getObject("error");
    CHECK(error->getValue<std::string>("code") == "invalid_field");
    CHECK(error->getValue<std::string>("field") == "rating");
}

TEST_CASE("metrics render Prometheus counters, histograms and job gauges", "[server][http]") {
    Metrics m;
    m.record("GET", "/api/v1/jobs", 200, 0.004);
    m.record("GET", "/api/v1/jobs", 200, 0.2);
    m.record("POST", "/api/v1/jobs", 422, 0.001);
    auto text = m.render({{"reported", 3}, {"closed", 1}});
    CHECK(text.find("fieldrepair_http_requests_total{method=\"GET\",route=\"/api/v1/jobs\",status=\"200\"} 2") !=
          std::string::npos);
    CHECK(
        text.find(
            "fieldrepair_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/jobs\",le=\"0.005\"} 1") !=
        std::string::npos);
    CHECK(text.find("fieldrepair_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/jobs\"} 2") !=
          std::string::npos);
    CHECK(text.find("fieldrepair_jobs{state=\"reported\"} 3") != std::string::npos);
}
