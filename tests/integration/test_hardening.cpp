// Hardening against the real server: owner-only data files, HSTS, TLS 1.2 with AEAD suites only, /metrics behind
// metrics.access, and integers beyond 64 bits refused as invalid fields instead of failing the server.
#include <Poco/Net/NetworkInterface.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// Permission bits of path (not following a symbolic link).
unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777u;
}

// Every file and folder under dir, with its permission bits.
std::map<std::string, unsigned> modes_under(const std::string& dir) {
    std::map<std::string, unsigned> out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
        if (!entry.is_symlink()) out[entry.path().string()] = mode_of(entry.path().string());
    return out;
}

void check_owner_only(const std::string& data_dir) {
    CHECK(mode_of(data_dir) == 0700u);
    auto modes = modes_under(data_dir);
    CHECK(modes.size() > 2);
    for (const auto& [path, mode] : modes) {
        INFO(path << " has mode " << std::oct << mode);
        CHECK((mode & 077u) == 0u);
    }
}

// Whether openssl s_client completes a TLS 1.2 handshake with the server offering only the cipher list.
bool tls12_handshake(const TestServer& srv, const std::string& ciphers) {
    std::string command = "openssl s_client -connect 127.0.0.1:" + std::to_string(srv.port()) + " -tls1_2 -cipher '" +
                          ciphers + "' </dev/null >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

// An IPv4 address of this machine other than loopback, or empty.
std::string outside_address() {
    for (const auto& [index, nic] : Poco::Net::NetworkInterface::map(true, false))
        for (const auto& address : nic.addressList()) {
            const auto& ip = address.get<Poco::Net::NetworkInterface::IP_ADDRESS>();
            if (!ip.isLoopback() && !ip.isWildcard()) return ip.toString();
        }
    return {};
}

// The HTTP status of GET /metrics sent to address (not loopback) on the server's port, by curl.
int metrics_status_from(const std::string& address, const TestServer& srv) {
    std::string command =
        "curl -sk -o /dev/null -w '%{http_code}' https://" + address + ":" + std::to_string(srv.port()) + "/metrics";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    REQUIRE(pipe);
    char buffer[16] = {};
    std::string out = std::fgets(buffer, sizeof buffer, pipe.get()) ? buffer : "";
    return std::atoi(out.c_str());
}

const char* const kTooBig = "9223372036854775808";  // 2^63, one past the largest signed 64-bit integer

}  // namespace

TEST_CASE("the data folder and every file the server writes are owner-only", "[integration][hardening]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_DEMO", "true"}});
    const std::string dir = srv.data_dir();
    CHECK(std::filesystem::exists(dir + "/demo-password.txt"));
    CHECK(std::filesystem::exists(dir + "/tls/server.key"));
    check_owner_only(dir);

    // Files an older version left readable are tightened at the next start.
    srv.stop();
    std::filesystem::permissions(dir, std::filesystem::perms(0755), std::filesystem::perm_options::replace);
    std::filesystem::permissions(dir + "/tls/server.key", std::filesystem::perms(0644),
                                 std::filesystem::perm_options::replace);
    srv.start();
    check_owner_only(dir);
}

TEST_CASE("every answer carries HSTS", "[integration][hardening]") {
    TestServer srv;
    for (const auto& r : {srv.get("/healthz", ""), srv.get("/api/v1/jobs", ""), srv.get("/no/such/page", "")}) {
        INFO(r.status << " " << r.body);
        REQUIRE(r.headers.count("Strict-Transport-Security") == 1);
        CHECK(r.headers.at("Strict-Transport-Security") == "max-age=31536000");
    }
}

TEST_CASE("TLS 1.2 offers AEAD suites only", "[integration][hardening]") {
    TestServer srv;
    CHECK_FALSE(tls12_handshake(srv, "AES128-SHA256"));
    CHECK_FALSE(tls12_handshake(srv, "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256"));
    CHECK(tls12_handshake(srv, "ECDHE+AESGCM"));
}

TEST_CASE("/metrics answers loopback clients by default", "[integration][hardening]") {
    TestServer srv;
    auto r = need(srv.get("/metrics", ""), 200);
    CHECK(r.body.find("fieldrepair_") != std::string::npos);
}

TEST_CASE("/metrics refuses other addresses by default and answers them when public", "[integration][hardening]") {
    std::string address = outside_address();
    if (address.empty()) {
        WARN("no address other than loopback on this machine: not tested");
        return;
    }
    TestServer loopback(std::map<std::string, std::string>{{"FIELDREPAIR_LISTEN", "0.0.0.0:0"}});
    CHECK(metrics_status_from(address, loopback) == 403);
    need(loopback.get("/metrics", ""), 200);
    TestServer open(std::map<std::string, std::string>{{"FIELDREPAIR_LISTEN", "0.0.0.0:0"},
                                                       {"FIELDREPAIR_METRICS_ACCESS", "public"}});
    CHECK(metrics_status_from(address, open) == 200);
}

TEST_CASE("/metrics with metrics.access=token wants the token", "[integration][hardening]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_METRICS_ACCESS", "token"},
                                                      {"FIELDREPAIR_METRICS_TOKEN", "scrape-secret-0123456789"}});
    check_error(srv.get("/metrics", ""), 401, "unauthenticated");
    check_error(srv.get("/metrics", "scrape-secret-012345678"), 401, "unauthenticated");
    // An API login token is not the metrics token either.
    check_error(srv.get("/metrics", srv.admin_token()), 401, "unauthenticated");
    need(srv.get("/metrics", "scrape-secret-0123456789"), 200);
}

TEST_CASE("integers past 2^63-1 are invalid fields and change nothing", "[integration][hardening]") {
    TestServer srv;
    Shop shop(srv);

    auto tech = json(std::string(R"({"username":"big.skill","name":"B","role":"technician",)") +
                     R"("password":"orchard-lantern-123456","skills":{"冰箱":)" + kTooBig + "}}");
    check_error(srv.post("/api/v1/users", tech, shop.admin), 422, "invalid_field", "skills");
    CHECK(total(srv, "/api/v1/users?q=big.skill", shop.admin) == 0);

    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "plan_proposed");
    check_error(
        shop.act(job, "approve_plan", json(std::string(R"({"plan_version":)") + kTooBig + "}"), shop.dispatcher), 422,
        "invalid_field", "plan_version");
    CHECK(text_of(shop.job(job), "state") == "plan_proposed");

    check_error(srv.post("/api/v1/sync/compact", json(std::string(R"({"up_to_seq":)") + kTooBig + "}"), shop.admin),
                422, "invalid_field", "up_to_seq");

    auto hook = json(R"({"url":"http://127.0.0.1:9/hook","events":[null]})");
    check_error(srv.post("/api/v1/webhooks", hook, shop.admin), 422, "invalid_field", "events");
    CHECK(total(srv, "/api/v1/webhooks", shop.admin) == 0);
}
