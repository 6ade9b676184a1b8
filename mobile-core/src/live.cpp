// The device's live sync listener on Poco's HTTPS client: one long GET read line by line as server-sent events,
// reconnected with exponential backoff and jitter; and the hand-over of announced seqs to a syncing thread.
#include "fieldmobile/live.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <istream>
#include <stdexcept>

#include "fieldsync/error.hpp"
#include "fieldsync/wire.hpp"

namespace fieldmobile {

class LiveListener::Connection {
  public:
    Connection(const std::string& host, Poco::UInt16 port, Poco::Net::Context::Ptr context)
        : session(host, port, context) {}
    Poco::Net::HTTPSClientSession session;
};

namespace {

// One event's fields as the stream gives them; the JSON data names seq (and bucket for a change).
bool decode(const std::string& kind, const std::string& data, LiveEvent& event, int& heartbeat_seconds) {
    if (kind != "hello" && kind != "change") return false;
    try {
        auto object = fieldsync::parse_json_object(data);
        event.kind = kind;
        event.seq = object->optValue<Poco::Int64>("seq", 0);
        event.bucket = object->optValue<std::string>("bucket", "");
        heartbeat_seconds = object->optValue<int>("heartbeat_seconds", heartbeat_seconds);
        return true;
    } catch (const std::exception&) {
        return false;  // an event this client cannot read is skipped, as server-sent events require
    }
}

}  // namespace

LiveListener::LiveListener(LiveOptions options, std::function<void(const LiveEvent&)> on_event)
    : options_(std::move(options)), on_event_(std::move(on_event)) {
    Poco::URI uri(options_.base_url);
    if (uri.getScheme() != "https" || uri.getHost().empty())
        throw std::invalid_argument("the server URL must be https://host[:port], not " + options_.base_url);
}

LiveListener::~LiveListener() { stop(); }

void LiveListener::start() {
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { run(); });
}

void LiveListener::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        // Shutting the socket down ends a read blocked on it.
        if (current_) current_->session.abort();
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void LiveListener::wait(std::int64_t ms) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop_.load(); });
}

void LiveListener::run() {
    int failures = 0;
    while (!stop_) {
        std::uint64_t before = connections_;
        try {
            listen_once();
        } catch (const std::exception&) {
            // Refused, unreachable, cut off or silent too long: all end in a reconnect below.
        }
        connected_ = false;
        if (stop_) break;
        // A connection that got its hello resets the backoff: the next drop is a new incident.
        failures = connections_ > before ? 0 : failures + 1;
        std::int64_t bound = std::min(options_.max_delay_ms, options_.base_delay_ms << std::min(failures, 16));
        // Half the bound plus a random half: devices that lost the server together do not return in step.
        std::uniform_int_distribution<std::int64_t> jitter(0, bound / 2);
        wait(bound / 2 + jitter(random_));
    }
}

void LiveListener::listen_once() {
    Poco::URI uri(options_.base_url);
    static const bool ssl_ready = (Poco::Net::initializeSSL(), true);
    (void)ssl_ready;
    Poco::Net::Context::Ptr context =
        options_.ca_file.empty() ? new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                          Poco::Net::Context::VERIFY_STRICT, 9, true)
                                 : new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", options_.ca_file,
                                                          Poco::Net::Context::VERIFY_STRICT, 9, false);
    auto connection = std::make_shared<Connection>(uri.getHost(), uri.getPort(), context);
    {
        std::lock_guard lock(mutex_);
        if (stop_) return;
        current_ = connection;
    }
    auto& session = connection->session;
    int heartbeat = 30;
    auto silence = [&] { return options_.silence_timeout_s > 0 ? options_.silence_timeout_s : 3 * heartbeat; };
    session.setTimeout(Poco::Timespan(options_.connect_timeout_s, 0), Poco::Timespan(options_.connect_timeout_s, 0),
                       Poco::Timespan(silence(), 0));
    std::string path = uri.getPath();
    if (!path.empty() && path.back() == '/') path.pop_back();
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path + "/api/v1/sync/live",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + options_.token);
    request.set("Accept", "text/event-stream");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
        std::string body;
        Poco::StreamCopier::copyToString(in, body);
        throw fieldsync::Error(fieldsync::ErrorCode::unavailable,
                               "live sync refused with " + std::to_string(response.getStatus()) + ": " + body);
    }
    std::string line, kind, data;
    while (!stop_ && std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
            LiveEvent event;
            if (decode(kind, data, event, heartbeat)) {
                if (event.kind == "hello") {
                    ++connections_;
                    connected_ = true;
                    session.socket().setReceiveTimeout(Poco::Timespan(silence(), 0));
                }
                on_event_(event);
            }
            kind.clear();
            data.clear();
        } else if (line.rfind("event:", 0) == 0) {
            kind = line.substr(line.find_first_not_of(' ', 6) == std::string::npos ? line.size()
                                                                                   : line.find_first_not_of(' ', 6));
        } else if (line.rfind("data:", 0) == 0) {
            data += line.substr(std::min(line.size(), line.find_first_not_of(' ', 5)));
        }
    }
    std::lock_guard lock(mutex_);
    current_.reset();
}

void LiveChanges::note(const LiveEvent& event) {
    {
        std::lock_guard lock(mutex_);
        latest_ = std::max(latest_, event.seq);
    }
    changed_.notify_all();
}

std::int64_t LiveChanges::wait_above(std::int64_t cursor, std::int64_t timeout_ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return latest_ > cursor; });
    return latest_ > cursor ? latest_ : 0;
}

std::int64_t LiveChanges::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

}  // namespace fieldmobile
