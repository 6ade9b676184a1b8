// Sealing short secrets with a key kept outside the database (AES-256-GCM through OpenSSL): a database reader
// holds only ciphertext; the server opens it when it needs the secret.
#pragma once

#include <optional>
#include <string>

namespace fieldserver {

// AES-256-GCM under a 32-byte key: a fresh 12-byte nonce, the ciphertext and the 16-byte tag, as lower-case hex.
// Throws std::invalid_argument for a key of another length.
std::string seal(const std::string& key, const std::string& plaintext);
// The plaintext of sealed, or nothing when it was sealed under another key, altered or is malformed.
std::optional<std::string> unseal(const std::string& key, const std::string& sealed);
// A key for seal: 32 bytes from OpenSSL's CSPRNG.
std::string random_key();

}  // namespace fieldserver
