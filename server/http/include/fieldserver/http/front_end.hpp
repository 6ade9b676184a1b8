// The event-driven HTTPS front end: one event thread accepts connections, does the TLS handshakes, reads and parses
// requests under deadlines and writes answers; only complete requests reach the bounded pool of request threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fieldserver/http/router.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

// A complete request as it came off the connection: nothing of it is interpreted beyond the HTTP framing.
struct WireRequest {
    std::string method;
    std::string target;                                        // "/api/v1/jobs?state=new", as sent
    std::string version;                                       // "HTTP/1.1" or "HTTP/1.0"
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
    std::string body;
    std::string peer;  // the client's address
    bool has_body = false;

    // The first header of that (lower-case) name, or empty.
    const std::string& header(const std::string& name) const;
};

// An answer: status, headers (the front end adds Content-Length, Connection and Date), body. With a stream, the body
// is its first bytes and the connection stays open for what the stream pushes later (text/event-stream).
struct WireResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close = false;  // end the connection after this answer
    std::shared_ptr<ResponseStream> stream;
};

struct FrontSettings {
    std::string listen;  // "host:port"; port 0: any free port
    std::string cert_file;
    std::string key_file;
    int threads = 16;                       // request threads
    int header_timeout_seconds = 10;        // from accept (or the first byte of a kept-alive request) to the full head
    int keep_alive_seconds = 15;            // a kept-alive connection idles this long at most
    std::size_t min_body_rate = 16 * 1024;  // bytes per second a body (and an answer) must average after the deadline
    std::size_t max_connections = 10000;    // in total (lowered to what RLIMIT_NOFILE allows)
    std::size_t max_connections_per_address = 1000;
    std::size_t max_body_bytes = 4 << 20;
    std::size_t body_budget_bytes = 16 << 20;  // request bodies held in memory at once, over all connections
    int stream_heartbeat_seconds = 25;         // a quiet stream sends its heartbeat this often
};

class FrontEnd {
  public:
    // handle runs on a request thread for each complete request. refuse renders the front end's own errors
    // (bad framing, deadlines, limits) with their status; request is null when nothing of one was parsed.
    using Handle = std::function<WireResponse(WireRequest&)>;
    using Refuse = std::function<WireResponse(int status, const fieldsync::Error&, const WireRequest* request)>;

    FrontEnd(FrontSettings settings, Handle handle, Refuse refuse);
    ~FrontEnd();
    FrontEnd(const FrontEnd&) = delete;
    FrontEnd& operator=(const FrontEnd&) = delete;

    // Loads the certificate, binds and listens (throws std::runtime_error naming what failed), starts the threads.
    void start();
    // Stops accepting, lets the requests in flight finish and their answers go out, then closes every connection.
    void stop();
    // The bound address, once started.
    std::string host() const;
    int port() const;
    // Connections open now (for the benchmark and /metrics readers).
    std::size_t connections() const;

  private:
    class Loop;
    std::unique_ptr<Loop> loop_;
};

}  // namespace fieldserver
