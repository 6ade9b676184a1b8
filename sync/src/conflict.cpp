// The table of synced tables and field rules, and the field-by-field merge that applies it.
#include "fieldsync/conflict.hpp"

#include <algorithm>
#include <stdexcept>

namespace fieldsync {
namespace {

using enum FieldRule;

// Rows of the read-only tables: every field is the server's.
std::vector<ColumnRule> server_fields(std::initializer_list<const char*> names) {
    std::vector<ColumnRule> out;
    for (const char* name : names) out.push_back({name, server_authoritative});
    return out;
}

// Ids that link a row into a bucket (customer_id, asset_id, job_id, assignee_id) are server-authoritative or
// append-only (set by the insert that creates the row), so a device cannot move a row out of the server's sight;
// author and time columns come from the token and the server's clock. Field names are the row's keys as the
// server stores and sends them (schemas/migrations/server). Kept out of clang-format, which would put every field on a
// line of its own.
// clang-format off
const std::vector<TableRules> kTables = {
    // Coordinates come from the dispatcher's map and are set by the server.
    {"customers", TableAccess::read_write, {OpKind::insert, OpKind::update},
     {{"name", lww}, {"phone", lww}, {"email", lww}, {"address", lww}, {"notes", lww},
      {"lat", server_authoritative}, {"lng", server_authoritative}, {"created_at", server_authoritative},
      {"updated_at", server_authoritative}}},
    // customer_id is written once, at insert; warranty_until decides who pays, so only the office sets it.
    {"assets", TableAccess::read_write, {OpKind::insert, OpKind::update},
     {{"customer_id", append_only}, {"model", lww}, {"serial_no", lww}, {"purchase_date", lww},
      {"warranty_until", server_authoritative}, {"created_at", server_authoritative},
      {"updated_at", server_authoritative}}},
    // Jobs are created by the server (it issues ticket numbers) and change state only through action ops.
    {"jobs", TableAccess::read_write, {OpKind::update, OpKind::action},
     [] {
         auto fields = server_fields({"ticket_no", "customer_id", "asset_id", "description", "channel", "priority",
                                      "category", "state", "previous_state", "assignee_id", "mode", "plan_version",
                                      "approved_plan_version", "is_warranty_repair", "linked_job_id",
                                      "rework_count", "schedule", "repair", "close_reason", "reported_by",
                                      "created_at", "updated_at"});
         for (const char* name : {"notes", "site_contact", "site_phone", "site_address", "access_notes"})
             fields.push_back({name, lww});
         return fields;
     }()},
    // Plan versions are written by the server when it applies submit_assessment; an approval names one.
    {"plans", TableAccess::read_only, {},
     server_fields({"job_id", "plan_version", "findings", "fault_category", "is_warranty_covered",
                    "is_customer_caused", "mode", "items", "total_cents", "cost_to_customer_cents", "currency",
                    "status", "created_by", "created_at", "decided_by", "decided_at"})},
    {"job_notes", TableAccess::append_only, {OpKind::insert},
     {{"job_id", append_only}, {"kind", append_only}, {"body", append_only}, {"author_id", server_authoritative},
      {"created_at", server_authoritative}}},
    // Metadata of photos, documents and signature images; the bytes are content-addressed by sha256.
    {"attachments", TableAccess::append_only, {OpKind::insert},
     {{"job_id", append_only}, {"kind", append_only}, {"sha256", append_only}, {"content_type", append_only},
      {"size_bytes", append_only}, {"file_name", append_only}, {"caption", append_only},
      {"author_id", server_authoritative}, {"created_at", server_authoritative}}},
    {"parts", TableAccess::read_only, {},
     server_fields({"sku", "name", "unit", "unit_price_cents", "currency", "is_active", "created_at"})},
    {"fault_categories", TableAccess::read_only, {},
     server_fields({"code", "name", "parent_id", "is_active", "created_at"})},
    {"warranties", TableAccess::read_only, {},
     server_fields({"asset_id", "job_id", "covers", "starts_on", "ends_on", "created_at"})},
    // Booked visits (and the ones a reschedule replaced): the dispatcher's to change.
    {"visits", TableAccess::read_only, {},
     server_fields({"job_id", "technician_id", "kind", "starts_at", "ends_at", "status", "created_by",
                    "created_at"})},
    // Messages between the customer and the staff on a job (customer care): the technician reads them on site.
    {"job_messages", TableAccess::read_only, {},
     server_fields({"job_id", "author_role", "author_name", "body", "created_at"})},
};
// clang-format on

const TableRules& allowed_table(const Op& op) {
    check_op_allowed(op);
    return *find_table(op.table);
}

RejectedField reject(const std::string& field, const FieldRule* rule, const std::string& table) {
    if (!rule) return {field, ErrorCode::invalid_field, {"sync.not_a_field", {{"field", field}, {"table", table}}}};
    if (*rule == append_only)
        return {field, ErrorCode::forbidden, {"sync.append_only", {{"field", field}, {"table", table}}}};
    if (table == "jobs") return {field, ErrorCode::forbidden, {"sync.server_field.jobs", {{"field", field}}}};
    return {field, ErrorCode::forbidden, {"sync.server_field", {{"field", field}, {"table", table}}}};
}

}  // namespace

const std::vector<TableRules>& synced_tables() { return kTables; }

const TableRules* find_table(std::string_view table) {
    auto it = std::find_if(kTables.begin(), kTables.end(), [&](const TableRules& t) { return t.name == table; });
    return it == kTables.end() ? nullptr : &*it;
}

bool is_synced_table(std::string_view table) { return find_table(table) != nullptr; }

const FieldRule* find_field_rule(std::string_view table, std::string_view field) {
    const TableRules* t = find_table(table);
    if (!t) return nullptr;
    auto it = std::find_if(t->fields.begin(), t->fields.end(), [&](const ColumnRule& c) { return c.name == field; });
    return it == t->fields.end() ? nullptr : &it->rule;
}

std::string_view to_string(FieldRule rule) noexcept {
    switch (rule) {
        case FieldRule::server_authoritative:
            return "server_authoritative";
        case FieldRule::lww:
            return "lww";
        case FieldRule::append_only:
            return "append_only";
    }
    return "server_authoritative";
}

bool op_allowed(std::string_view table, OpKind kind) {
    const TableRules* t = find_table(table);
    return t && std::find(t->device_kinds.begin(), t->device_kinds.end(), kind) != t->device_kinds.end();
}

void check_op_allowed(const Op& op) {
    if (op_allowed(op.table, op.kind)) return;
    const TableRules* t = find_table(op.table);
    Message why =
        !t                                    ? Message{"sync.not_synced", {{"table", op.table}}}
        : t->access == TableAccess::read_only ? Message{"sync.read_only", {{"table", op.table}}}
        : t->access == TableAccess::append_only
            ? Message{"sync.insert_only", {{"table", op.table}}}
            : Message{"sync.kind_forbidden", {{"kind", std::string(to_string(op.kind))}, {"table", op.table}}};
    throw Error(ErrorCode::forbidden, why, "kind");
}

MergeResult merge_update(const RowState& current, const Op& op) {
    if (op.kind != OpKind::update) throw std::invalid_argument("merge_update: not an update op");
    const TableRules& table = allowed_table(op);
    MergeResult result;
    if (!op.fields) return result;
    for (const auto& [name, value] : *op.fields) {
        const FieldRule* rule = find_field_rule(table.name, name);
        if (!rule || *rule != FieldRule::lww) {
            result.rejected.push_back(reject(name, rule, table.name));
            continue;
        }
        auto it = current.find(name);
        if (it == current.end() || op.timestamp > it->second.hlc) {
            result.applied[name] = value;
        } else if (op.timestamp == it->second.hlc) {
            result.ignored.push_back({name, it->second.hlc, "this write was already applied"});
        } else {
            result.ignored.push_back(
                {name, it->second.hlc, "a later write (" + format_hlc(it->second.hlc) + ") already set " + name});
        }
    }
    return result;
}

std::vector<RejectedField> check_insert(const Op& op) {
    if (op.kind != OpKind::insert) throw std::invalid_argument("check_insert: not an insert op");
    const TableRules& table = allowed_table(op);
    std::vector<RejectedField> rejected;
    if (!op.fields) return rejected;
    for (const auto& [name, value] : *op.fields) {
        const FieldRule* rule = find_field_rule(table.name, name);
        if (!rule || *rule == FieldRule::server_authoritative) rejected.push_back(reject(name, rule, table.name));
    }
    return rejected;
}

}  // namespace fieldsync
