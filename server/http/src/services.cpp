// The services in dependency order: the members' declaration order in services.hpp is the order they are built.
#include "fieldserver/http/services.hpp"

#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/domain/care/customer_notices.hpp"
#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

void connect_job_listeners(JobService& jobs) {
    // In this order: the audit event first, then the notifications it calls for, the report facts (which read the
    // event), the deadlines of the waits it starts or ends, and the change log that takes the job (and the rows that
    // follow it) to devices.
    auto& listeners = jobs.listeners();
    listeners.on_job_change(
        [](Db& db, const JobChange& c) { append_event(db, c.job_id, c.actor, c.action, c.before, c.after); });
    listeners.on_job_change([](Db& db, const JobChange& c) {
        enqueue_notifications(db, c.job_id, c.actor, c.action, c.after, c.tracking_link);
    });
    listeners.on_job_change([](Db& db, const JobChange& c) { refresh_job_facts(db, c.job_id); });
    listeners.on_job_change(DeadlineService::on_job_change);
    listeners.on_job_change([](Db& db, const JobChange& c) { record_change(db, "jobs", c.job_id); });
    listeners.on_row_change([](Db& db, const RowChange& c) { record_change(db, c.table, c.row_id); });
    jobs.read_trail_with({.events = list_events, .verify = verify_chain});
}

Services::Services(Database& database, const ServiceSettings& settings)
    : db(database),
      auth(database, settings.token_ttl_seconds, settings.login_max_failures, settings.login_window_seconds,
           settings.pbkdf2_iterations),
      users(database, settings.pbkdf2_iterations),
      customers(database),
      jobs(database, fieldsync::Workflow::builtin(), settings.jobs),
      technicians(database),
      sla(database),
      dispatch(database, jobs),
      reports(database),
      catalog(database),
      notes(database),
      devices(database),
      sync(database, jobs),
      attachments(database, settings.attachments_dir),
      portal(database, customers, jobs, attachments),
      notifications(database),
      complaints(database, attachments, settings.care),
      appeals(database, jobs, attachments, settings.care),
      followups(database, settings.care),
      messages(database),
      policies(database),
      purchases(database, attachments),
      cases(database, jobs),
      deadlines(database, jobs, cases),
      care_sweep(database, settings.care),
      metrics_access(settings.metrics),
      trusted_proxies(settings.trusted_proxies) {
    connect_job_listeners(jobs);
    // Customer care: the follow-up call a job's end calls for (and the complaint a low acceptance rating opens).
    jobs.listeners().on_job_change(
        [policy = settings.care](Db& db, const JobChange& c) { record_followup(db, c, policy); });
    jobs.check_requirement_with("followup_settled", followup_settled);
    jobs.listeners().on_job_change(notify_customer_of_step);
}

}  // namespace fieldserver
