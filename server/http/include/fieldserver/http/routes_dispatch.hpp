// The dispatch routes: technicians as resources, suggestions, auto-assign, SLA policies and clocks, reports.
#pragma once

#include "fieldserver/http/api_server.hpp"

namespace fieldserver {

// /api/v1/technicians…, /api/v1/jobs/{id}/suggestions, /api/v1/dispatch/auto-assign…, /api/v1/sla/…,
// /api/v1/reports/{name}.
void add_dispatch_routes(Router& router, Services& services);

}  // namespace fieldserver
