// Entry checksums over SHA-256 (Poco's SHA2Engine) and their hex text form.
#include "fieldsync/checksum.hpp"

#include <Poco/SHA2Engine.h>

#include <cstdio>

#include "fieldsync/error.hpp"

namespace fieldsync {
namespace {

void update_length_prefixed(Poco::SHA2Engine& sha, std::string_view part) {
    std::string prefix = std::to_string(part.size()) + ":";
    sha.update(prefix);
    sha.update(part.data(), part.size());
}

}  // namespace

std::uint64_t entry_checksum(std::string_view table, std::string_view row_id, std::int64_t version) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    update_length_prefixed(sha, table);
    update_length_prefixed(sha, row_id);
    update_length_prefixed(sha, std::to_string(version));
    const auto& digest = sha.digest();
    std::uint64_t out = 0;
    for (int i = 0; i < 8; ++i) out = out << 8 | digest[i];
    return out;
}

void BucketChecksum::add(std::string_view table, std::string_view row_id, std::int64_t version) {
    value_ += entry_checksum(table, row_id, version);
}

void BucketChecksum::remove(std::string_view table, std::string_view row_id, std::int64_t version) {
    value_ -= entry_checksum(table, row_id, version);
}

std::string format_checksum(std::uint64_t value) {
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(value));
    return out;
}

std::uint64_t parse_checksum(std::string_view text) {
    std::uint64_t value = 0;
    bool ok = text.size() == 16;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            value = value << 4 | static_cast<std::uint64_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            value = value << 4 | static_cast<std::uint64_t>(c - 'a' + 10);
        } else {
            ok = false;
        }
    }
    if (!ok) throw Error(ErrorCode::invalid_field, Message{"wire.checksum", {{"field", "checksum"}}}, "checksum");
    return value;
}

}  // namespace fieldsync
