// A sync op: one local write a device queues in its outbox and pushes to the server, and its strict JSON form.
// Workflow moves travel as action ops naming a workflow action, never as raw writes of jobs.state.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fieldsync/hlc.hpp"

namespace fieldsync {

enum class OpKind { insert, update, delete_, action };

// "insert", "update", "delete", "action": the names on the wire.
std::string_view to_string(OpKind kind) noexcept;
std::optional<OpKind> op_kind_named(std::string_view name) noexcept;

struct Op {
    std::string op_id;   // UUIDv7, lower case; the server applies each op id at most once
    std::string table;   // one of the synced tables (conflict.hpp)
    std::string row_id;  // UUID of the row, lower case; devices create ids offline
    OpKind kind = OpKind::update;
    std::string action;              // for kind action: a workflow action; empty otherwise
    Poco::JSON::Object::Ptr fields;  // insert/update: the written fields; action: its fields or null; delete: null
    HlcTimestamp timestamp;          // when the device made the write
    std::int64_t base_version = 0;   // the server version of the row the write was made on; 0 if none
};

// Op equality compares fields by their JSON text, so a decoded op equals the op it was encoded from.
bool operator==(const Op& a, const Op& b);

// {"op_id", "table", "row_id", "kind", "action" (action ops only), "fields" (when not null), "hlc" (format_hlc),
// "base_version"}, as described by schemas/sync/op.schema.json.
Poco::JSON::Object::Ptr encode_op(const Op& op);

// Decodes and validates an op: every field's type, op_id and row_id lower-case UUIDs, a synced table, a known
// kind, action ops naming an action of Workflow::builtin() on table jobs, fields matching the kind, a valid
// HLC, base_version >= 0, and no unknown keys. Throws Error(missing_field or invalid_field, message, field);
// path ("ops[3]") is where the op sits in a larger message and prefixes the field.
Op decode_op(const Poco::JSON::Object& json, const std::string& path = {});

// True for a canonical UUID in lower case: one spelling per id, so exactly-once by op id cannot be dodged.
bool is_lower_uuid(std::string_view text);

}  // namespace fieldsync
