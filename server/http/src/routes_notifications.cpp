// Routes of notifications: webhook subscriptions (admin) and the delivery log (admin, dispatcher).
#include "fieldserver/http/routes_notifications.hpp"

#include "fieldserver/domain/notifications/notification_service.hpp"

namespace fieldserver {

void add_notification_routes(Router& r, Services& s) {
    NotificationService* n = &s.notifications;
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
