// Base64 as the API carries images (signatures, portal photos) and the mailer attaches them: one encoder and one
// decoder for the server and the device.
#pragma once

#include <optional>
#include <string>

namespace fieldsync {

// Standard base64 without line breaks.
std::string base64_encode(const std::string& bytes);

// The bytes of a base64 text, or nothing when it is not base64.
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace fieldsync
