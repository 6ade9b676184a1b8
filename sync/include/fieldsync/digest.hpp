// SHA-256 as the sync protocol names things with it: attachments are addressed by the digest of their bytes and an
// acceptance carries the digest of the summary it signed, so the server and the device must compute it alike.
#pragma once

#include <string>
#include <string_view>

namespace fieldsync {

// 64 lower-case hex digits of the SHA-256 of bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace fieldsync
