// The live sync route: the hub answers with the device's event stream, which the front end then holds open.
#include "fieldserver/http/live.hpp"

namespace fieldserver {

void add_live_routes(Router& r, LiveHub& hub) {
    // Any user may ask; the sync service refuses a token that is not a device's (403), as for pull.
    r.add({"GET", "/api/v1/sync/live", kAnyUser, false, [&hub](HttpRequest& req) { return hub.open(req.actor); }});
}

}  // namespace fieldserver
