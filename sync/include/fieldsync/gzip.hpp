// gzip for the wire (docs/sync-protocol.md: "gzip when it pays"): pull pages are repetitive JSON that
// shrinks several times over, which matters on a tablet's mobile link; tiny answers are sent as they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fieldsync {

// Bodies smaller than this are not worth the CPU and the gzip header.
inline constexpr std::size_t kGzipMinBytes = 1024;

// Whether an Accept-Encoding header value accepts gzip (a "gzip" or "x-gzip" coding, or "*", without q=0).
bool accepts_gzip(std::string_view accept_encoding);

// The bytes as a gzip member, compressed for speed (level 1): the server compresses every large answer.
std::string gzip_compress(std::string_view bytes);

// The bytes of a gzip stream. Throws Error(payload_too_large, …) once the output passes max_bytes (a small body
// must not expand into gigabytes) and Error(malformed_json, …) for anything that is not gzip.
std::string gzip_decompress(std::string_view gzipped, std::size_t max_bytes);

}  // namespace fieldsync
