// The field tables of the synced tables devices write, and the insert and update checks built on validate_fields.
#include "fieldsync/entity_fields.hpp"

#include <algorithm>
#include <stdexcept>

#include "fieldsync/error.hpp"

namespace fieldsync {
namespace {

using enum FieldType;

EntityField required(FieldSpec spec) { return {std::move(spec), true, true, true}; }
EntityField optional(FieldSpec spec) { return {std::move(spec), false, true, true}; }
// Written by the insert that creates the row (append-only in the conflict rules).
EntityField once(FieldSpec spec, bool is_required) { return {std::move(spec), is_required, false, true}; }
// Set through the API only; a device never writes it.
EntityField office(FieldSpec spec) { return {std::move(spec), false, true, false}; }

// Lengths count characters (UTF-8 code points), as validate_fields does.
const std::vector<EntityFields> kTables = {
    {"customers",
     {required({.name = "name", .type = string, .max_length = 200}),
      required({.name = "phone", .type = string, .max_length = 50}),
      optional({.name = "email", .type = string, .max_length = 200}),
      optional({.name = "address", .type = string, .max_length = 500}),
      optional({.name = "notes", .type = string, .max_length = 5000}),
      // The map position {lat, lng}, stored as lat and lng: the dispatcher's.
      office({.name = "location", .type = object})}},
    {"assets",
     {once({.name = "customer_id", .type = string, .max_length = 64}, true),
      required({.name = "model", .type = string, .max_length = 200}),
      required({.name = "serial_no", .type = string, .max_length = 100}),
      optional({.name = "purchase_date", .type = date}),
      // It decides who pays for a repair, so only the office sets it.
      office({.name = "warranty_until", .type = date})}},
    // What a technician notes about the site of a job; the rest of a job moves only through workflow actions. No API
    // call writes these, so they keep the devices' general text limit.
    {"jobs",
     {optional({.name = "notes", .type = string, .max_length = 5000}),
      optional({.name = "site_contact", .type = string, .max_length = 5000}),
      optional({.name = "site_phone", .type = string, .max_length = 5000}),
      optional({.name = "site_address", .type = string, .max_length = 5000}),
      optional({.name = "access_notes", .type = string, .max_length = 5000})}},
    {"job_notes",
     {once({.name = "job_id", .type = string, .max_length = 64}, true),
      once({.name = "kind", .type = string, .allowed = {"note", "work_log", "parts_used", "time_log"}}, false),
      once({.name = "body", .type = string, .max_length = 10000}, true)}},
    {"attachments",
     {once({.name = "job_id", .type = string, .max_length = 64}, true),
      once({.name = "kind", .type = string, .allowed = {"photo", "signature", "document"}}, true),
      once({.name = "sha256", .type = string, .max_length = 64}, true),
      once({.name = "content_type", .type = string, .max_length = 100}, true),
      once({.name = "size_bytes", .type = integer, .min = 0, .max = 100.0 * 1024 * 1024}, true),
      once({.name = "file_name", .type = string, .max_length = 255}, false),
      once({.name = "caption", .type = string, .max_length = 2000}, false)}},
};

bool writes(const EntityField& field, Writer writer) { return writer == Writer::api || field.from_devices; }

}  // namespace

const std::vector<EntityFields>& entity_tables() { return kTables; }

const EntityFields& entity_fields(std::string_view table) {
    auto it = std::find_if(kTables.begin(), kTables.end(), [&](const EntityFields& t) { return t.table == table; });
    if (it == kTables.end()) throw std::invalid_argument("no field table for " + std::string(table));
    return *it;
}

FieldSpecLists insert_specs(const EntityFields& table, Writer writer) {
    FieldSpecLists out;
    for (const auto& f : table.fields)
        if (writes(f, writer)) (f.required ? out.required : out.optional).push_back(f.spec);
    return out;
}

FieldSpecLists update_specs(const EntityFields& table, Writer writer) {
    FieldSpecLists out;
    for (const auto& f : table.fields)
        if (writes(f, writer) && f.updatable) out.optional.push_back(f.spec);
    return out;
}

void validate_insert(const EntityFields& table, Writer writer, const Poco::JSON::Object& obj, std::string_view what) {
    auto specs = insert_specs(table, writer);
    validate_fields(specs.required, specs.optional, obj, what);
}

void validate_update(const EntityFields& table, Writer writer, const Poco::JSON::Object& obj, std::string_view what) {
    auto specs = update_specs(table, writer);
    validate_fields(specs.required, specs.optional, obj, what);
    for (const auto& f : table.fields)
        if (f.required && obj.has(f.spec.name) && obj.isNull(f.spec.name))
            throw Error(ErrorCode::invalid_field, Message{"field.cannot_clear", {{"field", f.spec.name}}}, f.spec.name);
}

}  // namespace fieldsync
