// Resumable, content-addressed uploads: who may see and send which bytes, over the BlobStore that keeps them.
#include "fieldserver/domain/attachments/attachment_service.hpp"

#include <Poco/NumberParser.h>

#include <algorithm>

#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

void check_name(const std::string& sha256) {
    if (sha256.size() != 64 || sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw Error(ErrorCode::invalid_field, Message{"attachment.name", {}}, "sha256");
}

// The uploader key of bytes the customer portal stored (its photos' rows have no author).
const char* kPortalUploader = "portal";

}  // namespace

std::string sniff_content_type(const std::string& bytes) {
    auto starts = [&](std::size_t at, std::string_view magic) { return bytes.compare(at, magic.size(), magic) == 0; };
    if (bytes.size() < 12) return {};
    if (starts(0, "\xFF\xD8\xFF")) return "image/jpeg";
    if (starts(0, "\x89PNG\r\n\x1a\n")) return "image/png";
    if (starts(0, "RIFF") && starts(8, "WEBP")) return "image/webp";
    if (starts(0, "%PDF-")) return "application/pdf";
    // ISO base media files (HEIF/HEIC photos of phones): a box "ftyp" with the major brand after it.
    if (starts(4, "ftyp"))
        for (std::string_view brand : {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"})
            if (starts(8, brand)) return "image/heic";
    return {};
}

void record_upload(Db& db, const std::string& sha256, const std::string& uploader) {
    db.execute(
        "INSERT INTO attachment_uploads (sha256, user_id, uploaded_at) VALUES (?, ?, ?) "
        "ON CONFLICT (sha256, user_id) DO NOTHING",
        {sha256, uploader.empty() ? std::string(kPortalUploader) : uploader,
         fieldsync::format_utc(fieldsync::now_ms())});
}

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
    throw Error(ErrorCode::not_found, Message{"attachment.not_described", {{"id", sha256}}});
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
        throw Error(ErrorCode::invalid_field, Message{"attachment.offset", {}}, "offset");
    if (blobs_->complete(sha256)) return status_of(sha256, d);  // a retry after completion
    if (bytes.empty()) throw Error(ErrorCode::invalid_field, Message{"attachment.empty_chunk", {}}, "offset");
    if (offset + static_cast<std::int64_t>(bytes.size()) > d.size_bytes)
        throw Error(ErrorCode::invalid_field, Message{"attachment.past_size", {{"size", std::to_string(d.size_bytes)}}},
                    "offset");
    // The type is told by the first bytes, so the first chunk decides it: anything not on the list is never stored.
    if (offset == 0 && sniff_content_type(bytes).empty())
        throw Error(ErrorCode::invalid_field, Message{"attachment.type", {}}, "sha256");
    blobs_->append(sha256, offset, bytes, d.size_bytes);
    if (blobs_->complete(sha256)) db_.write([&](Db& db) { record_upload(db, sha256, actor.id); });
    return status_of(sha256, d);
}

std::pair<std::string, std::string> AttachmentService::content(const Actor& actor, const std::string& sha256) {
    check_name(sha256);
    // Readable by the uploader, or through a record the reader may see whose author (the portal for its photos)
    // uploaded these bytes: a record naming someone else's hash grants nothing.
    bool readable = db_.read([&](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM attachment_uploads WHERE sha256 = ? AND user_id = ?", {sha256, actor.id}))
            return true;
        auto rows = db.query(
            "SELECT j.assignee_id FROM attachments a JOIN jobs j ON j.id = a.job_id JOIN attachment_uploads u "
            "ON u.sha256 = a.sha256 AND u.user_id = COALESCE(a.author_id, ?) WHERE a.sha256 = ?",
            {std::string(kPortalUploader), sha256});
        return std::any_of(rows->begin(), rows->end(), [&](const Poco::Dynamic::Var& v) {
            return actor.is_staff() || (actor.role == Role::technician &&
                                        text(v.extract<Poco::JSON::Object::Ptr>(), "assignee_id") == actor.id);
        });
    });
    if (!readable) throw Error(ErrorCode::not_found, Message{"attachment.not_found", {{"id", sha256}}});
    std::string bytes = read(sha256);
    // The type told by the bytes, never the one a record claims.
    return {bytes, sniff_content_type(bytes)};
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
