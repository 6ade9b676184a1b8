// Settings table and loading: defaults < config file < environment.
#include "fieldserver/app/config.hpp"

#include <Poco/Environment.h>
#include <Poco/NumberParser.h>

#include <iterator>
#include <stdexcept>

#include "fieldserver/domain/notifications/notification_service.hpp"

namespace fieldserver {

namespace {

// Every setting, in the order --help prints them: data, not code.
const Setting kSettings[] = {
    {"listen", "FIELDREPAIR_LISTEN", "0.0.0.0:8443", "address and port to serve HTTPS on (port 0: any free port)"},
    {"data_dir", "FIELDREPAIR_DATA_DIR", "var", "folder for the default database and generated TLS files"},
    {"database", "FIELDREPAIR_DATABASE", "",
     "SQLite file path or PostgreSQL connection string (default <data_dir>/fieldrepair.db)"},
    {"tls.cert", "FIELDREPAIR_TLS_CERT", "", "PEM certificate (default: a self-signed one made in <data_dir>/tls)"},
    {"tls.key", "FIELDREPAIR_TLS_KEY", "", "PEM private key for tls.cert"},
    {"auth.token_ttl", "FIELDREPAIR_TOKEN_TTL", "3600", "lifetime of a login token in seconds"},
    {"log.level", "FIELDREPAIR_LOG_LEVEL", "information", "error, warning, notice, information, debug or trace"},
    {"admin.password", "FIELDREPAIR_ADMIN_PASSWORD", "",
     "creates the user 'admin' with this password when no admin exists"},
    {"demo.enabled", "FIELDREPAIR_DEMO", "false",
     "load demo customers, assets, technicians and jobs into an empty database"},
    {"demo.password", "FIELDREPAIR_DEMO_PASSWORD", "",
     "password of the demo users (default: generated, saved in <data_dir>)"},
    {"limits.max_body_bytes", "FIELDREPAIR_MAX_BODY_BYTES", "4194304", "largest request body accepted"},
    {"auth.pbkdf2_iterations", "FIELDREPAIR_PBKDF2_ITERATIONS", "210000",
     "PBKDF2-HMAC-SHA256 iterations for new password hashes"},
    {"auth.login_max_failures", "FIELDREPAIR_LOGIN_MAX_FAILURES", "5",
     "failed logins per username before it refuses the addresses that failed on it; a client address gets "
     "twice as many before its pauses start"},
    {"auth.login_window", "FIELDREPAIR_LOGIN_WINDOW", "300", "seconds over which failed logins are counted"},
    {"warranty.days", "FIELDREPAIR_WARRANTY_DAYS", "90", "days a repair is under warranty after acceptance"},
    {"workflow.auto_approve_free_warranty", "FIELDREPAIR_AUTO_APPROVE", "true",
     "approve a plan at once when it is under warranty and costs the customer nothing"},
    {"http.threads", "FIELDREPAIR_THREADS", "16",
     "request threads; connections wait on the event thread, so only requests in progress hold one"},
    {"http.header_timeout", "FIELDREPAIR_HEADER_TIMEOUT", "10",
     "seconds from connect (or the first byte of a kept-alive request) to the complete request head"},
    {"http.keep_alive_timeout", "FIELDREPAIR_KEEP_ALIVE_TIMEOUT", "15",
     "seconds a kept-alive connection may idle between requests"},
    {"http.min_body_rate", "FIELDREPAIR_MIN_BODY_RATE", "4096",
     "bytes per second a request body (and an answer) must average once http.header_timeout has passed"},
    {"http.max_connections", "FIELDREPAIR_MAX_CONNECTIONS", "10000",
     "connections open at once (lowered to what the file limit allows)"},
    {"http.max_connections_per_address", "FIELDREPAIR_MAX_CONNECTIONS_PER_ADDRESS", "1000",
     "connections open at once from one client address; more are answered 503"},
    {"limits.body_budget_bytes", "FIELDREPAIR_BODY_BUDGET_BYTES", "16777216",
     "request bodies held in memory at once over all connections; more wait their turn"},
    {"sync.live_heartbeat", "FIELDREPAIR_LIVE_HEARTBEAT", "25",
     "seconds between heartbeats on a quiet live sync stream (below the idle limit of proxies in between)"},
    {"ready_file", "FIELDREPAIR_READY_FILE", "", "file to write the actual https://host:port to once listening"},
    {"node.id", "FIELDREPAIR_NODE_ID", "",
     "this instance's node id among instances on one database (empty: made up once, kept in DATA_DIR/node-id)"},
    {"sla.check_interval", "FIELDREPAIR_SLA_CHECK_INTERVAL", "60",
     "seconds between checks that escalate jobs at risk or past their SLA (0: only POST /api/v1/sla/check)"},
    {"smtp.host", "FIELDREPAIR_SMTP_HOST", "", "SMTP server for email notifications (empty: no email is sent)"},
    {"smtp.port", "FIELDREPAIR_SMTP_PORT", "25", "SMTP server port (587 with smtp.starttls for most providers)"},
    {"smtp.from", "FIELDREPAIR_SMTP_FROM", "fieldrepair@localhost", "sender address of notification emails"},
    {"smtp.user", "FIELDREPAIR_SMTP_USER", "", "SMTP login (empty: no authentication)"},
    {"smtp.password", "FIELDREPAIR_SMTP_PASSWORD", "", "SMTP password for smtp.user"},
    {"smtp.starttls", "FIELDREPAIR_SMTP_STARTTLS", "false",
     "switch the SMTP connection to TLS (STARTTLS) before login"},
    {"notify.interval_ms", "FIELDREPAIR_NOTIFY_INTERVAL_MS", "5000",
     "how often the notification outbox is checked, milliseconds"},
    {"notify.max_attempts", "FIELDREPAIR_NOTIFY_MAX_ATTEMPTS", "8",
     "delivery attempts of an email or webhook call before it is given up"},
    {"notify.backoff_ms", "FIELDREPAIR_NOTIFY_BACKOFF_MS", "30000",
     "wait after a failed delivery, doubled after each further failure (at most 6 hours)"},
    {"notify.timeout", "FIELDREPAIR_NOTIFY_TIMEOUT", "10",
     "seconds a notification's connect, send or receive may take"},
    {"http.trusted_proxies", "FIELDREPAIR_TRUSTED_PROXIES", "",
     "load balancers whose X-Forwarded-For / Forwarded headers name the client (addresses or CIDR ranges, "
     "comma-separated; empty: the TCP peer is the client)"},
    {"audit.key_file", "FIELDREPAIR_AUDIT_KEY_FILE", "",
     "Ed25519 key (PEM) that signs audit checkpoints (default <data_dir>/audit-key.pem, made on first start; "
     "give every instance the same file)"},
    {"audit.journal_dir", "FIELDREPAIR_AUDIT_JOURNAL_DIR", "",
     "folder of the audit checkpoint journals: each instance appends to audit-checkpoints.<node id>.jsonl and "
     "verification reads every instance's (default <data_dir>; give instances one shared folder)"},
    {"notifications.link_key_file", "FIELDREPAIR_LINK_KEY_FILE", "",
     "key that seals the tracking links of queued notices, kept out of the database (default <data_dir>/link-key, "
     "made on first start; give every instance on one database the same file)"},
    {"portal.url", "FIELDREPAIR_PORTAL_URL", "",
     "the portal's public address (https://host), put before the tracking link sent to customers (empty: the path "
     "alone)"},
    {"sms.url", "FIELDREPAIR_SMS_URL", "",
     "SMS gateway: customer notices are POSTed there as JSON {to, text, event, ticket_no} (empty: no SMS)"},
    {"sms.secret", "FIELDREPAIR_SMS_SECRET", "",
     "key of the HMAC-SHA256 signature (X-Fieldrepair-Signature) on every SMS gateway call"},
    {"care.complaint_contact_minutes", "FIELDREPAIR_CARE_COMPLAINT_CONTACT_MINUTES", "1440",
     "minutes within which a complaining customer must be contacted"},
    {"care.complaint_resolve_minutes", "FIELDREPAIR_CARE_COMPLAINT_RESOLVE_MINUTES", "4320",
     "minutes within which a complaint must be resolved"},
    {"care.appeal_callback_minutes", "FIELDREPAIR_CARE_APPEAL_CALLBACK_MINUTES", "2880",
     "minutes within which an appealing customer must be called back (48 hours)"},
    {"care.followup_delay_minutes", "FIELDREPAIR_CARE_FOLLOWUP_DELAY_MINUTES", "4320",
     "minutes after a job ends (accepted, declined, cancelled, withdrawn, returned) that its follow-up call is due"},
    {"care.deadline_near_minutes", "FIELDREPAIR_CARE_DEADLINE_NEAR_MINUTES", "1440",
     "minutes before a customer's own deadline (a plan to decide on) that they are told it is near"},
    {"metrics.access", "FIELDREPAIR_METRICS_ACCESS", "loopback",
     "who may read /metrics: loopback (clients on 127.0.0.1 or ::1), token (metrics.token) or public"},
    {"metrics.token", "FIELDREPAIR_METRICS_TOKEN", "",
     "bearer token /metrics requires when metrics.access is token (at least 16 characters)"},
};

}  // namespace

const std::vector<Setting>& settings() {
    static const std::vector<Setting> table(std::begin(kSettings), std::end(kSettings));
    return table;
}

namespace {

std::string value_of(const Poco::Util::AbstractConfiguration& config, const Setting& s) {
    if (Poco::Environment::has(s.env)) return Poco::Environment::get(s.env);
    return config.getString(s.key, s.default_value);
}

std::string get(const Poco::Util::AbstractConfiguration& config, const char* key) {
    for (const auto& s : settings())
        if (std::string(s.key) == key) return value_of(config, s);
    throw std::logic_error(std::string("no setting ") + key);
}

std::int64_t get_int(const Poco::Util::AbstractConfiguration& config, const char* key, std::int64_t min,
                     std::int64_t max) {
    std::string text = get(config, key);
    Poco::Int64 v = 0;
    if (!Poco::NumberParser::tryParse64(text, v) || v < min || v > max)
        throw std::invalid_argument(std::string(key) + " must be a whole number from " + std::to_string(min) + " to " +
                                    std::to_string(max) + ", not '" + text + "'");
    return v;
}

bool get_bool(const Poco::Util::AbstractConfiguration& config, const char* key) {
    std::string text = get(config, key);
    bool v = false;
    if (!Poco::NumberParser::tryParseBool(text, v))
        throw std::invalid_argument(std::string(key) + " must be true or false, not '" + text + "'");
    return v;
}

}  // namespace

ServerConfig load_config(const Poco::Util::AbstractConfiguration& config) {
    ServerConfig c;
    c.listen = get(config, "listen");
    c.data_dir = get(config, "data_dir");
    c.database = get(config, "database");
    if (c.database.empty()) c.database = c.data_dir + "/fieldrepair.db";
    c.tls_cert = get(config, "tls.cert");
    c.tls_key = get(config, "tls.key");
    if (c.tls_cert.empty() != c.tls_key.empty())
        throw std::invalid_argument("tls.cert and tls.key must be set together (or neither, for a self-signed pair)");
    c.token_ttl_seconds = get_int(config, "auth.token_ttl", 60, 30 * 86400);
    c.log_level = get(config, "log.level");
    c.admin_password = get(config, "admin.password");
    c.demo = get_bool(config, "demo.enabled");
    c.demo_password = get(config, "demo.password");
    c.max_body_bytes = static_cast<std::size_t>(get_int(config, "limits.max_body_bytes", 1024, 256 << 20));
    c.pbkdf2_iterations = static_cast<int>(get_int(config, "auth.pbkdf2_iterations", 1000, 10'000'000));
    c.login_max_failures = static_cast<int>(get_int(config, "auth.login_max_failures", 1, 1000));
    c.login_window_seconds = static_cast<int>(get_int(config, "auth.login_window", 1, 86400));
    c.warranty_days = static_cast<int>(get_int(config, "warranty.days", 0, 3650));
    c.auto_approve_free_warranty = get_bool(config, "workflow.auto_approve_free_warranty");
    c.threads = static_cast<int>(get_int(config, "http.threads", 1, 512));
    c.http.header_timeout_seconds = static_cast<int>(get_int(config, "http.header_timeout", 1, 3600));
    c.http.keep_alive_seconds = static_cast<int>(get_int(config, "http.keep_alive_timeout", 1, 3600));
    c.http.min_body_rate = static_cast<std::size_t>(get_int(config, "http.min_body_rate", 1, 1 << 30));
    c.http.max_connections = static_cast<std::size_t>(get_int(config, "http.max_connections", 16, 1'000'000));
    c.http.max_connections_per_address =
        static_cast<std::size_t>(get_int(config, "http.max_connections_per_address", 1, 1'000'000));
    c.http.body_budget_bytes = static_cast<std::size_t>(get_int(config, "limits.body_budget_bytes", 1024, 1LL << 34));
    c.live.heartbeat_seconds = static_cast<int>(get_int(config, "sync.live_heartbeat", 1, 3600));
    c.ready_file = get(config, "ready_file");
    c.node_id = get(config, "node.id");
    c.sla_check_interval_seconds = static_cast<int>(get_int(config, "sla.check_interval", 0, 86400));
    c.notifications.smtp_host = get(config, "smtp.host");
    c.notifications.smtp_port = static_cast<int>(get_int(config, "smtp.port", 1, 65535));
    c.notifications.smtp_from = get(config, "smtp.from");
    c.notifications.smtp_user = get(config, "smtp.user");
    c.notifications.smtp_password = get(config, "smtp.password");
    c.notifications.smtp_starttls = get_bool(config, "smtp.starttls");
    c.notifications.interval_ms = get_int(config, "notify.interval_ms", 10, 3'600'000);
    c.notifications.max_attempts = get_int(config, "notify.max_attempts", 1, 100);
    c.notifications.backoff_ms = get_int(config, "notify.backoff_ms", 1, 86'400'000);
    c.notifications.timeout_seconds = get_int(config, "notify.timeout", 1, 600);
    c.notifications.sms_url = get(config, "sms.url");
    c.notifications.sms_secret = get(config, "sms.secret");
    if (!c.notifications.sms_url.empty()) check_webhook_url(c.notifications.sms_url);
    c.care.complaint_contact_minutes = get_int(config, "care.complaint_contact_minutes", 0, 525'600);
    c.care.complaint_resolve_minutes = get_int(config, "care.complaint_resolve_minutes", 0, 525'600);
    c.care.appeal_callback_minutes = get_int(config, "care.appeal_callback_minutes", 0, 525'600);
    c.care.followup_delay_minutes = get_int(config, "care.followup_delay_minutes", 0, 525'600);
    c.care.deadline_near_minutes = get_int(config, "care.deadline_near_minutes", 0, 525'600);
    std::string access = get(config, "metrics.access");
    if (access == "loopback")
        c.metrics.mode = MetricsAccess::Mode::loopback;
    else if (access == "token")
        c.metrics.mode = MetricsAccess::Mode::token;
    else if (access == "public")
        c.metrics.mode = MetricsAccess::Mode::open;
    else
        throw std::invalid_argument("metrics.access must be loopback, token or public, not '" + access + "'");
    c.metrics.token = get(config, "metrics.token");
    c.trusted_proxies = TrustedProxies(get(config, "http.trusted_proxies"));
    c.audit_key_file = get(config, "audit.key_file");
    if (c.audit_key_file.empty()) c.audit_key_file = c.data_dir + "/audit-key.pem";
    c.audit_journal_dir = get(config, "audit.journal_dir");
    if (c.audit_journal_dir.empty()) c.audit_journal_dir = c.data_dir;
    c.link_key_file = get(config, "notifications.link_key_file");
    if (c.link_key_file.empty()) c.link_key_file = c.data_dir + "/link-key";
    c.portal_url = get(config, "portal.url");
    while (!c.portal_url.empty() && c.portal_url.back() == '/') c.portal_url.pop_back();
    if (c.metrics.mode == MetricsAccess::Mode::token && c.metrics.token.size() < 16)
        throw std::invalid_argument("metrics.token must be at least 16 characters when metrics.access is token");
    if (!c.admin_password.empty() && c.admin_password.size() < 10)
        throw std::invalid_argument("admin.password must be at least 10 characters");
    return c;
}

}  // namespace fieldserver
