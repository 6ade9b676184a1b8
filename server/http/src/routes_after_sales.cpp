// The after-sales endpoints: each parses, calls its service and renders; the services check roles again.
#include "fieldserver/http/routes_after_sales.hpp"

namespace fieldserver {

void add_after_sales_routes(Router& r, Services& s) {
    r.add({"GET", "/api/v1/assets/{id}/purchase", kAfterSalesParties, false,
           [&s](HttpRequest& req) { return ok(s.purchases.get(req.actor, req.params["id"])); }});
    r.add({"PUT", "/api/v1/assets/{id}/purchase", kAfterSalesParties, true,
           [&s](HttpRequest& req) { return ok(s.purchases.put(req.actor, req.params["id"], req.body)); }});
    r.add({"POST", "/api/v1/jobs/{id}/after-sales", kAfterSalesParties, true,
           [&s](HttpRequest& req) { return ok(s.cases.open(req.actor, req.params["id"], req.body), 201); }});
    r.add({"GET", "/api/v1/after-sales/cases", kAfterSalesParties, false,
           [&s](HttpRequest& req) { return ok(s.cases.list(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/after-sales/cases/{id}", kAfterSalesParties, false,
           [&s](HttpRequest& req) { return ok(s.cases.get(req.actor, req.params["id"])); }});
    r.add({"POST", "/api/v1/after-sales/cases/{id}/actions/{action}", kAfterSalesParties, true, [&s](HttpRequest& req) {
               return ok(s.cases.act(req.actor, req.params["id"], req.params["action"], req.body));
           }});
    r.add({"GET", "/api/v1/policies/time-limits", kPolicyReaders, false,
           [&s](HttpRequest& req) { return ok(s.policies.time_limits(req.actor)); }});
    r.add({"PUT", "/api/v1/policies/time-limits", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.policies.put_time_limits(req.actor, req.body)); }});
    r.add({"GET", "/api/v1/policies/after-sales", kPolicyReaders, false,
           [&s](HttpRequest& req) { return ok(s.policies.after_sales_terms(req.actor)); }});
    r.add({"PUT", "/api/v1/policies/after-sales", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.policies.put_after_sales_terms(req.actor, req.body)); }});
    r.add({"POST", "/api/v1/deadlines/sweep", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.deadlines.sweep(req.actor, req.body)); }});
}

}  // namespace fieldserver
