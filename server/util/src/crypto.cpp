// OpenSSL-backed hashing: EVP SHA-256, PKCS5_PBKDF2_HMAC with SHA-256, RAND_bytes, CRYPTO_memcmp.
#include "fieldserver/util/crypto.hpp"

#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace fieldserver {
namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0F];
    }
    return out;
}

bool from_hex(const std::string& hex, std::vector<unsigned char>& out) {
    if (hex.size() % 2) return false;
    out.clear();
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        unsigned value = 0;
        if (!Poco::NumberParser::tryParseHex(hex.substr(i, 2), value)) return false;
        out.push_back(static_cast<unsigned char>(value));
    }
    return true;
}

std::vector<unsigned char> random_bytes(std::size_t n) {
    std::vector<unsigned char> out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
    return out;
}

std::atomic<std::uint64_t> iterations_run{0};

std::vector<unsigned char> pbkdf2(const std::string& password, const std::vector<unsigned char>& salt, int iterations) {
    std::vector<unsigned char> out(32);
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(), static_cast<int>(out.size()),
                          out.data()) != 1)
        throw std::runtime_error("OpenSSL PBKDF2 failed");
    iterations_run += static_cast<std::uint64_t>(iterations);
    return out;
}

}  // namespace

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length))
        throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
    return to_hex(digest, length);
}

std::string random_token(std::size_t n) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    auto bytes = random_bytes(n);
    std::string out;
    unsigned bits = 0, acc = 0;
    for (unsigned char b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            out += alphabet[(acc >> (bits - 6)) & 0x3F];
            bits -= 6;
        }
    }
    if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3F];
    return out;
}

std::string hash_password(const std::string& password, int iterations) {
    auto salt = random_bytes(16);
    auto hash = pbkdf2(password, salt, iterations);
    return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + to_hex(salt.data(), salt.size()) + "$" +
           to_hex(hash.data(), hash.size());
}

bool verify_password(const std::string& password, const std::string& stored) {
    Poco::StringTokenizer parts(stored, "$");
    int iterations = 0;
    std::vector<unsigned char> salt, expected;
    if (parts.count() != 4 || parts[0] != "pbkdf2-sha256" || !Poco::NumberParser::tryParse(parts[1], iterations) ||
        iterations < 1 || !from_hex(parts[2], salt) || !from_hex(parts[3], expected) || expected.size() != 32)
        return false;
    auto actual = pbkdf2(password, salt, iterations);
    return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

std::uint64_t pbkdf2_iterations_run() { return iterations_run.load(); }

}  // namespace fieldserver
