// Base64 through Poco's streams.
#include "fieldsync/base64.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>

#include <sstream>

namespace fieldsync {

std::string base64_encode(const std::string& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return out.str();
}

std::optional<std::string> base64_decode(const std::string& text) {
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in);
    std::string bytes;
    char buffer[8192];
    try {
        while (decoder.read(buffer, sizeof buffer) || decoder.gcount() > 0)
            bytes.append(buffer, static_cast<std::size_t>(decoder.gcount()));
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
    return bytes;
}

}  // namespace fieldsync
