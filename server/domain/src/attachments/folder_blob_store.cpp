// Attachment bytes as files: <sha256>.part grows chunk by chunk and becomes <sha256> once verified.
#include <Poco/DigestEngine.h>
#include <Poco/File.h>
#include <Poco/SHA2Engine.h>

#include <cerrno>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "fieldserver/domain/attachments/blob_store.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

std::int64_t file_size(const std::string& path) {
    Poco::File file(path);
    return file.exists() ? static_cast<std::int64_t>(file.getSize()) : 0;
}

std::string file_sha256(const std::string& path) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    std::ifstream in(path, std::ios::binary);
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) sha.update(buffer, static_cast<unsigned>(in.gcount()));
    return Poco::DigestEngine::digestToHex(sha.digest());
}

// A write that failed: a full disk is the documented retryable storage_full, anything else unavailable.
[[noreturn]] void write_failed() {
    if (errno == ENOSPC || errno == EDQUOT) throw StorageFull("the attachment folder");
    throw Error(ErrorCode::unavailable, Message{"attachment.store_unwritable", {}});
}

class FolderBlobStore : public BlobStore {
  public:
    explicit FolderBlobStore(std::string directory) : directory_(std::move(directory)) {
        Poco::File(directory_).createDirectories();
    }

    bool complete(const std::string& sha256) override {
        std::lock_guard lock(mutex_);
        return Poco::File(complete_path(sha256)).exists();
    }

    std::int64_t received(const std::string& sha256) override {
        std::lock_guard lock(mutex_);
        return file_size(partial_path(sha256));
    }

    void append(const std::string& sha256, std::int64_t offset, const std::string& bytes,
                std::int64_t size_bytes) override {
        std::lock_guard lock(mutex_);
        if (Poco::File(complete_path(sha256)).exists()) return;  // a retry after completion
        std::int64_t received = file_size(partial_path(sha256));
        if (offset != received)
            throw Error(ErrorCode::conflict, Message{"attachment.resume_at", {{"offset", std::to_string(received)}}},
                        "offset");
        {
            std::ofstream out(partial_path(sha256), std::ios::binary | std::ios::app);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!out.flush()) write_failed();
        }
        if (received + static_cast<std::int64_t>(bytes.size()) < size_bytes) return;
        if (file_sha256(partial_path(sha256)) != sha256) {
            Poco::File(partial_path(sha256)).remove();
            throw Error(ErrorCode::invalid_field, Message{"attachment.hash_mismatch", {{"id", sha256}}}, "sha256");
        }
        Poco::File(partial_path(sha256)).renameTo(complete_path(sha256));
    }

    void store(const std::string& sha256, const std::string& bytes) override {
        std::lock_guard lock(mutex_);
        if (Poco::File(complete_path(sha256)).exists()) return;
        // Written aside and renamed, so the name never holds part of the bytes (and a chunked upload's .part is
        // left be).
        std::string temporary = directory_ + "/" + sha256 + "." + fieldsync::uuid_v7() + ".tmp";
        {
            std::ofstream out(temporary, std::ios::binary);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!out.flush()) {
                int error = errno;
                Poco::File(temporary).remove();
                errno = error;
                write_failed();
            }
        }
        Poco::File(temporary).renameTo(complete_path(sha256));
    }

    std::string read(const std::string& sha256) override {
        std::lock_guard lock(mutex_);
        if (!Poco::File(complete_path(sha256)).exists())
            throw Error(ErrorCode::not_found, Message{"attachment.incomplete", {{"id", sha256}}});
        std::ifstream in(complete_path(sha256), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        return bytes.str();
    }

    std::vector<std::string> complete_names() override {
        std::lock_guard lock(mutex_);
        std::vector<std::string> names;
        std::vector<std::string> files;
        Poco::File(directory_).list(files);
        for (const auto& name : files)
            if (name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos)
                names.push_back(name);
        return names;
    }

  private:
    std::string complete_path(const std::string& sha256) const { return directory_ + "/" + sha256; }
    std::string partial_path(const std::string& sha256) const { return directory_ + "/" + sha256 + ".part"; }

    std::string directory_;
    std::mutex mutex_;  // one writer per file at a time
};

}  // namespace

std::unique_ptr<BlobStore> make_folder_blob_store(const std::string& directory) {
    return std::make_unique<FolderBlobStore>(directory);
}

}  // namespace fieldserver
