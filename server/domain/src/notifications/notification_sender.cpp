// Outbox delivery: claim due rows with a lease (so several server instances never send one twice at once), send
// outside any transaction, then record the attempt and schedule the retry or settle the row in one transaction.
#include "fieldserver/domain/notifications/notification_sender.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <sstream>
#include <vector>

#include "fieldserver/domain/notifications/notification_service.hpp"
#include "fieldserver/domain/notifications/tracking_links.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/base64.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {
namespace {

constexpr std::size_t kBatch = 20;
constexpr std::size_t kMaxResponseBytes = 64 * 1024;

// Verifies certificates against the system's CAs; a bad certificate fails the attempt (RejectCertificateHandler
// is installed in start(), so Poco never falls back to asking on the console).
Poco::Net::Context::Ptr client_context() {
    static Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true, "HIGH:!aNULL:!MD5:!RC4");
    return context;
}

std::string describe(const std::exception& e) {
    if (auto* poco = dynamic_cast<const Poco::Exception*>(&e)) return poco->displayText();
    return e.what();
}

}  // namespace

std::string encode_header_words(const std::string& text) {
    auto plain = [](const std::string& token) {
        return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7F; });
    };
    // Words of printable ASCII (ticket numbers, the English line) stay as they are, readable by any mail client;
    // each run of other words becomes encoded words. 45 bytes make 60 base64 characters, so with "=?UTF-8?B?"
    // and "?=" a word stays within RFC 2047's 75, and a run is cut only between characters.
    std::vector<std::string> tokens, out;
    std::istringstream words(text);
    for (std::string token; std::getline(words, token, ' ');) tokens.push_back(token);
    for (std::size_t i = 0; i < tokens.size();) {
        if (plain(tokens[i])) {
            out.push_back(tokens[i++]);
            continue;
        }
        std::string run = tokens[i++];
        while (i < tokens.size() && !plain(tokens[i])) run += " " + tokens[i++];
        for (std::size_t start = 0; start < run.size();) {
            std::size_t end = std::min(start + 45, run.size());
            while (end < run.size() && end > start && (static_cast<unsigned char>(run[end]) & 0xC0) == 0x80) --end;
            out.push_back("=?UTF-8?B?" + fieldsync::base64_encode(run.substr(start, end - start)) + "?=");
            start = end;
        }
    }
    std::string joined;
    for (const auto& word : out) joined += (joined.empty() ? "" : " ") + word;
    return joined;
}

NotificationSender::NotificationSender(Database& db, NotificationSettings settings, Poco::Logger& log)
    : db_(db), settings_(std::move(settings)), log_(log) {}

NotificationSender::~NotificationSender() { stop(); }

void NotificationSender::start() {
    Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject = new Poco::Net::RejectCertificateHandler(false);
    Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, client_context());
    if (settings_.smtp_host.empty())
        log_.notice("email notifications are off: smtp.host is not set");
    else if (!settings_.smtp_user.empty() && !settings_.smtp_starttls)
        log_.warning("smtp.user is set without smtp.starttls: the SMTP password crosses the network in clear text");
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void NotificationSender::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void NotificationSender::run() {
    for (;;) {
        std::size_t claimed = 0;
        try {
            claimed = deliver_due();
        } catch (const std::exception& e) {
            // A database hiccup must not end the thread: the rows stay due and the next round retries them.
            log_.error("notification sender: %s", describe(e));
        }
        std::unique_lock<std::mutex> lock(mutex_);
        if (stopping_) return;
        // A full batch means more are due: go on at once; otherwise wait for the next round.
        if (claimed < kBatch)
            wake_.wait_for(lock, std::chrono::milliseconds(settings_.interval_ms), [this] { return stopping_; });
        if (stopping_) return;
    }
}

std::size_t NotificationSender::deliver_due() {
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    auto due = db_.read([&](Db& db) {
        return db.query(
            "SELECT n.id, n.event, n.channel, n.recipient, n.subject, n.body, n.attempts, n.next_attempt_at, w.url, "
            "w.secret, l.sealed_link FROM notifications n LEFT JOIN webhooks w ON w.id = n.webhook_id "
            "LEFT JOIN notification_links l ON l.notification_id = n.id "
            "WHERE n.status = 'pending' AND n.next_attempt_at <= ? ORDER BY n.next_attempt_at, n.id LIMIT ?",
            {now, static_cast<std::int64_t>(kBatch)});
    });
    std::size_t claimed = 0;
    for (const auto& v : *due) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) break;
        }
        auto n = v.extract<Poco::JSON::Object::Ptr>();
        std::string id = text(n, "id"), channel = text(n, "channel");
        // The lease outlasts any attempt (each network step is bounded by the timeout); if this process dies
        // mid-attempt, the row falls due again when the lease ends.
        std::int64_t lease_ms = settings_.timeout_seconds * 1000 * 6 + 60'000;
        std::string lease = fieldsync::format_utc(fieldsync::now_ms() + lease_ms);
        bool mine = db_.write([&](Db& db) {
            return db.execute(
                       "UPDATE notifications SET next_attempt_at = ? WHERE id = ? AND status = 'pending' "
                       "AND next_attempt_at = ?",
                       {lease, id, text(n, "next_attempt_at")}) == 1;
        });
        if (!mine) continue;
        ++claimed;
        bool off =
            (channel == "email" && settings_.smtp_host.empty()) || (channel == "sms" && settings_.sms_url.empty());
        if (off) {
            db_.write([&](Db& db) {
                db.execute("UPDATE notifications SET status = 'skipped', last_error = ? WHERE id = ?",
                           {std::string(channel == "sms" ? "SMS is off: no gateway is configured (sms.url)"
                                                         : "email is off: no SMTP server is configured (smtp.host)"),
                            id});
                db.execute("DELETE FROM notification_links WHERE notification_id = ?", {id});
            });
            continue;
        }

        auto started = std::chrono::steady_clock::now();
        DeliveryResult result = send(n);
        auto duration =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

        std::int64_t attempt = integer(n, "attempts") + 1;
        std::int64_t finished_ms = fieldsync::now_ms();
        std::string finished = fieldsync::format_utc(finished_ms);
        std::string status = result.ok ? "delivered" : attempt >= settings_.max_attempts ? "failed" : "pending";
        std::string next = status == "pending"
                               ? fieldsync::format_utc(finished_ms + retry_delay_ms(attempt, settings_.backoff_ms))
                               : finished;
        db_.write([&](Db& db) {
            db.execute(
                "INSERT INTO notification_attempts (notification_id, attempt, at, is_ok, status_code, error, "
                "duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                {id, attempt, finished, result.ok,
                 result.status_code ? Value(static_cast<std::int64_t>(result.status_code)) : Value(std::monostate{}),
                 text_or_null(result.error), static_cast<std::int64_t>(duration.count())});
            // Only a row still pending: one cancelled meanwhile (its webhook deleted) stays cancelled.
            db.execute(
                "UPDATE notifications SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
                "delivered_at = ? WHERE id = ? AND status = 'pending'",
                {status, attempt, next, text_or_null(result.error),
                 result.ok ? Value(finished) : Value(std::monostate{}), id});
            if (status != "pending") db.execute("DELETE FROM notification_links WHERE notification_id = ?", {id});
        });
        if (result.ok)
            log_.information("notification %s (%s) delivered by %s to %s", id, text(n, "event"), channel,
                             text(n, "recipient"));
        else
            log_.warning("notification %s (%s) by %s, attempt %s: %s%s", id, text(n, "event"), channel,
                         std::to_string(attempt), result.error, status == "failed" ? std::string(" (giving up)") : "");
    }
    return claimed;
}

DeliveryResult NotificationSender::send(const Poco::JSON::Object::Ptr& n) {
    std::string id = text(n, "id"), channel = text(n, "channel");
    // The tracking link goes in only now, in memory: the stored body never holds it.
    auto body = with_tracking_link(text(n, "body"), text(n, "sealed_link"), channel != "email");
    if (!body) return {.error = "the tracking link was sealed with another link key (notifications.link_key_file)"};
    if (channel == "email") return send_email(id, text(n, "recipient"), text(n, "subject"), *body);
    if (channel == "sms") return send_webhook(id, text(n, "event"), settings_.sms_url, settings_.sms_secret, *body);
    return send_webhook(id, text(n, "event"), text(n, "url"), text(n, "secret"), *body);
}

DeliveryResult NotificationSender::send_email(const std::string& id, const std::string& to, const std::string& subject,
                                              const std::string& body) {
    DeliveryResult result;
    try {
        Poco::Net::MailMessage message;
        message.setSender(settings_.smtp_from);
        message.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, to));
        message.setSubject(encode_header_words(subject));
        message.set("Message-ID", "<" + id + "@fieldrepair>");
        message.set("X-Fieldrepair-Notification", id);
        message.setContentType("text/plain; charset=UTF-8");
        message.setContent(body, Poco::Net::MailMessage::ENCODING_BASE64);

        Poco::Timespan timeout(settings_.timeout_seconds, 0);
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress(settings_.smtp_host, static_cast<Poco::UInt16>(settings_.smtp_port)),
                       timeout);
        Poco::Net::SecureSMTPClientSession session(socket);
        session.setTimeout(timeout);
        session.login();
        if (settings_.smtp_starttls && !session.startTLS(client_context()))
            throw std::runtime_error("the SMTP server does not offer STARTTLS (smtp.starttls is set)");
        if (!settings_.smtp_user.empty())
            session.login(Poco::Net::SMTPClientSession::AUTH_LOGIN, settings_.smtp_user, settings_.smtp_password);
        session.sendMessage(message);
        session.close();
        result.ok = true;
    } catch (const std::exception& e) {
        result.error = "SMTP " + settings_.smtp_host + ":" + std::to_string(settings_.smtp_port) + ": " + describe(e);
    }
    return result;
}

DeliveryResult NotificationSender::send_webhook(const std::string& id, const std::string& event, const std::string& url,
                                                const std::string& secret, const std::string& body) {
    DeliveryResult result;
    try {
        Poco::URI uri(url);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (Poco::toLower(uri.getScheme()) == "https")
            session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), client_context());
        else
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        session->setTimeout(Poco::Timespan(settings_.timeout_seconds, 0));
        std::string target = uri.getPathAndQuery();
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, target.empty() ? "/" : target,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json; charset=utf-8");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        request.set("User-Agent", "fieldrepair-webhooks/1");
        request.set("X-Fieldrepair-Event", event);
        request.set("X-Fieldrepair-Delivery", id);
        request.set("X-Fieldrepair-Signature", webhook_signature(secret, body));
        session->sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        // Read a bounded part of the answer so the exchange completes; its content is never stored or shown.
        char buffer[4096];
        std::size_t read = 0;
        while (read < kMaxResponseBytes && (in.read(buffer, sizeof buffer) || in.gcount() > 0))
            read += static_cast<std::size_t>(in.gcount());
        result.status_code = static_cast<int>(response.getStatus());
        result.ok = result.status_code >= 200 && result.status_code < 300;
        if (!result.ok)
            result.error =
                "HTTP " + std::to_string(result.status_code) + " " + response.getReason() +
                (result.status_code >= 300 && result.status_code < 400 ? " (redirects are not followed)" : "");
    } catch (const std::exception& e) {
        result.error = describe(e);
    }
    return result;
}

}  // namespace fieldserver
