// The routes of the two web pages: the customer-portal API (public reports, ticket sessions, photos) and the
// static files of the dispatcher board and the customer portal, embedded in the binary.
#pragma once

#include "fieldserver/http/api_server.hpp"

namespace fieldserver {

// POST /api/v1/portal/reports, POST /api/v1/portal/session, GET /api/v1/portal/reports/{id},
// GET /api/v1/portal/photos/{id}.
void add_portal_routes(Router& router, Services& services);

// GET /, /board/…, /portal/…: the pages, with their content types and revalidation by ETag.
void add_web_routes(Router& router);

// Whether a portal session (a job-scoped customer token) may call route: only what the portal page needs, so an
// endpoint added later is closed to such sessions until it is listed here.
bool portal_session_may_use(const Route& route);

}  // namespace fieldserver
