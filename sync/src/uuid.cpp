// UUIDv7: 48 bits of Unix milliseconds, version and variant bits, the rest from a CSPRNG.
#include "fieldsync/uuid.hpp"

#include <Poco/RandomStream.h>

#include <array>
#include <chrono>
#include <cstdio>

namespace fieldsync {

std::string uuid_v7(std::uint64_t unix_ms) {
    std::array<unsigned char, 16> b{};
    Poco::RandomInputStream random;
    random.read(reinterpret_cast<char*>(b.data()), b.size());
    for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(unix_ms >> (40 - 8 * i));
    b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0F));
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3F));
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

std::string uuid_v7() {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return uuid_v7(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
}

bool is_uuid(const std::string& text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
        if (hyphen ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

}  // namespace fieldsync
