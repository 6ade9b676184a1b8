// A self-signed TLS certificate for first start, so the server is HTTPS-only from the first minute.
#pragma once

#include <string>

namespace fieldserver {

// Writes an EC P-256 key and a self-signed certificate (valid 825 days, SAN localhost, 127.0.0.1, ::1 and
// the host name) to the two paths, the key readable by the owner only.
void make_self_signed_certificate(const std::string& cert_path, const std::string& key_path);

}  // namespace fieldserver
