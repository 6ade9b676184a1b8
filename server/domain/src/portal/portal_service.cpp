// Fault reports and ticket lookups from the customer portal. A portal session is scoped to one job: a phone
// number can be typed by anyone, so knowing one must never open a customer's other records.
#include "fieldserver/domain/portal/portal_service.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "fieldserver/domain/aftersales/purchase_service.hpp"
#include "fieldserver/domain/customers/sms_consent.hpp"
#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/base64.hpp"
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

struct DecodedPhoto {
    std::string content_type;
    std::string bytes;
};

// The bytes of a base64 text, or throws Error(invalid_field) naming field.
std::string decode_base64(const std::string& base64, const std::string& field) {
    auto bytes = fieldsync::base64_decode(base64);
    if (!bytes) throw Error(ErrorCode::invalid_field, Message{"field.base64", {{"field", field}}}, field);
    return *bytes;
}

// Photos as the report sends them (base64 strings), checked to be PNG or JPEG images within the limits. The
// type comes from the bytes, never from what the sender claims.
std::vector<DecodedPhoto> decode_photos(const Poco::JSON::Object::Ptr& body) {
    std::vector<DecodedPhoto> out;
    if (!has_value(body, "photos")) return out;
    auto photos = body->getArray("photos");
    if (photos->size() > static_cast<std::size_t>(PortalService::kMaxPhotos))
        throw Error(ErrorCode::invalid_field,
                    Message{"portal.photo_count", {{"max", std::to_string(PortalService::kMaxPhotos)}}}, "photos");
    for (std::size_t i = 0; i < photos->size(); ++i) {
        std::string field = "photos[" + std::to_string(i) + "]";
        auto value = photos->get(static_cast<unsigned>(i));
        if (!value.isString())
            throw Error(ErrorCode::invalid_field, Message{"portal.photo_text", {{"photo", field}}}, "photos");
        DecodedPhoto photo;
        photo.bytes = decode_base64(value.convert<std::string>(), "photos");
        if (photo.bytes.size() > PortalService::kMaxPhotoBytes)
            throw Error(
                ErrorCode::invalid_field,
                Message{"portal.photo_large",
                        {{"photo", field}, {"limit", std::to_string(PortalService::kMaxPhotoBytes / 1024) + " KiB"}}},
                "photos");
        if (photo.bytes.size() >= 8 && photo.bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0)
            photo.content_type = "image/png";
        else if (photo.bytes.size() >= 3 && photo.bytes.compare(0, 3, "\xFF\xD8\xFF") == 0)
            photo.content_type = "image/jpeg";
        else
            throw Error(ErrorCode::invalid_field, Message{"portal.photo_type", {{"photo", field}}}, "photos");
        out.push_back(std::move(photo));
    }
    return out;
}

std::string now_text() { return fieldsync::format_utc(fieldsync::now_ms()); }

// A report's photos are attachments of kind photo without an author: the customer has no user, technicians' photos
// always name theirs.
const char* kPortalPhotoWhere = "kind = 'photo' AND author_id IS NULL";

// The metadata row of a photo whose bytes are in the attachment store, recorded in the change log so the job's
// technician receives it.
void insert_photo(Db& db, const std::string& job_id, std::int64_t seq, const std::string& content_type,
                  std::int64_t size_bytes, const std::string& sha256, const std::string& created_at) {
    std::string id = fieldsync::uuid_v7();
    std::string extension = content_type == "image/png" ? ".png" : ".jpg";
    db.execute(
        "INSERT INTO attachments (id, job_id, kind, sha256, content_type, size_bytes, file_name, caption, "
        "author_id, created_at) VALUES (?, ?, 'photo', ?, ?, ?, ?, ?, NULL, ?)",
        {id, job_id, sha256, content_type, size_bytes, "portal-" + std::to_string(seq) + extension,
         std::string("客户报修照片 / photo from the customer's report"), created_at});
    record_upload(db, sha256, {});
    record_change(db, "attachments", id);
}

}  // namespace

std::string normalized_phone(const std::string& phone) {
    std::string digits;
    for (char c : phone)
        if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    bool international = phone.find('+') != std::string::npos || digits.rfind("0086", 0) == 0;
    if (digits.rfind("0086", 0) == 0) digits.erase(0, 2);
    if (international && digits.rfind("86", 0) == 0) digits.erase(0, 2);
    return digits;
}

namespace {

// A fault report's contact fields, trimmed, and its preferred window in UTC (both empty when not given).
struct ReportForm {
    std::string name, phone, serial, preferred_start, preferred_end;
};

ReportForm validated_report(const Poco::JSON::Object::Ptr& body) {
    static const std::vector<FieldSpec> required = {
        {.name = "contact_name", .type = FieldType::string, .max_length = 200},
        {.name = "phone", .type = FieldType::string, .max_length = 50},
        {.name = "address", .type = FieldType::string, .max_length = 500},
        {.name = "model", .type = FieldType::string, .max_length = 200},
        {.name = "serial_no", .type = FieldType::string, .max_length = 100},
        {.name = "description", .type = FieldType::string, .max_length = 5000},
    };
    static const std::vector<FieldSpec> optional = {
        {.name = "category", .type = FieldType::string, .max_length = 200},
        {.name = "preferred_start", .type = FieldType::date_time},
        {.name = "preferred_end", .type = FieldType::date_time},
        {.name = "photos", .type = FieldType::array},
        {.name = "email", .type = FieldType::string, .max_length = 254},
        {.name = "sms_consent", .type = FieldType::boolean},
        {.name = "purchase_date", .type = FieldType::date},
        {.name = "purchase_channel", .type = FieldType::string, .max_length = 200},
        {.name = "purchase_price", .type = FieldType::number, .min = 0, .max = 10'000'000},
        {.name = "received_on", .type = FieldType::date},
        {.name = "proof_of_purchase", .type = FieldType::string, .max_length = 6'000'000},
    };
    fieldsync::validate_fields(required, optional, *body, "report a fault");
    if (has_value(body, "email") && !is_mailbox(Poco::trim(text(body, "email"))))
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.email", {{"field", "email"}}}, "email");
    ReportForm form{.name = Poco::trim(text(body, "contact_name")),
                    .phone = Poco::trim(text(body, "phone")),
                    .serial = Poco::trim(text(body, "serial_no"))};
    if (normalized_phone(form.phone).size() < 5)
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.phone", {{"field", "phone"}}}, "phone");
    if (has_value(body, "preferred_start") != has_value(body, "preferred_end"))
        throw Error(ErrorCode::invalid_field,
                    fieldsync::Message{"field.window_both", {{"field", "preferred_start"}, {"other", "preferred_end"}}},
                    has_value(body, "preferred_start") ? "preferred_end" : "preferred_start");
    if (has_value(body, "preferred_start")) {
        auto start = fieldsync::parse_date_time(text(body, "preferred_start"));
        auto end = fieldsync::parse_date_time(text(body, "preferred_end"));
        if (*end <= *start)
            throw Error(
                ErrorCode::invalid_field,
                fieldsync::Message{"field.window_order", {{"field", "preferred_end"}, {"other", "preferred_start"}}},
                "preferred_end");
        if (*end <= fieldsync::now_ms())
            throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.window_past", {}}, "preferred_start");
        form.preferred_start = fieldsync::format_utc(*start);
        form.preferred_end = fieldsync::format_utc(*end);
    }
    return form;
}

// At most max_bytes of text, never cutting a UTF-8 character in two.
std::string utf8_prefix(const std::string& text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

// Whether a product with this serial number is registered (to anyone).
bool serial_registered(Db& db, const std::string& serial) {
    return db.scalar("SELECT COUNT(*) FROM assets WHERE serial_no = ?", {serial}) > 0;
}

// The reporter's email (when given) and consent to SMS notices, stored before the job is reported so the
// "report received" notice already reaches them.
void save_contact_prefs(Db& db, const std::string& customer_id, const Poco::JSON::Object::Ptr& body) {
    std::string email = Poco::trim(text(body, "email")), now = fieldsync::format_utc(fieldsync::now_ms());
    if (!email.empty()) {
        db.execute("UPDATE customers SET email = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                   {email, now, customer_id});
        record_change(db, "customers", customer_id);
    }
    bool sms = has_value(body, "sms_consent") && body->getValue<bool>("sms_consent");
    store_sms_consent(db, customer_id, sms, "portal", "", std::monostate{});
}

// The purchase facts of a report, checked as the purchase endpoint checks them; nullptr when none were given.
Poco::JSON::Object::Ptr purchase_of(const Poco::JSON::Object::Ptr& body) {
    Poco::JSON::Object::Ptr purchase = new Poco::JSON::Object;
    for (const char* key : {"purchase_date", "purchase_channel", "purchase_price", "received_on"})
        if (has_value(body, key)) purchase->set(key, body->get(key));
    if (purchase->size() == 0 && !has_value(body, "proof_of_purchase")) return nullptr;
    if (!has_value(body, "purchase_date"))
        throw Error(ErrorCode::missing_field, Message{"portal.purchase_date", {}}, "purchase_date");
    PurchaseService::validate(purchase);
    return purchase;
}

}  // namespace

Poco::JSON::Object::Ptr PortalService::report(const Poco::JSON::Object::Ptr& body, const std::string& source,
                                              int& retry_after) {
    retry_after = report_limit_.retry_after(source);
    if (retry_after > 0)
        throw Error(ErrorCode::rate_limited,
                    Message{"portal.too_many_reports", {{"seconds", std::to_string(retry_after)}}});
    auto form = validated_report(body);
    const std::string &name = form.name, &phone = form.phone, &serial = form.serial;
    auto photos = decode_photos(body);
    auto purchase = purchase_of(body);
    std::string proof_bytes;
    StoredProof proof;
    if (has_value(body, "proof_of_purchase")) {
        proof_bytes = decode_base64(text(body, "proof_of_purchase"), "proof_of_purchase");
        proof.content_type = PurchaseService::proof_type(proof_bytes, "proof_of_purchase");
        proof.size_bytes = static_cast<std::int64_t>(proof_bytes.size());
    }

    // Always a new customer record and a new product record (the dispatcher merges duplicates): attaching the
    // report to the customer of the same name and phone, or to the product of the same serial number, would show
    // that customer's address and history, or that product's warranty, to whoever typed them. A serial number
    // registered already gets a marked copy (serial numbers are unique); the report keeps what was typed.
    Poco::JSON::Object::Ptr customer = new Poco::JSON::Object;
    customer->set("name", name);
    customer->set("phone", phone);
    customer->set("address", text(body, "address"));
    Actor portal{.role = Role::admin, .name = "customer portal", .source = source};
    std::string customer_id = text(customers_.create_customer(portal, customer), "id");
    db_.write([&](Db& db) { save_contact_prefs(db, customer_id, body); });
    Actor customer_actor{.role = Role::customer, .name = name, .customer_id = customer_id, .source = source};
    Poco::JSON::Object::Ptr asset = new Poco::JSON::Object;
    asset->set("customer_id", customer_id);
    asset->set("model", text(body, "model"));
    asset->set("serial_no", db_.read([&](Db& db) { return serial_registered(db, serial); })
                                ? utf8_prefix(serial, 70) + " (重复 duplicate " + random_token(6) + ")"
                                : serial);
    std::string asset_id = text(customers_.create_asset(customer_actor, asset), "id");
    Poco::JSON::Object::Ptr job_body = new Poco::JSON::Object;
    job_body->set("customer_id", customer_id);
    job_body->set("asset_id", asset_id);
    job_body->set("description", text(body, "description"));
    job_body->set("channel", "web");
    if (has_value(body, "category")) job_body->set("category", text(body, "category"));
    // The purchase facts first, so the job starts with them (its warranty decision can use the purchase date).
    if (purchase) db_.write([&](Db& db) { PurchaseService::record(db, asset_id, purchase, {}, now_text()); });
    auto job = jobs_.create(customer_actor, job_body);
    std::string job_id = text(job, "id"), ticket_no = text(job, "ticket_no"), now = now_text();
    // The bytes before their rows (a file nobody describes is harmless, a row without its bytes is not), and only
    // once the report is accepted, so refused input stores nothing.
    for (const auto& photo : photos) attachments_.store(photo.bytes);
    if (!proof.content_type.empty()) proof.sha256 = attachments_.store(proof_bytes);

    auto out = db_.write([&](Db& db) {
        db.execute(
            "INSERT INTO portal_reports (job_id, contact_name, contact_phone, address, preferred_start, preferred_end, "
            "source, created_at, reported_model, reported_serial) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {job_id, name, phone, text(body, "address"), text_or_null(form.preferred_start),
             text_or_null(form.preferred_end), source, now, text(body, "model"), serial});
        for (std::size_t i = 0; i < photos.size(); ++i)
            insert_photo(db, job_id, static_cast<std::int64_t>(i + 1), photos[i].content_type,
                         static_cast<std::int64_t>(photos[i].bytes.size()), sha256_hex(photos[i].bytes), now);
        if (!proof.sha256.empty()) PurchaseService::record(db, asset_id, purchase, proof, now);
        return issue_token(db, customer_id, job_id, ticket_no);
    });
    // Every accepted report counts against the address, not only failures as with logins.
    report_limit_.hit(source);
    // The tracking link of the job (every job has one, jobs.create made it): shown now, and sent with the "report
    // received" notice when the reporter gave an email or agreed to SMS.
    out->set("access_key", text(job, "access_key"));
    out->set("tracking_link", text(job, "tracking_link"));
    return out;
}

Poco::JSON::Object::Ptr PortalService::open_session(const Poco::JSON::Object::Ptr& body, const std::string& source,
                                                    int& retry_after) {
    fieldsync::validate_fields({{.name = "ticket_no", .type = FieldType::string, .max_length = 40},
                                {.name = "access_key", .type = FieldType::string, .max_length = 100}},
                               {}, *body, "look up a ticket");
    std::string ticket_no = Poco::toUpper(Poco::trim(text(body, "ticket_no")));
    retry_after = std::max(lookup_address_limit_.retry_after(source), lookup_ticket_limit_.retry_after(ticket_no));
    if (retry_after > 0)
        throw Error(ErrorCode::rate_limited,
                    Message{"portal.too_many_lookups", {{"seconds", std::to_string(retry_after)}}});
    auto row = db_.read([&](Db& db) {
        return db.query_one(
            "SELECT j.id, j.customer_id, k.key_hash AS access_key_hash FROM jobs j "
            "JOIN job_access_keys k ON k.job_id = j.id WHERE j.ticket_no = ?",
            {ticket_no});
    });
    // Digests of equal length compared, so the time taken says nothing about the stored one.
    std::string sent = sha256_hex(Poco::trim(text(body, "access_key")));
    if (!row || text(row, "access_key_hash").size() != sent.size() || text(row, "access_key_hash") != sent) {
        lookup_address_limit_.hit(source);
        lookup_ticket_limit_.hit(ticket_no);
        // One answer for a wrong ticket and a wrong key, so neither can be probed on its own.
        throw Error(ErrorCode::bad_credentials, Message{"portal.no_ticket", {}});
    }
    return db_.write([&](Db& db) { return issue_token(db, text(row, "customer_id"), text(row, "id"), ticket_no); });
}

Poco::JSON::Object::Ptr PortalService::issue_token(Db& db, const std::string& customer_id, const std::string& job_id,
                                                   const std::string& ticket_no) {
    std::string token = random_token();
    std::int64_t now = fieldsync::now_ms();
    std::string expires_at = fieldsync::format_utc(now + kSessionSeconds * 1000);
    db.execute("DELETE FROM portal_tokens WHERE expires_at < ?", {fieldsync::format_utc(now)});
    db.execute(
        "INSERT INTO portal_tokens (token_hash, customer_id, job_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        {sha256_hex(token), customer_id, job_id, fieldsync::format_utc(now), expires_at});
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("token", token);
    out->set("expires_at", expires_at);
    out->set("job_id", job_id);
    out->set("ticket_no", ticket_no);
    return out;
}

void PortalService::check_job_visible(const Actor& actor, const std::string& job_id) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::customer, Role::agent, Role::supervisor});
    jobs_.get(actor, job_id);
}

Poco::JSON::Object::Ptr PortalService::get_report(const Actor& actor, const std::string& job_id) {
    check_job_visible(actor, job_id);
    return db_.read([&](Db& db) {
        auto report = db.query_one(
            "SELECT job_id, contact_name, contact_phone, address, preferred_start, preferred_end, created_at, "
            "reported_model, reported_serial FROM portal_reports WHERE job_id = ?",
            {job_id});
        if (!report) throw Error(ErrorCode::not_found, Message{"portal.not_reported", {{"id", job_id}}});
        auto photos = db.query(std::string("SELECT id, content_type, size_bytes, sha256 FROM attachments "
                                           "WHERE job_id = ? AND ") +
                                   kPortalPhotoWhere + " ORDER BY file_name, id",
                               {job_id});
        std::int64_t seq = 0;
        for (const auto& v : *photos) {
            auto photo = v.extract<Poco::JSON::Object::Ptr>();
            photo->set("seq", ++seq);
        }
        report->set("photos", photos);
        return report;
    });
}

PortalPhoto PortalService::photo(const Actor& actor, const std::string& photo_id) {
    auto row = db_.read([&](Db& db) {
        return db.query_one(
            std::string("SELECT job_id, content_type, sha256 FROM attachments WHERE id = ? AND ") + kPortalPhotoWhere,
            {photo_id});
    });
    if (!row) throw Error(ErrorCode::not_found, Message{"portal.no_photo", {{"id", photo_id}}});
    try {
        check_job_visible(actor, text(row, "job_id"));
    } catch (const Error& e) {
        if (e.code() != ErrorCode::not_found) throw;
        throw Error(ErrorCode::not_found, Message{"portal.no_photo", {{"id", photo_id}}});
    }
    return {text(row, "content_type"), attachments_.read(text(row, "sha256")), text(row, "sha256")};
}

std::size_t PortalService::adopt_stored_photos() {
    auto rows = db_.read([](Db& db) {
        return db.query("SELECT id, job_id, seq, content_type, created_at, data_base64 FROM portal_photos ORDER BY id");
    });
    for (const auto& v : *rows) {
        auto row = v.extract<Poco::JSON::Object::Ptr>();
        std::string bytes = decode_base64(text(row, "data_base64"), "photo");
        std::string sha256 = attachments_.store(bytes);
        db_.write([&](Db& db) {
            insert_photo(db, text(row, "job_id"), integer(row, "seq"), text(row, "content_type"),
                         static_cast<std::int64_t>(bytes.size()), sha256, text(row, "created_at"));
            db.execute("DELETE FROM portal_photos WHERE id = ?", {text(row, "id")});
        });
    }
    return rows->size();
}

}  // namespace fieldserver
