// Customers kept informed: a portal report with an email and SMS consent, then care notices reach a local SMTP
// sink and a local SMS gateway (a JSON POST signed like the webhooks); without consent no SMS is sent.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <iomanip>
#include <mutex>

#include "fieldserver/storage/database.hpp"
#include "fieldsync/base64.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

using Clock = std::chrono::steady_clock;

// What the receivers got: SMS gateway calls (body and whether the signature matched) and mails (recipient, raw).
struct Inbox {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<std::string, bool>> sms;
    std::vector<std::pair<std::string, std::string>> mails;
    std::string secret;

    template <class Pred>
    bool wait(Pred done) {
        std::unique_lock<std::mutex> lock(mutex);
        return changed.wait_until(lock, Clock::now() + std::chrono::seconds(30), [&] { return done(*this); });
    }
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

class SmsHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit SmsHandler(Inbox& inbox) : inbox_(inbox) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        {
            std::lock_guard<std::mutex> lock(inbox_.mutex);
            bool signed_ok = request.get("X-Fieldrepair-Signature", "") == "sha256=" + hmac_hex(inbox_.secret, body);
            inbox_.sms.emplace_back(body, signed_ok);
        }
        inbox_.changed.notify_all();
        response.setStatus(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
        response.setContentLength(0);
        response.send();
    }

  private:
    Inbox& inbox_;
};

class SmsFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit SmsFactory(Inbox& inbox) : inbox_(inbox) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new SmsHandler(inbox_);
    }

  private:
    Inbox& inbox_;
};

// Just enough SMTP for Poco's client; keeps each message's recipient and raw text.
class SmtpSink : public Poco::Net::TCPServerConnection {
  public:
    SmtpSink(const Poco::Net::StreamSocket& socket, Inbox& inbox) : TCPServerConnection(socket), inbox_(inbox) {}
    void run() override {
        Poco::Net::SocketStream io(socket());
        auto reply = [&](const std::string& line) { io << line << "\r\n" << std::flush; };
        reply("220 smtp.test ESMTP");
        std::string line, to;
        while (std::getline(io, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            std::string verb = Poco::toUpper(line.substr(0, 4));
            if (verb == "RCPT") {
                to = line.substr(line.find('<') + 1, line.rfind('>') - line.find('<') - 1);
                reply("250 OK");
            } else if (verb == "DATA") {
                reply("354 go on");
                std::string raw;
                while (std::getline(io, line) && line != ".\r" && line != ".") raw += line + "\n";
                {
                    std::lock_guard<std::mutex> lock(inbox_.mutex);
                    inbox_.mails.emplace_back(to, raw);
                }
                inbox_.changed.notify_all();
                reply("250 queued");
            } else if (verb == "QUIT") {
                reply("221 bye");
                return;
            } else if (verb == "EHLO") {
                reply("250 smtp.test");
            } else {
                reply("250 OK");
            }
        }
    }

  private:
    Inbox& inbox_;
};

class SmtpFactory : public Poco::Net::TCPServerConnectionFactory {
  public:
    explicit SmtpFactory(Inbox& inbox) : inbox_(inbox) {}
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
        return new SmtpSink(socket, inbox_);
    }

  private:
    Inbox& inbox_;
};

struct Receivers {
    Inbox inbox;
    Poco::Net::HTTPServer sms{new SmsFactory(inbox), Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                              new Poco::Net::HTTPServerParams};
    Poco::Net::TCPServer smtp{new SmtpFactory(inbox),
                              Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0))};

    Receivers() {
        inbox.secret = "sms-secret-for-tests";
        sms.start();
        smtp.start();
    }
    ~Receivers() {
        sms.stopAll(true);
        smtp.stop();
    }
    std::map<std::string, std::string> env() const {
        return {{"FIELDREPAIR_SMS_URL", "http://127.0.0.1:" + std::to_string(sms.port()) + "/sms/send"},
                {"FIELDREPAIR_SMS_SECRET", inbox.secret},
                {"FIELDREPAIR_SMTP_HOST", "127.0.0.1"},
                {"FIELDREPAIR_SMTP_PORT", std::to_string(smtp.port())},
                {"FIELDREPAIR_NOTIFY_INTERVAL_MS", "50"},
                {"FIELDREPAIR_NOTIFY_BACKOFF_MS", "200"}};
    }
};

Obj portal_report(const TestServer& srv, const std::string& phone, const std::string& serial, bool consent,
                  const std::string& email) {
    auto b = body({{"contact_name", "吴芳"},
                   {"phone", phone},
                   {"address", "上海市静安区南京西路1号"},
                   {"model", "美的 KFR-26 空调"},
                   {"serial_no", serial},
                   {"description", "空调漏水"},
                   {"sms_consent", consent}});
    if (!email.empty()) b->set("email", email);
    return need(srv.post("/api/v1/portal/reports", b, ""), 201).object();
}

// The SMS text of a ticket's "report received" notice, once it reached the gateway.
std::string sms_of(Inbox& inbox, const std::string& ticket) {
    std::string text;
    inbox.wait([&](Inbox& in) {
        for (const auto& [b, ok] : in.sms)
            if (text_of(json(b), "ticket_no") == ticket && text_of(json(b), "event") == "ticket_created")
                text = text_of(json(b), "text");
        return !text.empty();
    });
    return text;
}

// What the outbox keeps of a job's notices: every stored body and sealed link, one after another.
std::string outbox_of(const TestServer& srv, const std::string& job) {
    fieldserver::Database db(srv.database(), 1);
    return db.read([&](fieldserver::Db& d) {
        std::string out;
        auto rows = d.query(
            "SELECT n.body, l.sealed_link FROM notifications n LEFT JOIN notification_links l "
            "ON l.notification_id = n.id WHERE n.job_id = ?",
            {job});
        for (const auto& v : *rows)
            out += text_of(v.extract<Obj>(), "body") + "\n" + text_of(v.extract<Obj>(), "sealed_link") + "\n";
        return out;
    });
}

// The text of the mail to a recipient that mentions ticket (its base64 body decoded), once the sink has it.
std::string delivered_mail(Inbox& inbox, const std::string& to, const std::string& ticket) {
    std::string text;
    inbox.wait([&](Inbox& in) {
        for (const auto& [recipient, raw] : in.mails) {
            auto blank = raw.find("\n\r\n");
            if (recipient != to || blank == std::string::npos) continue;
            std::string encoded;
            for (char c : raw.substr(blank))
                encoded += std::isspace(static_cast<unsigned char>(c)) ? "" : std::string(1, c);
            auto body = fieldsync::base64_decode(encoded);
            if (body && body->find(ticket) != std::string::npos) text = *body;
        }
        return !text.empty();
    });
    return text;
}

}  // namespace

TEST_CASE("a job staff create for a caller has a tracking link, sent to the customer by SMS and email",
          "[integration][care][sms][security][portal]") {
    Receivers rx;
    auto env = rx.env();
    env["FIELDREPAIR_PORTAL_URL"] = "https://service.example.cn/";
    TestServer srv(env);
    Shop shop(srv);
    // A customer known from an earlier portal report, with an email and consent to SMS; that report's notices carry
    // its own link.
    auto first = portal_report(srv, "13600004321", "MD-3", true, "zhou.min@example.cn");
    CHECK(sms_of(rx.inbox, text_of(first, "ticket_no"))
              .find("https://service.example.cn" + text_of(first, "tracking_link")) != std::string::npos);
    auto first_job = shop.job(text_of(first, "job_id"));
    std::string customer = text_of(first_job, "customer_id"), asset = text_of(first_job, "asset_id");

    // Bad input makes no job and no key.
    check_error(srv.post("/api/v1/jobs", body({{"customer_id", customer}, {"asset_id", asset}}), shop.dispatcher), 422,
                "missing_field", "description");
    CHECK(total(srv, "/api/v1/jobs?customer_id=" + customer, shop.dispatcher) == 1);

    // The customer calls; the dispatcher (and an agent) takes it down: each job gets a key of its own.
    auto call =
        body({{"customer_id", customer}, {"asset_id", asset}, {"description", "空调又漏水了"}, {"channel", "phone"}});
    auto made = need(srv.post("/api/v1/jobs", call, shop.dispatcher), 201).object();
    create_user(srv, shop.admin, "agent.x", "agent");
    auto by_agent = need(srv.post("/api/v1/jobs", call, login_as(srv, "agent.x")), 201).object();
    std::string ticket = text_of(made, "ticket_no"), key = text_of(made, "access_key");
    CHECK(key.size() >= 22);
    CHECK(text_of(by_agent, "access_key").size() >= 22);
    CHECK(key != text_of(by_agent, "access_key"));
    CHECK(text_of(made, "tracking_link") == "/portal/#ticket=" + ticket + "&key=" + key);
    // Nothing of the key in the job's audit trail.
    CHECK(need(srv.get("/api/v1/jobs/" + text_of(made, "id") + "/events", shop.admin), 200).body.find(key) ==
          std::string::npos);

    // The link reaches the customer by SMS and by email, under the portal's public address.
    std::string link = "https://service.example.cn/portal/#ticket=" + ticket + "&key=" + key;
    CHECK(sms_of(rx.inbox, ticket).find(link) != std::string::npos);
    std::string mail = delivered_mail(rx.inbox, "zhou.min@example.cn", ticket);
    CHECK(mail.find("Follow your repair at this link (keep it to yourself): " + link) != std::string::npos);
    // The outbox rows never held the key: their bodies keep a placeholder, the link is sealed beside them under a
    // key outside the database, and that sealed copy goes once the notice is delivered.
    std::string outbox = outbox_of(srv, text_of(made, "id"));
    CHECK(outbox.find("{tracking_link}") != std::string::npos);
    CHECK(outbox.find(key) == std::string::npos);
    CHECK(outbox.find("&key=") == std::string::npos);
    CHECK(outbox_of(srv, text_of(made, "id")).find(ticket) != std::string::npos);

    // The key opens a portal session on that job only; the ticket with another job's key does not.
    auto session =
        need(srv.post("/api/v1/portal/session", body({{"ticket_no", ticket}, {"access_key", key}}), ""), 200).object();
    CHECK(text_of(session, "job_id") == text_of(made, "id"));
    need(srv.get("/api/v1/jobs/" + text_of(made, "id"), text_of(session, "token")), 200);
    CHECK(srv.get("/api/v1/jobs/" + text_of(first, "job_id"), text_of(session, "token")).status >= 403);
    check_error(srv.post("/api/v1/portal/session",
                         body({{"ticket_no", ticket}, {"access_key", text_of(first, "access_key")}}), ""),
                401, "bad_credentials");
}

TEST_CASE("a portal reporter who agreed to SMS and gave an email is told by both", "[integration][care][sms]") {
    Receivers rx;
    TestServer srv(rx.env());
    Shop shop(srv);

    // Bad input changes nothing: an address that is not one mailbox, consent that is not a boolean.
    auto bad = body({{"contact_name", "吴芳"},
                     {"phone", "13600001234"},
                     {"address", "x"},
                     {"model", "m"},
                     {"serial_no", "S-1"},
                     {"description", "d"},
                     {"email", "a@b.cn, c@d.cn"}});
    check_error(srv.post("/api/v1/portal/reports", bad, ""), 422, "invalid_field", "email");
    bad->set("email", "wu@example.cn");
    bad->set("sms_consent", "yes");
    check_error(srv.post("/api/v1/portal/reports", bad, ""), 422, "invalid_field", "sms_consent");
    CHECK(total(srv, "/api/v1/customers?phone=13600001234", shop.admin) == 0);

    auto made = portal_report(srv, "13600001234", "MD-1", true, "wu.fang@example.cn");
    std::string ticket = text_of(made, "ticket_no"), job = text_of(made, "job_id");
    REQUIRE(rx.inbox.wait([&](Inbox& in) { return !in.sms.empty() && !in.mails.empty(); }));
    {
        std::lock_guard<std::mutex> lock(rx.inbox.mutex);
        auto sms = json(rx.inbox.sms.at(0).first);
        CHECK(rx.inbox.sms.at(0).second);  // signed with sms.secret
        CHECK(text_of(sms, "to") == "13600001234");
        CHECK(text_of(sms, "event") == "ticket_created");
        CHECK(text_of(sms, "ticket_no") == ticket);
        CHECK(text_of(sms, "text").find("报修已受理") != std::string::npos);
        CHECK(rx.inbox.mails.at(0).first == "wu.fang@example.cn");
        CHECK(rx.inbox.mails.at(0).second.find(ticket) != std::string::npos);
    }

    // A staff reply to the customer's message reaches them by SMS too.
    need(srv.post("/api/v1/jobs/" + job + "/messages", body({{"body", "师傅明天上午到"}}), shop.dispatcher), 201);
    REQUIRE(rx.inbox.wait([&](Inbox& in) {
        for (const auto& [b, ok] : in.sms)
            if (text_of(json(b), "event") == "message_reply") return true;
        return false;
    }));
    // So do the steps of the repair: a technician assigned, the repair on hold with its reason.
    shop.must(job, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    shop.must(job, "hold", body({{"reason", "等待配件到货"}}), shop.tech_a);
    REQUIRE(rx.inbox.wait([&](Inbox& in) {
        for (const auto& [b, ok] : in.sms)
            if (text_of(json(b), "event") == "job_on_hold") return true;
        return false;
    }));
    std::set<std::string> events;
    {
        std::lock_guard<std::mutex> lock(rx.inbox.mutex);
        for (const auto& [b, ok] : rx.inbox.sms) events.insert(text_of(json(b), "event"));
    }
    CHECK(events == std::set<std::string>{"ticket_created", "message_reply", "job_assigned", "job_on_hold"});
    auto log = list(srv, "/api/v1/notifications?job_id=" + job + "&channel=sms", shop.admin);
    CHECK(int_of(log, "total") == 4);
    auto mails = list(srv, "/api/v1/notifications?job_id=" + job + "&channel=email&event=job_on_hold", shop.admin);
    REQUIRE(int_of(mails, "total") == 1);
    CHECK(text_of(mails->getArray("items")->getObject(0), "recipient") == "wu.fang@example.cn");
}

TEST_CASE("without consent no SMS is queued", "[integration][care][sms]") {
    Receivers rx;
    TestServer srv(rx.env());
    Shop shop(srv);
    auto made = portal_report(srv, "13600005678", "MD-2", false, "");
    std::string job = text_of(made, "job_id");
    need(srv.post("/api/v1/jobs/" + job + "/messages", body({{"body", "收到"}}), shop.dispatcher), 201);
    CHECK(total(srv, "/api/v1/notifications?job_id=" + job + "&channel=sms", shop.admin) == 0);
    CHECK(total(srv, "/api/v1/notifications?job_id=" + job + "&channel=email", shop.admin) == 0);
}

TEST_CASE("customers are told a deadline is near, a refund made and a complaint answered, by email, SMS and webhook",
          "[integration][care][sms][notices]") {
    Receivers rx;
    auto env = rx.env();
    env["FIELDREPAIR_CARE_DEADLINE_NEAR_MINUTES"] = "525600";  // every pending plan decision is "near"
    env["FIELDREPAIR_SLA_CHECK_INTERVAL"] = "0";               // only the sweeps this test asks for
    TestServer srv(env);
    Shop shop(srv);
    auto events = Poco::JSON::Array::Ptr(new Poco::JSON::Array);
    for (const char* e : {"deadline_near", "refund_made", "complaint_answered", "job_assigned"}) events->add(e);
    auto hook = body({{"url", "http://127.0.0.1:9/crm"}});
    hook->set("events", events);
    need(srv.post("/api/v1/webhooks", hook, shop.admin), 201);
    create_user(srv, shop.admin, "sup.zhou", "supervisor");
    std::string supervisor = login_as(srv, "sup.zhou");

    auto made = portal_report(srv, "13600009876", "MD-9", true, "wu.near@example.cn");
    std::string job = text_of(made, "job_id");
    auto count = [&](const std::string& channel, const std::string& event) {
        return total(srv, "/api/v1/notifications?job_id=" + job + "&channel=" + channel + "&event=" + event,
                     shop.admin);
    };
    shop.drive(job, "plan_proposed");
    CHECK(count("webhook", "job_assigned") == 1);

    // The plan waits for the customer: the sweep tells them once that their decision is due.
    auto first = need(srv.post("/api/v1/care/sweep", body(), supervisor), 200).object();
    auto near = first->getArray("deadline_near");
    REQUIRE(near->size() == 1);
    CHECK(near->getElement<std::string>(0) == job);
    auto second = need(srv.post("/api/v1/care/sweep", body(), supervisor), 200).object();
    CHECK(second->getArray("deadline_near")->size() == 0);
    for (const char* channel : {"email", "sms", "webhook"}) {
        INFO(channel);
        CHECK(count(channel, "deadline_near") == 1);
    }

    // A refund only, approved and refunded by the original route: refund_made on every channel.
    auto asset = text_of(shop.job(job), "asset_id");
    auto purchase = body({{"purchase_date", plus_days(today_utc(), -3)}});
    purchase->set("purchase_price", 999.0);
    need(srv.request("PUT", "/api/v1/assets/" + asset + "/purchase", to_text(purchase), shop.dispatcher), 200);
    auto opening = body({{"kind", "refund_only"}, {"reason", "商品有划痕"}});
    opening->set("amount", 100.0);
    auto case_id = need(srv.post("/api/v1/jobs/" + job + "/after-sales", opening, shop.dispatcher), 201).str("id");
    auto path = "/api/v1/after-sales/cases/" + case_id + "/actions/";
    need(srv.post(path + "approve", body(), supervisor), 200);
    CHECK(count("email", "refund_made") == 0);
    auto refund = body({{"method", "original_route"}});
    refund->set("amount", 100.0);
    need(srv.post(path + "refund", refund, supervisor), 200);
    for (const char* channel : {"email", "sms", "webhook"}) {
        INFO(channel);
        CHECK(count(channel, "refund_made") == 1);
    }

    // A complaint answered: complaint_answered on every channel.
    auto k = need(srv.post("/api/v1/complaints",
                           body({{"type", "timeliness"}, {"description", "等太久"}, {"job_id", job}}), shop.dispatcher),
                  201)
                 .str("id");
    need(srv.post("/api/v1/complaints/" + k + "/actions/contact", body({{"note", "已致电"}}), shop.dispatcher), 200);
    CHECK(count("email", "complaint_answered") == 0);
    need(srv.post("/api/v1/complaints/" + k + "/actions/resolve",
                  body({{"outcome", "apology"}, {"answer", "已致歉并加急处理"}}), supervisor),
         200);
    for (const char* channel : {"email", "sms", "webhook"}) {
        INFO(channel);
        CHECK(count(channel, "complaint_answered") == 1);
    }
    // And they go out: the SMS gateway receives the answer, signed.
    REQUIRE(rx.inbox.wait([&](Inbox& in) {
        for (const auto& [b, ok] : in.sms)
            if (ok && text_of(json(b), "event") == "complaint_answered") return true;
        return false;
    }));
    // Bad input: an event nobody sends cannot be subscribed, and nothing is stored.
    auto bad = body({{"url", "http://127.0.0.1:9/crm"}});
    bad->set("events", json(R"({"e":["complaint_resolve"]})")->getArray("e"));
    check_error(srv.post("/api/v1/webhooks", bad, shop.admin), 422, "invalid_field", "events");
    CHECK(total(srv, "/api/v1/webhooks", shop.admin) == 1);
}
