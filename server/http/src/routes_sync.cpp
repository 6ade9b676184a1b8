// Routes of offline sync: each handler hands the parsed request to a sync service and renders its answer;
// push and pull speak the wire format of fieldsync/wire.hpp.
#include "fieldserver/http/routes_sync.hpp"

namespace fieldserver {

void add_sync_routes(Router& r, Services& s) {
    // Device and sync routes check the role in the service, after the body is read: a wrong role and a bad body
    // are both answered, whichever the caller sends.
    r.add({"POST", "/api/v1/sync/devices", kAnyUser, true,
           [&s](HttpRequest& req) { return ok(s.devices.register_device(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/sync/devices", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.devices.list(req.actor, req.query)); }});
    r.add({"DELETE", "/api/v1/sync/devices/{id}", kAnyUser, false, [&s](HttpRequest& req) {
               s.devices.revoke(req.actor, req.params["id"]);
               return ok(Poco::Dynamic::Var(), 204);
           }});
    r.add({"POST", "/api/v1/sync/push", kAnyUser, true,
           [&s](HttpRequest& req) { return ok(fieldsync::encode(s.sync.push(req.actor, req.body))); }});
    // Written as text: the change log's stored row texts go out without being parsed and re-serialised.
    r.add({"GET", "/api/v1/sync/pull", kAnyUser, false, [&s](HttpRequest& req) {
               HttpResponse res;
               res.content = fieldsync::encode_text(s.sync.pull(req.actor, req.query));
               res.content_type = "application/json; charset=utf-8";
               return res;
           }});
    r.add({"GET", "/api/v1/sync/conflicts", kStaff, false,
           [&s](HttpRequest& req) { return ok(s.sync.list_conflicts(req.actor, req.query)); }});
    r.add({"POST", "/api/v1/sync/conflicts/{id}/resolve", kStaff, true,
           [&s](HttpRequest& req) { return ok(s.sync.resolve_conflict(req.actor, req.params["id"], req.body)); }});
    r.add({"POST", "/api/v1/sync/compact", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.sync.compact(req.actor, req.body)); }});

    r.add({"GET", "/api/v1/parts", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.catalog.list_parts(req.actor, req.query)); }});
    r.add({"POST", "/api/v1/parts", kStaff, true,
           [&s](HttpRequest& req) { return ok(s.catalog.create_part(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/fault-categories", kAnyUser, false,
           [&s](HttpRequest& req) { return ok(s.catalog.list_fault_categories(req.actor, req.query)); }});
    r.add({"POST", "/api/v1/fault-categories", kStaff, true,
           [&s](HttpRequest& req) { return ok(s.catalog.create_fault_category(req.actor, req.body), 201); }});

    r.add({"GET", "/api/v1/attachments/{sha256}", Access{false, {Role::admin, Role::dispatcher, Role::technician}},
           false, [&s](HttpRequest& req) { return ok(s.attachments.status(req.actor, req.params["sha256"])); }});
    r.add({"PUT", "/api/v1/attachments/{sha256}", Access{false, {Role::admin, Role::dispatcher, Role::technician}},
           false,
           [&s](HttpRequest& req) {
               auto offset = req.query.count("offset") ? req.query.at("offset") : std::string();
               return ok(s.attachments.put(req.actor, req.params["sha256"], offset, req.raw));
           },
           true});
    r.add({"GET", "/api/v1/attachments/{sha256}/content",
           Access{false, {Role::admin, Role::dispatcher, Role::technician}}, false, [&s](HttpRequest& req) {
               auto [bytes, type] = s.attachments.content(req.actor, req.params["sha256"]);
               HttpResponse res;
               res.content = std::move(bytes);
               res.content_type = type;
               // Only images are shown inline (every answer carries nosniff): a PDF is a download.
               if (type.rfind("image/", 0) != 0)
                   res.headers.emplace_back("Content-Disposition",
                                            "attachment; filename=\"" + req.params["sha256"] + ".pdf\"");
               return res;
           }});
    r.add({"GET", "/api/v1/jobs/{id}/notes", Access{false, {Role::admin, Role::dispatcher, Role::technician}}, false,
           [&s](HttpRequest& req) { return items(s.notes.list(req.actor, req.params["id"])); }});
    r.add({"POST", "/api/v1/jobs/{id}/notes", Access{false, {Role::admin, Role::dispatcher, Role::technician}}, true,
           [&s](HttpRequest& req) { return ok(s.notes.add(req.actor, req.params["id"], req.body), 201); }});
}

}  // namespace fieldserver
