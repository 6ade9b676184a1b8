// The HTTP side of the server: services, routes and the request handler that authenticates, limits, parses,
// dispatches and renders every request, mapping each error to its status and JSON body.
#pragma once

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/TCPServer.h>

#include <memory>

#include "fieldserver/http/metrics.hpp"
#include "fieldserver/http/router.hpp"
#include "fieldserver/services/auth_service.hpp"
#include "fieldserver/services/customer_service.hpp"
#include "fieldserver/services/dispatch_service.hpp"
#include "fieldserver/services/job_service.hpp"
#include "fieldserver/services/report_service.hpp"
#include "fieldserver/services/resource_service.hpp"
#include "fieldserver/services/sla_service.hpp"
#include "fieldserver/services/user_service.hpp"
#include "fieldserver/sync/attachment_service.hpp"
#include "fieldserver/sync/catalog_service.hpp"
#include "fieldserver/sync/device_service.hpp"
#include "fieldserver/sync/note_service.hpp"
#include "fieldserver/sync/sync_service.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

struct Services {
    Database& db;
    AuthService auth;
    UserService users;
    CustomerService customers;
    JobService jobs;
    TechnicianService technicians;
    SlaService sla;
    DispatchService dispatch;
    ReportService reports;
    CatalogService catalog;
    NoteService notes;
    DeviceService devices;
    SyncService sync;
    AttachmentService attachments;
};

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
