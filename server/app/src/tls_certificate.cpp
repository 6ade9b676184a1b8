// Self-signed certificate generation with OpenSSL 3's EVP and X509 APIs, each object owned by a unique_ptr.
#include "fieldserver/app/tls_certificate.hpp"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace fieldserver {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("cannot make a TLS certificate: ") + what + " failed");
}

void add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    check(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "adding an extension");
}

}  // namespace

void make_self_signed_certificate(const std::string& cert_path, const std::string& key_path) {
    PKey key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EC key generation");
    Cert cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("fieldrepair"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    std::string host = Poco::Environment::nodeName();
    add_extension(cert.get(), NID_subject_alt_name,
                  "DNS:localhost,IP:127.0.0.1,IP:::1" + (host.empty() || host == "localhost" ? "" : ",DNS:" + host));
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

    Poco::File(Poco::Path(cert_path).parent()).createDirectories();
    Poco::File(Poco::Path(key_path).parent()).createDirectories();
    {
        // Created owner-only from the start: the key is never readable by others, not even briefly.
        int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        check(fd >= 0, ("opening " + key_path).c_str());
        std::unique_ptr<FILE, FileCloser> f(::fdopen(fd, "wb"));
        check(f != nullptr, ("opening " + key_path).c_str());
        check(PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "writing the key");
    }
    std::unique_ptr<FILE, FileCloser> f(std::fopen(cert_path.c_str(), "wb"));
    check(f != nullptr, ("opening " + cert_path).c_str());
    check(PEM_write_X509(f.get(), cert.get()) == 1, "writing the certificate");
}

}  // namespace fieldserver
