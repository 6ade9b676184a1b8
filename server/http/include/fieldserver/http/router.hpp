// The ordered route table (method, path pattern, roles, handler) and what a handler receives and returns.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"

namespace fieldserver {

struct HttpRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> params;  // from {name} segments of the pattern
    Query query;
    Actor actor;                                 // empty for public routes
    std::string token;                           // the bearer token, for logout
    Poco::JSON::Object::Ptr body;                // the parsed JSON object, for routes that take a body
    std::string source;                          // client address
    std::map<std::string, std::string> headers;  // request headers, names in lower case
    std::string raw;                             // the bytes, for routes with raw_body
};

// A body that stays open after the handler returned (server-sent events). The front end calls open() with a sink
// once the head is on its way and close() when the connection ended; the sink may be called from any thread.
class ResponseStream {
  public:
    using Sink = std::function<void(std::string bytes)>;
    virtual ~ResponseStream() = default;
    virtual void open(Sink sink) = 0;
    virtual void close() = 0;
    // What a quiet stream sends now and then, so proxies that drop idle connections keep it.
    virtual std::string heartbeat() const = 0;
};

struct HttpResponse {
    int status = 200;
    Poco::Dynamic::Var json;  // rendered as JSON unless content_type is set
    std::string content;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    std::shared_ptr<ResponseStream> stream;  // content is its first bytes; the connection stays open for the rest
};

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Who may call a route: nobody needs a token (public), any logged-in user, or listed roles.
struct Access {
    bool is_public = false;
    std::vector<Role> roles;  // empty and not public: any authenticated user
};

// The common kinds of access, shared by every route file.
inline const Access kPublic{true, {}};
inline const Access kAnyUser{false, {}};
inline const Access kAdmin{false, {Role::admin}};
inline const Access kStaff{false, {Role::admin, Role::dispatcher}};

// A JSON answer with a status.
inline HttpResponse ok(Poco::Dynamic::Var json, int status = 200) {
    HttpResponse r;
    r.status = status;
    r.json = std::move(json);
    return r;
}

// {"items": array}, for lists that are not paged.
inline HttpResponse items(Poco::JSON::Array::Ptr array) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("items", array);
    return ok(out);
}

struct Route {
    std::string method;
    std::string pattern;  // "/api/v1/jobs/{id}/actions/{action}"
    Access access;
    bool takes_body = false;
    Handler handler;
    bool raw_body = false;  // takes application/octet-stream bytes into HttpRequest::raw (attachment chunks)
};

class Router {
  public:
    void add(Route route);
    // The route for method and path with its parameters; nullptr if none. path_known is set when some route
    // matches the path with another method (so the answer is 405, not 404).
    const Route* match(const std::string& method, const std::string& path, std::map<std::string, std::string>& params,
                       bool& path_known) const;
    const std::vector<Route>& routes() const { return routes_; }

  private:
    std::vector<Route> routes_;
};

}  // namespace fieldserver
