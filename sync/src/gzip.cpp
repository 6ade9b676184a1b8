// gzip through Poco's zlib streams.
#include "fieldsync/gzip.hpp"

#include <Poco/DeflatingStream.h>
#include <Poco/Exception.h>
#include <Poco/InflatingStream.h>
#include <Poco/MemoryStream.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "fieldsync/error.hpp"

namespace fieldsync {

bool accepts_gzip(std::string_view accept_encoding) {
    Poco::StringTokenizer codings(std::string(accept_encoding), ",",
                                  Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const auto& coding : codings) {
        Poco::StringTokenizer parts(coding, ";", Poco::StringTokenizer::TOK_TRIM);
        std::string name = Poco::toLower(parts[0]);
        if (name != "gzip" && name != "x-gzip" && name != "*") continue;
        bool refused = false;
        for (std::size_t i = 1; i < parts.count(); ++i) {
            std::string param = Poco::toLower(parts[i]);
            param.erase(std::remove(param.begin(), param.end(), ' '), param.end());
            if (param.rfind("q=", 0) == 0) refused = std::strtod(param.c_str() + 2, nullptr) <= 0;
        }
        if (!refused) return true;
    }
    return false;
}

std::string gzip_compress(std::string_view bytes) {
    std::ostringstream out;
    Poco::DeflatingOutputStream deflate(out, Poco::DeflatingStreamBuf::STREAM_GZIP, 1);
    deflate.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    deflate.close();
    return std::move(out).str();
}

std::string gzip_decompress(std::string_view gzipped, std::size_t max_bytes) {
    Poco::MemoryInputStream in(gzipped.data(), gzipped.size());
    Poco::InflatingInputStream inflate(in, Poco::InflatingStreamBuf::STREAM_GZIP);
    inflate.exceptions(std::ios::badbit);  // zlib's errors come out as exceptions, not a silently short body
    std::string out;
    // The trailer's last four bytes are the size inflated (mod 2^32): made room for once, a page's body is not
    // copied into ever larger buffers as it grows (each a fresh allocation the kernel zeroes).
    if (gzipped.size() >= 18) {
        const auto* tail = reinterpret_cast<const unsigned char*>(gzipped.data() + gzipped.size() - 4);
        std::size_t size = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (static_cast<std::size_t>(tail[3]) << 24);
        // Deflate inflates 1,032 times at most: a trailer claiming more is not believed.
        out.reserve(std::min({size, max_bytes, gzipped.size() * 1032}) + 1);
    }
    char buffer[16384];
    try {
        while (inflate) {
            inflate.read(buffer, sizeof buffer);
            out.append(buffer, static_cast<std::size_t>(inflate.gcount()));
            if (out.size() > max_bytes)
                throw Error(ErrorCode::payload_too_large,
                            Message{"wire.gzip_too_large", {{"max", std::to_string(max_bytes)}}});
        }
    } catch (const Poco::Exception& e) {
        throw Error(ErrorCode::malformed_json, Message{"wire.gzip", {{"detail", e.displayText()}}});
    }
    return out;
}

}  // namespace fieldsync
