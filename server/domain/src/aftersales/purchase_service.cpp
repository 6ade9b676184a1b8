// Purchase facts: validated once here for the API and for the portal's fault report.
#include "fieldserver/domain/aftersales/purchase_service.hpp"

#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/base64.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/money.hpp"
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

const std::vector<FieldSpec>& required_fields() {
    static const std::vector<FieldSpec> required = {{.name = "purchase_date", .type = FieldType::date}};
    return required;
}

const std::vector<FieldSpec>& optional_fields() {
    static const std::vector<FieldSpec> optional = {
        {.name = "purchase_channel", .type = FieldType::string, .max_length = 200},
        {.name = "purchase_price", .type = FieldType::number, .min = 0, .max = 10'000'000},
        {.name = "received_on", .type = FieldType::date},
        {.name = "proof_base64", .type = FieldType::string, .max_length = 6'000'000},
    };
    return optional;
}

// Dates in the future, or a receipt before the purchase, are typing errors.
void check_dates(const Poco::JSON::Object::Ptr& body) {
    std::string today = fieldsync::format_date(fieldsync::now_ms());
    if (text(body, "purchase_date") > today)
        throw Error(ErrorCode::invalid_field, Message{"field.future", {{"field", "purchase_date"}}}, "purchase_date");
    if (has_value(body, "received_on") && text(body, "received_on") < text(body, "purchase_date"))
        throw Error(ErrorCode::invalid_field,
                    Message{"field.before", {{"field", "received_on"}, {"other", "purchase_date"}}}, "received_on");
    if (has_value(body, "received_on") && text(body, "received_on") > today)
        throw Error(ErrorCode::invalid_field, Message{"field.future", {{"field", "received_on"}}}, "received_on");
}

}  // namespace

std::string PurchaseService::proof_type(const std::string& bytes, const std::string& field) {
    if (bytes.size() > kMaxProofBytes)
        throw Error(ErrorCode::invalid_field, Message{"file.too_large", {{"field", field}, {"limit", "4 MiB"}}}, field);
    if (bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) return "image/png";
    if (bytes.size() >= 3 && bytes.compare(0, 3, "\xFF\xD8\xFF") == 0) return "image/jpeg";
    if (bytes.size() >= 5 && bytes.compare(0, 5, "%PDF-") == 0) return "application/pdf";
    throw Error(ErrorCode::invalid_field, Message{"file.image_or_pdf", {{"field", field}}}, field);
}

void PurchaseService::validate(const Poco::JSON::Object::Ptr& body) {
    fieldsync::validate_fields(required_fields(), optional_fields(), *body, "record the purchase");
    check_dates(body);
}

void PurchaseService::record(Db& db, const std::string& asset_id, const Poco::JSON::Object::Ptr& body,
                             const StoredProof& proof, const std::string& now) {
    db.execute(
        "UPDATE assets SET purchase_date = ?, purchase_channel = ?, purchase_price_cents = ?, received_on = ?, "
        "updated_at = ?, version = version + 1 WHERE id = ?",
        {text(body, "purchase_date"), optional_text(body, "purchase_channel"),
         has_value(body, "purchase_price") ? Value(fieldsync::to_cents(number(body, "purchase_price")))
                                           : Value(std::monostate{}),
         optional_text(body, "received_on"), now, asset_id});
    record_change(db, "assets", asset_id);
    if (proof.sha256.empty()) return;
    db.execute("UPDATE assets SET proof_sha256 = ?, proof_content_type = ? WHERE id = ?",
               {proof.sha256, proof.content_type, asset_id});
    auto job =
        db.query_one("SELECT id FROM jobs WHERE asset_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", {asset_id});
    if (!job) return;
    std::string id = fieldsync::uuid_v7();
    db.execute(
        "INSERT INTO attachments (id, job_id, kind, sha256, content_type, size_bytes, file_name, caption, author_id, "
        "created_at) VALUES (?, ?, 'proof_of_purchase', ?, ?, ?, ?, ?, NULL, ?)",
        {id, text(job, "id"), proof.sha256, proof.content_type, proof.size_bytes, std::string("proof-of-purchase"),
         std::string("购买凭证 / proof of purchase"), now});
    record_change(db, "attachments", id);
}

Poco::JSON::Object::Ptr PurchaseService::load_visible(Db& db, const Actor& actor, const std::string& asset_id) {
    auto row = db.query_one(
        "SELECT id AS asset_id, customer_id, purchase_date, purchase_channel, purchase_price_cents, received_on, "
        "proof_sha256, proof_content_type FROM assets WHERE id = ?",
        {asset_id});
    bool visible =
        row && (actor.is_staff() ||
                (actor.role == Role::customer && text(row, "customer_id") == actor.customer_id &&
                 (actor.job_scope.empty() ||
                  db.scalar("SELECT COUNT(*) FROM jobs WHERE id = ? AND asset_id = ?", {actor.job_scope, asset_id}))));
    if (!visible) throw Error(ErrorCode::not_found, Message{"asset.not_found", {{"id", asset_id}}});
    row->set("purchase_price", has_value(row, "purchase_price_cents")
                                   ? Poco::Dynamic::Var(integer(row, "purchase_price_cents") / 100.0)
                                   : Poco::Dynamic::Var());
    Poco::JSON::Object::Ptr proof;
    if (has_value(row, "proof_sha256")) {
        proof = new Poco::JSON::Object;
        proof->set("sha256", text(row, "proof_sha256"));
        proof->set("content_type", text(row, "proof_content_type"));
    }
    row->set("proof", or_null(proof));
    for (const char* key : {"purchase_price_cents", "proof_sha256", "proof_content_type"}) row->remove(key);
    return row;
}

Poco::JSON::Object::Ptr PurchaseService::get(const Actor& actor, const std::string& asset_id) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    return db_.read([&](Db& db) { return load_visible(db, actor, asset_id); });
}

Poco::JSON::Object::Ptr PurchaseService::put(const Actor& actor, const std::string& asset_id,
                                             const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer});
    validate(body);
    db_.read([&](Db& db) { return load_visible(db, actor, asset_id); });
    StoredProof proof;
    if (has_value(body, "proof_base64")) {
        auto bytes = fieldsync::base64_decode(text(body, "proof_base64"));
        if (!bytes)
            throw Error(ErrorCode::invalid_field, Message{"field.base64", {{"field", "proof_base64"}}}, "proof_base64");
        proof.content_type = proof_type(*bytes, "proof_base64");
        proof.size_bytes = static_cast<std::int64_t>(bytes->size());
        proof.sha256 = attachments_.store(*bytes);
    }
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    return db_.write([&](Db& db) {
        record(db, asset_id, body, proof, now);
        return load_visible(db, actor, asset_id);
    });
}

}  // namespace fieldserver
