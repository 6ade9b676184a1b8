// The server's settings: one table of keys with their environment variables, defaults and help, read from
// the config file and the environment (environment wins), and printed by --help.
#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fieldserver/domain/notifications/notification_sender.hpp"
#include "fieldserver/http/front_end.hpp"
#include "fieldserver/http/live.hpp"
#include "fieldserver/http/services.hpp"

namespace fieldserver {

struct Setting {
    const char* key;  // in the config file (properties or INI)
    const char* env;  // environment variable that overrides it
    const char* default_value;
    const char* help;
};

const std::vector<Setting>& settings();

struct ServerConfig {
    std::string listen;
    std::string data_dir;
    std::string database;
    std::string tls_cert;
    std::string tls_key;
    std::int64_t token_ttl_seconds = 0;
    std::string log_level;
    std::string admin_password;
    bool demo = false;
    std::string demo_password;
    std::size_t max_body_bytes = 0;
    int pbkdf2_iterations = 0;
    int warranty_days = 0;
    bool auto_approve_free_warranty = true;
    int login_max_failures = 0;
    int login_window_seconds = 0;
    int threads = 0;
    FrontSettings http;  // connection limits and deadlines; listen, TLS files, threads and max body filled at start
    LiveSettings live;
    std::string ready_file;
    std::string node_id;
    int sla_check_interval_seconds = 0;
    NotificationSettings notifications;
    MetricsAccess metrics;
    TrustedProxies trusted_proxies;
    std::string audit_key_file;
    std::string audit_journal_dir;  // where each instance appends its audit-checkpoints.<node id>.jsonl
    std::string link_key_file;      // the key sealing queued tracking links (notification_links)
    std::string portal_url;         // "https://host" put before tracking links in notices
    CarePolicy care;
};

// Reads every setting from config (file keys) with the environment overriding; throws
// std::invalid_argument naming the setting when a value is unusable.
ServerConfig load_config(const Poco::Util::AbstractConfiguration& config);

}  // namespace fieldserver
