// Where attachment bytes are kept: files in the data folder (one instance, SQLite) or rows of the database
// (instances sharing PostgreSQL, each reaching the same bytes). One interface, chosen by the database's dialect.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class BlobStore {
  public:
    virtual ~BlobStore() = default;

    // Whether the bytes named sha256 are all there and verified.
    virtual bool complete(const std::string& sha256) = 0;
    // The bytes an unfinished upload holds so far (0 when none).
    virtual std::int64_t received(const std::string& sha256) = 0;
    // Appends bytes at offset, which must be what the upload holds (conflict otherwise, so a retried chunk, or one
    // sent to two instances, is stored once). When the upload then holds size_bytes it completes if they hash to
    // sha256, else it is dropped (invalid_field) so it can start again.
    virtual void append(const std::string& sha256, std::int64_t offset, const std::string& bytes,
                        std::int64_t size_bytes) = 0;
    // Keeps bytes that arrive whole under their sha256 (the caller computed it); kept already: nothing changes.
    virtual void store(const std::string& sha256, const std::string& bytes) = 0;
    // The complete bytes; not_found before they are complete.
    virtual std::string read(const std::string& sha256) = 0;
    // The names of every complete upload (for moving the store, and for backups).
    virtual std::vector<std::string> complete_names() = 0;
};

// The files of directory (folder_blob_store.cpp).
std::unique_ptr<BlobStore> make_folder_blob_store(const std::string& directory);
// The attachment_chunks and attachment_blobs rows of db (database_blob_store.cpp).
std::unique_ptr<BlobStore> make_database_blob_store(Database& db);
// The files of directory on SQLite; the database's rows on PostgreSQL, which every instance reaches.
std::unique_ptr<BlobStore> make_blob_store(Database& db, const std::string& directory);

}  // namespace fieldserver
