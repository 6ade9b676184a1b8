// fieldrepair-server: loads its settings, opens and migrates the database, and serves the API over HTTPS
// until asked to stop.
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Timestamp.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>
#include <malloc.h>
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "fieldserver/app/config.hpp"
#include "fieldserver/app/instance.hpp"
#include "fieldserver/app/store_copy.hpp"
#include "fieldserver/domain/care/care_sweep.hpp"
#include "fieldserver/domain/notifications/notification_sender.hpp"
#include "fieldserver/http/api_server.hpp"
#include "fieldserver/storage/change_relay.hpp"

namespace fieldserver {

using Poco::Util::Option;

namespace {

// Only the server's own user may read what it keeps: owner-only files, owner-only folders. Symbolic links are
// left alone (their target is someone's deliberate choice).
void restrict_permissions(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    std::error_code error;  // a PostgreSQL connection string is no path at all
    auto status = fs::symlink_status(path, error);
    if (error || fs::is_symlink(status) || !fs::exists(status)) return;
    fs::permissions(path,
                    fs::is_directory(status) ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
}

// The data folder holds password hashes, webhook secrets, customer data and the TLS key. The umask makes every
// file created from now on (the database and its -wal/-shm, attachments, keys, the demo password) owner-only;
// what an older version left readable is tightened here, once at start.
void restrict_data(const std::string& data_dir, const std::string& database) {
    ::umask(077);
    Poco::File(data_dir).createDirectories();
    restrict_permissions(data_dir);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(data_dir))
        restrict_permissions(entry.path());
    // A SQLite database configured outside the data folder; a PostgreSQL connection string names no file.
    for (const char* suffix : {"", "-wal", "-shm"}) restrict_permissions(database + suffix);
}

// SQLite's planner statistics refreshed at most once an hour, as its documentation advises for connections that
// stay open for long (PRAGMA optimize is mostly a no-op, but it waits for the writers' lock); last: when it last ran.
void run_optimize_round(Database& db, Poco::Timestamp& last, Poco::Logger& log) {
    const Poco::Timestamp::TimeDiff kEvery = 3600 * Poco::Timestamp::resolution();
    if (!last.isElapsed(kEvery)) return;
    last.update();
    try {
        db.optimize();
    } catch (const std::exception& e) {
        log.error("PRAGMA optimize failed: %s", std::string(e.what()));
    }
}

}  // namespace

class ServerApp : public Poco::Util::ServerApplication {
  protected:
    void defineOptions(Poco::Util::OptionSet& options) override {
        ServerApplication::defineOptions(options);
        options.addOption(Option("help", "h", "print this help and exit").repeatable(false));
        options.addOption(
            Option("config", "c", "read settings from FILE (.properties or .ini)").argument("FILE").repeatable(false));
        options.addOption(Option("demo", "", "load demo data into an empty database (same as demo.enabled=true)"));
        options.addOption(Option("move-to-postgres", "",
                                 "move the SQLite deployment (database, attachments) into "
                                 "the empty PostgreSQL database CONNSTR, check it, and exit")
                              .argument("CONNSTR"));
        options.addOption(Option("backup", "",
                                 "copy the deployment into the new SQLite file FILE (attachments "
                                 "into FILE.attachments), check it, and exit")
                              .argument("FILE"));
        options.addOption(Option("restore", "",
                                 "copy the backup FILE into the configured, empty database, check "
                                 "it, and exit")
                              .argument("FILE"));
    }

    void handleOption(const std::string& name, const std::string& value) override {
        ServerApplication::handleOption(name, value);
        if (name == "help") {
            help_ = true;
            stopOptionsProcessing();
        } else if (name == "config") {
            loadConfiguration(value);
        } else if (name == "demo") {
            config().setString("demo.enabled", "true");
        } else if (name == "move-to-postgres" || name == "backup" || name == "restore") {
            store_command_ = {name, value};
        }
    }

    int main(const std::vector<std::string>&) override {
        if (help_) {
            print_help();
            return EXIT_OK;
        }
        try {
            if (!store_command_.first.empty())
                return run_store_command(store_command_.first, store_command_.second, load_config(config()));
            return serve();
        } catch (const std::exception& e) {
            std::cerr << "fieldrepair-server: " << start_failure(e) << std::endl;
            return EXIT_CONFIG;
        }
    }

  private:
    void print_help() {
        Poco::Util::HelpFormatter help(options());
        help.setCommand(commandName());
        help.setUsage("[options]");
        help.setHeader("The fieldrepair HTTPS server: the repair-job workflow over a JSON API.");
        help.format(std::cout);
        std::cout << "\nSettings (config file key / environment variable, default):\n";
        for (const auto& s : settings())
            std::cout << "  " << s.key << " / " << s.env << "  (" << (*s.default_value ? s.default_value : "none")
                      << ")\n      " << s.help << "\n";
        std::cout << "\nThe environment overrides the config file. Example:\n"
                  << "  FIELDREPAIR_ADMIN_PASSWORD='a long secret' fieldrepair-server --demo\n";
    }

    Poco::Logger& setup_logging(const std::string& level) {
        Poco::AutoPtr<Poco::PatternFormatter> pattern(new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i %q %s: %t"));
        Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(pattern, new Poco::ConsoleChannel));
        Poco::Logger::root().setChannel(channel);
        Poco::Logger::root().setLevel(level);
        return Poco::Logger::get("fieldrepair");
    }

    int serve() {
        ServerConfig cfg = load_config(config());
        Poco::Logger& log = setup_logging(cfg.log_level);
        restrict_data(cfg.data_dir, cfg.database);

        Database db(cfg.database, static_cast<std::size_t>(cfg.threads) + 2);
        log.information("database: %s", db.description());
        std::string node = instance_node_id(cfg);
        TlsFiles tls;
        auto services = start_instance(db, cfg, node, tls, log);
        const std::string& cert = tls.cert;
        const std::string& key = tls.key;
        // Several instances on one PostgreSQL database: each hears of the others' commits for its live streams.
        std::unique_ptr<ChangeRelay> relay;
        if (db.dialect() == Dialect::postgresql) relay = std::make_unique<ChangeRelay>(cfg.database);
        // A fixed mmap threshold: request bodies and their parsed copies (up to limits.max_body_bytes each) are mapped
        // and given back to the system when freed, instead of glibc raising the threshold after the first free and
        // keeping megabytes per request thread's arena for good.
        mallopt(M_MMAP_THRESHOLD, 256 * 1024);
        // Poco's TLS stays for the outgoing calls (webhooks, SMTP); the front end serves with OpenSSL directly.
        Poco::Net::initializeSSL();
        ApiHandler api(*services, cfg.max_body_bytes, log, cfg.live);
        FrontSettings front = cfg.http;
        front.listen = cfg.listen;
        front.cert_file = cert;
        front.key_file = key;
        front.threads = cfg.threads;
        front.max_body_bytes = cfg.max_body_bytes;
        front.stream_heartbeat_seconds = cfg.live.heartbeat_seconds;
        FrontEnd server(
            front, [&api](WireRequest& request) { return api.handle(request); },
            [&api](int status, const fieldsync::Error& error, const WireRequest* request) {
                return api.refuse(status, error, request);
            });
        // Notifications go out from their own thread, so a slow mail server or webhook never holds up a request.
        NotificationSender notifier(db, cfg.notifications, log);
        notifier.start();
        // SLA clocks are checked on a timer too, so an escalation does not wait for someone to look; the same round
        // fires the after-sales deadlines that are due and sweeps the customer-care deadlines (appeal call-backs,
        // complaint contact and resolution, customers' deadlines near). With several instances on one database,
        // only the one holding the periodic lease runs a round. Once an hour the round also refreshes SQLite's table
        // statistics where they went stale (Database::optimize; the connections do it again when they close).
        PeriodicLease periodic(db, node, cfg.sla_check_interval_seconds, log);
        Poco::Timestamp optimized;
        SlaChecker sla_checker(
            services->sla, cfg.sla_check_interval_seconds, log, [&] { return periodic.hold(); },
            [&services, &log, &db, &optimized] {
                run_deadline_round(services->deadlines, log);
                run_care_round(services->care_sweep, log);
                run_optimize_round(db, optimized, log);
            });
        server.start();
        std::string host = server.host();
        std::string url = "https://" + (host == "0.0.0.0" || host == "[::]" ? std::string("localhost") : host) + ":" +
                          std::to_string(server.port());
        log.notice("fieldrepair listening on %s (certificate %s)", url, cert);
        if (!cfg.ready_file.empty()) {
            Poco::FileOutputStream out(cfg.ready_file);
            out << url << "\n" << cert << "\n";
        }
        waitForTerminationRequest();
        log.notice("stopping: finishing requests in flight");
        server.stop();
        notifier.stop();
        Poco::Net::uninitializeSSL();
        return EXIT_OK;
    }

    bool help_ = false;
    std::pair<std::string, std::string> store_command_;  // a store tool to run instead of serving, and its argument
};

}  // namespace fieldserver

POCO_SERVER_MAIN(fieldserver::ServerApp)
