// Purchase facts of an asset: purchase date, channel, price paid, date received and the proof of purchase (购买凭证),
// which the warranty decision and the after-sales windows read.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

#include "fieldserver/domain/attachments/attachment_service.hpp"
#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Proof bytes already in the attachment store (sha256 empty: no proof given).
struct StoredProof {
    std::string sha256, content_type;
    std::int64_t size_bytes = 0;
};

class PurchaseService {
  public:
    static constexpr std::size_t kMaxProofBytes = 4 * 1024 * 1024;

    PurchaseService(Database& db, AttachmentService& attachments) : db_(db), attachments_(attachments) {}

    // {asset_id, purchase_date, purchase_channel, purchase_price, received_on, proof: {sha256, content_type}|null}.
    Poco::JSON::Object::Ptr get(const Actor& actor, const std::string& asset_id);
    // Sets the facts given ({purchase_date, purchase_channel?, purchase_price?, received_on?, proof_base64?}); a
    // proof is a PNG, JPEG or PDF, stored in the attachment store and attached (kind proof_of_purchase) to the
    // asset's latest job.
    Poco::JSON::Object::Ptr put(const Actor& actor, const std::string& asset_id, const Poco::JSON::Object::Ptr& body);
    // Checks body as put() takes it (without proof_base64 when the caller decodes the proof itself).
    static void validate(const Poco::JSON::Object::Ptr& body);
    // put() inside a transaction, with the proof's bytes already stored (the portal's fault report).
    static void record(Db& db, const std::string& asset_id, const Poco::JSON::Object::Ptr& body,
                       const StoredProof& proof, const std::string& now);
    // The content type of proof bytes (image/png, image/jpeg, application/pdf), or throws invalid_field on field.
    static std::string proof_type(const std::string& bytes, const std::string& field);

  private:
    Poco::JSON::Object::Ptr load_visible(Db& db, const Actor& actor, const std::string& asset_id);

    Database& db_;
    AttachmentService& attachments_;
};

}  // namespace fieldserver
