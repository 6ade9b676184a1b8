// Resumable, content-addressed uploads: who may see and send which bytes, over the BlobStore that keeps them.
#include "fieldserver/domain/attachments/attachment_service.hpp"

#include <Poco/NumberParser.h>

#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;

namespace {

void check_name(const std::string& sha256) {
    if (sha256.size() != 64 || sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw Error(ErrorCode::invalid_field, "the name must be the SHA-256 of the bytes: 64 lower-case hex digits",
                    "sha256");
}

}  // namespace

AttachmentService::AttachmentService(Database& db, const std::string& directory)
    : db_(db), blobs_(make_blob_store(db, directory)) {}

AttachmentService::Described AttachmentService::described(const Actor& actor, const std::string& sha256) {
    check_name(sha256);
    auto rows = db_.read([&](Db& db) {
        return db.query(
            "SELECT a.size_bytes, a.content_type, j.assignee_id FROM attachments a JOIN jobs j ON j.id = a.job_id "
            "WHERE a.sha256 = ? ORDER BY a.created_at, a.id",
            {sha256});
    });
    for (const auto& v : *rows) {
        auto row = v.extract<Poco::JSON::Object::Ptr>();
        if (actor.is_staff() || (actor.role == Role::technician && text(row, "assignee_id") == actor.id))
            return {integer(row, "size_bytes"), text(row, "content_type")};
    }
    throw Error(ErrorCode::not_found, "no attachment " + sha256 + " (its metadata op may not be applied yet)");
}

Poco::JSON::Object::Ptr AttachmentService::status_of(const std::string& sha256, const Described& d) {
    bool complete = blobs_->complete(sha256);
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("sha256", sha256);
    out->set("size_bytes", d.size_bytes);
    out->set("received_bytes", complete ? d.size_bytes : blobs_->received(sha256));
    out->set("complete", complete);
    return out;
}

Poco::JSON::Object::Ptr AttachmentService::status(const Actor& actor, const std::string& sha256) {
    return status_of(sha256, described(actor, sha256));
}

Poco::JSON::Object::Ptr AttachmentService::put(const Actor& actor, const std::string& sha256,
                                               const std::string& offset_text, const std::string& bytes) {
    auto d = described(actor, sha256);
    Poco::Int64 offset = -1;
    if (offset_text.empty() || !Poco::NumberParser::tryParse64(offset_text, offset) || offset < 0)
        throw Error(ErrorCode::invalid_field, "offset must be the number of bytes received so far", "offset");
    if (blobs_->complete(sha256)) return status_of(sha256, d);  // a retry after completion
    if (bytes.empty()) throw Error(ErrorCode::invalid_field, "the chunk is empty", "offset");
    if (offset + static_cast<std::int64_t>(bytes.size()) > d.size_bytes)
        throw Error(ErrorCode::invalid_field,
                    "the chunk goes past the attachment's size_bytes (" + std::to_string(d.size_bytes) + ")", "offset");
    blobs_->append(sha256, offset, bytes, d.size_bytes);
    return status_of(sha256, d);
}

std::pair<std::string, std::string> AttachmentService::content(const Actor& actor, const std::string& sha256) {
    auto d = described(actor, sha256);
    return {read(sha256), d.content_type};
}

std::string AttachmentService::store(const std::string& bytes) {
    std::string sha256 = sha256_hex(bytes);
    blobs_->store(sha256, bytes);
    return sha256;
}

std::string AttachmentService::read(const std::string& sha256) {
    check_name(sha256);
    return blobs_->read(sha256);
}

}  // namespace fieldserver
