// Attachment bytes: content-addressed by SHA-256, uploaded in resumable chunks, kept in a BlobStore (files on
// SQLite, database rows on PostgreSQL). The metadata row (attachments) syncs as a normal op and may arrive before
// the bytes; the bytes are taken once it exists.
#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <string>
#include <utility>

#include "fieldserver/domain/attachments/blob_store.hpp"
#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// "image/jpeg", "image/png", "image/webp", "image/heic" or "application/pdf" by the bytes' magic numbers, or
// empty for anything else.
std::string sniff_content_type(const std::string& bytes);

// Records uploader (a user id; empty: the customer portal) as having sent the bytes sha256, in db's transaction.
void record_upload(Db& db, const std::string& sha256, const std::string& uploader);

class AttachmentService {
  public:
    // directory: where the files live on SQLite (created if missing); on PostgreSQL the bytes live in the database.
    AttachmentService(Database& db, const std::string& directory);

    // {sha256, received_bytes, size_bytes, complete}. Staff, or the technician of a job with an attachment of
    // those bytes; anything else is not_found, like bytes nobody described yet.
    Poco::JSON::Object::Ptr status(const Actor& actor, const std::string& sha256);
    // Appends a chunk at offset, which must be the bytes received so far (conflict otherwise, so a retried chunk
    // is never stored twice). The upload completes when size_bytes have arrived, they hash to the name and their
    // first bytes say JPEG, PNG, WebP, HEIC or PDF; bytes that do not are dropped (invalid_field) so the upload can
    // start again. The actor completing it is recorded as its uploader. Returns status().
    Poco::JSON::Object::Ptr put(const Actor& actor, const std::string& sha256, const std::string& offset,
                                const std::string& bytes);
    // {bytes, content type told by the bytes} of a complete upload, for its uploader, or for a reader who may see
    // a job with a record of these bytes whose author uploaded them; not_found otherwise and before completion.
    std::pair<std::string, std::string> content(const Actor& actor, const std::string& sha256);

    // Stores bytes that arrive whole (photos sent with a portal report) as a complete file under their SHA-256,
    // which it returns; the same bytes stored again keep the one file. The caller writes the metadata row.
    std::string store(const std::string& bytes);
    // The bytes of a complete file, for a caller that has checked access itself; not_found before they are complete.
    std::string read(const std::string& sha256);

  private:
    struct Described {
        std::int64_t size_bytes = 0;
        std::string content_type;
    };
    Described described(const Actor& actor, const std::string& sha256);
    Poco::JSON::Object::Ptr status_of(const std::string& sha256, const Described& d);

    Database& db_;
    std::unique_ptr<BlobStore> blobs_;
};

}  // namespace fieldserver
