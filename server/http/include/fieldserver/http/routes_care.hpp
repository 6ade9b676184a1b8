// The customer-care routes: complaints, appeals, follow-ups and surveys, messages on a job, the deadline sweep,
// the care report, and the care desk page.
#pragma once

#include "fieldserver/http/api_server.hpp"

namespace fieldserver {

// /api/v1/complaints…, /api/v1/appeals…, /api/v1/followups…, /api/v1/jobs/{id}/messages, /api/v1/messages/waiting,
// /api/v1/care/sweep, /api/v1/care/report, and /care/.
void add_care_routes(Router& router, Services& services);

}  // namespace fieldserver
