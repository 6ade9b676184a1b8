// The request logic, independent of the transport: route, authenticate, authorise by role, read a bounded JSON
// body, dispatch, render; every failure becomes {"error":{"code","message","field"}} with its status, never a bare
// 500. The front end (front/front_end.cpp) hands it complete requests and writes its answers.
#include <Poco/JSON/Stringifier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>
#include <sstream>

#include "fieldserver/http/api_server.hpp"
#include "fieldserver/http/client_address.hpp"
#include "fieldserver/http/routes_portal.hpp"
#include "fieldserver/util/time_zone.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/gzip.hpp"
#include "fieldsync/wire.hpp"
#include "fieldsync/zone.hpp"

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
        case ErrorCode::requirement_unmet:
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

namespace {

// Valid UTF-8 of text, each invalid byte replaced by U+FFFD: an error message may quote what the client sent.
std::string valid_utf8(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = n > 0 && i + n <= text.size() && (n != 2 || c >= 0xc2);
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        if (ok && n == 3) {
            auto c1 = static_cast<unsigned char>(text[i + 1]);
            ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
        }
        if (ok && n == 4) {
            auto c1 = static_cast<unsigned char>(text[i + 1]);
            ok = c <= 0xf4 && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
        }
        if (ok && c != 0) {
            out.append(text, i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

// The media type of a Content-Type value, lower case, without parameters; the charset, if any, must be UTF-8.
bool is_media_type(const std::string& content_type, const std::string& media_type) {
    std::string value = Poco::toLower(content_type);
    auto semicolon = value.find(';');
    if (Poco::trim(value.substr(0, semicolon)) != media_type) return false;
    if (semicolon == std::string::npos) return true;
    std::string params = value.substr(semicolon + 1);
    auto charset = params.find("charset=");
    if (charset == std::string::npos) return true;
    std::string name = Poco::trim(params.substr(charset + 8));
    name = name.substr(0, name.find(';'));
    if (!name.empty() && name.front() == '"') name = name.substr(1, name.size() > 1 ? name.size() - 2 : 0);
    return name == "utf-8" || name == "utf8";
}

// Renders the JSON body into content, inside the try block, so a rendering failure is still answered.
void render(HttpResponse& res) {
    if (!res.content_type.empty() || res.status == 204) return;
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(res.json, out);
    res.content = out.str();
    res.content_type = "application/json; charset=utf-8";
}

// Text answers of a kilobyte or more shrink several times over; photos and other bytes do not.
bool pays_to_gzip(const WireRequest& request, const HttpResponse& res) {
    const std::string& type = res.content_type;
    bool text = type.rfind("application/json", 0) == 0 || type.rfind("text/", 0) == 0 ||
                type.rfind("application/javascript", 0) == 0;
    return !res.stream && text && res.content.size() >= fieldsync::kGzipMinBytes &&
           fieldsync::accepts_gzip(request.header("accept-encoding"));
}

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return Poco::icompare(h.first, name) == 0; });
}

// The reader's clock for times in messages: the request's Time-Zone header (an IANA name, as the pages send the
// zone they show times in); none or an unknown name leaves times in UTC, marked as such.
fieldsync::ZoneOffset request_zone(const std::string& header) {
    std::string name = Poco::trim(header);
    return is_time_zone(name) ? zone_offset(name) : fieldsync::ZoneOffset{};
}

}  // namespace

HttpResponse error_response(const Error& e) {
    Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
    error->set("code", std::string(fieldsync::to_string(e.code())));
    // The one place an error becomes text: in the language the request asked for (ApiHandler::handle sets it).
    error->set("message", valid_utf8(fieldsync::error_text(e, fieldsync::current_locale())));
    error->set("field", e.field().empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(valid_utf8(e.field())));
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("error", error);
    HttpResponse r;
    r.status = http_status(e.code());
    r.json = body;
    // Busy or full storage passes: a client (a device's outbox) waits this long before it tries again.
    if (r.status == 503) r.headers.emplace_back("Retry-After", "5");
    return r;
}

ApiHandler::ApiHandler(Services& services, std::size_t max_body_bytes, Poco::Logger& log, LiveSettings live)
    : services_(services),
      router_(build_routes(services, metrics_)),
      live_(services.sync, live),
      max_body_(max_body_bytes),
      log_(log) {
    add_live_routes(router_, live_);
}

WireResponse ApiHandler::handle(WireRequest& wire) {
    auto started = std::chrono::steady_clock::now();
    // Every message of this answer (errors, reasons) in the language of Accept-Language; codes stay as they are.
    fieldsync::LocaleScope locale(fieldsync::locale_from_accept_language(wire.header("accept-language")));
    fieldsync::ZoneScope zone(request_zone(wire.header("time-zone")));
    HttpRequest req;
    req.method = wire.method;
    set_client_address(req, wire.peer, wire.headers, services_.trusted_proxies);
    std::string route_name = "unmatched";
    HttpResponse res;
    try {
        Poco::URI uri(wire.target);
        req.path = uri.getPath();
        for (const auto& [k, v] : uri.getQueryParameters()) req.query[k] = v;
        for (const auto& [k, v] : wire.headers) req.headers.emplace(k, v);
        bool path_known = false;
        const Route* route = router_.match(req.method, req.path, req.params, path_known);
        if (!route) {
            if (path_known)
                throw Error(
                    ErrorCode::method_not_allowed,
                    fieldsync::Message{"http.method_not_allowed", {{"method", req.method}, {"path", req.path}}});
            throw Error(ErrorCode::not_found,
                        fieldsync::Message{"http.no_endpoint", {{"method", req.method}, {"path", req.path}}});
        }
        route_name = route->pattern;
        authorise(wire, *route, req);
        // The strict scanner of the sync wire, not Poco's parser: it refuses numbers past 64 bits (which Poco wraps
        // around), NUL characters and invalid UTF-8, and anything but one object.
        if (route->takes_body) req.body = fieldsync::parse_json_object(read_bytes(wire, "application/json"));
        if (route->raw_body) req.raw = read_bytes(wire, "application/octet-stream");
        res = route->handler(req);
        render(res);
    } catch (const Error& e) {
        res = error_response(e);
    } catch (const Poco::SyntaxException& e) {
        res = error_response(Error(ErrorCode::invalid_field, fieldsync::Message{"http.bad_uri", {}}, "uri"));
    } catch (const Poco::Exception& e) {
        log_.error("%s %s failed: %s", req.method, req.path, e.displayText());
        res = error_response(Error(ErrorCode::internal, fieldsync::Message{"error.internal", {}}));
    } catch (const std::exception& e) {
        log_.error("%s %s failed: %s", req.method, req.path, std::string(e.what()));
        res = error_response(Error(ErrorCode::internal, fieldsync::Message{"error.internal", {}}));
    }
    render(res);
    return finish(wire, res, req, route_name, std::chrono::duration<double>(started.time_since_epoch()).count());
}

WireResponse ApiHandler::refuse(int status, const Error& error, const WireRequest* request) {
    fieldsync::LocaleScope locale(
        fieldsync::locale_from_accept_language(request ? request->header("accept-language") : std::string()));
    HttpResponse res = error_response(error);
    res.status = status;
    if (status == 503) res.headers.emplace_back("Retry-After", "1");
    render(res);
    WireRequest none;
    const WireRequest& wire = request ? *request : none;
    HttpRequest req;
    req.method = wire.method.empty() ? "-" : wire.method;
    req.path = wire.target.substr(0, wire.target.find('?'));
    set_client_address(req, wire.peer, wire.headers, services_.trusted_proxies);
    auto now = std::chrono::steady_clock::now();
    return finish(wire, res, req, "unmatched", std::chrono::duration<double>(now.time_since_epoch()).count());
}

void ApiHandler::authorise(const WireRequest& wire, const Route& route, HttpRequest& req) {
    if (route.access.is_public) return;
    const std::string& header = wire.header("authorization");
    if (Poco::icompare(header.substr(0, 7), "Bearer ") != 0)
        throw Error(ErrorCode::unauthenticated, fieldsync::Message{"auth.no_token", {}});
    req.token = Poco::trim(header.substr(7));
    auto actor = services_.auth.authenticate(req.token, req.source);
    if (!actor) throw Error(ErrorCode::unauthenticated, fieldsync::Message{"auth.token_invalid", {}});
    req.actor = *actor;
    if (!req.actor.job_scope.empty() && !portal_session_may_use(route))
        throw Error(ErrorCode::forbidden,
                    fieldsync::Message{"auth.portal_route", {{"method", route.method}, {"route", route.pattern}}});
    const auto& roles = route.access.roles;
    if (!roles.empty() && std::find(roles.begin(), roles.end(), req.actor.role) == roles.end())
        throw Error(
            ErrorCode::forbidden,
            fieldsync::Message{"auth.role_route",
                               {{"role", req.actor.role_name()}, {"method", route.method}, {"route", route.pattern}}});
}

// The body of exactly media_type (parameters allowed, a charset only UTF-8), within the size limit. The front end
// refused a longer Content-Length already; this holds for any other transport too.
std::string ApiHandler::read_bytes(WireRequest& wire, const std::string& media_type) {
    if (wire.body.size() > max_body_)
        throw Error(ErrorCode::payload_too_large,
                    fieldsync::Message{"http.body_too_large", {{"max", std::to_string(max_body_)}}});
    if (!is_media_type(wire.header("content-type"), media_type))
        throw Error(ErrorCode::unsupported_media, fieldsync::Message{"http.media_type", {{"media_type", media_type}}});
    // Moved, not copied: a body of megabytes exists once (has_body still says one came).
    return std::move(wire.body);
}

WireResponse ApiHandler::finish(const WireRequest& wire, HttpResponse& res, const HttpRequest& req,
                                const std::string& route_name, double started) {
    WireResponse out;
    out.status = res.status;
    out.headers = res.headers;
    // API answers are never cached; static pages set their own revalidation policy.
    if (!has_header(out.headers, "Cache-Control")) out.headers.emplace_back("Cache-Control", "no-store");
    out.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (res.content_type.rfind("application/json", 0) == 0) {
        out.headers.emplace_back("Content-Language", std::string(fieldsync::to_string(fieldsync::current_locale())));
        out.headers.emplace_back("Vary", "Accept-Language");
    }
    out.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
    if (!res.content_type.empty()) out.headers.emplace_back("Content-Type", res.content_type);
    if (pays_to_gzip(wire, res)) {
        out.body = fieldsync::gzip_compress(res.content);
        out.headers.emplace_back("Content-Encoding", "gzip");
        out.headers.emplace_back("Vary", "Accept-Encoding");
    } else {
        out.body = std::move(res.content);
    }
    out.stream = std::move(res.stream);
    // A body the route never read (refused before it, or a route without one) is not worth keeping the connection
    // for: the client that sent it unasked may not expect the answer to come before it finished sending.
    bool body_used = req.body || !req.raw.empty();
    if (wire.has_body && !body_used) out.close = true;
    double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    double seconds = now - started;
    metrics_.record(req.method, route_name, res.status, seconds);
    if (log_.information())
        log_.information("%s %s %d %.1fms %s %s", req.method, req.path, res.status, seconds * 1000,
                         req.actor.id.empty() ? std::string("-") : req.actor.role_name() + ":" + req.actor.id,
                         req.source);
    return out;
}

}  // namespace fieldserver
