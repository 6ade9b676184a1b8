// The background sender: a thread of the server that drains the notification outbox (email over SMTP, signed
// webhook calls), logs every attempt and retries failures with backoff, so no request ever waits on a delivery.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

struct NotificationSettings {
    std::string smtp_host;  // empty: email is not sent (such notifications end as "skipped")
    int smtp_port = 25;
    std::string smtp_from;
    std::string smtp_user;  // empty: no SMTP authentication
    std::string smtp_password;
    bool smtp_starttls = false;
    // The SMS gateway: a JSON POST of {to, text, event, ticket_no} to sms_url, signed like a webhook call with
    // sms_secret (X-Fieldrepair-Signature), so any provider can be put behind a small adapter. Empty: no SMS.
    std::string sms_url;
    std::string sms_secret;
    std::int64_t interval_ms = 5000;    // how often the outbox is checked for due notifications
    std::int64_t max_attempts = 8;      // attempts before a notification is given up as failed
    std::int64_t backoff_ms = 30000;    // wait after the first failure, doubled after each further one
    std::int64_t timeout_seconds = 10;  // per network operation (connect, send, receive)
};

// One delivery attempt's outcome, as the log keeps it.
struct DeliveryResult {
    bool ok = false;
    int status_code = 0;  // HTTP status of a webhook call (0: none was received)
    std::string error;    // empty when ok
};

class NotificationSender {
  public:
    NotificationSender(Database& db, NotificationSettings settings, Poco::Logger& log);
    ~NotificationSender();
    NotificationSender(const NotificationSender&) = delete;
    NotificationSender& operator=(const NotificationSender&) = delete;

    void start();
    // Finishes the delivery in progress (bounded by the timeout) and stops the thread.
    void stop();

  private:
    void run();
    // Attempts every notification that is due; returns how many were claimed.
    std::size_t deliver_due();
    // One attempt of the claimed row n on its channel, with its tracking link put in.
    DeliveryResult send(const Poco::JSON::Object::Ptr& n);
    DeliveryResult send_email(const std::string& id, const std::string& to, const std::string& subject,
                              const std::string& body);
    DeliveryResult send_webhook(const std::string& id, const std::string& event, const std::string& url,
                                const std::string& secret, const std::string& body);

    Database& db_;
    NotificationSettings settings_;
    Poco::Logger& log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

// text for a mail header such as Subject: words of printable ASCII as they are, runs of other words as RFC 2047
// encoded words ("=?UTF-8?B?…?="), split between characters.
std::string encode_header_words(const std::string& text);

}  // namespace fieldserver
