// OpenSSL-backed hashing: EVP SHA-256, PKCS5_PBKDF2_HMAC with SHA-256, RAND_bytes, CRYPTO_memcmp, AES-256-GCM.
#include "fieldserver/util/crypto.hpp"

#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include "fieldserver/util/seal.hpp"

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

constexpr int kNonce = 12, kTag = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext cipher_context() {
    CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) throw std::runtime_error("OpenSSL EVP_CIPHER_CTX_new failed");
    return ctx;
}

const unsigned char* bytes_of(const std::string& text) { return reinterpret_cast<const unsigned char*>(text.data()); }

}  // namespace

std::string seal(const std::string& key, const std::string& plaintext) {
    if (key.size() != 32) throw std::invalid_argument("a sealing key has 32 bytes");
    auto nonce = random_bytes(kNonce);
    std::vector<unsigned char> out(plaintext.size() + kTag);
    int n = 0, last = 0;
    auto ctx = cipher_context();
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_of(key), nonce.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &n, bytes_of(plaintext), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &last) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, out.data() + plaintext.size()) != 1)
        throw std::runtime_error("OpenSSL AES-256-GCM sealing failed");
    return to_hex(nonce.data(), nonce.size()) + to_hex(out.data(), out.size());
}

std::optional<std::string> unseal(const std::string& key, const std::string& sealed) {
    std::vector<unsigned char> raw;
    if (key.size() != 32 || !from_hex(sealed, raw) || raw.size() < kNonce + kTag) return std::nullopt;
    std::size_t length = raw.size() - kNonce - kTag;
    std::string out(length, '\0');
    int n = 0, last = 0;
    auto ctx = cipher_context();
    auto* text = reinterpret_cast<unsigned char*>(out.data());
    bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_of(key), raw.data()) == 1 &&
              EVP_DecryptUpdate(ctx.get(), text, &n, raw.data() + kNonce, static_cast<int>(length)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, raw.data() + kNonce + length) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), text + n, &last) == 1;
    if (!ok) return std::nullopt;
    return out;
}

std::string random_key() {
    auto bytes = random_bytes(32);
    return std::string(bytes.begin(), bytes.end());
}

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
