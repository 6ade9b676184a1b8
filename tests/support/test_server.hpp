// Starts the real fieldrepair-server binary on a free loopback port with a fresh data folder, and speaks
// HTTPS to it, verifying the server's own self-signed certificate.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Process.h>

#include <map>
#include <memory>
#include <string>

namespace fieldtest {

struct Reply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    Poco::Dynamic::Var json;  // parsed when the body is JSON

    Poco::JSON::Object::Ptr object() const;
    std::string str(const std::string& key) const;  // object()->getValue<std::string>(key)
    // error.code of a JSON error body, or empty.
    std::string error_code() const;
    std::string error_field() const;
};

class TestServer {
  public:
    // env: extra FIELDREPAIR_* settings. The admin password is always "admin-password-1". binary: the server
    // program to run, when not the one built with the tests (the benchmark compares two builds).
    // start_now false: the server is started by launch() and await_ready() (several servers started at once).
    explicit TestServer(std::map<std::string, std::string> env = {}, std::string binary = {}, bool start_now = true);
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    // Starts the server unless it runs already (a second process would be left behind unreaped). After the first
    // start it listens on the same port again with the same data folder and certificate, as a real server comes
    // back, so a client that remembered its URL reaches it again.
    void start() {
        launch();
        await_ready();
    }
    // start() in two halves: launch() starts the process unless it runs already, await_ready() waits until it
    // listens (throwing with its log when it exits or never gets ready).
    void launch();
    void await_ready();
    void stop();
    void restart() {
        stop();
        start();
    }

    Reply request(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& token = {}, const std::string& content_type = "application/json") const;
    Reply get(const std::string& path, const std::string& token) const { return request("GET", path, {}, token); }
    Reply post(const std::string& path, const Poco::Dynamic::Var& json, const std::string& token) const;
    Reply patch(const std::string& path, const Poco::Dynamic::Var& json, const std::string& token) const;
    // Logs in and returns the token; fails the test if the login fails.
    std::string login(const std::string& username, const std::string& password) const;
    std::string admin_token() const { return login("admin", "admin-password-1"); }

    // Sent with every request (X-Forwarded-For, to play a load balancer's client).
    std::map<std::string, std::string> extra_headers;

    const std::string& data_dir() const { return data_dir_; }
    const std::string& database() const { return database_; }
    int port() const { return port_; }
    // The server process id while it runs (for /proc figures such as peak memory), else 0.
    int pid() const { return process_ ? static_cast<int>(process_->id()) : 0; }
    // The server's certificate (PEM) and https://host:port, for clients other than request() (libfieldmobile).
    const std::string& cert_file() const { return cert_; }
    std::string base_url() const { return "https://" + host_ + ":" + std::to_string(port_); }
    std::string log() const;

  private:
    bool running();  // reaps the process if it has exited
    void remove_data();

    std::map<std::string, std::string> env_;
    std::string binary_;
    std::string data_dir_;
    std::string database_;
    std::string postgres_db_;  // the test database on the PostgreSQL test server, if one is used
    std::string cert_;
    std::string host_;
    int port_ = 0;
    std::unique_ptr<Poco::ProcessHandle> process_;
};

// The PostgreSQL server the tests run against (FIELDREPAIR_TEST_POSTGRES, a libpq connection string naming
// dbname=postgres), or empty for SQLite.
std::string postgres_server();

// JSON from text, for test bodies.
Poco::JSON::Object::Ptr json(const std::string& text);
std::string to_text(const Poco::Dynamic::Var& v);

}  // namespace fieldtest
