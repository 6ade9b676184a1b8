// Routes of notifications: webhook subscriptions (admin) and the delivery log (admin, dispatcher).
#include "fieldserver/http/routes_notifications.hpp"

#include <memory>

#include "fieldserver/services/notification_service.hpp"

namespace fieldserver {

void add_notification_routes(Router& r, Services& s) {
    // The service holds only the database reference; the handlers share it for the router's lifetime.
    auto n = std::make_shared<NotificationService>(s.db);
    r.add({"GET", "/api/v1/webhooks", kAdmin, false,
           [n](HttpRequest& req) { return ok(n->list_webhooks(req.actor, req.query)); }});
    r.add({"POST", "/api/v1/webhooks", kAdmin, true,
           [n](HttpRequest& req) { return ok(n->create_webhook(req.actor, req.body), 201); }});
    r.add({"DELETE", "/api/v1/webhooks/{id}", kAdmin, false, [n](HttpRequest& req) {
               n->delete_webhook(req.actor, req.params["id"]);
               return ok(Poco::Dynamic::Var(), 204);
           }});
    r.add({"GET", "/api/v1/webhooks/{id}/deliveries", kStaff, false,
           [n](HttpRequest& req) { return ok(n->webhook_deliveries(req.actor, req.params["id"], req.query)); }});
    r.add({"GET", "/api/v1/notifications", kStaff, false,
           [n](HttpRequest& req) { return ok(n->list_notifications(req.actor, req.query)); }});
}

}  // namespace fieldserver
