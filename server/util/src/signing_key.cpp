// Ed25519 through OpenSSL's EVP interface: one-shot signing (no digest), PEM files for the key pair.
#include "fieldserver/util/signing_key.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "fieldsync/time.hpp"

namespace fieldserver {

namespace {

struct KeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdContextDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using MdContextPtr = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

// Writes text to path with mode, created anew (never through an existing file's looser mode).
void write_file(const std::string& path, const std::string& text, mode_t mode) {
    ::unlink(path.c_str());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) throw std::runtime_error("cannot create " + path);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path);
}

}  // namespace

// The line a key file opens with, before the PEM block.
constexpr std::string_view kCreatedLine = "fieldrepair audit key, created ";

struct SigningKey::Impl {
    KeyPtr key;
    std::string created_at;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SigningKey::~SigningKey() = default;

std::shared_ptr<const SigningKey> SigningKey::load_or_create(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    if (Poco::File(path).exists()) {
        std::ifstream in(path);
        std::stringstream pem;
        pem << in.rdbuf();
        std::string text = pem.str();
        BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
        impl->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
        if (!impl->key || EVP_PKEY_get_base_id(impl->key.get()) != EVP_PKEY_ED25519)
            throw std::runtime_error(path + " does not hold an Ed25519 private key (PEM)");
        if (text.rfind(kCreatedLine, 0) == 0)
            impl->created_at = text.substr(kCreatedLine.size(), text.find('\n') - kCreatedLine.size());
    } else {
        impl->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        if (!impl->key) throw std::runtime_error("OpenSSL could not make an Ed25519 key");
        BioPtr bio(BIO_new(BIO_s_mem()));
        PEM_write_bio_PrivateKey(bio.get(), impl->key.get(), nullptr, nullptr, 0, nullptr, nullptr);
        impl->created_at = fieldsync::format_utc(fieldsync::now_ms());
        write_file(path, std::string(kCreatedLine) + impl->created_at + "\n" + bio_text(bio.get()), 0600);
    }
    std::shared_ptr<const SigningKey> key(new SigningKey(std::move(impl)));
    if (!Poco::File(path + ".pub").exists()) write_file(path + ".pub", key->public_key_pem(), 0644);
    return key;
}

std::string SigningKey::sign_hex(const std::string& message) const {
    MdContextPtr ctx(EVP_MD_CTX_new());
    std::vector<unsigned char> signature(64);
    std::size_t length = signature.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), signature.data(), &length, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1)
        throw std::runtime_error("OpenSSL could not sign");
    signature.resize(length);
    return Poco::DigestEngine::digestToHex(signature);
}

bool SigningKey::verify_hex(const std::string& message, const std::string& signature_hex) const {
    std::vector<unsigned char> signature;
    try {
        signature = Poco::DigestEngine::digestFromHex(signature_hex);
    } catch (const Poco::Exception&) {
        return false;
    }
    MdContextPtr ctx(EVP_MD_CTX_new());
    return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

const std::string& SigningKey::created_at() const noexcept { return impl_->created_at; }

std::string SigningKey::public_key_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), impl_->key.get());
    return bio_text(bio.get());
}

}  // namespace fieldserver
