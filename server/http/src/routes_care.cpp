// Route table entries of customer care: who may call each endpoint and the service call behind it. Agents and
// supervisors work every queue; customers reach their own records (the services check whose they are).
#include "fieldserver/http/routes_care.hpp"

#include "fieldserver/domain/care/care_records.hpp"
#include "fieldserver/domain/care/care_report.hpp"
#include "fieldserver/domain/care/care_sweep.hpp"

namespace fieldserver {

namespace {

// The care report (JSON or CSV) and the evidence files' bytes.
void add_care_file_routes(Router& r, Services& s) {
    Database* db = &s.db;
    AttachmentService* attachments = &s.attachments;
    r.add({"GET", "/api/v1/care/evidence/{id}/content",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, false,
           [db, attachments](HttpRequest& req) {
               auto [bytes, type] = evidence_content(*db, *attachments, req.actor, req.params["id"]);
               HttpResponse res;
               res.content = std::move(bytes);
               res.content_type = type;
               // Only images are shown inline (every answer carries nosniff): a PDF is a download.
               if (type.rfind("image/", 0) != 0)
                   res.headers.emplace_back("Content-Disposition", "attachment; filename=\"evidence.pdf\"");
               return res;
           }});
    r.add({"GET", "/api/v1/care/report", Access{false, {Role::admin, Role::agent, Role::supervisor}}, false,
           [db](HttpRequest& req) {
               auto report = care_report(*db, req.actor, req.query);
               if (report.json) return ok(report.json);
               HttpResponse res;
               res.content = std::move(report.csv);
               res.content_type = "text/csv; charset=utf-8";
               res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + report.filename + "\"");
               return res;
           }});
}

}  // namespace

void add_care_routes(Router& r, Services& s) {
    ComplaintService* complaints = &s.complaints;
    r.add({"POST", "/api/v1/complaints",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, true,
           [complaints](HttpRequest& req) { return ok(complaints->create(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/complaints",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, false,
           [complaints](HttpRequest& req) { return ok(complaints->list(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/complaints/{id}",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, false,
           [complaints](HttpRequest& req) { return ok(complaints->get(req.actor, req.params["id"])); }});
    r.add({"POST", "/api/v1/complaints/{id}/actions/{action}",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, true,
           [complaints](HttpRequest& req) {
               return ok(complaints->act(req.actor, req.params["id"], req.params["action"], req.body));
           }});

    AppealService* appeals = &s.appeals;
    r.add({"POST", "/api/v1/appeals",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, true,
           [appeals](HttpRequest& req) { return ok(appeals->create(req.actor, req.body), 201); }});
    r.add({"GET", "/api/v1/appeals",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, false,
           [appeals](HttpRequest& req) { return ok(appeals->list(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/appeals/{id}",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, false,
           [appeals](HttpRequest& req) { return ok(appeals->get(req.actor, req.params["id"])); }});
    r.add({"POST", "/api/v1/appeals/{id}/actions/{action}",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, true,
           [appeals](HttpRequest& req) {
               return ok(appeals->act(req.actor, req.params["id"], req.params["action"], req.body));
           }});

    FollowupService* followups = &s.followups;
    r.add({"GET", "/api/v1/followups",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, false,
           [followups](HttpRequest& req) { return ok(followups->list(req.actor, req.query)); }});
    r.add({"GET", "/api/v1/followups/{id}",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, false,
           [followups](HttpRequest& req) { return ok(followups->get(req.actor, req.params["id"])); }});
    r.add({"POST", "/api/v1/followups/{id}/survey",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}}, true,
           [followups](HttpRequest& req) { return ok(followups->survey(req.actor, req.params["id"], req.body)); }});
    r.add({"POST", "/api/v1/followups/{id}/waive",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}}, true,
           [followups](HttpRequest& req) { return ok(followups->waive(req.actor, req.params["id"], req.body)); }});

    MessageService* messages = &s.messages;
    r.add({"GET", "/api/v1/jobs/{id}/messages", kAnyUser, false,
           [messages](HttpRequest& req) { return items(messages->list(req.actor, req.params["id"])); }});
    r.add({"POST", "/api/v1/jobs/{id}/messages", kAnyUser, true,
           [messages](HttpRequest& req) { return ok(messages->post(req.actor, req.params["id"], req.body), 201); }});
    r.add({"GET", "/api/v1/messages/waiting",
           Access{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}}, false,
           [messages](HttpRequest& req) { return ok(messages->waiting(req.actor, req.query)); }});

    CareSweep* sweep = &s.care_sweep;
    r.add({"POST", "/api/v1/care/sweep", Access{false, {Role::admin, Role::supervisor}}, false,
           [sweep](HttpRequest& req) { return ok(sweep->sweep_for(req.actor)); }});
    add_care_file_routes(r, s);
}

}  // namespace fieldserver
