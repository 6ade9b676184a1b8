// The HTTP side of the server: services, routes and the request logic that authenticates, limits, parses,
// dispatches and renders every request, mapping each error to its status and JSON body. It is a plain function of
// a complete request; the front end (front_end.hpp) carries requests to it and answers back.
#pragma once

#include <Poco/Logger.h>

#include <memory>

#include "fieldserver/http/front_end.hpp"
#include "fieldserver/http/live.hpp"
#include "fieldserver/http/metrics.hpp"
#include "fieldserver/http/router.hpp"
#include "fieldserver/http/services.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

// The HTTP status for an error code: the one place codes meet HTTP.
int http_status(fieldsync::ErrorCode code);

// {"error":{"code","message","field"}} with the code's status; message and field are made valid UTF-8 (an invalid
// byte the client sent is shown as U+FFFD, never echoed raw).
HttpResponse error_response(const fieldsync::Error& e);

// Builds the route table over services.
Router build_routes(Services& services, Metrics& metrics);

// Route, authenticate, authorise, read the body, dispatch, render, count and log: one request, on the thread that
// calls it.
class ApiHandler {
  public:
    ApiHandler(Services& services, std::size_t max_body_bytes, Poco::Logger& log, LiveSettings live = {});
    ApiHandler(const ApiHandler&) = delete;
    ApiHandler& operator=(const ApiHandler&) = delete;

    WireResponse handle(WireRequest& request);
    // The front end's own refusals (bad framing, deadlines, limits) in the same JSON shape, counted and logged.
    WireResponse refuse(int status, const fieldsync::Error& error, const WireRequest* request);

  private:
    void authorise(const WireRequest& wire, const Route& route, HttpRequest& req);
    std::string read_bytes(WireRequest& wire, const std::string& media_type);
    WireResponse finish(const WireRequest& wire, HttpResponse& res, const HttpRequest& req,
                        const std::string& route_name, double started);

    Services& services_;
    Metrics metrics_;
    Router router_;
    LiveHub live_;
    std::size_t max_body_;
    Poco::Logger& log_;
};

}  // namespace fieldserver
