// One field table per synced table a device writes: the value rules the API and the server's op applier both check,
// so an op from a tablet can never store what the API refuses. Devices can validate with the same table.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>
#include <vector>

#include "fieldsync/workflow.hpp"

namespace fieldsync {

// Who writes the row: an API call (the office, the portal) or a synced op from a device.
enum class Writer { api, device };

struct EntityField {
    FieldSpec spec;
    bool required = false;     // given on insert, and never cleared with null by an update
    bool updatable = true;     // false: set once by the insert (lww in the conflict rules when true)
    bool from_devices = true;  // false: only an API call writes it (server-authoritative for devices, or no column)
};

struct EntityFields {
    std::string table;
    std::vector<EntityField> fields;
};

// customers, assets, jobs (the fields devices edit), job_notes, attachments.
const std::vector<EntityFields>& entity_tables();
// The table's fields; throws std::invalid_argument for a table without one.
const EntityFields& entity_fields(std::string_view table);

// Specs split as validate_fields takes them.
struct FieldSpecLists {
    std::vector<FieldSpec> required;
    std::vector<FieldSpec> optional;
};
// The fields writer may set when inserting a row: the required ones and the rest.
FieldSpecLists insert_specs(const EntityFields& table, Writer writer);
// The fields writer may change in an existing row, all optional (a required one is checked not to be cleared).
FieldSpecLists update_specs(const EntityFields& table, Writer writer);

// Throws Error(missing_field or invalid_field, message, field) unless obj is a valid insert by writer; `what` names
// the operation in messages ("create a customer").
void validate_insert(const EntityFields& table, Writer writer, const Poco::JSON::Object& obj, std::string_view what);
// The same for an update: every field valid or null, a required field not cleared ("<field> cannot be cleared").
void validate_update(const EntityFields& table, Writer writer, const Poco::JSON::Object& obj, std::string_view what);

}  // namespace fieldsync
