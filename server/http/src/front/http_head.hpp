// Parsing a request head (request line and header fields) with bounds, for the front end; every refusal is a
// status and an error the front end answers in the API's JSON shape.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "fieldserver/http/front_end.hpp"

namespace fieldserver::front {

constexpr std::size_t kMaxRequestLine = 8 * 1024;
constexpr std::size_t kMaxHeadBytes = 32 * 1024;
constexpr std::size_t kMaxHeaderFields = 100;
constexpr std::size_t kMaxChunkLine = 4096;  // a chunk-size line with its extensions, or a trailer line

// A head refused: the status to answer and the error to show.
struct HeadError {
    int status;
    fieldsync::Error error;
};

// What the buffer holds so far.
struct HeadScan {
    std::size_t head_bytes = 0;  // bytes of the head including its blank line; 0: not complete yet
    std::optional<HeadError> error;
};

// Looks for the end of the head in what arrived (bytes); refuses a request line or head past the bounds, and the
// head of HTTP/0.9 (a request line without a version), as soon as that is known.
HeadScan scan_head(std::string_view bytes);

// Parses a complete head into request (method, target, version, headers). content_length is set from
// Content-Length, chunked from "Transfer-Encoding: chunked"; another transfer coding, both framings at once, a
// malformed line or a version other than HTTP/1.0 and 1.1 is refused.
std::optional<HeadError> parse_head(std::string_view head, WireRequest& request, std::size_t& content_length,
                                    bool& chunked);

// A chunked body being decoded: feed it what arrived; it takes what it can from the front of bytes.
class ChunkedBody {
  public:
    explicit ChunkedBody(std::size_t max_bytes) : max_bytes_(max_bytes) {}
    // Moves decoded bytes from in to body; a framing error or a body past max_bytes is refused.
    std::optional<HeadError> take(std::string& in, std::string& body);
    bool complete() const { return state_ == State::done; }

  private:
    enum class State { size, data, data_end, trailer, done };
    std::size_t max_bytes_;
    State state_ = State::size;
    std::size_t left_ = 0;
};

// Whether the connection stays open after the answer: HTTP/1.1 unless "Connection: close", HTTP/1.0 only with
// "Connection: keep-alive".
bool wants_keep_alive(const WireRequest& request);

}  // namespace fieldserver::front
