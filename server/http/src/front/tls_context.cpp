// OpenSSL server context for the front end, with the same policy the server had under Poco: TLS 1.2 with ECDHE and
// AES-GCM or ChaCha20-Poly1305 only (no CBC), TLS 1.3 with OpenSSL's suites (all AEAD), no renegotiation.
#include "tls_context.hpp"

#include <openssl/err.h>

#include <stdexcept>

namespace fieldserver::front {
namespace {

void check(bool ok, const std::string& what) {
    if (ok) return;
    char reason[256] = "";
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    ERR_clear_error();
    throw std::runtime_error("TLS: " + what + " failed: " + reason);
}

}  // namespace

SslCtx make_server_context(const std::string& cert_file, const std::string& key_file) {
    SslCtx ctx(SSL_CTX_new(TLS_server_method()));
    check(ctx != nullptr, "creating the context");
    check(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) == 1, "setting TLS 1.2 as the minimum");
    check(SSL_CTX_set_cipher_list(ctx.get(), "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL") == 1, "setting the TLS 1.2 suites");
    check(SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) == 1, "loading " + cert_file);
    check(SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) == 1, "loading " + key_file);
    check(SSL_CTX_check_private_key(ctx.get()) == 1, "matching " + key_file + " to " + cert_file);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    // Partial writes on non-blocking sockets; the read and write buffers are freed while a connection idles, so a
    // thousand quiet connections cost little memory.
    SSL_CTX_set_mode(ctx.get(),
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    static const unsigned char kSessionContext[] = "fieldrepair";
    SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof kSessionContext - 1);
    return ctx;
}

}  // namespace fieldserver::front
