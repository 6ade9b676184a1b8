// Attachment bytes as database rows: an upload is its chunks keyed by offset, complete once attachment_blobs
// names it, so instances sharing the database continue each other's uploads and serve each other's bytes.
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include "fieldserver/domain/attachments/blob_store.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

// Bytes travel to and from PostgreSQL's bytea as hex text, since statements bind every value as text.
std::string to_hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto b = static_cast<unsigned char>(bytes[i]);
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 15];
    }
    return out;
}

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

void append_from_hex(std::string& out, const std::string& hex) {
    out.reserve(out.size() + hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
}

class DatabaseBlobStore : public BlobStore {
  public:
    explicit DatabaseBlobStore(Database& db) : db_(db) {}

    bool complete(const std::string& sha256) override {
        return db_.read([&](Db& db) { return is_complete(db, sha256); });
    }

    std::int64_t received(const std::string& sha256) override {
        return db_.read([&](Db& db) { return received_in(db, sha256); });
    }

    void append(const std::string& sha256, std::int64_t offset, const std::string& bytes,
                std::int64_t size_bytes) override {
        bool full = db_.write([&](Db& db) {
            if (is_complete(db, sha256)) return false;  // a retry after completion
            std::int64_t received = received_in(db, sha256);
            if (offset != received)
                throw Error(ErrorCode::conflict,
                            Message{"attachment.resume_at", {{"offset", std::to_string(received)}}}, "offset");
            auto size = static_cast<std::int64_t>(bytes.size());
            try {
                db.execute(
                    "INSERT INTO attachment_chunks (sha256, byte_offset, size_bytes, data) VALUES (?, ?, ?, "
                    "decode(?, 'hex'))",
                    {sha256, offset, size, to_hex(bytes)});
            } catch (const UniqueViolation&) {
                throw Error(ErrorCode::conflict,
                            Message{"attachment.chunk_taken", {{"offset", std::to_string(offset)}}}, "offset");
            }
            return received + size >= size_bytes;
        });
        if (!full) return;
        // Verified in a transaction of its own, so bytes that fail are dropped for good before the error goes back.
        bool verified = db_.write([&](Db& db) {
            if (is_complete(db, sha256)) return true;
            Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
            for_each_chunk(db, sha256, [&](const std::string& chunk) { sha.update(chunk); });
            if (Poco::DigestEngine::digestToHex(sha.digest()) != sha256) {
                db.execute("DELETE FROM attachment_chunks WHERE sha256 = ?", {sha256});
                return false;
            }
            mark_complete(db, sha256, size_bytes);
            return true;
        });
        if (!verified)
            throw Error(ErrorCode::invalid_field, Message{"attachment.hash_mismatch", {{"id", sha256}}}, "sha256");
    }

    void store(const std::string& sha256, const std::string& bytes) override {
        db_.write([&](Db& db) {
            if (is_complete(db, sha256)) return;
            db.execute("DELETE FROM attachment_chunks WHERE sha256 = ?", {sha256});
            auto size = static_cast<std::int64_t>(bytes.size());
            db.execute(
                "INSERT INTO attachment_chunks (sha256, byte_offset, size_bytes, data) VALUES (?, 0, ?, "
                "decode(?, 'hex'))",
                {sha256, size, to_hex(bytes)});
            mark_complete(db, sha256, size);
        });
    }

    std::string read(const std::string& sha256) override {
        return db_.read([&](Db& db) {
            if (!is_complete(db, sha256))
                throw Error(ErrorCode::not_found, Message{"attachment.incomplete", {{"id", sha256}}});
            std::string bytes;
            for_each_chunk(db, sha256, [&](const std::string& chunk) { bytes += chunk; });
            return bytes;
        });
    }

    std::vector<std::string> complete_names() override {
        return db_.read([](Db& db) {
            std::vector<std::string> names;
            for (auto rows = db.query("SELECT sha256 FROM attachment_blobs ORDER BY sha256"); const auto& v : *rows)
                names.push_back(text(v.extract<Poco::JSON::Object::Ptr>(), "sha256"));
            return names;
        });
    }

  private:
    static bool is_complete(Db& db, const std::string& sha256) {
        return db.scalar("SELECT COUNT(*) FROM attachment_blobs WHERE sha256 = ?", {sha256}) > 0;
    }

    static std::int64_t received_in(Db& db, const std::string& sha256) {
        return db.scalar("SELECT COALESCE(SUM(size_bytes), 0) FROM attachment_chunks WHERE sha256 = ?", {sha256});
    }

    static void mark_complete(Db& db, const std::string& sha256, std::int64_t size_bytes) {
        db.execute("INSERT INTO attachment_blobs (sha256, size_bytes, completed_at) VALUES (?, ?, ?)",
                   {sha256, size_bytes, fieldsync::format_utc(fieldsync::now_ms())});
    }

    template <class F>
    static void for_each_chunk(Db& db, const std::string& sha256, F&& f) {
        auto rows =
            db.query("SELECT encode(data, 'hex') AS data FROM attachment_chunks WHERE sha256 = ? ORDER BY byte_offset",
                     {sha256});
        for (const auto& v : *rows) {
            std::string chunk;
            append_from_hex(chunk, text(v.extract<Poco::JSON::Object::Ptr>(), "data"));
            f(chunk);
        }
    }

    Database& db_;
};

}  // namespace

std::unique_ptr<BlobStore> make_database_blob_store(Database& db) { return std::make_unique<DatabaseBlobStore>(db); }

std::unique_ptr<BlobStore> make_blob_store(Database& db, const std::string& directory) {
    if (db.dialect() == Dialect::postgresql) return make_database_blob_store(db);
    return make_folder_blob_store(directory);
}

}  // namespace fieldserver
