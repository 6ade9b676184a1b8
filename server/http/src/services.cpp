// The services in dependency order: the members' declaration order in services.hpp is the order they are built.
#include "fieldserver/http/services.hpp"

#include "fieldsync/workflow.hpp"

namespace fieldserver {

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
      metrics_access(settings.metrics) {}

}  // namespace fieldserver
