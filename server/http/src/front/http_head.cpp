// Request-head parsing for the front end: the request line, bounded header fields, Content-Length, chunked bodies and
// the connection's keep-alive wish (RFC 9112), refusing what the API never needs (other codings, HTTP/0.9, folding).
#include "http_head.hpp"

#include <algorithm>
#include <cctype>

namespace fieldserver {

// Here rather than with the front end, so the head parser stands alone (its fuzz target links it without the rest).
const std::string& WireRequest::header(const std::string& name) const {
    static const std::string none;
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return none;
}

namespace front {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

// A malformed head: 400 with the catalog message id.
HeadError bad(const std::string& id, const std::string& field = "request") {
    return {400, Error(ErrorCode::invalid_field, fieldsync::Message{id, {}}, field)};
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool is_token(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string::npos;
    });
}

// RFC 9110 field values: no control characters but tab. A bare CR or LF would end the line for another parser (a
// proxy, a log reader) where this one did not: the same bytes read as two different requests.
bool is_field_value(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

// Printable ASCII only: the target is percent-encoded by every client, raw bytes past 0x7e are not HTTP.
bool is_target(std::string_view text) {
    return !text.empty() && text.front() == '/' &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

std::optional<HeadError> parse_request_line(std::string_view line, WireRequest& request) {
    auto first = line.find(' ');
    auto last = line.rfind(' ');
    if (first == std::string_view::npos || first == 0) return bad("http.request_line");
    if (first == last)
        return HeadError{400, Error(ErrorCode::invalid_field, fieldsync::Message{"http.version_09", {}}, "version")};
    request.method = std::string(line.substr(0, first));
    request.target = std::string(line.substr(first + 1, last - first - 1));
    request.version = std::string(line.substr(last + 1));
    if (!is_token(request.method)) return bad("http.method_token");
    if (!is_target(request.target)) return bad("http.target");
    if (request.version.size() != 8 || request.version.rfind("HTTP/", 0) != 0)
        return bad("http.version_missing", "version");
    if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0")
        return HeadError{505, Error(ErrorCode::invalid_field, fieldsync::Message{"http.version", {}}, "version")};
    return std::nullopt;
}

std::optional<HeadError> read_content_length(std::string_view value, std::size_t& content_length, bool& seen) {
    if (value.empty() || value.size() > 18 ||
        !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
        return bad("http.content_length", "content-length");
    std::size_t length = std::stoull(std::string(value));
    if (seen && length != content_length) return bad("http.content_length_twice", "content-length");
    content_length = length;
    seen = true;
    return std::nullopt;
}

}  // namespace

HeadScan scan_head(std::string_view bytes) {
    HeadScan scan;
    auto line_end = bytes.find("\r\n");
    if (line_end == std::string_view::npos) {
        if (bytes.size() > kMaxRequestLine)
            scan.error = HeadError{
                414,
                Error(ErrorCode::payload_too_large,
                      fieldsync::Message{"http.line_too_long", {{"max", std::to_string(kMaxRequestLine)}}}, "uri")};
        return scan;
    }
    if (line_end > kMaxRequestLine) {
        scan.error = HeadError{
            414, Error(ErrorCode::payload_too_large,
                       fieldsync::Message{"http.line_too_long", {{"max", std::to_string(kMaxRequestLine)}}}, "uri")};
        return scan;
    }
    // HTTP/0.9 sends a request line alone and waits for the answer: refuse it now rather than at the deadline.
    auto line = bytes.substr(0, line_end);
    if (line.find(' ') != std::string_view::npos && line.find(' ') == line.rfind(' ')) {
        scan.error =
            HeadError{400, Error(ErrorCode::invalid_field, fieldsync::Message{"http.version_09", {}}, "version")};
        return scan;
    }
    auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (bytes.size() > kMaxHeadBytes)
            scan.error = HeadError{
                431,
                Error(ErrorCode::payload_too_large,
                      fieldsync::Message{"http.head_too_large", {{"max", std::to_string(kMaxHeadBytes)}}}, "headers")};
        return scan;
    }
    if (end + 4 > kMaxHeadBytes) {
        scan.error = HeadError{
            431, Error(ErrorCode::payload_too_large,
                       fieldsync::Message{"http.head_too_large", {{"max", std::to_string(kMaxHeadBytes)}}}, "headers")};
        return scan;
    }
    scan.head_bytes = end + 4;
    return scan;
}

std::optional<HeadError> parse_head(std::string_view head, WireRequest& request, std::size_t& content_length,
                                    bool& chunked) {
    content_length = 0;
    chunked = false;
    auto line_end = head.find("\r\n");
    if (auto error = parse_request_line(head.substr(0, line_end), request)) return error;
    bool length_seen = false;
    std::size_t pos = line_end + 2;
    while (pos < head.size()) {
        auto end = head.find("\r\n", pos);
        auto line = head.substr(pos, end - pos);
        pos = end + 2;
        if (line.empty()) break;
        if (request.headers.size() >= kMaxHeaderFields)
            return HeadError{
                431, Error(ErrorCode::payload_too_large,
                           fieldsync::Message{"http.too_many_headers", {{"max", std::to_string(kMaxHeaderFields)}}},
                           "headers")};
        auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return bad("http.header_line", "headers");
        std::string name = lower(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (!is_field_value(value)) return bad("http.header_control", "headers");
        if (name == "content-length") {
            if (auto error = read_content_length(value, content_length, length_seen)) return error;
        } else if (name == "transfer-encoding") {
            if (lower(value) != "chunked") return bad("http.transfer_coding", "transfer-encoding");
            chunked = true;
        }
        request.headers.emplace_back(std::move(name), std::string(value));
    }
    if (chunked && length_seen) return bad("http.length_and_chunked", "transfer-encoding");
    request.has_body = content_length > 0 || chunked;
    return std::nullopt;
}

std::optional<HeadError> ChunkedBody::take(std::string& in, std::string& body) {
    for (;;) {
        if (state_ == State::data) {
            std::size_t n = std::min(left_, in.size());
            body.append(in, 0, n);
            in.erase(0, n);
            left_ -= n;
            if (left_ > 0) return std::nullopt;
            state_ = State::data_end;
        }
        if (state_ == State::done) return std::nullopt;
        if (state_ == State::data_end) {
            if (in.size() < 2) return std::nullopt;
            if (in.compare(0, 2, "\r\n") != 0) return bad("http.chunk_crlf", "transfer-encoding");
            in.erase(0, 2);
            state_ = State::size;
            continue;
        }
        // The same bound whether the line's end has arrived or not (a final CR may start it), so how the bytes were
        // split cannot change the outcome.
        auto end = in.find("\r\n");
        std::size_t line_bytes = end != std::string::npos ? end : in.size() - (in.empty() || in.back() != '\r' ? 0 : 1);
        if (line_bytes > kMaxChunkLine) return bad("http.chunk_line", "transfer-encoding");
        if (end == std::string::npos) return std::nullopt;
        std::string line = in.substr(0, end);
        in.erase(0, end + 2);
        if (state_ == State::trailer) {
            if (line.empty()) state_ = State::done;  // trailer fields are read and dropped
            continue;
        }
        std::string digits(trim(std::string_view(line).substr(0, line.find(';'))));
        if (digits.empty() || digits.size() > 15 ||
            !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isxdigit(c); }))
            return bad("http.chunk_size", "transfer-encoding");
        left_ = std::stoull(digits, nullptr, 16);
        if (body.size() + left_ > max_bytes_)
            return HeadError{413,
                             Error(ErrorCode::payload_too_large,
                                   fieldsync::Message{"http.body_too_large", {{"max", std::to_string(max_bytes_)}}})};
        state_ = left_ == 0 ? State::trailer : State::data;
    }
}

bool wants_keep_alive(const WireRequest& request) {
    std::string connection = lower(request.header("connection"));
    if (request.version == "HTTP/1.0") return connection.find("keep-alive") != std::string::npos;
    return connection.find("close") == std::string::npos;
}

}  // namespace front
}  // namespace fieldserver
