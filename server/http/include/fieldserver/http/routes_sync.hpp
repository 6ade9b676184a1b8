// The sync routes: devices, push, pull, conflicts, compaction, and the synced catalogs and job notes.
#pragma once

#include "fieldserver/http/api_server.hpp"

namespace fieldserver {

// /api/v1/sync/…, /api/v1/parts, /api/v1/fault-categories, /api/v1/jobs/{id}/notes.
void add_sync_routes(Router& router, Services& services);

}  // namespace fieldserver
