// Test harness for the real server process: launch, wait for its ready file, HTTPS requests, shutdown.
#include "test_server.hpp"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>
#include <Poco/URI.h>
#include <sys/wait.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "fieldserver/storage/database.hpp"
#include "fieldserver/storage/migrations.hpp"

namespace fieldtest {
namespace {

struct SslSetup {
    SslSetup() {
        Poco::Net::initializeSSL();
        Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject = new Poco::Net::RejectCertificateHandler(false);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, nullptr);
    }
};

void ensure_ssl() { static SslSetup setup; }

std::string read_file(const std::string& path) {
    Poco::FileInputStream in(path);
    std::string out;
    Poco::StreamCopier::copyToString(in, out);
    return out;
}

}  // namespace

Poco::JSON::Object::Ptr json(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string to_text(const Poco::Dynamic::Var& v) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(v, out);
    return out.str();
}

Poco::JSON::Object::Ptr Reply::object() const {
    if (json.type() != typeid(Poco::JSON::Object::Ptr))
        throw std::runtime_error("reply is not a JSON object: " + std::to_string(status) + " " + body);
    return json.extract<Poco::JSON::Object::Ptr>();
}

std::string Reply::str(const std::string& key) const {
    auto o = object();
    if (!o->has(key) || o->isNull(key)) return {};
    return o->get(key).convert<std::string>();
}

std::string Reply::error_code() const {
    if (json.type() != typeid(Poco::JSON::Object::Ptr)) return {};
    auto e = object()->getObject("error");
    return e ? e->getValue<std::string>("code") : std::string();
}

std::string Reply::error_field() const {
    if (json.type() != typeid(Poco::JSON::Object::Ptr)) return {};
    auto e = object()->getObject("error");
    return e && !e->isNull("field") ? e->getValue<std::string>("field") : std::string();
}

std::string postgres_server() {
    const char* value = std::getenv("FIELDREPAIR_TEST_POSTGRES");
    return value ? value : "";
}

namespace {

// A database this process migrated once, which every test server's fresh database copies: creating the schema
// takes PostgreSQL about 0.8 s, copying it a few tens of milliseconds. The server finds every migration recorded
// and starts as on a database it had migrated itself. Dropped when the process ends.
class MigratedTemplate {
  public:
    MigratedTemplate() : name_("fieldrepair_template_" + std::to_string(Poco::Process::id())) {
        fieldserver::Database admin(postgres_server(), 1);
        admin.read([&](fieldserver::Db& db) {
            db.execute("DROP DATABASE IF EXISTS " + name_);
            db.execute("CREATE DATABASE " + name_);
        });
        fieldserver::Database schema(postgres_server() + " dbname=" + name_, 1);
        fieldserver::migrate(schema);
    }
    ~MigratedTemplate() {
        try {
            fieldserver::Database admin(postgres_server(), 1);
            admin.read([&](fieldserver::Db& db) { db.execute("DROP DATABASE IF EXISTS " + name_); });
        } catch (...) {
            // Best effort, as for the test databases: the test cluster is thrown away after the run.
        }
    }
    const std::string& name() const { return name_; }

  private:
    std::string name_;
};

const std::string& postgres_template() {
    static MigratedTemplate migrated;
    return migrated.name();
}

}  // namespace

TestServer::TestServer(std::map<std::string, std::string> env, std::string binary, bool start_now)
    : env_(std::move(env)), binary_(binary.empty() ? FIELDREPAIR_SERVER_BINARY : std::move(binary)) {
    ensure_ssl();
    static std::atomic<int> counter{0};
    std::string suffix = std::to_string(Poco::Process::id()) + "_" + std::to_string(++counter);
    data_dir_ = "/tmp/fieldrepair-test-" + suffix;
    Poco::File(data_dir_).createDirectories();
    if (env_.count("FIELDREPAIR_DATABASE")) {
        database_ = env_["FIELDREPAIR_DATABASE"];
    } else if (auto server = postgres_server(); !server.empty()) {
        // A fresh database per server, so tests on PostgreSQL are as independent as on SQLite files.
        postgres_db_ = "fieldrepair_test_" + suffix;
        const std::string& migrated = postgres_template();
        fieldserver::Database admin(server, 1);
        admin.read(
            [&](fieldserver::Db& db) { db.execute("CREATE DATABASE " + postgres_db_ + " TEMPLATE " + migrated); });
        database_ = server + " dbname=" + postgres_db_;
    } else {
        database_ = data_dir_ + "/fieldrepair.db";
    }
    try {
        if (start_now) start();
    } catch (...) {
        // A constructor that throws gets no destructor call: clean up here, or the folder and database stay.
        remove_data();
        throw;
    }
}

TestServer::~TestServer() {
    try {
        stop();
    } catch (...) {
        // stop() only signals and reaps; nothing to add if that fails.
    }
    remove_data();
}

void TestServer::remove_data() {
    try {
        Poco::File(data_dir_).remove(true);
        if (!postgres_db_.empty()) {
            fieldserver::Database admin(postgres_server(), 1);
            admin.read([&](fieldserver::Db& db) { db.execute("DROP DATABASE IF EXISTS " + postgres_db_); });
        }
    } catch (...) {
        // Cleanup is best effort: a leftover temp folder or test database is harmless.
    }
}

bool TestServer::running() {
    if (!process_) return false;
    // waitpid, not kill(pid, 0): a server that exited stays a zombie until reaped, and kill() still finds it.
    int status = 0;
    if (::waitpid(static_cast<pid_t>(process_->id()), &status, WNOHANG) == 0) return true;
    process_.reset();
    return false;
}

void TestServer::launch() {
    if (running()) return;
    std::string ready = data_dir_ + "/ready";
    if (Poco::File(ready).exists()) Poco::File(ready).remove();
    std::string listen = "127.0.0.1:" + std::to_string(port_);
    Poco::Process::Env env = {
        {"FIELDREPAIR_LISTEN", listen},
        {"FIELDREPAIR_DATA_DIR", data_dir_},
        {"FIELDREPAIR_DATABASE", database_},
        {"FIELDREPAIR_READY_FILE", ready},
        {"FIELDREPAIR_ADMIN_PASSWORD", "admin-password-1"},
        // Fewer PBKDF2 rounds keep hundreds of test logins fast; the hashing itself is unit-tested at the default.
        {"FIELDREPAIR_PBKDF2_ITERATIONS", "2000"},
        {"FIELDREPAIR_LOG_LEVEL", "notice"}};
    for (const auto& [k, v] : env_) env[k] = v;
    // setpriv asks the kernel to stop the server when the launching thread dies (a crash, a ctest timeout, Ctrl-C),
    // when no destructor runs: no test run leaves a server behind. So start servers from the test's own thread.
    std::vector<std::string> args = {"-c", "exec setpriv --pdeathsig TERM \"$0\" >>\"$1\" 2>&1", binary_,
                                     data_dir_ + "/server.log"};
    process_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch("/bin/sh", args, data_dir_, nullptr, nullptr, nullptr, env));
}

void TestServer::await_ready() {
    std::string ready = data_dir_ + "/ready";
    for (int i = 0; i < 300; ++i) {
        if (Poco::File(ready).exists()) {
            std::istringstream lines(read_file(ready));
            std::string url, cert;
            std::getline(lines, url);
            std::getline(lines, cert);
            if (!cert.empty()) {
                Poco::URI uri(url);
                host_ = uri.getHost();
                port_ = uri.getPort();
                cert_ = Poco::Path(cert).isAbsolute() ? cert : data_dir_ + "/" + cert;
                return;
            }
        }
        if (!running()) break;
        Poco::Thread::sleep(50);
    }
    stop();  // a server that never got ready must not outlive the test
    throw std::runtime_error("the server did not start; its log:\n" + log());
}

void TestServer::stop() {
    if (!process_) return;
    // A clean stop first; a server that has not exited after 15 s is killed, so no test leaves one running.
    pid_t pid = static_cast<pid_t>(process_->id());
    Poco::Process::requestTermination(pid);
    int status = 0;
    for (int i = 0; i < 300 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) Poco::Thread::sleep(50);
    if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    process_.reset();
}

std::string TestServer::log() const {
    std::string path = data_dir_ + "/server.log";
    return Poco::File(path).exists() ? read_file(path) : std::string("(no log)");
}

Reply TestServer::request(const std::string& method, const std::string& path, const std::string& body,
                          const std::string& token, const std::string& content_type) const {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", cert_, Poco::Net::Context::VERIFY_STRICT);
    Poco::Net::HTTPSClientSession session(host_, static_cast<Poco::UInt16>(port_), context);
    session.setTimeout(Poco::Timespan(60, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    for (const auto& [name, value] : extra_headers) req.set(name, value);
    if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
        req.setContentType(content_type);
        req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    Reply reply;
    reply.status = res.getStatus();
    for (const auto& [k, v] : res) reply.headers[k] = v;
    Poco::StreamCopier::copyToString(in, reply.body);
    if (res.getContentType().find("application/json") != std::string::npos && !reply.body.empty()) {
        Poco::JSON::Parser parser;
        reply.json = parser.parse(reply.body);
    }
    return reply;
}

Reply TestServer::post(const std::string& path, const Poco::Dynamic::Var& json, const std::string& token) const {
    return request("POST", path, to_text(json), token);
}

Reply TestServer::patch(const std::string& path, const Poco::Dynamic::Var& json, const std::string& token) const {
    return request("PATCH", path, to_text(json), token);
}

std::string TestServer::login(const std::string& username, const std::string& password) const {
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("username", username);
    body->set("password", password);
    auto reply = post("/api/v1/auth/login", body, "");
    INFO("login " << username << ": " << reply.status << " " << reply.body);
    REQUIRE(reply.status == 200);
    return reply.str("token");
}

}  // namespace fieldtest
