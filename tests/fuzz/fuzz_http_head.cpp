// Fuzzes the front end's request framing (server/http/src/front/http_head.cpp) as the event loop uses it: scan_head
// over the bytes received, parse_head over a complete head, then a chunked body decoded from the bytes after it.
// Invariants: refusals carry an HTTP status the front end answers and valid UTF-8; a parsed head is what the server
// relies on (a token method, a path target, HTTP/1.0 or 1.1, at most kMaxHeaderFields lower-case names); a chunked
// body decodes to the same bytes, the same refusal and the same leftover whether it arrives at once or in pieces.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "front/http_head.hpp"
#include "fuzz_support.hpp"

using fieldserver::WireRequest;
using fuzzsupport::require;
namespace front = fieldserver::front;

namespace {

constexpr std::size_t kMaxBody = 1 << 16;

void check_refusal(const front::HeadError& refusal) {
    int s = refusal.status;
    require(s == 400 || s == 413 || s == 414 || s == 431 || s == 505, "a refusal with an unexpected status");
    require(fuzzsupport::is_valid_utf8(refusal.error.what()), "a refusal message that is not UTF-8");
    require(fuzzsupport::is_valid_utf8(refusal.error.field()), "a refusal field that is not UTF-8");
}

void check_head(const WireRequest& request, std::size_t content_length, bool chunked) {
    require(!request.method.empty(), "an empty method");
    require(!request.target.empty() && request.target.front() == '/', "a target that is not a path");
    require(request.version == "HTTP/1.1" || request.version == "HTTP/1.0", "a version other than 1.0 and 1.1");
    require(request.headers.size() <= front::kMaxHeaderFields, "more header fields than the limit");
    for (const auto& [name, value] : request.headers) {
        for (unsigned char c : name) require(c < 'A' || c > 'Z', "a header name not in lower case");
        for (unsigned char c : value) require((c >= 0x20 || c == '\t') && c != 0x7f, "a control character in a value");
    }
    require(request.has_body == (content_length > 0 || chunked), "has_body disagrees with the framing");
    (void)front::wants_keep_alive(request);
}

struct Decoded {
    std::optional<int> refused;
    std::string body, rest;
    bool complete = false;
};

// Feeds bytes to a chunked decoder in pieces of the given size (0: all at once), as reads would deliver them.
Decoded decode_chunked(std::string_view bytes, std::size_t piece) {
    front::ChunkedBody chunked(kMaxBody);
    Decoded out;
    std::size_t at = 0;
    do {
        std::size_t n = piece == 0 ? bytes.size() : std::min(piece, bytes.size() - at);
        out.rest.append(bytes.substr(at, n));
        at += n;
        if (auto error = chunked.take(out.rest, out.body)) {
            check_refusal(*error);
            out.refused = error->status;
            return out;
        }
        require(out.body.size() <= kMaxBody, "a chunked body past its limit");
    } while (at < bytes.size());
    out.complete = chunked.complete();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the size of the pieces a chunked body arrives in; the rest is what the client sent.
    std::size_t piece = 1 + data[0] % 17;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto scan = front::scan_head(bytes);
    if (scan.error) {
        check_refusal(*scan.error);
        return 0;
    }
    if (scan.head_bytes == 0) return 0;
    require(scan.head_bytes <= bytes.size() && scan.head_bytes <= front::kMaxHeadBytes, "a head past its bounds");
    auto head = bytes.substr(0, scan.head_bytes);
    require(head.substr(head.size() - 4) == "\r\n\r\n", "a head that does not end in a blank line");
    require(front::scan_head(head).head_bytes == scan.head_bytes, "the head alone scans differently");
    WireRequest request;
    std::size_t content_length = 0;
    bool chunked = false;
    if (auto error = front::parse_head(head, request, content_length, chunked)) {
        check_refusal(*error);
        return 0;
    }
    check_head(request, content_length, chunked);
    if (!chunked) return 0;
    auto body = bytes.substr(scan.head_bytes);
    Decoded whole = decode_chunked(body, 0), pieces = decode_chunked(body, piece);
    require(whole.refused == pieces.refused, "a chunked body refused only when it arrives in pieces (or at once)");
    if (whole.refused) return 0;
    require(whole.complete == pieces.complete, "a chunked body complete only when it arrives at once (or in pieces)");
    require(whole.body == pieces.body, "a chunked body decoded differently in pieces");
    if (whole.complete) require(whole.rest == pieces.rest, "different bytes left after a complete chunked body");
    return 0;
}
