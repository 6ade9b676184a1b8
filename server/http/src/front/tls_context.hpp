// The server's TLS context over OpenSSL: the PEM certificate chain and key, TLS 1.2 with forward-secret AEAD suites
// only and TLS 1.3, buffers released while a connection idles.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace fieldserver::front {

struct SslCtxFree {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtx = std::unique_ptr<SSL_CTX, SslCtxFree>;
using Ssl = std::unique_ptr<SSL, SslFree>;

// Throws std::runtime_error naming the file or step that failed.
SslCtx make_server_context(const std::string& cert_file, const std::string& key_file);

}  // namespace fieldserver::front
