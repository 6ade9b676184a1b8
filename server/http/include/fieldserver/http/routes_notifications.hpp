// The routes of notifications: webhook subscriptions and the delivery log.
#pragma once

#include "fieldserver/http/api_server.hpp"

namespace fieldserver {

// GET/POST /api/v1/webhooks, DELETE /api/v1/webhooks/{id} (admin); GET /api/v1/webhooks/{id}/deliveries and
// GET /api/v1/notifications (admin, dispatcher).
void add_notification_routes(Router& r, Services& s);

}  // namespace fieldserver
