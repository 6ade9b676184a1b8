// The customer-portal endpoints and the static files of the two web pages, with the list of endpoints a portal
// session may call.
#include "fieldserver/http/routes_portal.hpp"

#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

#include "fieldserver/domain/portal/portal_service.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

// Defined in the source generated from server/web by cmake/EmbedFiles.cmake.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_web();

namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

// Runs a rate-limited call; a rate_limited error is answered with its Retry-After header.
template <class F>
HttpResponse limited(F&& f) {
    int retry_after = 0;
    try {
        return f(retry_after);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::rate_limited) throw;
        auto res = error_response(e);
        res.headers.emplace_back("Retry-After", std::to_string(retry_after));
        return res;
    }
}

struct WebFile {
    std::string_view content;
    std::string content_type;
    std::string etag;
};

std::string content_type_of(std::string_view name) {
    static const std::map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml; charset=utf-8"},
        {".png", "image/png"},
        {".txt", "text/plain; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".webmanifest", "application/manifest+json; charset=utf-8"},
    };
    auto dot = name.rfind('.');
    auto it = dot == std::string_view::npos ? types.end() : types.find(std::string(name.substr(dot)));
    return it == types.end() ? "application/octet-stream" : it->second;
}

// The embedded files by their path under server/web ("board/index.html"), each with its type and a strong ETag.
const std::map<std::string, WebFile, std::less<>>& web_files() {
    static const auto files = [] {
        std::map<std::string, WebFile, std::less<>> out;
        for (const auto& [name, content] : embedded_web())
            out.emplace(std::string(name), WebFile{content, content_type_of(name),
                                                   "\"" + sha256_hex(std::string(content)).substr(0, 32) + "\""});
        return out;
    }();
    return files;
}

// The pages' Content-Security-Policy. The technician app also compiles its WebAssembly core, which a policy must
// allow by name ('wasm-unsafe-eval': WebAssembly only, never JavaScript eval).
std::string content_security_policy(const std::string& name) {
    std::string script = name.rfind("tech/", 0) == 0 ? "script-src 'self' 'wasm-unsafe-eval'; " : "script-src 'self'; ";
    return "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; " + script +
           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

// Answers with the embedded file name, or 304 when the browser's copy (If-None-Match) is current. Names are
// built from route segments and looked up in the embedded set, so no request can reach a file outside it.
HttpResponse serve(const HttpRequest& req, const std::string& name) {
    const auto& files = web_files();
    auto it = files.find(name);
    if (name.find("..") != std::string::npos || it == files.end())
        throw Error(ErrorCode::not_found, fieldsync::Message{"http.no_page", {{"path", req.path}}});
    const WebFile& file = it->second;
    HttpResponse res;
    res.content_type = file.content_type;
    // no-cache: the browser keeps the file but asks each time, so a new server version shows at once.
    res.headers = {{"Cache-Control", "no-cache"}, {"ETag", file.etag}};
    if (file.content_type.rfind("text/html", 0) == 0) {
        res.headers.emplace_back("Content-Security-Policy", content_security_policy(name));
        res.headers.emplace_back("Referrer-Policy", "no-referrer");
    }
    auto match = req.headers.find("if-none-match");
    if (match != req.headers.end() && match->second == file.etag) {
        res.status = 304;
        return res;
    }
    res.content = std::string(file.content);
    return res;
}

HttpResponse redirect(const std::string& location) {
    HttpResponse res;
    res.status = 301;
    res.content_type = "text/html; charset=utf-8";
    res.content = "<!doctype html><meta charset=\"utf-8\"><a href=\"" + location + "\">" + location + "</a>\n";
    res.headers = {{"Location", location}};
    return res;
}

}  // namespace

void add_portal_routes(Router& r, Services& s) {
    PortalService* portal = &s.portal;
    r.add({"POST", "/api/v1/portal/reports", kPublic, true, [portal](HttpRequest& req) {
               return limited(
                   [&](int& retry_after) { return ok(portal->report(req.body, req.source, retry_after), 201); });
           }});
    r.add({"POST", "/api/v1/portal/session", kPublic, true, [portal](HttpRequest& req) {
               return limited(
                   [&](int& retry_after) { return ok(portal->open_session(req.body, req.source, retry_after)); });
           }});
    r.add({"GET", "/api/v1/portal/reports/{id}",
           Access{false, {Role::admin, Role::dispatcher, Role::customer, Role::agent, Role::supervisor}}, false,
           [portal](HttpRequest& req) { return ok(portal->get_report(req.actor, req.params["id"])); }});
    r.add({"GET", "/api/v1/portal/photos/{id}",
           Access{false, {Role::admin, Role::dispatcher, Role::customer, Role::agent, Role::supervisor}}, false,
           [portal](HttpRequest& req) {
               auto photo = portal->photo(req.actor, req.params["id"]);
               HttpResponse res;
               res.content_type = photo.content_type;
               res.content = std::move(photo.bytes);
               res.headers = {{"ETag", "\"" + photo.sha256 + "\""}, {"Cache-Control", "private, no-store"}};
               return res;
           }});
}

void add_web_routes(Router& r) {
    r.add({"GET", "/", kPublic, false, [](HttpRequest& req) { return serve(req, "index.html"); }});
    r.add({"GET", "/board", kPublic, false, [](HttpRequest&) { return redirect("/board/"); }});
    r.add({"GET", "/board/", kPublic, false, [](HttpRequest& req) { return serve(req, "board/index.html"); }});
    r.add({"GET", "/board/{file}", kPublic, false,
           [](HttpRequest& req) { return serve(req, "board/" + req.params["file"]); }});
    r.add({"GET", "/portal", kPublic, false, [](HttpRequest&) { return redirect("/portal/"); }});
    r.add({"GET", "/portal/", kPublic, false, [](HttpRequest& req) { return serve(req, "portal/index.html"); }});
    r.add({"GET", "/portal/{file}", kPublic, false,
           [](HttpRequest& req) { return serve(req, "portal/" + req.params["file"]); }});
    r.add({"GET", "/care", kPublic, false, [](HttpRequest&) { return redirect("/care/"); }});
    r.add({"GET", "/care/", kPublic, false, [](HttpRequest& req) { return serve(req, "care/index.html"); }});
    r.add({"GET", "/care/{file}", kPublic, false,
           [](HttpRequest& req) { return serve(req, "care/" + req.params["file"]); }});
    // The technician app: its pages, service worker and manifest, and the device core the build makes for it.
    r.add({"GET", "/tech", kPublic, false, [](HttpRequest&) { return redirect("/tech/"); }});
    r.add({"GET", "/tech/", kPublic, false, [](HttpRequest& req) { return serve(req, "tech/index.html"); }});
    r.add({"GET", "/tech/{file}", kPublic, false,
           [](HttpRequest& req) { return serve(req, "tech/" + req.params["file"]); }});
    r.add({"GET", "/tech/core/{file}", kPublic, false,
           [](HttpRequest& req) { return serve(req, "tech/core/" + req.params["file"]); }});
}

bool portal_session_may_use(const Route& route) {
    static const std::set<std::pair<std::string, std::string>> allowed = {
        {"GET", "/api/v1/workflow"},
        {"POST", "/api/v1/auth/logout"},
        {"GET", "/api/v1/jobs"},
        {"GET", "/api/v1/jobs/{id}"},
        {"GET", "/api/v1/jobs/{id}/summary"},
        {"GET", "/api/v1/jobs/{id}/events"},
        {"POST", "/api/v1/jobs/{id}/actions/{action}"},
        {"GET", "/api/v1/warranties"},
        {"GET", "/api/v1/warranties/{id}"},
        {"GET", "/api/v1/portal/reports/{id}"},
        {"GET", "/api/v1/portal/photos/{id}"},
        {"GET", "/api/v1/jobs/{id}/messages"},
        {"POST", "/api/v1/jobs/{id}/messages"},
        {"GET", "/api/v1/followups"},
        {"POST", "/api/v1/followups/{id}/survey"},
        {"POST", "/api/v1/appeals"},
        {"GET", "/api/v1/appeals"},
        {"GET", "/api/v1/complaints"},
        {"POST", "/api/v1/complaints"},
        {"GET", "/api/v1/assets/{id}/purchase"},
        {"PUT", "/api/v1/assets/{id}/purchase"},
        {"POST", "/api/v1/jobs/{id}/after-sales"},
        {"GET", "/api/v1/after-sales/cases"},
        {"GET", "/api/v1/after-sales/cases/{id}"},
        {"POST", "/api/v1/after-sales/cases/{id}/actions/{action}"},
    };
    return allowed.count({route.method, route.pattern}) > 0;
}

}  // namespace fieldserver
