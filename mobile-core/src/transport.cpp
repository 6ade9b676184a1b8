// HTTPS transport on Poco with certificate pinning and kept-alive connections, and the retry decorator. The browser
// build (FIELDMOBILE_NO_HTTPS: no Poco::Net there) has the retry decorator only; the app brings its own transport.
#include "fieldmobile/transport.hpp"

#ifndef FIELDMOBILE_NO_HTTPS
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#endif

#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/gzip.hpp"

namespace fieldmobile {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

#ifndef FIELDMOBILE_NO_HTTPS
// A kept-alive connection idles at most this long before the next request opens a new one; below the server's
// keep-alive timeout (one second, server/app/src/main.cpp), so the client gives a connection up before the server
// closes it.
constexpr Poco::Timespan::TimeDiff kIdleMicroseconds = 500'000;
// Connections kept for reuse; more are opened when requests overlap, and closed when they come back to a full pool.
constexpr std::size_t kIdleConnections = 4;

// Sending twice is harmless: reads and offset-addressed uploads by HTTP's rules, and a push, which the server
// applies exactly once by op id.
bool may_resend(const HttpRequest& request) {
    return request.method == "GET" || request.method == "HEAD" || request.method == "PUT" ||
           request.method == "DELETE" ||
           (request.method == "POST" && request.target.rfind("/api/v1/sync/push", 0) == 0);
}

class HttpsTransport : public Transport {
  public:
    explicit HttpsTransport(const HttpsOptions& options) : options_(options) {
        Poco::URI uri(options.base_url);
        if (uri.getScheme() != "https" || uri.getHost().empty())
            throw std::invalid_argument("the server URL must be https://host[:port], not " + options.base_url);
        host_ = uri.getHost();
        port_ = uri.getPort();
        prefix_ = uri.getPath();
        if (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
        // OpenSSL's process-wide setup, once; never undone because sessions may outlive any one transport.
        static const bool ssl_ready = (Poco::Net::initializeSSL(), true);
        (void)ssl_ready;
        // Pinning: with a CA file, only that certificate or CA is trusted, never the system store.
        context_ = options.ca_file.empty()
                       ? new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                Poco::Net::Context::VERIFY_STRICT, 9, true)
                       : new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", options.ca_file,
                                                Poco::Net::Context::VERIFY_STRICT, 9, false);
    }

    // One connection per request costs a TCP and TLS handshake each time, which dominated a short pull; a
    // connection is kept open while the server keeps it alive and reused by the next request.
    HttpResponse send(const HttpRequest& request) override {
        auto session = take_session();
        for (bool resent = false;; resent = true) {
            bool reused = session->connected();
            Poco::Net::HTTPResponse res;
            std::istream* in = nullptr;
            try {
                in = &exchange(*session, request, res);
            } catch (const Poco::Exception& e) {
                session->reset();
                // A kept-alive connection the server closed meanwhile fails before any answer arrives: send again on
                // a new connection where that is harmless. Any later failure is reported, never resent.
                if (reused && !resent && may_resend(request)) continue;
                throw unreachable(e.displayText());
            } catch (const std::ios_base::failure& e) {
                session->reset();
                if (reused && !resent && may_resend(request)) continue;
                throw unreachable(e.what());
            }
            HttpResponse out;
            out.status = res.getStatus();
            for (const auto& [k, v] : res) out.headers[Poco::toLower(k)] = v;
            // Room made once for a body of known length, not grown (and copied) as it arrives.
            if (res.hasContentLength() && res.getContentLength64() > 0)
                out.body.reserve(static_cast<std::size_t>(std::min<Poco::Int64>(
                    res.getContentLength64(), static_cast<Poco::Int64>(options_.max_response_bytes))));
            try {
                Poco::StreamCopier::copyToString(*in, out.body);
            } catch (const Poco::Exception& e) {
                session->reset();
                throw unreachable(e.displayText());
            } catch (const std::ios_base::failure& e) {
                session->reset();
                throw unreachable(e.what());
            }
            // A body cut short by a closed connection is a failure to answer, not an answer.
            if (res.hasContentLength() && static_cast<Poco::Int64>(out.body.size()) != res.getContentLength64()) {
                session->reset();
                throw unreachable("the connection closed after " + std::to_string(out.body.size()) + " of " +
                                  std::to_string(res.getContentLength64()) + " bytes of the response");
            }
            give_back(std::move(session));
            if (auto it = out.headers.find("content-encoding"); it != out.headers.end()) {
                if (Poco::toLower(it->second) != "gzip")
                    throw unreachable("the answer is encoded as " + it->second + ", which this client cannot read");
                try {
                    out.body = fieldsync::gzip_decompress(out.body, options_.max_response_bytes);
                } catch (const Error& e) {
                    throw unreachable(e.what());
                }
                out.headers.erase(it);
            }
            return out;
        }
    }

  private:
    using Session = Poco::Net::HTTPSClientSession;

    Error unreachable(const std::string& why) const {
        return Error(ErrorCode::unavailable, "cannot reach " + options_.base_url + ": " + why);
    }

    std::unique_ptr<Session> take_session() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!idle_.empty()) {
                auto session = std::move(idle_.back());
                idle_.pop_back();
                return session;
            }
        }
        auto session = std::make_unique<Session>(host_, port_, context_);
        session->setTimeout(Poco::Timespan(options_.connect_timeout_s, 0), Poco::Timespan(options_.timeout_s, 0),
                            Poco::Timespan(options_.timeout_s, 0));
        session->setKeepAlive(true);
        session->setKeepAliveTimeout(Poco::Timespan(kIdleMicroseconds));
        return session;
    }

    void give_back(std::unique_ptr<Session> session) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (idle_.size() < kIdleConnections) idle_.push_back(std::move(session));
    }

    // Sends the request and reads the response head; the body is left in the returned stream.
    std::istream& exchange(Session& session, const HttpRequest& request, Poco::Net::HTTPResponse& res) {
        Poco::Net::HTTPRequest req(request.method, prefix_ + request.target, Poco::Net::HTTPMessage::HTTP_1_1);
        req.setKeepAlive(true);
        if (!request.bearer.empty()) req.set("Authorization", "Bearer " + request.bearer);
        req.set("Accept", "application/json");
        if (options_.gzip) req.set("Accept-Encoding", "gzip");
        if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
            req.setContentType(request.content_type.empty() ? "application/json" : request.content_type);
            req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        }
        session.sendRequest(req) << request.body;
        return session.receiveResponse(res);
    }

    HttpsOptions options_;
    std::string host_;
    Poco::UInt16 port_ = 443;
    std::string prefix_;
    Poco::Net::Context::Ptr context_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Session>> idle_;
};

#endif

bool retryable(int status) { return status >= 500 || status == 429; }

}  // namespace

#ifndef FIELDMOBILE_NO_HTTPS
std::unique_ptr<Transport> make_https_transport(const HttpsOptions& options) {
    return std::make_unique<HttpsTransport>(options);
}
#endif

RetryingTransport::RetryingTransport(Transport& inner, RetryPolicy policy, Sleep sleep, std::uint32_t seed)
    : inner_(inner),
      policy_(policy),
      sleep_(sleep ? std::move(sleep)
                   : Sleep([](std::int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); })),
      random_(seed ? seed : std::random_device{}()) {}

HttpResponse RetryingTransport::send(const HttpRequest& request) {
    std::int64_t bound = policy_.base_delay_ms;
    for (int attempt = 1;; ++attempt) {
        std::int64_t retry_after_ms = 0;
        try {
            HttpResponse response = inner_.send(request);
            if (!retryable(response.status) || attempt >= policy_.max_attempts) return response;
            if (auto it = response.headers.find("retry-after"); it != response.headers.end()) {
                try {
                    retry_after_ms = std::stoll(it->second) * 1000;
                } catch (const std::exception&) {
                    retry_after_ms = 0;  // an HTTP date instead of seconds: fall back to the backoff
                }
            }
        } catch (const fieldsync::Error& e) {
            if (e.code() != ErrorCode::unavailable || attempt >= policy_.max_attempts) throw;
        }
        std::uniform_int_distribution<std::int64_t> jitter(0, bound);
        sleep_(std::min(policy_.max_delay_ms, std::max(retry_after_ms, jitter(random_))));
        bound = std::min(policy_.max_delay_ms, bound * 2);
    }
}

}  // namespace fieldmobile
