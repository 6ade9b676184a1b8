// Notifications end to end: the real server mails a local SMTP receiver and calls a local webhook receiver, both
// started here; retries, the delivery log, a mail server that hangs or is down, webhook input and roles.
#include <Poco/Base64Decoder.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Thread.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iomanip>
#include <mutex>
#include <regex>

#include "fieldsync/time.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------------------------------- SMTP receiver

struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string subject;  // decoded
    std::string body;     // decoded
    std::string raw;
};

std::string base64_decode(const std::string& text) {
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in);
    std::string out;
    Poco::StreamCopier::copyToString(decoder, out);
    return out;
}

// A header value decoded as RFC 2047 says: encoded words decoded, whitespace between two encoded words dropped.
std::string decode_header(const std::string& value) {
    static const std::regex word(R"(=\?[Uu][Tt][Ff]-8\?[Bb]\?([A-Za-z0-9+/=]*)\?=)");
    std::string out;
    bool after_word = false;
    std::size_t pos = 0;
    for (std::sregex_iterator it(value.begin(), value.end(), word), end; it != end; ++it) {
        std::string gap = value.substr(pos, static_cast<std::size_t>(it->position()) - pos);
        if (!(after_word && gap.find_first_not_of(" \t\r\n") == std::string::npos)) out += gap;
        out += base64_decode((*it)[1]);
        pos = static_cast<std::size_t>(it->position() + it->length());
        after_word = true;
    }
    return out + value.substr(pos);
}

// The raw Subject header of a message, unfolded.
std::string raw_subject(const std::string& raw) {
    std::smatch m;
    if (!std::regex_search(raw, m, std::regex(R"((?:^|\r\n)Subject: ((?:[^\r]|\r\n[ \t])*))"))) return {};
    return std::regex_replace(m[1].str(), std::regex(R"(\r\n[ \t])"), " ");
}

struct SmtpState {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<Mail> mails;
    bool hold = false;  // accept connections but say nothing until released
    int held = 0;
    int connections = 0;
};

// Enough SMTP for Poco's client: greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT.
class SmtpSession : public Poco::Net::TCPServerConnection {
  public:
    SmtpSession(const Poco::Net::StreamSocket& socket, std::shared_ptr<SmtpState> state)
        : TCPServerConnection(socket), state_(std::move(state)) {}

    void run() override {
        {
            std::unique_lock<std::mutex> lock(state_->mutex);
            ++state_->connections;
            if (state_->hold) {
                ++state_->held;
                state_->changed.notify_all();
                state_->changed.wait(lock, [&] { return !state_->hold; });
                --state_->held;
                return;  // hang up without a greeting: the sender's attempt fails
            }
        }
        Poco::Net::SocketStream io(socket());
        auto reply = [&](const std::string& line) { io << line << "\r\n" << std::flush; };
        reply("220 smtp.test ESMTP");
        Mail mail;
        std::string line;
        while (read_line(io, line)) {
            std::string verb = Poco::toUpper(line.substr(0, 4));
            if (verb == "EHLO") {
                reply("250-smtp.test");
                reply("250 8BITMIME");
            } else if (verb == "HELO") {
                reply("250 smtp.test");
            } else if (verb == "MAIL") {
                mail = Mail{};
                mail.from = address(line);
                reply("250 OK");
            } else if (verb == "RCPT") {
                mail.to.push_back(address(line));
                reply("250 OK");
            } else if (verb == "DATA") {
                reply("354 end with <CRLF>.<CRLF>");
                std::string raw;
                while (read_line(io, line) && line != ".")
                    raw += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\r\n";
                mail.raw = raw;
                mail.subject = decode_header(raw_subject(raw));
                std::istringstream in(raw);
                Poco::Net::MailMessage message;
                message.read(in);
                mail.body = message.getContent();
                {
                    std::lock_guard<std::mutex> lock(state_->mutex);
                    state_->mails.push_back(mail);
                }
                state_->changed.notify_all();
                reply("250 queued");
            } else if (verb == "QUIT") {
                reply("221 bye");
                return;
            } else if (verb == "RSET" || verb == "NOOP") {
                reply("250 OK");
            } else {
                reply("502 not implemented");
            }
        }
    }

  private:
    static bool read_line(std::istream& in, std::string& line) {
        if (!std::getline(in, line)) return false;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
    }
    static std::string address(const std::string& line) {
        auto open = line.find('<'), close = line.rfind('>');
        return open == std::string::npos || close == std::string::npos ? std::string()
                                                                       : line.substr(open + 1, close - open - 1);
    }
    std::shared_ptr<SmtpState> state_;
};

class SmtpFactory : public Poco::Net::TCPServerConnectionFactory {
  public:
    explicit SmtpFactory(std::shared_ptr<SmtpState> state) : state_(std::move(state)) {}
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
        return new SmtpSession(socket, state_);
    }

  private:
    std::shared_ptr<SmtpState> state_;
};

class SmtpReceiver {
  public:
    explicit SmtpReceiver(Poco::UInt16 port = 0)
        : state_(std::make_shared<SmtpState>()),
          server_(new SmtpFactory(state_), Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", port))) {
        server_.start();
    }
    ~SmtpReceiver() {
        hold(false);
        server_.stop();
    }

    int port() const { return server_.port(); }

    // While holding, connections are accepted and left silent; releasing hangs them up.
    void hold(bool on) {
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            state_->hold = on;
        }
        state_->changed.notify_all();
    }

    // Waits up to 30 s until the receiver's state satisfies done; returns whether it did.
    bool wait(const std::function<bool(const SmtpState&)>& done) {
        std::unique_lock<std::mutex> lock(state_->mutex);
        return state_->changed.wait_until(lock, Clock::now() + std::chrono::seconds(30), [&] { return done(*state_); });
    }

    // The first mail to address whose subject contains text, waiting up to 30 s for it; fails the test if none.
    Mail mail_to(const std::string& address, const std::string& text) {
        Mail found;
        bool ok = wait([&](const SmtpState& s) {
            for (const auto& m : s.mails)
                if (std::find(m.to.begin(), m.to.end(), address) != m.to.end() &&
                    m.subject.find(text) != std::string::npos) {
                    found = m;
                    return true;
                }
            return false;
        });
        INFO("no mail to " << address << " about " << text << " arrived");
        REQUIRE(ok);
        return found;
    }

    std::vector<Mail> mails() {
        std::lock_guard<std::mutex> lock(state_->mutex);
        return state_->mails;
    }

  private:
    std::shared_ptr<SmtpState> state_;
    Poco::Net::TCPServer server_;
};

// ------------------------------------------------------------------------------------------- webhook receiver

struct Call {
    std::string event, delivery, signature, content_type, body;
    bool signature_ok = false;
    int answered = 0;
};

struct HookState {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<Call> calls;
    int fail_next = 0;  // answer this many calls with 500 first
    std::string secret;
};

std::string hmac_hex(const std::string& key, const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), digest, &length);
    std::ostringstream out;
    for (unsigned i = 0; i < length; ++i) out << std::hex << std::setw(2) << std::setfill('0') << int(digest[i]);
    return out.str();
}

class HookHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit HookHandler(std::shared_ptr<HookState> state) : state_(std::move(state)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        Call call;
        Poco::StreamCopier::copyToString(request.stream(), call.body);
        call.event = request.get("X-Fieldrepair-Event", "");
        call.delivery = request.get("X-Fieldrepair-Delivery", "");
        call.signature = request.get("X-Fieldrepair-Signature", "");
        call.content_type = request.getContentType();
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            call.signature_ok =
                request.getMethod() == "POST" && call.signature == "sha256=" + hmac_hex(state_->secret, call.body);
            call.answered = state_->fail_next > 0 ? 500 : 204;
            if (state_->fail_next > 0) --state_->fail_next;
            state_->calls.push_back(call);
        }
        state_->changed.notify_all();
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(call.answered));
        response.setContentLength(0);
        response.send();
    }

  private:
    std::shared_ptr<HookState> state_;
};

class HookFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit HookFactory(std::shared_ptr<HookState> state) : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new HookHandler(state_);
    }

  private:
    std::shared_ptr<HookState> state_;
};

class WebhookReceiver {
  public:
    WebhookReceiver()
        : state_(std::make_shared<HookState>()),
          server_(new HookFactory(state_), Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                  new Poco::Net::HTTPServerParams) {
        server_.start();
    }
    ~WebhookReceiver() { server_.stopAll(true); }

    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(server_.port()) + "/hooks/fieldrepair?src=fr";
    }
    void set_secret(const std::string& secret) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->secret = secret;
    }
    void fail_next(int n) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->fail_next = n;
    }
    // Waits up to 30 s until at least n calls arrived; returns the calls so far.
    std::vector<Call> wait_calls(std::size_t n) {
        std::unique_lock<std::mutex> lock(state_->mutex);
        state_->changed.wait_until(lock, Clock::now() + std::chrono::seconds(30),
                                   [&] { return state_->calls.size() >= n; });
        return state_->calls;
    }
    std::vector<Call> calls() {
        std::lock_guard<std::mutex> lock(state_->mutex);
        return state_->calls;
    }

  private:
    std::shared_ptr<HookState> state_;
    Poco::Net::HTTPServer server_;
};

// ------------------------------------------------------------------------------------------- helpers

// Short intervals keep the suite quick: the outbox is checked every 50 ms and retries wait 200 ms, 400 ms, …
std::map<std::string, std::string> notify_env(int smtp_port, std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = {{"FIELDREPAIR_SMTP_HOST", "127.0.0.1"},
                                              {"FIELDREPAIR_SMTP_PORT", std::to_string(smtp_port)},
                                              {"FIELDREPAIR_SMTP_FROM", "service@fieldrepair.test"},
                                              {"FIELDREPAIR_NOTIFY_INTERVAL_MS", "50"},
                                              {"FIELDREPAIR_NOTIFY_BACKOFF_MS", "200"},
                                              {"FIELDREPAIR_NOTIFY_MAX_ATTEMPTS", "5"},
                                              {"FIELDREPAIR_NOTIFY_TIMEOUT", "30"}};
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
}

// A port nothing listens on (bound and released at once).
int free_port() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    int port = socket.address().port();
    socket.close();
    return port;
}

Arr notifications(const TestServer& srv, const std::string& token, const std::string& query) {
    return list(srv, "/api/v1/notifications?" + query, token)->getArray("items");
}

// Polls GET /notifications?query (as token) up to 30 s until done holds for its items; returns the last items.
Arr wait_notifications(const TestServer& srv, const std::string& token, const std::string& query,
                       const std::function<bool(const Arr&)>& done) {
    auto deadline = Clock::now() + std::chrono::seconds(30);
    Arr items = notifications(srv, token, query);
    while (!done(items) && Clock::now() < deadline) {
        Poco::Thread::sleep(50);
        items = notifications(srv, token, query);
    }
    return items;
}

std::vector<Obj> objects(const Arr& items) {
    std::vector<Obj> out;
    for (const auto& v : *items) out.push_back(v.extract<Obj>());
    return out;
}

Obj only(const Arr& items) {
    INFO(to_text(items));
    REQUIRE(items->size() == 1);
    return items->getObject(0);
}

std::string ticket_of(Shop& shop, const std::string& job) { return text_of(shop.job(job), "ticket_no"); }

void set_email(Shop& shop, const std::string& customer_id, const std::string& email) {
    need(shop.srv.patch("/api/v1/customers/" + customer_id, body({{"email", email}}), shop.dispatcher), 200);
}

// Subscribes url to events as the admin; returns the created webhook (with its one-time secret).
Obj subscribe(Shop& shop, const std::string& url, const std::vector<std::string>& events) {
    Arr list = new Poco::JSON::Array;
    for (const auto& e : events) list->add(e);
    auto b = body({{"url", url}, {"description", "客服系统 CRM"}});
    b->set("events", list);
    return need(shop.srv.post("/api/v1/webhooks", b, shop.admin), 201).object();
}

}  // namespace

TEST_CASE("reporting a job mails the customer the ticket number in a Chinese UTF-8 subject",
          "[integration][notifications]") {
    SmtpReceiver smtp;
    TestServer srv(notify_env(smtp.port()));
    Shop shop(srv);
    set_email(shop, shop.customer_a, "liu.yang@example.com");

    std::string job = shop.report(shop.customer_a, shop.asset_a, shop.cust_a);
    std::string ticket = ticket_of(shop, job);
    auto mail = smtp.mail_to("liu.yang@example.com", ticket);
    CHECK(mail.subject == "报修已受理：工单 " + ticket + " / Repair request received: ticket " + ticket);
    CHECK(mail.from == "service@fieldrepair.test");
    CHECK(mail.raw.find("charset=UTF-8") != std::string::npos);
    CHECK(mail.body.find("刘洋，您好") != std::string::npos);
    CHECK(mail.body.find("冰箱不制冷") != std::string::npos);
    CHECK(mail.body.find("your ticket number is " + ticket) != std::string::npos);

    // The delivery log shows the one successful attempt.
    auto items = wait_notifications(srv, shop.dispatcher, "job_id=" + job, [](const Arr& a) {
        return a->size() == 1 && text_of(a->getObject(0), "status") == "delivered";
    });
    auto n = only(items);
    CHECK(text_of(n, "event") == "ticket_created");
    CHECK(text_of(n, "channel") == "email");
    CHECK(text_of(n, "recipient") == "liu.yang@example.com");
    CHECK(text_of(n, "ticket_no") == ticket);
    CHECK(text_of(n, "status") == "delivered");
    CHECK(int_of(n, "attempts") == 1);
    CHECK(!text_of(n, "delivered_at").empty());
    auto log = n->getArray("log");
    REQUIRE(log->size() == 1);
    CHECK(log->getObject(0)->getValue<bool>("is_ok"));
    CHECK(log->getObject(0)->isNull("error"));
    CHECK(int_of(log->getObject(0), "duration_ms") >= 0);

    // A customer without an email address gets no email, and nothing is queued for them.
    std::string other = shop.report(shop.customer_b, shop.asset_b);
    CHECK(notifications(srv, shop.admin, "job_id=" + other)->size() == 0);
    // Assigning tells the customer a technician is on the way (customer care, issue 14), and nothing else.
    shop.must(job, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    CHECK(notifications(srv, shop.admin, "job_id=" + job)->size() == 2);
    CHECK(notifications(srv, shop.admin, "job_id=" + job + "&event=job_assigned&channel=email")->size() == 1);
}

TEST_CASE("a proposed plan mails the customer and calls a signed webhook", "[integration][notifications]") {
    SmtpReceiver smtp;
    WebhookReceiver hook;
    TestServer srv(notify_env(smtp.port()));
    Shop shop(srv);
    set_email(shop, shop.customer_a, "liu.yang@example.com");
    auto webhook = subscribe(shop, hook.url(), {"plan_proposed", "visit_booked"});
    std::string secret = text_of(webhook, "secret");
    CHECK(secret.size() >= 32);
    hook.set_secret(secret);

    std::string job = shop.report(shop.customer_a, shop.asset_a);
    std::string ticket = ticket_of(shop, job);
    shop.drive(job, "assessing");
    // A refused move changes nothing, and so queues no notification.
    auto bad = assessment();
    bad->getObject("plan")->set("cost_to_customer", 99999);
    need(shop.act(job, "submit_assessment", bad, shop.tech_a), 422);
    CHECK(notifications(srv, shop.admin, "event=plan_proposed")->size() == 0);
    shop.must(job, "submit_assessment", assessment("on_site", 380), shop.tech_a);

    auto mail = smtp.mail_to("liu.yang@example.com", "维修方案待您确认");
    CHECK(mail.subject.find(ticket) != std::string::npos);
    CHECK(mail.body.find("380.00 CNY") != std::string::npos);
    CHECK(mail.body.find("温控器故障") != std::string::npos);
    CHECK(mail.body.find("waiting for your approval") != std::string::npos);

    auto calls = hook.wait_calls(1);
    REQUIRE(calls.size() == 1);
    const auto& call = calls[0];
    CHECK(call.signature_ok);
    CHECK(call.event == "plan_proposed");
    CHECK(call.content_type.find("application/json") == 0);
    auto payload = json(call.body);
    CHECK(text_of(payload, "event") == "plan_proposed");
    CHECK(!text_of(payload, "at").empty());
    auto j = payload->getObject("job");
    REQUIRE(j);
    CHECK(text_of(j, "id") == job);
    CHECK(text_of(j, "ticket_no") == ticket);
    CHECK(text_of(j, "state") == "plan_proposed");
    CHECK(int_of(j, "plan_version") == 1);
    // The webhook carries no contact details of the customer.
    CHECK(call.body.find("13800138001") == std::string::npos);
    CHECK(call.body.find("liu.yang@example.com") == std::string::npos);

    // The delivery id is the notification's id in the log; the unsubscribed ticket_created was never called.
    auto items = wait_notifications(srv, shop.admin, "channel=webhook", [](const Arr& a) {
        return a->size() == 1 && text_of(a->getObject(0), "status") == "delivered";
    });
    CHECK(text_of(only(items), "id") == call.delivery);
    CHECK(text_of(only(items), "webhook_id") == text_of(webhook, "id"));

    // Booking the visit is the next subscribed event: mail and webhook again.
    shop.must(job, "approve_plan", body({{"plan_version", 1}}), shop.cust_a);
    shop.must(job, "schedule",
              body({{"technician_id", shop.tech_a_id}, {"window_start", kWindowStart}, {"window_end", kWindowEnd}}),
              shop.dispatcher);
    auto visit = smtp.mail_to("liu.yang@example.com", "上门服务已预约");
    CHECK(visit.body.find(kWindowStart) != std::string::npos);
    calls = hook.wait_calls(2);
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].event == "visit_booked");
    CHECK(calls[1].signature_ok);
    CHECK(text_of(json(calls[1].body)->getObject("job")->getObject("schedule"), "window_start") == kWindowStart);
}

TEST_CASE("a failing webhook is retried with backoff and every attempt is in the delivery log",
          "[integration][notifications]") {
    SmtpReceiver smtp;
    WebhookReceiver hook, broken;
    TestServer srv(notify_env(smtp.port(), {{"FIELDREPAIR_NOTIFY_MAX_ATTEMPTS", "4"}}));
    Shop shop(srv);
    auto webhook = subscribe(shop, hook.url(), {"ticket_created"});
    hook.set_secret(text_of(webhook, "secret"));
    hook.fail_next(2);
    auto dead = subscribe(shop, broken.url(), {"ticket_created"});
    broken.set_secret(text_of(dead, "secret"));
    broken.fail_next(1000);

    std::string job = shop.report(shop.customer_a, shop.asset_a);
    auto calls = hook.wait_calls(3);
    REQUIRE(calls.size() == 3);
    for (const auto& c : calls) {
        CHECK(c.signature_ok);
        CHECK(c.delivery == calls[0].delivery);  // one delivery id across its retries
        CHECK(c.body == calls[0].body);
    }
    CHECK(calls[0].answered == 500);
    CHECK(calls[1].answered == 500);
    CHECK(calls[2].answered == 204);

    std::string path = "/api/v1/webhooks/" + text_of(webhook, "id") + "/deliveries";
    auto deadline = Clock::now() + std::chrono::seconds(30);
    Obj delivery;
    do {
        auto items = list(srv, path, shop.dispatcher)->getArray("items");
        delivery = items->size() == 1 ? items->getObject(0) : nullptr;
        if (delivery && text_of(delivery, "status") == "delivered") break;
        Poco::Thread::sleep(50);
    } while (Clock::now() < deadline);
    REQUIRE(delivery);
    CHECK(text_of(delivery, "status") == "delivered");
    CHECK(text_of(delivery, "id") == calls[0].delivery);
    CHECK(int_of(delivery, "attempts") == 3);
    auto log = objects(delivery->getArray("log"));
    REQUIRE(log.size() == 3);
    for (std::size_t i = 0; i < log.size(); ++i) {
        INFO("attempt " << i + 1);
        CHECK(int_of(log[i], "attempt") == static_cast<std::int64_t>(i + 1));
        CHECK(int_of(log[i], "duration_ms") >= 0);
        CHECK(int_of(log[i], "status_code") == (i < 2 ? 500 : 204));
        CHECK(log[i]->getValue<bool>("is_ok") == (i == 2));
        if (i < 2) CHECK(text_of(log[i], "error").find("HTTP 500") == 0);
    }
    // Each retry waited longer than the one before (200 ms, then 400 ms).
    auto at = [&](std::size_t i) { return fieldsync::parse_date_time(text_of(log[i], "at")).value_or(0); };
    CHECK(at(1) - at(0) >= 200);
    CHECK(at(2) - at(1) >= 400);

    // A receiver that always fails is given up after the configured 4 attempts, each logged.
    auto failed = wait_notifications(srv, shop.admin, "status=failed", [](const Arr& a) { return a->size() == 1; });
    auto f = only(failed);
    CHECK(text_of(f, "webhook_id") == text_of(dead, "id"));
    CHECK(int_of(f, "attempts") == 4);
    CHECK(f->getArray("log")->size() == 4);
    CHECK(text_of(f, "last_error").find("HTTP 500") == 0);
    CHECK(broken.calls().size() == 4);
}

TEST_CASE("a mail server that hangs or is down neither fails nor holds up the request",
          "[integration][notifications]") {
    SmtpReceiver smtp;
    smtp.hold(true);
    TestServer srv(notify_env(smtp.port()));
    Shop shop(srv);
    set_email(shop, shop.customer_a, "liu.yang@example.com");

    std::string first = shop.report(shop.customer_a, shop.asset_a);
    // The sender is now stuck waiting for the silent server's greeting…
    REQUIRE(smtp.wait([](const SmtpState& s) { return s.held == 1; }));
    // …and requests still answer at once, queuing their notifications behind it.
    std::string second = shop.report(shop.customer_a, shop.asset_a, shop.cust_a);
    need(srv.get("/api/v1/jobs/" + second, shop.cust_a), 200);
    auto pending = only(notifications(srv, shop.admin, "job_id=" + second));
    CHECK(text_of(pending, "status") == "pending");
    CHECK(int_of(pending, "attempts") == 0);
    CHECK(smtp.mails().empty());

    // The server hangs up: the attempt fails, is logged, and the notification waits for a retry.
    smtp.hold(false);
    auto items = wait_notifications(srv, shop.admin, "job_id=" + first, [](const Arr& a) {
        return a->size() == 1 && int_of(a->getObject(0), "attempts") >= 1;
    });
    // Once answering, both mails arrive.
    smtp.mail_to("liu.yang@example.com", ticket_of(shop, first));
    smtp.mail_to("liu.yang@example.com", ticket_of(shop, second));
    items = wait_notifications(srv, shop.admin, "job_id=" + first,
                               [](const Arr& a) { return text_of(a->getObject(0), "status") == "delivered"; });
    auto log = objects(only(items)->getArray("log"));
    REQUIRE(log.size() == 2);
    CHECK_FALSE(log[0]->getValue<bool>("is_ok"));
    CHECK(text_of(log[0], "error").find("SMTP 127.0.0.1:") == 0);
    CHECK(log[1]->getValue<bool>("is_ok"));
}

TEST_CASE("with no mail server listening, requests succeed and mails stay pending for retries",
          "[integration][notifications]") {
    int port = free_port();
    TestServer srv(notify_env(port, {{"FIELDREPAIR_NOTIFY_MAX_ATTEMPTS", "100"}}));
    Shop shop(srv);
    set_email(shop, shop.customer_a, "liu.yang@example.com");
    std::string job = shop.report(shop.customer_a, shop.asset_a, shop.cust_a);
    CHECK(shop.state(job) == "reported");

    auto items = wait_notifications(srv, shop.admin, "job_id=" + job,
                                    [](const Arr& a) { return int_of(a->getObject(0), "attempts") >= 2; });
    auto n = only(items);
    CHECK(text_of(n, "status") == "pending");
    CHECK(int_of(n, "attempts") >= 2);
    CHECK(!text_of(n, "last_error").empty());
    for (const auto& entry : objects(n->getArray("log"))) {
        CHECK_FALSE(entry->getValue<bool>("is_ok"));
        CHECK(entry->isNull("status_code"));
        CHECK(!text_of(entry, "error").empty());
    }

    // When the mail server comes up on that port, the retries deliver the mail.
    SmtpReceiver smtp(static_cast<Poco::UInt16>(port));
    auto mail = smtp.mail_to("liu.yang@example.com", ticket_of(shop, job));
    CHECK(mail.subject.find("报修已受理") == 0);
}

TEST_CASE("an SLA breach escalates to the default escalation dispatcher, named in the event and mailed",
          "[integration][notifications][dispatch]") {
    SmtpReceiver smtp;
    TestServer srv(notify_env(smtp.port(), {{"FIELDREPAIR_SLA_CHECK_INTERVAL", "0"}}));
    Shop shop(srv);
    std::string duty = create_user(srv, shop.admin, "disp.duty", "dispatcher");
    need(srv.patch("/api/v1/users/" + duty, body({{"name", "值班调度 陈静"}, {"email", "duty@example.com"}}),
                   shop.admin),
         200);
    // The other dispatcher has an address too: the escalation must go to the named one only.
    need(srv.patch("/api/v1/users/" + shop.dispatcher_id, body({{"email", "disp@example.com"}}), shop.admin), 200);
    need(srv.request("PUT", "/api/v1/sla/calendar",
                     R"({"utc_offset_minutes":480,"weekly_hours":[["00:00-24:00"],["00:00-24:00"],["00:00-24:00"],)"
                     R"(["00:00-24:00"],["00:00-24:00"],["00:00-24:00"],["00:00-24:00"]],"holidays":[]})",
                     shop.admin),
         200);
    auto policies = [](const std::string& escalate_to) {
        std::string terms = R"("response_minutes":0,"resolution_minutes":600,"business_hours":false)";
        return R"({"escalate_to":)" + escalate_to + R"(,"policies":[{"priority":"low",)" + terms +
               R"(},{"priority":"normal",)" + terms + R"(},{"priority":"high",)" + terms +
               R"(},{"priority":"urgent",)" + terms + "}]}";
    };

    // Only an active dispatcher or admin can be the default; a refused change changes nothing.
    auto before = to_text(need(srv.get("/api/v1/sla/policies", shop.dispatcher), 200).json);
    check_error(srv.request("PUT", "/api/v1/sla/policies", policies("\"" + shop.tech_a_id + "\""), shop.admin), 422,
                "invalid_field", "escalate_to");
    check_error(srv.request("PUT", "/api/v1/sla/policies", policies(R"("no-such-user")"), shop.admin), 422,
                "invalid_field", "escalate_to");
    check_error(srv.request("PUT", "/api/v1/sla/policies", policies("42"), shop.admin), 422, "invalid_field",
                "escalate_to");
    CHECK(to_text(need(srv.get("/api/v1/sla/policies", shop.dispatcher), 200).json) == before);
    auto set = need(srv.request("PUT", "/api/v1/sla/policies", policies("\"" + duty + "\""), shop.admin), 200).object();
    CHECK(text_of(set, "escalate_to") == duty);

    // An unassigned job whose response is due at once: no priority names anyone and nobody assigned it.
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    std::string ticket = ticket_of(shop, job);
    Poco::Thread::sleep(20);
    auto result = need(srv.post("/api/v1/sla/check", body(), shop.admin), 200).object();
    auto escalations = objects(result->getArray("escalations"));
    REQUIRE(escalations.size() == 1);
    CHECK(text_of(escalations[0], "job_id") == job);
    CHECK(text_of(escalations[0], "status") == "breached");
    CHECK(text_of(escalations[0], "escalated_to") == duty);

    Obj event;
    for (const auto& e :
         objects(need(srv.get("/api/v1/jobs/" + job + "/events", shop.dispatcher), 200).object()->getArray("items")))
        if (text_of(e, "action") == "escalate") event = e;
    REQUIRE(event);
    CHECK(text_of(event->getObject("after"), "escalated_to") == duty);
    CHECK(text_of(event->getObject("after"), "escalated_to_name") == "值班调度 陈静");

    auto mail = smtp.mail_to("duty@example.com", ticket);
    CHECK(mail.subject == "SLA 已超时：工单 " + ticket + " / SLA breached: ticket " + ticket);
    CHECK(mail.body.find("响应时限已超时") != std::string::npos);
    auto sent = wait_notifications(srv, shop.dispatcher, "job_id=" + job + "&event=sla_breached", [](const Arr& a) {
        return a->size() == 1 && text_of(a->getObject(0), "status") == "delivered";
    });
    CHECK(text_of(only(sent), "recipient") == "duty@example.com");
    for (const auto& m : smtp.mails()) CHECK(std::find(m.to.begin(), m.to.end(), "disp@example.com") == m.to.end());

    // null clears the default.
    set = need(srv.request("PUT", "/api/v1/sla/policies", policies("null"), shop.admin), 200).object();
    CHECK(set->isNull("escalate_to"));
}

TEST_CASE("webhooks: listing hides secrets, deleting stops calls and keeps the log", "[integration][notifications]") {
    SmtpReceiver smtp;
    WebhookReceiver hook;
    TestServer srv(notify_env(smtp.port()));
    Shop shop(srv);
    auto webhook = subscribe(shop, hook.url(), {"ticket_created", "ticket_created", "repair_completed"});
    hook.set_secret(text_of(webhook, "secret"));
    std::string id = text_of(webhook, "id");
    CHECK(text_of(webhook, "url") == hook.url());
    CHECK(to_text(webhook->get("events")) == R"(["ticket_created","repair_completed"])");
    CHECK(text_of(webhook, "description") == "客服系统 CRM");

    auto listed = list(srv, "/api/v1/webhooks", shop.admin);
    CHECK(int_of(listed, "total") == 1);
    auto item = listed->getArray("items")->getObject(0);
    CHECK(text_of(item, "id") == id);
    CHECK_FALSE(item->has("secret"));
    CHECK(srv.get("/api/v1/webhooks", shop.admin).body.find(text_of(webhook, "secret")) == std::string::npos);

    std::string job = shop.report(shop.customer_a, shop.asset_a);
    REQUIRE(hook.wait_calls(1).size() == 1);
    need(srv.request("DELETE", "/api/v1/webhooks/" + id, {}, shop.admin), 204);
    CHECK(int_of(list(srv, "/api/v1/webhooks", shop.admin), "total") == 0);
    check_error(srv.request("DELETE", "/api/v1/webhooks/" + id, {}, shop.admin), 404, "not_found");
    check_error(srv.request("DELETE", "/api/v1/webhooks/no-such-webhook", {}, shop.admin), 404, "not_found");

    // No more calls for it; its log stays readable.
    shop.report(shop.customer_a, shop.asset_a);
    CHECK(notifications(srv, shop.admin, "channel=webhook")->size() == 1);
    auto deliveries = list(srv, "/api/v1/webhooks/" + id + "/deliveries", shop.admin)->getArray("items");
    REQUIRE(deliveries->size() == 1);
    CHECK(text_of(deliveries->getObject(0), "job_id") == job);
    check_error(srv.get("/api/v1/webhooks/no-such-webhook/deliveries", shop.admin), 404, "not_found");
    CHECK(hook.calls().size() == 1);
}

TEST_CASE("bad webhook input is 422 and stores nothing", "[integration][notifications]") {
    SmtpReceiver smtp;
    TestServer srv(notify_env(smtp.port()));
    Shop shop(srv);
    auto post = [&](const std::string& text) { return srv.request("POST", "/api/v1/webhooks", text, shop.admin); };

    check_error(post(R"({"url":"ftp://hooks.example.com/x","events":["ticket_created"]})"), 422, "invalid_field",
                "url");
    check_error(post(R"({"url":"file:///etc/passwd","events":["ticket_created"]})"), 422, "invalid_field", "url");
    check_error(post(R"({"url":"hooks.example.com/x","events":["ticket_created"]})"), 422, "invalid_field", "url");
    check_error(post(R"({"url":"http://","events":["ticket_created"]})"), 422, "invalid_field", "url");
    check_error(post(R"({"url":"http://user:pw@hooks.example.com/","events":["ticket_created"]})"), 422,
                "invalid_field", "url");
    check_error(post(R"({"url":42,"events":["ticket_created"]})"), 422, "invalid_field", "url");
    check_error(post(R"({"events":["ticket_created"]})"), 422, "missing_field", "url");
    check_error(post(R"({"url":"https://hooks.example.com/x"})"), 422, "missing_field", "events");
    check_error(post(R"({"url":"https://hooks.example.com/x","events":[]})"), 422, "invalid_field", "events");
    check_error(post(R"({"url":"https://hooks.example.com/x","events":["job_deleted"]})"), 422, "invalid_field",
                "events");
    check_error(post(R"({"url":"https://hooks.example.com/x","events":"ticket_created"})"), 422, "invalid_field",
                "events");
    check_error(post(R"({"url":"https://hooks.example.com/x","events":["ticket_created"],"secret":"mine"})"), 422,
                "invalid_field", "secret");
    check_error(post(R"({"url":"https://hooks.example.com/x",)"), 400, "malformed_json");
    check_error(srv.get("/api/v1/notifications?recipient=x", shop.admin), 422, "invalid_field", "recipient");
    CHECK(int_of(list(srv, "/api/v1/webhooks", shop.admin), "total") == 0);

    // Nothing was stored, so a new event calls nobody.
    shop.report(shop.customer_a, shop.asset_a);
    CHECK(notifications(srv, shop.admin, "channel=webhook")->size() == 0);
}

TEST_CASE("only admins manage webhooks; admins and dispatchers read the delivery log", "[integration][notifications]") {
    SmtpReceiver smtp;
    TestServer srv(notify_env(smtp.port()));
    Shop shop(srv);
    auto webhook = subscribe(shop, "https://hooks.example.com/fieldrepair", {"ticket_created"});
    std::string id = text_of(webhook, "id");
    auto hook_body = body({{"url", "https://hooks.example.com/other"}});
    hook_body->set("events", json(R"({"e":["ticket_created"]})")->getArray("e"));

    for (const auto& token : {shop.dispatcher, shop.tech_a, shop.cust_a}) {
        check_error(srv.post("/api/v1/webhooks", hook_body, token), 403, "forbidden");
        check_error(srv.get("/api/v1/webhooks", token), 403, "forbidden");
        check_error(srv.request("DELETE", "/api/v1/webhooks/" + id, {}, token), 403, "forbidden");
    }
    for (const auto& token : {shop.tech_a, shop.cust_a}) {
        check_error(srv.get("/api/v1/notifications", token), 403, "forbidden");
        check_error(srv.get("/api/v1/webhooks/" + id + "/deliveries", token), 403, "forbidden");
    }
    need(srv.get("/api/v1/notifications", shop.dispatcher), 200);
    need(srv.get("/api/v1/webhooks/" + id + "/deliveries", shop.dispatcher), 200);
    check_error(srv.get("/api/v1/notifications", ""), 401, "unauthenticated");
    check_error(srv.post("/api/v1/webhooks", hook_body, ""), 401, "unauthenticated");
    // The refused calls changed nothing: still the one webhook.
    CHECK(int_of(list(srv, "/api/v1/webhooks", shop.admin), "total") == 1);
}
