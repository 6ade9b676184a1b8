// Node id, start-up under the database's start-up lock, and the periodic round's lease (instance.hpp).
#include "fieldserver/app/instance.hpp"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>

#include "fieldserver/app/composition.hpp"
#include "fieldserver/app/tls_certificate.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/storage/migrations.hpp"
#include "fieldserver/storage/work_lease.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

namespace {

TlsFiles self_signed_certificate(const ServerConfig& cfg, Poco::Logger& log) {
    TlsFiles tls{cfg.data_dir + "/tls/server.crt", cfg.data_dir + "/tls/server.key"};
    if (!Poco::File(tls.cert).exists() || !Poco::File(tls.key).exists()) {
        make_self_signed_certificate(tls.cert, tls.key);
        log.notice("no TLS certificate configured: made a self-signed one at %s (key %s)", tls.cert, tls.key);
    }
    // Instances with data folders of their own would each serve a different certificate, which breaks clients
    // that pin one: several instances need one configured pair, or TLS ended at the balancer.
    if (is_postgresql_connection(cfg.database))
        log.warning(
            "NO TLS CERTIFICATE CONFIGURED on a shared PostgreSQL database: this instance serves the self-signed "
            "certificate of its own data folder (%s). Instances behind one balancer must serve one certificate: "
            "set tls.cert and tls.key (FIELDREPAIR_TLS_CERT, FIELDREPAIR_TLS_KEY) to the same pair on every "
            "instance, or end TLS at the balancer (deploy/nginx/fieldrepair.conf).",
            tls.cert);
    return tls;
}

}  // namespace

std::string instance_node_id(const ServerConfig& cfg) {
    std::string node = cfg.node_id;
    std::string path = cfg.data_dir + "/node-id";
    if (node.empty() && Poco::File(path).exists()) {
        Poco::FileInputStream in(path);
        std::getline(in, node);
    }
    if (node.empty()) {
        node = "server-" + random_token(9);
        Poco::FileOutputStream out(path);
        out << node << "\n";
    }
    if (!fieldsync::is_node_id(node))
        throw std::invalid_argument("node id '" + node + "' (node.id or " + path +
                                    ") must be 1 to 64 characters of 0-9 A-Z a-z . _ : -");
    return node;
}

std::unique_ptr<Services> start_instance(Database& db, const ServerConfig& cfg, const std::string& node, TlsFiles& tls,
                                         Poco::Logger& log) {
    std::unique_ptr<Services> services;
    db.exclusively(kStartupLockKey, [&] {
        for (const auto& name : migrate(db)) log.information("applied migration %s", name);
        services = compose_services(db, cfg, node);
        prepare_data(*services, cfg, log);
        tls = cfg.tls_cert.empty() ? self_signed_certificate(cfg, log) : TlsFiles{cfg.tls_cert, cfg.tls_key};
    });
    start_server_clock(db, node);
    log.information("instance node id %s; clock restored to %s", node, fieldsync::format_hlc(server_clock().last()));
    return services;
}

std::string start_failure(const std::exception& e) {
    const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
    std::string message = poco ? poco->displayText() : std::string(e.what());
    if (message.find("connect") != std::string::npos)
        message += " (is the database running and FIELDREPAIR_DATABASE right?)";
    return message;
}

PeriodicLease::PeriodicLease(Database& db, std::string node, int interval_seconds, Poco::Logger& log)
    // Three rounds: a holder that misses one round keeps the work; one that died passes it on within three.
    : db_(db), node_(std::move(node)), ttl_ms_(std::int64_t{3} * interval_seconds * 1000), log_(log) {}

PeriodicLease::~PeriodicLease() {
    if (!held_) return;
    try {
        release_work_lease(db_, "periodic", node_);
    } catch (const std::exception& e) {
        log_.warning("periodic work: could not give the lease up (%s); it expires on its own", start_failure(e));
    }
}

bool PeriodicLease::hold() {
    bool now_held = false;
    try {
        now_held = take_work_lease(db_, "periodic", node_, fieldsync::now_ms(), ttl_ms_);
    } catch (const std::exception& e) {
        log_.error("periodic work: could not take the lease: %s", start_failure(e));
    }
    if (now_held != held_)
        log_.notice(now_held ? "periodic work: this instance (%s) runs the periodic round"
                             : "periodic work: another instance runs the periodic round (not %s)",
                    node_);
    held_ = now_held;
    return held_;
}

}  // namespace fieldserver
