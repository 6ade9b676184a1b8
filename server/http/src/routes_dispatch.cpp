// Route table entries of dispatch: who may call each endpoint and the service call behind it.
#include "fieldserver/http/routes_dispatch.hpp"

namespace fieldserver {

void add_dispatch_routes(Router& r, Services& s) {
    r.add({"GET", "/api/v1/technicians", Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}},
           false, [&s](HttpRequest& req) { return ok(s.technicians.list(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/technicians/{id}/schedule-settings",
           Access{false, {Role::admin, Role::dispatcher, Role::technician}}, false,
           [&s](HttpRequest& req) { return ok(s.technicians.settings(req.actor, req.params["id"])); }});
    r.add({"PATCH", "/api/v1/technicians/{id}/schedule-settings", kStaff, true, [&s](HttpRequest& req) {
               return ok(s.technicians.update_settings(req.actor, req.params["id"], req.body));
           }});
    r.add({"POST", "/api/v1/technicians/{id}/checkin", Access{false, {Role::admin, Role::dispatcher, Role::technician}},
           true,
           [&s](HttpRequest& req) { return ok(s.technicians.check_in(req.actor, req.params["id"], req.body), 201); }});
    r.add({"GET", "/api/v1/technicians/{id}/day", Access{false, {Role::admin, Role::dispatcher, Role::technician}},
           false, [&s](HttpRequest& req) { return ok(s.technicians.day(req.actor, req.params["id"], req.query)); }});

    r.add({"GET", "/api/v1/jobs/{id}/suggestions", kStaff, false,
           [&s](HttpRequest& req) { return ok(s.dispatch.suggestions(req.actor, req.params["id"], req.query)); }});
    r.add({"POST", "/api/v1/dispatch/auto-assign/preview", kStaff, true,
           [&s](HttpRequest& req) { return ok(s.dispatch.preview(req.actor, req.body), 201); }});
    r.add({"POST", "/api/v1/dispatch/auto-assign/{id}/apply", kStaff, true,
           [&s](HttpRequest& req) { return ok(s.dispatch.apply(req.actor, req.params["id"], req.body)); }});

    r.add({"GET", "/api/v1/sla/policies", kStaff, false,
           [&s](HttpRequest& req) { return ok(s.sla.policies(req.actor)); }});
    r.add({"PUT", "/api/v1/sla/policies", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.sla.put_policies(req.actor, req.body)); }});
    r.add({"GET", "/api/v1/sla/calendar", kStaff, false,
           [&s](HttpRequest& req) { return ok(s.sla.calendar(req.actor)); }});
    r.add({"PUT", "/api/v1/sla/calendar", kAdmin, true,
           [&s](HttpRequest& req) { return ok(s.sla.put_calendar(req.actor, req.body)); }});
    r.add({"GET", "/api/v1/sla/at-risk", kStaff, false,
           [&s](HttpRequest& req) { return ok(s.sla.at_risk(req.actor, req.query)); }});
    r.add({"POST", "/api/v1/sla/check", kAdmin, false, [&s](HttpRequest& req) { return ok(s.sla.check(req.actor)); }});

    r.add({"GET", "/api/v1/reports/{name}", Access{false, {Role::admin, Role::dispatcher, Role::supervisor}}, false,
           [&s](HttpRequest& req) {
               auto report = s.reports.report(req.actor, req.params["name"], req.query);
               if (report.json) return ok(report.json);
               HttpResponse res;
               res.content = std::move(report.csv);
               res.content_type = "text/csv; charset=utf-8";
               res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + report.filename + "\"");
               return res;
           }});
}

}  // namespace fieldserver
