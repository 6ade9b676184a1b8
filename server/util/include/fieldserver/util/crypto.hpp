// Hashes and randomness through OpenSSL: HMAC, PBKDF2 password hashes, random tokens. SHA-256 is the protocol's
// (fieldsync/digest.hpp), shared with the devices.
#pragma once

#include <cstdint>
#include <string>

#include "fieldsync/digest.hpp"

namespace fieldserver {

using fieldsync::sha256_hex;
// HMAC-SHA256 of data under key, lower-case hex.
std::string hmac_sha256_hex(const std::string& key, const std::string& data);
// n random bytes from OpenSSL's CSPRNG, as URL-safe base64 without padding.
std::string random_token(std::size_t n = 32);

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" with a fresh 16-byte salt.
std::string hash_password(const std::string& password, int iterations);
// Constant-time comparison against a stored hash; false for any malformed stored value.
bool verify_password(const std::string& password, const std::string& stored);
// PBKDF2 iterations run by this process so far: lets tests prove two code paths cost the same work.
std::uint64_t pbkdf2_iterations_run();

}  // namespace fieldserver
