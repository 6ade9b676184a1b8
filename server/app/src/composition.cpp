// Builds the services in dependency order and runs the start-up data migrations.
#include "fieldserver/app/composition.hpp"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include "fieldserver/app/demo_data.hpp"
#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/domain/notifications/tracking_links.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/seal.hpp"

namespace fieldserver {
namespace {

void load_demo(Services& services, const ServerConfig& cfg, Poco::Logger& log) {
    std::string password = cfg.demo_password;
    std::string path = cfg.data_dir + "/demo-password.txt";
    // Without a configured password, the one written when the demo data was loaded stays: the demo users have
    // it, and a later start must not replace the file with a password nobody has.
    if (password.empty() && Poco::File(path).exists()) {
        Poco::FileInputStream in(path);
        std::getline(in, password);
    }
    bool made_up = password.empty();
    if (made_up) password = random_token(12);
    if (!load_demo_data(services, password)) return;  // loaded by an earlier start
    if (made_up) {
        Poco::FileOutputStream out(path);
        out << password << "\n";
    }
    log.notice("loaded demo data: users dispatcher, agent, supervisor, tech.li, tech.zhang, tech.chen, customer.liu");
    if (cfg.demo_password.empty()) log.notice("demo users' password is in %s", path);
}

// The link key from path (64 hex digits), or a new one written there readable by the server's user alone.
std::string load_or_create_link_key(const std::string& path) {
    if (Poco::File(path).exists()) {
        Poco::FileInputStream in(path);
        std::string hex;
        std::getline(in, hex);
        std::string key;
        for (std::size_t i = 0; i + 1 < hex.size() && i < 64; i += 2)
            key += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
        if (key.size() != 32) throw std::runtime_error(path + " does not hold a link key (64 hex digits)");
        return key;
    }
    std::string key = random_key(), hex;
    for (unsigned char c : key) hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 0x0F];
    hex += "\n";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    bool ok = fd >= 0 && ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
    if (fd >= 0) ok = ::fsync(fd) == 0 && ::close(fd) == 0 && ok;
    if (!ok) throw std::runtime_error("cannot write the link key to " + path);
    return key;
}

}  // namespace

std::unique_ptr<Services> compose_services(Database& db, const ServerConfig& cfg, const std::string& node) {
    // The audit key and journals live apart from the database (which may be elsewhere): the journal named by this
    // instance's node id, in a folder instances may share.
    use_audit_checkpoints(SigningKey::load_or_create(cfg.audit_key_file), cfg.audit_journal_dir, node);
    use_link_key(load_or_create_link_key(cfg.link_key_file));
    return std::make_unique<Services>(
        db, ServiceSettings{.token_ttl_seconds = cfg.token_ttl_seconds,
                            .login_max_failures = cfg.login_max_failures,
                            .login_window_seconds = cfg.login_window_seconds,
                            .pbkdf2_iterations = cfg.pbkdf2_iterations,
                            .jobs = JobPolicy{cfg.warranty_days, cfg.auto_approve_free_warranty, cfg.portal_url},
                            .attachments_dir = cfg.data_dir + "/attachments",
                            .metrics = cfg.metrics,
                            .trusted_proxies = cfg.trusted_proxies,
                            .care = cfg.care});
}

void prepare_data(Services& services, const ServerConfig& cfg, Poco::Logger& log) {
    if (!cfg.admin_password.empty() && services.users.ensure_admin(cfg.admin_password))
        log.notice("created user 'admin' from the configured admin password");
    if (services.db.read([](Db& d) { return d.scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'"); }) == 0)
        log.warning("there is no admin yet: set FIELDREPAIR_ADMIN_PASSWORD (or admin.password) and restart");
    if (cfg.demo) load_demo(services, cfg, log);
    if (auto n = record_unlogged_rows(services.db)) log.information("sync: recorded %z rows in the change log", n);
    if (auto n = services.reports.backfill()) log.information("reports: recorded the facts of %z older jobs", n);
    if (auto n = anchor_unsigned_jobs(services.db))
        log.information("audit: signed the chain heads of %z jobs from before checkpoints", n);
    if (auto n = services.portal.adopt_stored_photos())
        log.information("portal: moved %z stored photos into the attachment store", n);
}

}  // namespace fieldserver
