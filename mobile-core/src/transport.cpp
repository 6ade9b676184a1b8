// HTTPS transport on Poco with certificate pinning, and the retry decorator.
#include "fieldmobile/transport.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "fieldsync/error.hpp"

namespace fieldmobile {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

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

    HttpResponse send(const HttpRequest& request) override {
        try {
            Poco::Net::HTTPSClientSession session(host_, port_, context_);
            session.setTimeout(Poco::Timespan(options_.connect_timeout_s, 0), Poco::Timespan(options_.timeout_s, 0),
                               Poco::Timespan(options_.timeout_s, 0));
            Poco::Net::HTTPRequest req(request.method, prefix_ + request.target, Poco::Net::HTTPMessage::HTTP_1_1);
            if (!request.bearer.empty()) req.set("Authorization", "Bearer " + request.bearer);
            req.set("Accept", "application/json");
            if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
                req.setContentType(request.content_type.empty() ? "application/json" : request.content_type);
                req.setContentLength(static_cast<std::streamsize>(request.body.size()));
            }
            session.sendRequest(req) << request.body;
            Poco::Net::HTTPResponse res;
            std::istream& in = session.receiveResponse(res);
            HttpResponse out;
            out.status = res.getStatus();
            for (const auto& [k, v] : res) out.headers[Poco::toLower(k)] = v;
            Poco::StreamCopier::copyToString(in, out.body);
            return out;
        } catch (const Poco::Exception& e) {
            throw Error(ErrorCode::unavailable, "cannot reach " + options_.base_url + ": " + e.displayText());
        } catch (const std::ios_base::failure& e) {
            throw Error(ErrorCode::unavailable, "cannot reach " + options_.base_url + ": " + e.what());
        }
    }

  private:
    HttpsOptions options_;
    std::string host_;
    Poco::UInt16 port_ = 443;
    std::string prefix_;
    Poco::Net::Context::Ptr context_;
};

bool retryable(int status) { return status >= 500 || status == 429; }

}  // namespace

std::unique_ptr<Transport> make_https_transport(const HttpsOptions& options) {
    return std::make_unique<HttpsTransport>(options);
}

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
