// The sync wire format, protocol 1: push requests and responses, pull responses, encoded to and strictly
// decoded from JSON. schemas/sync/*.schema.json describe the same messages for other implementations.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/op.hpp"

namespace fieldsync {

// Every message carries "protocol": kProtocolVersion; a peer speaking another version is refused, not guessed at.
inline constexpr int kProtocolVersion = 1;

// Bounds a decoder enforces so one message cannot make the other side do unbounded work.
struct WireLimits {
    std::size_t max_ops_per_push = 500;       // ops in a push request, results in a push response
    std::size_t max_changes_per_pull = 1000;  // changes in one pull page
};

struct PushRequest {
    std::string device_id;  // a node id (hlc.hpp)
    std::vector<Op> ops;    // in outbox order; op ids unique within the push

    bool operator==(const PushRequest&) const = default;
};

enum class OpStatus { applied, rejected };

// The error of a rejected op, as in the HTTP error body: a code from the table, a message, the field or empty.
struct WireError {
    ErrorCode code = ErrorCode::internal;
    std::string message;
    std::string field;

    bool operator==(const WireError&) const = default;
};

struct OpResult {
    std::string op_id;
    OpStatus status = OpStatus::applied;
    std::int64_t version = 0;        // applied: the row's new server version (>= 1); 0 when rejected
    std::optional<WireError> error;  // rejected only
    // applied: the fields of an update that a newer edit of the same field kept (last writer wins); the op is
    // applied, those values of it are not. Empty otherwise.
    std::vector<std::string> superseded;

    bool operator==(const OpResult&) const = default;
};

struct PushResponse {
    std::vector<OpResult> results;      // one per pushed op, in push order
    std::int64_t write_checkpoint = 0;  // the change-log seq that includes every applied op of this push

    bool operator==(const PushResponse&) const = default;
};

enum class ChangeOp { put, remove };

struct Change {
    std::int64_t seq = 0;  // position in the server's change log, strictly increasing within a response
    std::string bucket;    // a bucket name (bucket.hpp) that carries table
    std::string table;
    std::string row_id;
    std::int64_t version = 0;     // the row's server version (>= 1)
    ChangeOp op = ChangeOp::put;  // remove: the row left the bucket (deleted, reassigned, retention)
    Poco::JSON::Object::Ptr row;  // put: the whole row; remove: null
    // put, sending side: the row as JSON text already at hand (the server's change log stores it), used when row is
    // null so a page is streamed without parsing and re-serialising every row. Decoders leave it empty.
    std::string row_text;
};

// Compares row (or row_text) by JSON text, so a decoded change equals the change it was encoded from.
bool operator==(const Change& a, const Change& b);

// The state a device reaches after applying everything up to seq: one checksum per bucket it subscribes to.
struct Checkpoint {
    std::int64_t seq = 0;
    std::map<std::string, std::uint64_t> buckets;  // bucket name -> checksum.hpp sum

    bool operator==(const Checkpoint&) const = default;
};

struct PullResponse {
    std::vector<Change> changes;
    std::int64_t cursor = 0;  // the seq to pull after next time; >= the seq of every change here
    bool has_more = false;    // another page follows; pull again before applying the checkpoint
    // Present exactly on the last page (has_more false) of a pull that is not a reset.
    std::optional<Checkpoint> checkpoint;
    std::int64_t write_checkpoint = 0;  // the device's latest write checkpoint this data includes
    // The cursor is older than the server's retained log: push the outbox, then re-bootstrap from cursor 0.
    // A reset response carries no changes and no checkpoint.
    bool reset_required = false;

    bool operator==(const PullResponse&) const = default;
};

std::string_view to_string(OpStatus status) noexcept;
std::string_view to_string(ChangeOp op) noexcept;
// The code whose to_string is name, if any.
std::optional<ErrorCode> error_code_named(std::string_view name) noexcept;

Poco::JSON::Object::Ptr encode(const PushRequest& request);
Poco::JSON::Object::Ptr encode(const PushResponse& response);
Poco::JSON::Object::Ptr encode(const PullResponse& response);
// The same message as compact JSON text, written directly: each change's row_text goes out verbatim.
std::string encode_text(const PullResponse& response);

// Strict decoders: the protocol version first (missing_field or invalid_field "protocol", naming the version this
// side speaks), then every field's type and invariants, unknown keys rejected; too many ops or changes is
// payload_too_large. Errors name the field by path, e.g. "ops[2].hlc".
PushRequest decode_push_request(const Poco::JSON::Object& json, const WireLimits& limits = {});
PushResponse decode_push_response(const Poco::JSON::Object& json, const WireLimits& limits = {});
PullResponse decode_pull_response(const Poco::JSON::Object& json, const WireLimits& limits = {});
// The same from the body's text, with the same checks and errors (malformed_json for text that is not one JSON
// object), but each put's row is validated and kept as its text in row_text (row stays null), so a device can
// store a page without building an object per row.
PullResponse decode_pull_response_text(std::string_view body, const WireLimits& limits = {});

// Parses a message body; throws Error(malformed_json) unless it is one JSON object.
Poco::JSON::Object::Ptr parse_json_object(const std::string& text);
// Compact JSON text of a message, UTF-8 left unescaped.
std::string to_json_text(const Poco::JSON::Object::Ptr& object);

}  // namespace fieldsync
