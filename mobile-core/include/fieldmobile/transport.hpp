// The HTTP transport the sync client speaks through. An interface, because a tablet app brings its own network
// stack; libfieldmobile ships an HTTPS implementation on Poco with certificate pinning, and a retry decorator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

namespace fieldmobile {

struct HttpRequest {
    std::string method;  // GET, POST, PUT
    std::string target;  // path and query, e.g. "/api/v1/sync/pull?cursor=0&limit=500"
    std::string body;
    std::string content_type;  // for a body
    std::string bearer;        // Authorization: Bearer <token>, when not empty
};

struct HttpResponse {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // names in lower case
};

class Transport {
  public:
    virtual ~Transport() = default;
    // Sends one request and returns the server's response, whatever its status. Throws
    // fieldsync::Error(unavailable) when no response arrived (no route, refused, timeout, TLS failure).
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

struct HttpsOptions {
    std::string base_url;  // "https://host:port"
    // Trust exactly this PEM certificate or CA file (pinning); empty: the system's CAs.
    std::string ca_file;
    int connect_timeout_s = 10;
    int timeout_s = 60;
    // Ask for gzip answers: a pull page shrinks about fivefold, which is what a tablet on a mobile link waits for.
    bool gzip = true;
    // The most a gzip answer may expand to: a corrupt or hostile body cannot fill the tablet's memory.
    std::size_t max_response_bytes = 256u << 20;
};

// HTTPS over Poco::Net::HTTPSClientSession. Throws std::invalid_argument for a URL that is not https://host[:port].
// Connections are kept alive and reused (safe to call from several threads: each call takes its own connection). A
// request that fails on a reused connection before any answer arrived (the server closed it meanwhile) is sent
// once more on a new connection when sending it twice is harmless: GET, HEAD, PUT, DELETE and the sync push, which
// the server applies once per op id. Any other failure, and one in the middle of an answer, is unavailable.
std::unique_ptr<Transport> make_https_transport(const HttpsOptions& options);

struct RetryPolicy {
    int max_attempts = 5;              // including the first
    std::int64_t base_delay_ms = 500;  // doubled each attempt
    std::int64_t max_delay_ms = 30'000;
};

// Retries on network errors, 5xx and 429 with exponential backoff and full jitter (a random delay up to the
// doubled bound, so many tablets coming back online at once do not retry in step); honours Retry-After on 429
// and 503. Never retries other 4xx: the request itself is wrong and would fail again. Safe for sync because
// push is idempotent by op id and pull and the attachment calls are reads or offset-addressed writes.
class RetryingTransport : public Transport {
  public:
    using Sleep = std::function<void(std::int64_t ms)>;
    RetryingTransport(Transport& inner, RetryPolicy policy = {}, Sleep sleep = nullptr, std::uint32_t seed = 0);
    HttpResponse send(const HttpRequest& request) override;

  private:
    Transport& inner_;
    RetryPolicy policy_;
    Sleep sleep_;
    std::mt19937 random_;
};

}  // namespace fieldmobile
