// fieldrepair-server: loads its settings, opens and migrates the database, and serves the API over HTTPS
// until asked to stop.
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "fieldserver/app/composition.hpp"
#include "fieldserver/app/config.hpp"
#include "fieldserver/app/tls_certificate.hpp"
#include "fieldserver/domain/notifications/notification_sender.hpp"
#include "fieldserver/http/api_server.hpp"
#include "fieldserver/storage/migrations.hpp"

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

}  // namespace

class ServerApp : public Poco::Util::ServerApplication {
  protected:
    void defineOptions(Poco::Util::OptionSet& options) override {
        ServerApplication::defineOptions(options);
        options.addOption(Option("help", "h", "print this help and exit").repeatable(false));
        options.addOption(
            Option("config", "c", "read settings from FILE (.properties or .ini)").argument("FILE").repeatable(false));
        options.addOption(Option("demo", "", "load demo data into an empty database (same as demo.enabled=true)"));
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
        }
    }

    int main(const std::vector<std::string>&) override {
        if (help_) {
            print_help();
            return EXIT_OK;
        }
        try {
            return serve();
        } catch (const std::exception& e) {
            std::cerr << "fieldrepair-server: " << e.what() << std::endl;
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
        for (const auto& name : migrate(db)) log.information("applied migration %s", name);

        auto services = compose_services(db, cfg);
        prepare_data(*services, cfg, log);

        std::string cert = cfg.tls_cert, key = cfg.tls_key;
        if (cert.empty()) {
            cert = cfg.data_dir + "/tls/server.crt";
            key = cfg.data_dir + "/tls/server.key";
            if (!Poco::File(cert).exists() || !Poco::File(key).exists()) {
                make_self_signed_certificate(cert, key);
                log.notice("no TLS certificate configured: made a self-signed one at %s (key %s)", cert, key);
            }
        }
        Poco::Net::initializeSSL();
        // TLS 1.2 with forward-secret AEAD suites only (no CBC); TLS 1.3 keeps OpenSSL's suites, all of them AEAD.
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key, cert, "", Poco::Net::Context::VERIFY_NONE,
                                   9, false, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL");
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        // Bound without SO_REUSEPORT: a second server on the same port must fail, not share the port silently.
        Poco::Net::SecureServerSocket socket(context);
        socket.bind(Poco::Net::SocketAddress(cfg.listen), true, false);
        socket.listen(128);

        Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(cfg.threads);
        params->setMaxQueued(256);
        params->setTimeout(Poco::Timespan(30, 0));
        // Devices pulling in a loop reuse their connection instead of a TLS handshake per request. An idle
        // kept-alive connection holds a request thread, so it is closed after a second: enough for the requests of
        // one sync, and longer than the device transport's idle limit (mobile-core/src/transport.cpp), so the
        // device gives an idle connection up before the server closes it.
        params->setKeepAliveTimeout(Poco::Timespan(1, 0));
        auto* factory = new ApiRequestHandlerFactory(*services, cfg.max_body_bytes, log);
        Poco::Net::HTTPServer server(factory, socket, params);
        factory->watch_load(server);
        // Notifications go out from their own thread, so a slow mail server or webhook never holds up a request.
        NotificationSender notifier(db, cfg.notifications, log);
        notifier.start();
        // SLA clocks are checked on a timer too, so an escalation does not wait for someone to look; the same round
        // fires the deadlines that are due.
        SlaChecker sla_checker(services->sla, cfg.sla_check_interval_seconds, log,
                               [&services, &log] { run_deadline_round(services->deadlines, log); });
        server.start();
        std::string host = socket.address().host().toString();
        std::string url = "https://" + (host == "0.0.0.0" ? std::string("localhost") : host) + ":" +
                          std::to_string(socket.address().port());
        log.notice("fieldrepair listening on %s (certificate %s)", url, cert);
        if (!cfg.ready_file.empty()) {
            Poco::FileOutputStream out(cfg.ready_file);
            out << url << "\n" << cert << "\n";
        }
        waitForTerminationRequest();
        log.notice("stopping: finishing requests in flight");
        server.stopAll(false);
        notifier.stop();
        Poco::Net::uninitializeSSL();
        return EXIT_OK;
    }

    bool help_ = false;
};

}  // namespace fieldserver

POCO_SERVER_MAIN(fieldserver::ServerApp)
