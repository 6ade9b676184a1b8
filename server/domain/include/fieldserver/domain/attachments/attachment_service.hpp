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

class AttachmentService {
  public:
    // directory: where the files live on SQLite (created if missing); on PostgreSQL the bytes live in the database.
    AttachmentService(Database& db, const std::string& directory);

    // {sha256, received_bytes, size_bytes, complete}. Staff, or the technician of a job with an attachment of
    // those bytes; anything else is not_found, like bytes nobody described yet.
    Poco::JSON::Object::Ptr status(const Actor& actor, const std::string& sha256);
    // Appends a chunk at offset, which must be the bytes received so far (conflict otherwise, so a retried chunk
    // is never stored twice). The upload completes when size_bytes have arrived and they hash to the name;
    // bytes that do not are dropped (invalid_field) so the upload can start again. Returns status().
    Poco::JSON::Object::Ptr put(const Actor& actor, const std::string& sha256, const std::string& offset,
                                const std::string& bytes);
    // {bytes, content type} of a complete upload; not_found before.
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
