// Webhook subscriptions (admin-managed) and the delivery log of every notification, plus the rules the sender
// and the API share: how a webhook body is signed, how long a failed delivery waits, which URLs are accepted.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// "sha256=<hex HMAC-SHA256(secret, body)>", the X-Fieldrepair-Signature of a webhook call.
std::string webhook_signature(const std::string& secret, const std::string& body);

// How long to wait after the attempts-th failed attempt (1, 2, …): base_ms doubled per further failure, at most
// kMaxRetryDelayMs, so a receiver that is down for hours is not hammered and one that is back soon is not left
// waiting for a day.
constexpr std::int64_t kMaxRetryDelayMs = 6LL * 3600 * 1000;
std::int64_t retry_delay_ms(std::int64_t attempts, std::int64_t base_ms);

// Throws Error(invalid_field, field "url") unless url is an absolute http or https URL with a host and without
// user info or a fragment. The server posts only to such URLs, never follows redirects, and keeps nothing of a
// receiver's answer but its status, so a webhook cannot be used to read from other hosts (see README).
void check_webhook_url(const std::string& url);

class NotificationService {
  public:
    explicit NotificationService(Database& db) : db_(db) {}

    // {id, url, events, description, created_by, created_at, secret}: the secret is shown here only, once.
    Poco::JSON::Object::Ptr create_webhook(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // {items: webhooks without their secrets, total, limit, offset}.
    Poco::JSON::Object::Ptr list_webhooks(const Actor& actor, const Query& query);
    // Stops the subscription and cancels its undelivered calls; its delivery log stays in GET /notifications.
    void delete_webhook(const Actor& actor, const std::string& id);

    // Notifications, newest first, each with its log of attempts {attempt, at, is_ok, status_code, error, duration_ms};
    // filters job_id, event, channel, status.
    Poco::JSON::Object::Ptr list_notifications(const Actor& actor, const Query& query);
    // The same for the calls of one webhook.
    Poco::JSON::Object::Ptr webhook_deliveries(const Actor& actor, const std::string& id, const Query& query);

  private:
    Poco::JSON::Object::Ptr deliveries(Db& db, std::string where, Params params, const Query& query);

    Database& db_;
};

}  // namespace fieldserver
