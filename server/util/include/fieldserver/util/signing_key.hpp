// The server's Ed25519 signing key (OpenSSL), kept as a PEM file readable by the server's user alone; it signs
// the audit checkpoints, and its public half is what an auditor checks them with.
#pragma once

#include <memory>
#include <string>

namespace fieldserver {

class SigningKey {
  public:
    // Loads the private key from path, or makes one and writes it there (mode 0600) with the public key beside
    // it (path + ".pub"); a new file opens with a line "fieldrepair audit key, created <time>" before the PEM block
    // (PEM readers skip it), so the time travels with every copy of the key. Throws std::runtime_error when the file
    // cannot be read, written or parsed.
    static std::shared_ptr<const SigningKey> load_or_create(const std::string& path);

    ~SigningKey();
    SigningKey(const SigningKey&) = delete;
    SigningKey& operator=(const SigningKey&) = delete;

    // The Ed25519 signature of message, lower-case hex (128 digits).
    std::string sign_hex(const std::string& message) const;
    // Whether signature_hex is this key's signature of message.
    bool verify_hex(const std::string& message, const std::string& signature_hex) const;
    // The public key as PEM (SubjectPublicKeyInfo), for `openssl pkeyutl -verify` and the auditor.
    std::string public_key_pem() const;
    // When the key was made (ISO 8601 UTC), from the line the key file opens with; empty for a key file without
    // one (made before keys recorded it). Every event after it was checkpointed as it was written.
    const std::string& created_at() const noexcept;

  private:
    struct Impl;
    explicit SigningKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace fieldserver
