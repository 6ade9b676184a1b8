// One handler per request: route, authenticate, authorise by role, read a bounded JSON body, dispatch,
// render; every failure becomes {"error":{"code","message","field"}} with its status, never a bare 500.
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>
#include <sstream>

#include "fieldserver/http/api_server.hpp"
#include "fieldserver/http/client_address.hpp"
#include "fieldserver/http/routes_portal.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/gzip.hpp"
#include "fieldsync/wire.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;

int http_status(ErrorCode code) {
    switch (code) {
        case ErrorCode::malformed_json:
            return 400;
        case ErrorCode::missing_field:
            return 422;
        case ErrorCode::invalid_field:
            return 422;
        case ErrorCode::payload_too_large:
            return 413;
        case ErrorCode::unauthenticated:
            return 401;
        case ErrorCode::bad_credentials:
            return 401;
        case ErrorCode::rate_limited:
            return 429;
        case ErrorCode::forbidden:
            return 403;
        case ErrorCode::not_found:
            return 404;
        case ErrorCode::unknown_action:
            return 404;
        case ErrorCode::invalid_transition:
            return 409;
        case ErrorCode::conflict:
            return 409;
        case ErrorCode::stale_summary:
            return 409;
        case ErrorCode::method_not_allowed:
            return 405;
        case ErrorCode::unsupported_media:
            return 415;
        case ErrorCode::unavailable:
            return 503;
        case ErrorCode::internal:
            return 500;
    }
    return 500;
}

HttpResponse error_response(const Error& e) {
    Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
    error->set("code", std::string(fieldsync::to_string(e.code())));
    error->set("message", std::string(e.what()));
    error->set("field", e.field().empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(e.field()));
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("error", error);
    HttpResponse r;
    r.status = http_status(e.code());
    r.json = body;
    return r;
}

namespace {

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
  public:
    ApiRequestHandler(Services& services, const Router& router, Metrics& metrics, std::size_t max_body,
                      Poco::Logger& log, const Poco::Net::TCPServer* server)
        : services_(services), router_(router), metrics_(metrics), max_body_(max_body), log_(log), server_(server) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        auto started = std::chrono::steady_clock::now();
        HttpRequest req;
        req.method = request.getMethod();
        set_client_address(req, request, services_.trusted_proxies);
        std::string route_name = "unmatched";
        HttpResponse res;
        try {
            Poco::URI uri(request.getURI());
            req.path = uri.getPath();
            for (const auto& [k, v] : uri.getQueryParameters()) req.query[k] = v;
            for (const auto& [k, v] : request) req.headers[Poco::toLower(k)] = v;
            bool path_known = false;
            const Route* route = router_.match(req.method, req.path, req.params, path_known);
            if (!route) {
                if (path_known)
                    throw Error(ErrorCode::method_not_allowed, req.method + " is not allowed on " + req.path);
                throw Error(ErrorCode::not_found, "no such endpoint: " + req.method + " " + req.path);
            }
            route_name = route->pattern;
            authorise(request, *route, req);
            if (route->takes_body) req.body = read_body(request);
            if (route->raw_body) req.raw = read_bytes(request, "application/octet-stream");
            res = route->handler(req);
            render(res);
        } catch (const Error& e) {
            res = error_response(e);
        } catch (const Poco::Exception& e) {
            log_.error("%s %s failed: %s", req.method, req.path, e.displayText());
            res = error_response(Error(ErrorCode::internal, "the server failed to answer; the error is logged"));
        } catch (const std::exception& e) {
            log_.error("%s %s failed: %s", req.method, req.path, std::string(e.what()));
            res = error_response(Error(ErrorCode::internal, "the server failed to answer; the error is logged"));
        }
        render(res);
        write(request, response, res);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        metrics_.record(req.method, route_name, res.status, seconds);
        if (log_.information())
            log_.information("%s %s %d %.1fms %s %s", req.method, req.path, res.status, seconds * 1000,
                             req.actor.id.empty() ? std::string("-") : req.actor.role_name() + ":" + req.actor.id,
                             req.source);
    }

  private:
    void authorise(Poco::Net::HTTPServerRequest& request, const Route& route, HttpRequest& req) {
        if (route.access.is_public) return;
        std::string header = request.get("Authorization", "");
        if (Poco::icompare(header.substr(0, 7), "Bearer ") != 0)
            throw Error(ErrorCode::unauthenticated, "log in first: send Authorization: Bearer <token>");
        req.token = Poco::trim(header.substr(7));
        auto actor = services_.auth.authenticate(req.token, req.source);
        if (!actor) throw Error(ErrorCode::unauthenticated, "the token is unknown, expired or revoked; log in again");
        req.actor = *actor;
        if (!req.actor.job_scope.empty() && !portal_session_may_use(route))
            throw Error(ErrorCode::forbidden, "a portal session may not use " + route.method + " " + route.pattern);
        const auto& roles = route.access.roles;
        if (!roles.empty() && std::find(roles.begin(), roles.end(), req.actor.role) == roles.end())
            throw Error(ErrorCode::forbidden,
                        "a " + req.actor.role_name() + " may not use " + route.method + " " + route.pattern);
    }

    // The body of media_type, within the size limit.
    std::string read_bytes(Poco::Net::HTTPServerRequest& request, const std::string& media_type) {
        if (request.hasContentLength() && static_cast<std::size_t>(request.getContentLength64()) > max_body_)
            throw Error(ErrorCode::payload_too_large,
                        "the body is larger than the limit of " + std::to_string(max_body_) + " bytes");
        std::string type = Poco::toLower(request.getContentType());
        if (type.rfind(media_type, 0) != 0) throw Error(ErrorCode::unsupported_media, "send the body as " + media_type);
        std::string body;
        char buffer[8192];
        auto& in = request.stream();
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
            body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (body.size() > max_body_)
                throw Error(ErrorCode::payload_too_large,
                            "the body is larger than the limit of " + std::to_string(max_body_) + " bytes");
        }
        body_read_ = true;
        return body;
    }

    // The strict scanner of the sync wire, not Poco's parser: it refuses numbers past 64 bits (which Poco wraps
    // around), NUL characters and invalid UTF-8, and anything but one object.
    Poco::JSON::Object::Ptr read_body(Poco::Net::HTTPServerRequest& request) {
        return fieldsync::parse_json_object(read_bytes(request, "application/json"));
    }

    // Renders the JSON body into content, inside the try block, so a rendering failure is still answered.
    static void render(HttpResponse& res) {
        if (!res.content_type.empty() || res.status == 204) return;
        std::ostringstream out;
        Poco::JSON::Stringifier::condense(res.json, out);
        res.content = out.str();
        res.content_type = "application/json; charset=utf-8";
    }

    // A kept-alive connection holds one of the server's threads while it idles, so connections stay open only while
    // half the threads are left for new ones: idle devices never keep a busy server from answering others.
    bool may_keep_alive(const Poco::Net::HTTPServerRequest& request) const {
        // A body left unread would be taken for the next request on the connection.
        bool has_body =
            (request.hasContentLength() && request.getContentLength64() > 0) || request.getChunkedTransferEncoding();
        if (has_body && !body_read_) return false;
        return !server_ ||
               (server_->queuedConnections() == 0 && server_->currentConnections() * 2 <= server_->maxThreads());
    }

    void write(const Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
               const HttpResponse& res) {
        if (!may_keep_alive(request)) response.setKeepAlive(false);
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
        for (const auto& [k, v] : res.headers) response.set(k, v);
        // API answers are never cached; static pages set their own revalidation policy.
        if (!response.has("Cache-Control")) response.set("Cache-Control", "no-store");
        response.set("X-Content-Type-Options", "nosniff");
        response.set("Strict-Transport-Security", "max-age=31536000");
        if (!res.content_type.empty()) response.setContentType(res.content_type);
        if (pays_to_gzip(request, res)) {
            std::string packed = fieldsync::gzip_compress(res.content);
            response.set("Content-Encoding", "gzip");
            response.set("Vary", "Accept-Encoding");
            response.setContentLength(static_cast<std::streamsize>(packed.size()));
            response.send() << packed;
            return;
        }
        response.setContentLength(static_cast<std::streamsize>(res.content.size()));
        response.send() << res.content;
    }

    // Text answers of a kilobyte or more shrink several times over; photos and other bytes do not.
    static bool pays_to_gzip(const Poco::Net::HTTPServerRequest& request, const HttpResponse& res) {
        const std::string& type = res.content_type;
        bool text = type.rfind("application/json", 0) == 0 || type.rfind("text/", 0) == 0 ||
                    type.rfind("application/javascript", 0) == 0;
        return text && res.content.size() >= fieldsync::kGzipMinBytes &&
               fieldsync::accepts_gzip(request.get("Accept-Encoding", ""));
    }

    Services& services_;
    const Router& router_;
    Metrics& metrics_;
    std::size_t max_body_;
    Poco::Logger& log_;
    const Poco::Net::TCPServer* server_;
    bool body_read_ = false;
};

}  // namespace

ApiRequestHandlerFactory::ApiRequestHandlerFactory(Services& services, std::size_t max_body_bytes, Poco::Logger& log)
    : services_(services), router_(build_routes(services, metrics_)), max_body_bytes_(max_body_bytes), log_(log) {}

Poco::Net::HTTPRequestHandler* ApiRequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
    // Poco takes ownership of the handler and deletes it after the request.
    return new ApiRequestHandler(services_, router_, metrics_, max_body_bytes_, log_, server_);
}

}  // namespace fieldserver
