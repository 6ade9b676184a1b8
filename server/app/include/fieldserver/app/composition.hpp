// The composition root: the one place that builds every service of the server and runs the start-up data
// migrations, so route registration only registers routes and main() only wires the process together.
#pragma once

#include <Poco/Logger.h>

#include <memory>

#include "fieldserver/app/config.hpp"
#include "fieldserver/http/services.hpp"

namespace fieldserver {

// Every service over db, configured from cfg.
std::unique_ptr<Services> compose_services(Database& db, const ServerConfig& cfg, const std::string& node);

// Start-up work on the data, each step a no-op once done: the first admin from the configured password, the demo
// data when asked for, change-log entries for rows written before the log existed, report facts of older jobs,
// portal photos moved into the attachment store.
void prepare_data(Services& services, const ServerConfig& cfg, Poco::Logger& log);

}  // namespace fieldserver
