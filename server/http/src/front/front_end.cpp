// The front end's event loop: epoll over non-blocking sockets with OpenSSL, a deadline per connection phase, a
// global budget for request bodies in memory, and a bounded pool of request threads fed only complete requests.
#include "fieldserver/http/front_end.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "http_head.hpp"
#include "tls_context.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kListenId = 0;
constexpr std::uint64_t kWakeId = 1;
// Bytes read ahead of what the current request needs (a pipelined next request); more waits in the socket.
constexpr std::size_t kReadAhead = 64 * 1024;
// A stream whose client reads slower than events arrive is ended past this many unsent bytes.
constexpr std::size_t kMaxStreamBacklog = 1 << 20;
// How long a closing connection's unread input is drained, so the client reads the answer instead of a reset.
constexpr auto kDrainTime = std::chrono::seconds(2);

enum class Phase { handshake, head, body, waiting_budget, working, writing, streaming, draining, closed };

struct Link {
    std::uint64_t id = 0;
    int fd = -1;
    front::Ssl ssl;
    std::string peer;
    Phase phase = Phase::handshake;
    std::string in;
    std::string out;
    std::size_t sent = 0;
    int write_len = 0;  // the length of an SSL_write to repeat after WANT_READ/WANT_WRITE
    WireRequest request;
    std::size_t body_length = 0;  // for a chunked body: the most it may grow to
    std::optional<front::ChunkedBody> chunked;
    std::size_t budget = 0;
    std::optional<Clock::time_point> deadline;
    Clock::time_point body_started;
    Clock::time_point last_write;
    bool keep_alive = false;
    bool http10 = false;
    bool awaiting_request = false;  // kept alive after an answer, no byte of the next request yet
    bool close_after = false;
    bool over_address_limit = false;
    std::shared_ptr<ResponseStream> stream;
    std::uint32_t events = 0;
};

std::string status_text(int status) {
    static const std::map<int, std::string> texts = {{100, "Continue"},
                                                     {200, "OK"},
                                                     {201, "Created"},
                                                     {202, "Accepted"},
                                                     {204, "No Content"},
                                                     {206, "Partial Content"},
                                                     {304, "Not Modified"},
                                                     {400, "Bad Request"},
                                                     {401, "Unauthorized"},
                                                     {403, "Forbidden"},
                                                     {404, "Not Found"},
                                                     {405, "Method Not Allowed"},
                                                     {408, "Request Timeout"},
                                                     {409, "Conflict"},
                                                     {410, "Gone"},
                                                     {411, "Length Required"},
                                                     {413, "Content Too Large"},
                                                     {414, "URI Too Long"},
                                                     {415, "Unsupported Media Type"},
                                                     {422, "Unprocessable Content"},
                                                     {429, "Too Many Requests"},
                                                     {431, "Request Header Fields Too Large"},
                                                     {500, "Internal Server Error"},
                                                     {503, "Service Unavailable"},
                                                     {505, "HTTP Version Not Supported"}};
    auto it = texts.find(status);
    return it == texts.end() ? "Status" : it->second;
}

std::string http_date() {
    char text[64];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return text;
}

std::string peer_address(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text, sizeof text);
    else if (address.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, text, sizeof text);
    return text;
}

// Every connection is a file descriptor: take what the hard limit allows, keep some for the database and files.
std::size_t raise_file_limit(std::size_t wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    std::size_t usable = limit.rlim_cur > 256 ? static_cast<std::size_t>(limit.rlim_cur) - 128 : 128;
    return std::min(wanted, usable);
}

int listen_on(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("listen must be host:port, not " + listen);
    std::string host = listen.substr(0, colon), port = listen.substr(colon + 1);
    if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found) != 0 || !found)
        throw std::runtime_error("cannot resolve the listen address " + listen);
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> list(found, freeaddrinfo);
    int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("cannot open a socket for " + listen);
    int on = 1;
    // SO_REUSEADDR only: a restarted server takes its port back at once, but never shares it with a second one.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot listen on " + listen + ": the address is in use or not this machine's");
    }
    return fd;
}

}  // namespace

class FrontEnd::Loop {
  public:
    Loop(FrontSettings settings, Handle handle, Refuse refuse)
        : settings_(std::move(settings)), handle_(std::move(handle)), refuse_(std::move(refuse)) {}

    ~Loop() {
        stop();
        for (int fd : {listen_fd_, wake_fd_, epoll_fd_})
            if (fd >= 0) ::close(fd);
    }

    void start();
    void stop();
    std::string host() const;
    int port() const;
    std::size_t connections() const { return open_count_.load(); }

  private:
    struct Mail {
        std::uint64_t id;
        std::optional<WireResponse> response;
        std::string bytes;  // pushed by a stream
    };
    struct Job {
        std::uint64_t id;
        WireRequest request;
    };

    void run();
    void work();
    void post(Mail mail);
    void accept_all();
    void take_mail();
    void on_event(Link& c, std::uint32_t events);
    void handshake(Link& c);
    void read_more(Link& c);
    void parse(Link& c);
    void parse_head(Link& c);
    void begin_body(Link& c);
    void take_body(Link& c);
    void dispatch(Link& c);
    void deliver(Link& c, WireResponse response);
    void answer_error(Link& c, int status, const Error& error, bool with_request);
    void open_stream(Link& c, std::shared_ptr<ResponseStream> stream);
    void flush(Link& c);
    void written(Link& c);
    void drain(Link& c);
    void sweep(Clock::time_point now);
    void expire(Link& c);
    void release_budget(Link& c);
    void admit_waiting();
    void watch(Link& c, std::uint32_t events);
    void close(Link& c);
    void close_idle_for_stop();
    bool busy() const;

    FrontSettings settings_;
    Handle handle_;
    Refuse refuse_;
    front::SslCtx ctx_;
    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    sockaddr_storage bound_{};
    std::thread loop_thread_;
    std::vector<std::thread> workers_;

    // Event-thread state.
    std::unordered_map<std::uint64_t, std::unique_ptr<Link>> conns_;
    std::map<std::string, std::size_t> per_address_;
    std::deque<std::uint64_t> waiting_budget_;
    std::vector<std::uint64_t> closed_;  // erased after each round of events, so no reference dangles meanwhile
    std::size_t budget_used_ = 0;
    std::uint64_t next_id_ = 2;
    std::size_t max_connections_ = 0;
    std::atomic<std::size_t> open_count_{0};

    std::mutex jobs_mutex_;
    std::condition_variable jobs_ready_;
    std::deque<Job> jobs_;
    bool workers_stop_ = false;

    std::mutex mail_mutex_;
    std::vector<Mail> mail_;

    std::atomic<bool> stopping_{false};
    bool stopped_ = false;
};

void FrontEnd::Loop::start() {
    // A write to a connection the client closed must fail with EPIPE, not end the process.
    std::signal(SIGPIPE, SIG_IGN);
    max_connections_ = raise_file_limit(settings_.max_connections);
    ctx_ = front::make_server_context(settings_.cert_file, settings_.key_file);
    listen_fd_ = listen_on(settings_.listen);
    socklen_t length = sizeof bound_;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound_), &length);
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error("cannot create the event loop");
    epoll_event listen_event{EPOLLIN, {.u64 = kListenId}};
    epoll_event wake_event{EPOLLIN, {.u64 = kWakeId}};
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen_event);
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake_event);
    for (int i = 0; i < std::max(1, settings_.threads); ++i) workers_.emplace_back([this] { work(); });
    loop_thread_ = std::thread([this] { run(); });
}

void FrontEnd::Loop::stop() {
    if (stopped_ || !loop_thread_.joinable()) return;
    stopped_ = true;
    stopping_ = true;
    post({kWakeId, std::nullopt, {}});
    loop_thread_.join();
    {
        std::lock_guard lock(jobs_mutex_);
        workers_stop_ = true;
    }
    jobs_ready_.notify_all();
    for (auto& worker : workers_) worker.join();
}

std::string FrontEnd::Loop::host() const {
    sockaddr_storage copy = bound_;
    std::string text = peer_address(copy);
    return bound_.ss_family == AF_INET6 ? "[" + text + "]" : text;
}

int FrontEnd::Loop::port() const {
    if (bound_.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(bound_).sin_port);
    return ntohs(reinterpret_cast<const sockaddr_in6&>(bound_).sin6_port);
}

void FrontEnd::Loop::run() {
    std::vector<epoll_event> events(256);
    auto next_sweep = Clock::now();
    bool listening = true;
    auto stop_by = Clock::time_point::max();
    for (;;) {
        int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 1000);
        for (int i = 0; i < n; ++i) {
            std::uint64_t id = events[static_cast<std::size_t>(i)].data.u64;
            if (id == kListenId) {
                if (listening) accept_all();
            } else if (id == kWakeId) {
                take_mail();
            } else if (auto it = conns_.find(id); it != conns_.end()) {
                on_event(*it->second, events[static_cast<std::size_t>(i)].events);
            }
        }
        for (auto id : closed_) conns_.erase(id);
        closed_.clear();
        open_count_ = conns_.size();
        auto now = Clock::now();
        if (now >= next_sweep) {
            sweep(now);
            next_sweep = now + std::chrono::seconds(1);
        }
        if (stopping_ && listening) {
            // No new connections; idle ones end now, requests in flight get their answers first.
            listening = false;
            epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
            ::close(listen_fd_);
            listen_fd_ = -1;
            stop_by = now + std::chrono::seconds(15);
        }
        if (stopping_) {
            close_idle_for_stop();
            if (!busy() || now >= stop_by) break;
        }
    }
    for (auto& [id, c] : conns_) close(*c);
    conns_.clear();
}

void FrontEnd::Loop::work() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(jobs_mutex_);
            jobs_ready_.wait(lock, [this] { return workers_stop_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        WireResponse response;
        try {
            response = handle_(job.request);
        } catch (...) {
            response = refuse_(500, Error(ErrorCode::internal, fieldsync::Message{"error.internal", {}}), &job.request);
        }
        post({job.id, std::move(response), {}});
    }
}

void FrontEnd::Loop::post(Mail mail) {
    bool wake = false;
    {
        std::lock_guard lock(mail_mutex_);
        wake = mail_.empty();
        mail_.push_back(std::move(mail));
    }
    if (wake) {
        std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
    }
}

void FrontEnd::Loop::take_mail() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto read = ::read(wake_fd_, &count, sizeof count);
    std::vector<Mail> mail;
    {
        std::lock_guard lock(mail_mutex_);
        mail.swap(mail_);
    }
    for (auto& m : mail) {
        auto it = conns_.find(m.id);
        if (it != conns_.end() && it->second->phase == Phase::closed) it = conns_.end();
        if (m.response) {
            if (it == conns_.end()) {
                // The client left while its request ran: nobody to answer, and a stream has nobody to feed.
                if (m.response->stream) m.response->stream->close();
                continue;
            }
            deliver(*it->second, std::move(*m.response));
        } else if (it != conns_.end() && it->second->phase == Phase::streaming && !m.bytes.empty()) {
            Link& c = *it->second;
            c.out += m.bytes;
            if (c.out.size() - c.sent > kMaxStreamBacklog) {
                close(c);
                continue;
            }
            flush(c);
        }
    }
}

void FrontEnd::Loop::accept_all() {
    for (;;) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        // Past the total, a connection is closed at once: it would take a file descriptor the server needs.
        if (conns_.size() >= max_connections_) {
            ::close(fd);
            continue;
        }
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        auto c = std::make_unique<Link>();
        c->id = next_id_++;
        c->fd = fd;
        c->peer = peer_address(address);
        c->ssl.reset(SSL_new(ctx_.get()));
        if (!c->ssl) {
            ::close(fd);
            continue;
        }
        SSL_set_fd(c->ssl.get(), fd);
        SSL_set_accept_state(c->ssl.get());
        // Past the limit per address, the connection is still answered (503, in the JSON shape), then closed.
        c->over_address_limit = per_address_[c->peer]++ >= settings_.max_connections_per_address;
        c->deadline = Clock::now() + std::chrono::seconds(settings_.header_timeout_seconds);
        Link& ref = *c;
        conns_.emplace(ref.id, std::move(c));
        epoll_event event{EPOLLIN, {.u64 = ref.id}};
        ref.events = EPOLLIN;
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
    }
}

void FrontEnd::Loop::on_event(Link& c, std::uint32_t events) {
    switch (c.phase) {
        case Phase::handshake:
            handshake(c);
            return;
        case Phase::head:
        case Phase::body:
            read_more(c);
            return;
        case Phase::writing:
            flush(c);
            return;
        case Phase::streaming:
            if (events & EPOLLOUT) flush(c);
            if (conns_.count(c.id) && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read_more(c);
            return;
        case Phase::draining:
            drain(c);
            return;
        case Phase::closed:
            return;
        case Phase::waiting_budget:
        case Phase::working:
            // Not reading: only a closed or broken connection reports here.
            if (events & (EPOLLHUP | EPOLLERR)) close(c);
            return;
    }
}

void FrontEnd::Loop::handshake(Link& c) {
    ERR_clear_error();
    int r = SSL_do_handshake(c.ssl.get());
    if (r == 1) {
        c.phase = Phase::head;
        watch(c, EPOLLIN);
        read_more(c);
        return;
    }
    int error = SSL_get_error(c.ssl.get(), r);
    if (error == SSL_ERROR_WANT_READ) return watch(c, EPOLLIN);
    if (error == SSL_ERROR_WANT_WRITE) return watch(c, EPOLLOUT);
    close(c);
}

void FrontEnd::Loop::read_more(Link& c) {
    char buffer[16 * 1024];
    for (;;) {
        std::size_t wanted = c.phase == Phase::body ? c.body_length - c.request.body.size() : 0;
        if (c.phase != Phase::streaming && c.in.size() >= wanted + kReadAhead) break;
        ERR_clear_error();
        int r = SSL_read(c.ssl.get(), buffer, sizeof buffer);
        if (r > 0) {
            if (c.phase != Phase::streaming) c.in.append(buffer, static_cast<std::size_t>(r));
            continue;
        }
        int error = SSL_get_error(c.ssl.get(), r);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) break;
        // The client closed or broke the connection.
        close(c);
        return;
    }
    if (c.phase != Phase::streaming) parse(c);
}

void FrontEnd::Loop::parse(Link& c) {
    if (c.phase == Phase::head) parse_head(c);
    if (c.phase == Phase::body && !c.in.empty()) take_body(c);
}

void FrontEnd::Loop::parse_head(Link& c) {
    if (c.in.empty()) return;
    if (c.awaiting_request) {
        // The first byte of a request on a kept-alive connection: the idle timeout becomes the header deadline.
        c.awaiting_request = false;
        c.deadline = Clock::now() + std::chrono::seconds(settings_.header_timeout_seconds);
    }
    auto scan = front::scan_head(c.in);
    if (scan.error) return answer_error(c, scan.error->status, scan.error->error, false);
    if (scan.head_bytes == 0) return;
    std::size_t length = 0;
    bool chunked = false;
    auto error = front::parse_head(std::string_view(c.in).substr(0, scan.head_bytes), c.request, length, chunked);
    c.in.erase(0, scan.head_bytes);
    if (error) return answer_error(c, error->status, error->error, true);
    c.keep_alive = front::wants_keep_alive(c.request);
    c.http10 = c.request.version == "HTTP/1.0";
    if (c.over_address_limit)
        return answer_error(c, 503, Error(ErrorCode::unavailable, fieldsync::Message{"http.too_many_connections", {}}),
                            true);
    if (length > settings_.max_body_bytes)
        return answer_error(
            c, 413,
            Error(ErrorCode::payload_too_large,
                  fieldsync::Message{"http.body_too_large", {{"max", std::to_string(settings_.max_body_bytes)}}}),
            true);
    // A chunked body's length is known at its end: it takes the most a body may be from the budget.
    if (chunked) length = settings_.max_body_bytes;
    c.chunked.reset();
    if (chunked) c.chunked.emplace(settings_.max_body_bytes);
    c.body_length = length;
    if (length == 0) return dispatch(c);
    // Bodies wait for room in the budget, so parallel uploads cannot fill the memory; one always fits.
    if (budget_used_ > 0 && budget_used_ + length > settings_.body_budget_bytes) {
        c.phase = Phase::waiting_budget;
        c.deadline.reset();
        waiting_budget_.push_back(c.id);
        return watch(c, 0);
    }
    begin_body(c);
}

void FrontEnd::Loop::begin_body(Link& c) {
    budget_used_ += c.body_length;
    c.budget = c.body_length;
    c.phase = Phase::body;
    c.body_started = Clock::now();
    c.deadline = c.body_started + std::chrono::seconds(settings_.header_timeout_seconds);
    if (!c.chunked) c.request.body.reserve(c.body_length);
    if (c.request.header("expect") == "100-continue" || c.request.header("expect") == "100-Continue") {
        c.out = "HTTP/1.1 100 Continue\r\n\r\n";
        c.sent = 0;
        flush(c);
        if (c.phase == Phase::closed) return;
    }
    watch(c, EPOLLIN);
}

void FrontEnd::Loop::take_body(Link& c) {
    if (c.chunked) {
        if (auto error = c.chunked->take(c.in, c.request.body))
            return answer_error(c, error->status, error->error, true);
    } else {
        std::size_t take = std::min(c.in.size(), c.body_length - c.request.body.size());
        c.request.body.append(c.in, 0, take);
        c.in.erase(0, take);
    }
    // A minimum average rate after a grace period: a body trickled in, or promised longer than sent, meets its
    // deadline instead of holding its connection open.
    auto allowed =
        std::chrono::duration<double>(static_cast<double>(c.request.body.size()) /
                                      static_cast<double>(std::max<std::size_t>(1, settings_.min_body_rate)));
    c.deadline = c.body_started + std::chrono::seconds(settings_.header_timeout_seconds) +
                 std::chrono::duration_cast<Clock::duration>(allowed);
    if (c.chunked ? c.chunked->complete() : c.request.body.size() == c.body_length) dispatch(c);
}

void FrontEnd::Loop::dispatch(Link& c) {
    c.phase = Phase::working;
    c.deadline.reset();
    c.request.peer = c.peer;
    watch(c, 0);
    {
        std::lock_guard lock(jobs_mutex_);
        jobs_.push_back({c.id, std::move(c.request)});
    }
    jobs_ready_.notify_one();
    c.request = WireRequest{};
}

void FrontEnd::Loop::deliver(Link& c, WireResponse response) {
    release_budget(c);
    bool keep = c.keep_alive && !response.close && !stopping_ && !response.stream;
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + status_text(response.status) + "\r\n";
    for (const auto& [k, v] : response.headers) head += k + ": " + v + "\r\n";
    head += "Date: " + http_date() + "\r\n";
    if (!response.stream && response.status != 204 && response.status != 304)
        head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    if (!keep)
        head += "Connection: close\r\n";
    else if (c.http10)
        head += "Connection: keep-alive\r\n";
    c.out = head + "\r\n" + response.body;
    c.sent = 0;
    c.close_after = !keep;
    c.last_write = Clock::now();
    if (response.stream) return open_stream(c, std::move(response.stream));
    c.phase = Phase::writing;
    auto allowed = std::chrono::duration<double>(
        static_cast<double>(c.out.size()) / static_cast<double>(std::max<std::size_t>(1, settings_.min_body_rate)));
    c.deadline = Clock::now() + std::chrono::seconds(settings_.header_timeout_seconds) +
                 std::chrono::duration_cast<Clock::duration>(allowed);
    flush(c);
}

void FrontEnd::Loop::open_stream(Link& c, std::shared_ptr<ResponseStream> stream) {
    c.phase = Phase::streaming;
    c.deadline.reset();
    c.stream = stream;
    std::uint64_t id = c.id;
    stream->open([this, id](std::string bytes) { post({id, std::nullopt, std::move(bytes)}); });
    flush(c);
}

void FrontEnd::Loop::answer_error(Link& c, int status, const Error& error, bool with_request) {
    if (!with_request) c.request = WireRequest{};
    c.request.peer = c.peer;
    WireResponse response = refuse_(status, error, &c.request);
    response.close = true;
    // Input that was not read (a refused body) is drained after the answer, see drain().
    deliver(c, std::move(response));
}

void FrontEnd::Loop::flush(Link& c) {
    while (c.sent < c.out.size()) {
        if (c.write_len == 0) c.write_len = static_cast<int>(std::min<std::size_t>(c.out.size() - c.sent, 64 * 1024));
        ERR_clear_error();
        int r = SSL_write(c.ssl.get(), c.out.data() + c.sent, c.write_len);
        if (r > 0) {
            c.sent += static_cast<std::size_t>(r);
            c.write_len = 0;
            continue;
        }
        int error = SSL_get_error(c.ssl.get(), r);
        if (error == SSL_ERROR_WANT_WRITE) return watch(c, c.phase == Phase::streaming ? EPOLLOUT | EPOLLIN : EPOLLOUT);
        if (error == SSL_ERROR_WANT_READ) return watch(c, EPOLLIN);
        close(c);
        return;
    }
    c.out.clear();
    c.sent = 0;
    c.last_write = Clock::now();
    written(c);
}

void FrontEnd::Loop::written(Link& c) {
    if (c.phase == Phase::streaming) return watch(c, EPOLLIN);
    if (c.phase == Phase::body) return;  // the 100 Continue went out
    if (c.phase != Phase::writing) return;
    if (c.close_after) {
        // close_notify, then no more writes; what the client still sends is read and dropped for a moment, so it
        // reads the answer rather than a reset.
        SSL_shutdown(c.ssl.get());
        ::shutdown(c.fd, SHUT_WR);
        c.phase = Phase::draining;
        c.deadline = Clock::now() + kDrainTime;
        c.in.clear();
        watch(c, EPOLLIN);
        return drain(c);
    }
    c.phase = Phase::head;
    c.request = WireRequest{};
    c.awaiting_request = true;
    c.deadline = Clock::now() + std::chrono::seconds(settings_.keep_alive_seconds);
    watch(c, EPOLLIN);
    // A pipelined request may already be here, in c.in or inside OpenSSL's buffer.
    read_more(c);
}

void FrontEnd::Loop::drain(Link& c) {
    char buffer[16 * 1024];
    for (;;) {
        ERR_clear_error();
        int r = SSL_read(c.ssl.get(), buffer, sizeof buffer);
        if (r > 0) continue;
        int error = SSL_get_error(c.ssl.get(), r);
        if (error == SSL_ERROR_WANT_READ) return;
        close(c);
        return;
    }
}

void FrontEnd::Loop::sweep(Clock::time_point now) {
    std::vector<std::uint64_t> due;
    for (auto& [id, c] : conns_) {
        if (c->deadline && now >= *c->deadline) due.push_back(id);
        if (c->phase == Phase::streaming && c->out.empty() &&
            now - c->last_write >= std::chrono::seconds(settings_.stream_heartbeat_seconds)) {
            c->out = c->stream->heartbeat();
            c->sent = 0;
            flush(*c);
        }
    }
    for (auto id : due)
        if (auto it = conns_.find(id); it != conns_.end()) expire(*it->second);
}

void FrontEnd::Loop::expire(Link& c) {
    bool request_begun = (c.phase == Phase::head && !c.in.empty()) || c.phase == Phase::body;
    if (!request_begun) return close(c);
    release_budget(c);
    c.in.clear();
    answer_error(c, 408,
                 Error(ErrorCode::unavailable,
                       fieldsync::Message{c.phase == Phase::body ? "http.slow_body" : "http.slow_head", {}}),
                 c.phase == Phase::body);
}

void FrontEnd::Loop::release_budget(Link& c) {
    if (c.budget == 0) return;
    budget_used_ -= c.budget;
    c.budget = 0;
    admit_waiting();
}

void FrontEnd::Loop::admit_waiting() {
    while (!waiting_budget_.empty()) {
        auto it = conns_.find(waiting_budget_.front());
        if (it == conns_.end() || it->second->phase != Phase::waiting_budget) {
            waiting_budget_.pop_front();
            continue;
        }
        Link& c = *it->second;
        if (budget_used_ > 0 && budget_used_ + c.body_length > settings_.body_budget_bytes) return;
        waiting_budget_.pop_front();
        begin_body(c);
        if (c.phase == Phase::body) take_body(c);
    }
}

void FrontEnd::Loop::watch(Link& c, std::uint32_t events) {
    if (c.events == events || c.phase == Phase::closed) return;
    c.events = events;
    epoll_event event{events, {.u64 = c.id}};
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &event);
}

void FrontEnd::Loop::close(Link& c) {
    if (c.phase == Phase::closed) return;
    c.phase = Phase::closed;
    if (c.stream) c.stream->close();
    c.stream.reset();
    release_budget(c);
    auto it = per_address_.find(c.peer);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
    ::close(c.fd);
    closed_.push_back(c.id);
}

void FrontEnd::Loop::close_idle_for_stop() {
    std::vector<std::uint64_t> idle;
    for (auto& [id, c] : conns_)
        if (c->phase != Phase::working && c->phase != Phase::writing) idle.push_back(id);
    for (auto id : idle) close(*conns_.at(id));
}

bool FrontEnd::Loop::busy() const {
    for (const auto& [id, c] : conns_)
        if (c->phase == Phase::working || c->phase == Phase::writing) return true;
    return false;
}

FrontEnd::FrontEnd(FrontSettings settings, Handle handle, Refuse refuse)
    : loop_(std::make_unique<Loop>(std::move(settings), std::move(handle), std::move(refuse))) {}

FrontEnd::~FrontEnd() = default;

void FrontEnd::start() { loop_->start(); }
void FrontEnd::stop() { loop_->stop(); }
std::string FrontEnd::host() const { return loop_->host(); }
int FrontEnd::port() const { return loop_->port(); }
std::size_t FrontEnd::connections() const { return loop_->connections(); }

}  // namespace fieldserver
