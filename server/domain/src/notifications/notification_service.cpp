// Webhook subscriptions and the delivery log: validation, one-time secrets, soft deletion that keeps the log.
#include "fieldserver/domain/notifications/notification_service.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>

#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fieldsync::Message;

namespace {

const char* kWebhookColumns = "id, url, events_json, description, created_by, created_at";
const char* kNotificationColumns =
    "n.id, n.event, n.job_id, j.ticket_no, n.channel, n.recipient, n.webhook_id, n.subject, n.status, n.attempts, "
    "n.next_attempt_at, n.last_error, n.created_at, n.delivered_at";

}  // namespace

std::string webhook_signature(const std::string& secret, const std::string& body) {
    return "sha256=" + hmac_sha256_hex(secret, body);
}

std::int64_t retry_delay_ms(std::int64_t attempts, std::int64_t base_ms) {
    std::int64_t delay = std::max<std::int64_t>(base_ms, 1);
    for (std::int64_t i = 1; i < attempts && delay < kMaxRetryDelayMs; ++i) delay *= 2;
    return std::min(delay, kMaxRetryDelayMs);
}

void check_webhook_url(const std::string& url) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw Error(ErrorCode::invalid_field, Message{"webhook.url_invalid", {{"detail", e.message()}}}, "url");
    }
    std::string scheme = Poco::toLower(uri.getScheme());
    if (scheme != "http" && scheme != "https")
        throw Error(ErrorCode::invalid_field, Message{"webhook.url_scheme", {}}, "url");
    if (uri.getHost().empty()) throw Error(ErrorCode::invalid_field, Message{"webhook.url_host", {}}, "url");
    if (!uri.getUserInfo().empty()) throw Error(ErrorCode::invalid_field, Message{"webhook.url_user_info", {}}, "url");
    if (!uri.getFragment().empty()) throw Error(ErrorCode::invalid_field, Message{"webhook.url_fragment", {}}, "url");
    if (url.find_first_of(" \t\r\n") != std::string::npos)
        throw Error(ErrorCode::invalid_field, Message{"webhook.url_spaces", {}}, "url");
}

Poco::JSON::Object::Ptr NotificationService::create_webhook(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    static const std::vector<FieldSpec> required = {
        {.name = "url", .type = FieldType::string, .max_length = 2000},
        {.name = "events", .type = FieldType::array},
    };
    static const std::vector<FieldSpec> optional = {
        {.name = "description", .type = FieldType::string, .max_length = 500}};
    fieldsync::validate_fields(required, optional, *body, "subscribe a webhook");
    std::string url = text(body, "url");
    check_webhook_url(url);
    const auto& known = notification_events();
    Poco::JSON::Array::Ptr events = new Poco::JSON::Array;
    for (const auto& v : *body->getArray("events")) {
        std::string event = v.isString() ? v.toString() : std::string();
        if (std::find(known.begin(), known.end(), event) == known.end()) {
            std::string names;
            for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
            throw Error(ErrorCode::invalid_field,
                        Message{v.isString() ? "webhook.unknown_event" : "webhook.event_not_text",
                                {{"value", event}, {"values", names}}},
                        "events");
        }
        bool seen = false;
        for (const auto& e : *events) seen = seen || e.toString() == event;
        if (!seen) events->add(event);
    }
    if (events->size() == 0) throw Error(ErrorCode::invalid_field, Message{"webhook.no_events", {}}, "events");

    std::string id = fieldsync::uuid_v7(), secret = random_token(32);
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    return db_.write([&](Db& db) {
        db.execute(
            "INSERT INTO webhooks (id, url, events_json, secret, description, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {id, url, to_json(events), secret, optional_text(body, "description"), text_or_null(actor.id), now});
        auto hook = db.query_one(std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE id = ?", {id});
        hook->set("secret", secret);
        return hook;
    });
}

Poco::JSON::Object::Ptr NotificationService::list_webhooks(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin});
    allow_filters(query, {});
    return db_.read([&](Db& db) {
        return paged(db, kWebhookColumns, "webhooks", "deleted_at IS NULL", {}, "created_at, id", page_of(query));
    });
}

void NotificationService::delete_webhook(const Actor& actor, const std::string& id) {
    require_role(actor, {Role::admin});
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    db_.write([&](Db& db) {
        if (db.execute("UPDATE webhooks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", {now, id}) == 0)
            throw Error(ErrorCode::not_found, Message{"webhook.not_found", {{"id", id}}});
        db.execute(
            "UPDATE notifications SET status = 'cancelled', last_error = 'the webhook was deleted' "
            "WHERE webhook_id = ? AND status = 'pending'",
            {id});
    });
}

Poco::JSON::Object::Ptr NotificationService::list_notifications(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher});
    allow_filters(query, {"job_id", "event", "channel", "status"});
    std::string where = "1 = 1";
    Params params;
    for (const char* key : {"job_id", "event", "channel", "status"})
        if (auto v = filter(query, key); !v.empty()) {
            where += std::string(" AND n.") + key + " = ?";
            params.emplace_back(v);
        }
    return db_.read([&](Db& db) { return deliveries(db, where, params, query); });
}

Poco::JSON::Object::Ptr NotificationService::webhook_deliveries(const Actor& actor, const std::string& id,
                                                                const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher});
    allow_filters(query, {"status"});
    std::string where = "n.webhook_id = ?";
    Params params{id};
    if (auto v = filter(query, "status"); !v.empty()) {
        where += " AND n.status = ?";
        params.emplace_back(v);
    }
    return db_.read([&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM webhooks WHERE id = ?", {id}) == 0)
            throw Error(ErrorCode::not_found, Message{"webhook.not_found", {{"id", id}}});
        return deliveries(db, where, params, query);
    });
}

Poco::JSON::Object::Ptr NotificationService::deliveries(Db& db, std::string where, Params params, const Query& query) {
    auto page = paged(db, kNotificationColumns, "notifications n LEFT JOIN jobs j ON j.id = n.job_id", where, params,
                      "n.created_at DESC, n.id DESC", page_of(query));
    auto items = page->getArray("items");
    if (items->size() == 0) return page;
    // The attempts of the whole page in one query, bound id by id.
    std::string in;
    Params ids;
    for (const auto& v : *items) {
        in += in.empty() ? "?" : ", ?";
        ids.emplace_back(text(v.extract<Poco::JSON::Object::Ptr>(), "id"));
    }
    auto attempts = db.query(
        "SELECT notification_id, attempt, at, is_ok, status_code, error, duration_ms "
        "FROM notification_attempts WHERE notification_id IN (" +
            in +
            ") "
            "ORDER BY notification_id, attempt",
        ids);
    for (const auto& v : *items) {
        auto item = v.extract<Poco::JSON::Object::Ptr>();
        Poco::JSON::Array::Ptr log = new Poco::JSON::Array;
        for (const auto& a : *attempts) {
            auto attempt = a.extract<Poco::JSON::Object::Ptr>();
            if (text(attempt, "notification_id") != text(item, "id")) continue;
            Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(*attempt);
            entry->remove("notification_id");
            log->add(entry);
        }
        item->set("log", log);
    }
    return page;
}

}  // namespace fieldserver
