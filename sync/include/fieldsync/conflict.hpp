// The synced tables and their per-field conflict rules, stated as data, and the pure merge of an update op
// into a row. The server applies these rules; devices use them to predict what the server will keep.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/op.hpp"

namespace fieldsync {

enum class FieldRule {
    server_authoritative,  // only the server writes it (devices move jobs through workflow action ops)
    lww,                   // last writer wins by HLC, field by field (cr-sqlite column LWW)
    append_only,           // written once when the row is inserted; never updated, so never in conflict
};

// What devices may do to a table's rows. The server itself writes every table.
enum class TableAccess {
    read_write,   // insert and/or update per its op kinds; fields merge by their rules
    append_only,  // insert only: logs, photos, signatures
    read_only,    // devices receive it and never write it: catalogs, server-made records
};

struct ColumnRule {
    std::string name;
    FieldRule rule;
};

struct TableRules {
    std::string name;
    TableAccess access;
    std::vector<OpKind> device_kinds;  // op kinds a device may push for this table
    std::vector<ColumnRule> fields;    // every field a row carries besides id and version
};

// customers, assets, jobs, plans, job_notes, attachments, parts, fault_categories, warranties, visits.
const std::vector<TableRules>& synced_tables();
// The rules of a synced table, or nullptr.
const TableRules* find_table(std::string_view table);
bool is_synced_table(std::string_view table);
// The rule of a field, or nullptr for an unknown table or field.
const FieldRule* find_field_rule(std::string_view table, std::string_view field);
std::string_view to_string(FieldRule rule) noexcept;

// Whether a device may push an op of this kind on this table.
bool op_allowed(std::string_view table, OpKind kind);
// Throws Error(forbidden, ..., "kind") when op_allowed(op.table, op.kind) is false.
void check_op_allowed(const Op& op);

// A field of a row as the server holds it: its value and the HLC of the write that set it.
struct FieldVersion {
    Poco::Dynamic::Var value;
    HlcTimestamp hlc;
};
using RowState = std::map<std::string, FieldVersion>;

// A field the merge kept at its current value because a later write set it.
struct IgnoredField {
    std::string field;
    HlcTimestamp current;  // the HLC of the write that stays
    std::string reason;
};

// A field the op may not write at all: server-authoritative (forbidden), append-only (forbidden), unknown
// (invalid_field).
struct RejectedField {
    std::string field;
    ErrorCode code;
    Message reason;
};

struct MergeResult {
    // New values to write; each field's HLC becomes the op's timestamp.
    std::map<std::string, Poco::Dynamic::Var> applied;
    std::vector<IgnoredField> ignored;
    std::vector<RejectedField> rejected;
};

// Merges an update op into the current row, field by field: an lww field is applied when the op's HLC is
// greater than the field's (a field absent from current has never been written and always loses), ignored
// otherwise — equal HLCs are the same write replayed. Throws Error(forbidden, ..., "kind") if the table takes
// no updates from devices, std::invalid_argument if op is not an update. The server should reject the whole
// op when rejected is not empty, so a device never sees half of its edit kept.
MergeResult merge_update(const RowState& current, const Op& op);

// The fields of an insert op a device may not set (server-authoritative or unknown), for the same
// all-or-nothing decision. Throws like merge_update if the table takes no inserts from devices.
std::vector<RejectedField> check_insert(const Op& op);

}  // namespace fieldsync
