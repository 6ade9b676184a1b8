// The route table: every endpoint of the JSON API, who may call it, and the service call behind it.
#include <Poco/JSON/Parser.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>

#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/domain/customers/sms_consent.hpp"
#include "fieldserver/http/api_server.hpp"
#include "fieldserver/http/routes_after_sales.hpp"
#include "fieldserver/http/routes_care.hpp"
#include "fieldserver/http/routes_dispatch.hpp"
#include "fieldserver/http/routes_notifications.hpp"
#include "fieldserver/http/routes_portal.hpp"
#include "fieldserver/http/routes_sync.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

bool is_loopback(const std::string& address) {
    Poco::Net::IPAddress ip;
    if (!Poco::Net::IPAddress::tryParse(address, ip)) return false;
    // An IPv4 client on a dual-stack socket appears as ::ffff:127.x.y.z.
    return ip.isLoopback() || (ip.isIPv4Mapped() && Poco::toLower(address).rfind("::ffff:127.", 0) == 0);
}

// Throws unless metrics.access lets this request read /metrics.
void check_metrics_access(const MetricsAccess& access, const HttpRequest& req) {
    switch (access.mode) {
        case MetricsAccess::Mode::open:
            return;
        case MetricsAccess::Mode::loopback:
            if (!is_loopback(req.source)) throw Error(ErrorCode::forbidden, fieldsync::Message{"metrics.loopback", {}});
            return;
        case MetricsAccess::Mode::token: {
            auto header = req.headers.find("authorization");
            std::string sent = header == req.headers.end() ? std::string() : header->second;
            // Compared as digests, so the time taken does not tell how much of the token was right.
            if (sent.size() < 7 || Poco::icompare(sent.substr(0, 7), "Bearer ") != 0 ||
                sha256_hex(Poco::trim(sent.substr(7))) != sha256_hex(access.token))
                throw Error(ErrorCode::unauthenticated, fieldsync::Message{"metrics.token", {}});
            return;
        }
    }
}

// Health, metrics and the workflow table, which monitoring and every client read first.
void add_service_routes(Router& r, Services& s, Metrics& metrics) {
    r.add({"GET", "/healthz", kPublic, false, [&s](HttpRequest&) {
               s.db.read([](Db& db) { return db.scalar("SELECT 1"); });
               Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
               out->set("status", "ok");
               out->set("database", "ok");
               return ok(out);
           }});
    r.add({"GET", "/metrics", kPublic, false, [&s, &metrics](HttpRequest& req) {
               check_metrics_access(s.metrics_access, req);
               HttpResponse res;
               res.content = metrics.render(s.jobs.count_by_state());
               res.content_type = "text/plain; version=0.0.4; charset=utf-8";
               return res;
           }});
    r.add({"GET", "/api/v1/workflow", kAnyUser, false, [](HttpRequest&) {
               Poco::JSON::Parser parser;
               return ok(parser.parse(std::string(fieldsync::Workflow::builtin_text())));
           }});
}

// Logging in and out, and the user accounts.
void add_auth_and_user_routes(Router& r, Services& s) {
    r.add({"POST", "/api/v1/auth/login", kPublic, true, [&s](HttpRequest& req) {
               fieldsync::validate_fields({{.name = "username"}, {.name = "password"}}, {}, *req.body, "log in");
               int retry_after = 0;
               try {
                   return ok(s.auth.login(req.body->getValue<std::string>("username"),
                                          req.body->getValue<std::string>("password"), req.source, retry_after));
               } catch (const Error& e) {
                   if (e.code() != ErrorCode::rate_limited) throw;
                   auto res = error_response(e);
                   res.headers.emplace_back("Retry-After", std::to_string(retry_after));
                   return res;
               }
           }});
    r.add({"POST", "/api/v1/auth/logout", kAnyUser, false, [&s](HttpRequest& req) {
               s.auth.logout(req.token);
               return ok(Poco::Dynamic::Var(), 204);
           }});
    r.add({"GET", "/api/v1/auth/me", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.users.get(req.actor, req.actor.id)); }});

    r.add({"POST", "/api/v1/users", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.users.create(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/users", kStaff, false,
           [&s](HttpRequest& req) { return ok(s.users.list(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/users/{id}", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.users.get(req.actor, req.params["id"])); }});
    r.add({"PATCH", "/api/v1/users/{id}", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.users.update(req.actor, req.params["id"], req.body)); }});
    r.add({"PUT", "/api/v1/users/{id}/role", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.users.change_role(req.actor, req.params["id"], req.body)); }});
    r.add({"GET", "/api/v1/users/{id}/role-changes", kAdmin, false,
           [&s](HttpRequest& req) { return ok(s.users.role_changes(req.actor, req.params["id"])); }});
}

// Customers and the assets (appliances) they own.
void add_customer_and_asset_routes(Router& r, Services& s) {
    r.add({"POST", "/api/v1/customers", Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}},
           true, [&s](HttpRequest& req) { return ok(s.customers.create_customer(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/customers", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.customers.list_customers(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/customers/{id}", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.customers.get_customer(req.actor, req.params["id"])); }});
    r.add({"PATCH", "/api/v1/customers/{id}",
           Access{false, {Role::admin, Role::dispatcher, Role::customer, Role::agent, Role::supervisor}}, true,
           [&s](HttpRequest& req) { return ok(s.customers.update_customer(req.actor, req.params["id"], req.body)); }});
    r.add({"GET", "/api/v1/customers/{id}/sms-consent",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}}, false,
           [&s](HttpRequest& req) { return ok(sms_consent(s.db, req.actor, req.params["id"])); }});
    r.add({"PUT", "/api/v1/customers/{id}/sms-consent", Access{false, {Role::admin, Role::dispatcher, Role::agent}},
           true,
           [&s](HttpRequest& req) { return ok(record_sms_consent(s.db, req.actor, req.params["id"], req.body)); }});

    r.add({"POST", "/api/v1/assets", kAnyUser, true,
           [&s](HttpRequest& req) { return ok(s.customers.create_asset(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/assets", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.customers.list_assets(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/assets/{id}", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.customers.get_asset(req.actor, req.params["id"])); }});
    r.add({"PATCH", "/api/v1/assets/{id}",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}}, true,
           [&s](HttpRequest& req) { return ok(s.customers.update_asset(req.actor, req.params["id"], req.body)); }});
}

// Jobs, their audit trail and the warranties their repairs give.
void add_job_routes(Router& r, Services& s) {
    r.add({"POST", "/api/v1/jobs", kAnyUser, true,
           [&s](HttpRequest& req) { return ok(s.jobs.create(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/jobs", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.jobs.list(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/jobs/{id}", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.jobs.get(req.actor, req.params["id"])); }});
    // How a fault was found and fixed before: staff and technicians, never customers.
    r.add({"GET", "/api/v1/knowledge",
           Access{false, {Role::admin, Role::dispatcher, Role::technician, Role::agent, Role::supervisor}}, false,
           [&s](HttpRequest& req) { return ok(s.jobs.knowledge(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/jobs/{id}/summary", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.jobs.summary(req.actor, req.params["id"])); }});
    r.add({"POST", "/api/v1/jobs/{id}/actions/{action}", kAnyUser, true, [&s](HttpRequest& req) {
               return ok(s.jobs.act(req.actor, req.params["id"], req.params["action"], req.body));
           }});
    r.add({"GET", "/api/v1/jobs/{id}/events", kAnyUser, false,
           [&s](HttpRequest& req) { return items(s.jobs.events(req.actor, req.params["id"])); }});
    r.add({"GET", "/api/v1/jobs/{id}/events/verify", kStaff, false,
           [&s](HttpRequest& req) { return ok(s.jobs.verify(req.actor, req.params["id"])); }});
    r.add({"GET", "/api/v1/audit/verify", kAdmin, false,
           [&s](HttpRequest& req) { return ok(s.jobs.verify_all(req.actor)); }});
    // Public: an auditor without an account checks the journal's and webhooks' checkpoints with it.
    r.add({"GET", "/api/v1/audit/public-key", kPublic, false, [](HttpRequest&) {
               Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
               out->set("algorithm", "Ed25519");
               out->set("public_key_pem", audit_public_key_pem());
               out->set("signed_message", "fieldrepair-audit-checkpoint-v1\\n<job_id>\\n<seq>\\n<head_hash>\\n<state>");
               return ok(out);
           }});

    r.add({"GET", "/api/v1/warranties", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.jobs.list_warranties(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/warranties/{id}", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.jobs.get_warranty(req.actor, req.params["id"])); }});
}

}  // namespace

Router build_routes(Services& s, Metrics& metrics) {
    Router r;
    add_service_routes(r, s, metrics);
    add_auth_and_user_routes(r, s);
    add_customer_and_asset_routes(r, s);
    add_job_routes(r, s);
    add_dispatch_routes(r, s);
    add_portal_routes(r, s);
    add_after_sales_routes(r, s);
    add_notification_routes(r, s);
    add_care_routes(r, s);
    add_sync_routes(r, s);
    add_web_routes(r);
    return r;
}

}  // namespace fieldserver
