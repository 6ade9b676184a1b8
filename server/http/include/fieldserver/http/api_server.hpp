// The HTTP side of the server: services, routes and the request handler that authenticates, limits, parses,
// dispatches and renders every request, mapping each error to its status and JSON body.
#pragma once

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/TCPServer.h>

#include <memory>

#include "fieldserver/http/metrics.hpp"
#include "fieldserver/http/router.hpp"
#include "fieldserver/http/services.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

// The HTTP status for an error code: the one place codes meet HTTP.
int http_status(fieldsync::ErrorCode code);

// {"error":{"code","message","field"}} with the code's status.
HttpResponse error_response(const fieldsync::Error& e);

// Builds the route table over services.
Router build_routes(Services& services, Metrics& metrics);

class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    ApiRequestHandlerFactory(Services& services, std::size_t max_body_bytes, Poco::Logger& log);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;
    // The server whose load decides whether a connection is kept alive (api_handler.cpp); set before it starts.
    void watch_load(const Poco::Net::TCPServer& server) { server_ = &server; }

  private:
    Services& services_;
    Metrics metrics_;
    Router router_;
    std::size_t max_body_bytes_;
    Poco::Logger& log_;
    const Poco::Net::TCPServer* server_ = nullptr;
};

}  // namespace fieldserver
