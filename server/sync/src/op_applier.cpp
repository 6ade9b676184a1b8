// Synced inserts, updates and actions: visibility by bucket, field rules, value checks, the write and its
// change-log entry, all in the caller's transaction.
#include "fieldserver/sync/op_applier.hpp"

#include <Poco/JSON/Object.h>

#include <regex>

#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/notes/note_service.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/bucket.hpp"
#include "fieldsync/conflict.hpp"
#include "fieldsync/entity_fields.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;
using fieldsync::Op;
using fieldsync::OpKind;
using fieldsync::Writer;

namespace {

void check_serial_free(Db& db, const std::string& serial, const std::string& asset_id) {
    if (db.scalar("SELECT COUNT(*) FROM assets WHERE serial_no = ? AND id <> ?", {serial, asset_id}) > 0)
        throw Error(ErrorCode::conflict, Message{"conflict.serial_taken", {{"serial", serial}}}, "serial_no");
}

std::string own_bucket(const Actor& actor) { return fieldsync::technician_bucket(actor.id); }

// Offline work on a job that has left the technician, worded for the dispatcher who reads the conflict record.
// An id that never existed gets the same answer, so ids cannot be probed.
Error job_left_device(const std::string& job_id, const std::string& field) {
    return Error(ErrorCode::not_found, Message{"sync.job_left_device", {{"id", job_id}}}, field);
}

// The row must be on the device: a technician writes only what their bucket holds.
void check_in_bucket(Db& db, const Actor& actor, const std::string& table, const std::string& row_id,
                     const std::string& field) {
    if (bucket_holds(db, own_bucket(actor), table, row_id)) return;
    if (table == "jobs") throw job_left_device(row_id, field);
    throw Error(ErrorCode::not_found, Message{"sync.row_not_on_device", {{"table", table}, {"id", row_id}}}, field);
}

Poco::JSON::Object::Ptr fields_of(const Op& op) { return op.fields ? op.fields : new Poco::JSON::Object; }

std::int64_t apply_update(Db& db, const Actor& actor, const Op& op, std::vector<std::string>& superseded) {
    const std::string& table = fieldsync::find_table(op.table)->name;
    auto row = load_synced_row(db, table, op.row_id);
    if (!row)
        throw Error(ErrorCode::not_found, Message{"sync.no_row", {{"table", table}, {"id", op.row_id}}}, "row_id");
    check_in_bucket(db, actor, table, op.row_id, "row_id");
    auto merge = fieldsync::merge_update(row_state(db, table, op.row_id, row), op);
    if (!merge.rejected.empty()) {
        const auto& r = merge.rejected.front();
        throw Error(r.code, r.reason, r.field);
    }
    // A replay of this very write (equal HLC) is not a loss; an older HLC is.
    for (const auto& ignored : merge.ignored)
        if (ignored.current != op.timestamp) superseded.push_back(ignored.field);
    auto fields = fields_of(op);
    fieldsync::validate_update(fieldsync::entity_fields(table), Writer::device, *fields, "update " + table);
    FieldStamp stamp{op.timestamp, {}};
    if (!merge.applied.empty()) {
        Poco::JSON::Object::Ptr before = new Poco::JSON::Object, after = new Poco::JSON::Object;
        for (const auto& [field, value] : merge.applied) {
            // The column name comes from the rules table, never from the op.
            const std::string& column =
                std::find_if(fieldsync::find_table(table)->fields.begin(), fieldsync::find_table(table)->fields.end(),
                             [&](const fieldsync::ColumnRule& c) { return c.name == field; })
                    ->name;
            if (column == "serial_no") check_serial_free(db, value.extract<std::string>(), op.row_id);
            db.execute("UPDATE " + table + " SET " + column + " = ? WHERE id = ?",
                       {optional_text(fields, column), op.row_id});
            before->set(column, row->get(column));
            after->set(column, value);
            stamp.fields.insert(column);
        }
        db.execute("UPDATE " + table + " SET updated_at = ?, version = version + 1 WHERE id = ?",
                   {fieldsync::format_utc(fieldsync::now_ms()), op.row_id});
        if (table == "jobs") append_event(db, op.row_id, actor, "edit", before, after);
    }
    return record_change(db, table, op.row_id, &stamp);
}

void insert_customer(Db& db, const Op& op, const std::string& now) {
    auto f = fields_of(op);
    fieldsync::validate_insert(fieldsync::entity_fields("customers"), Writer::device, *f, "create a customer");
    db.execute(
        "INSERT INTO customers (id, name, phone, email, address, notes, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
        {op.row_id, text(f, "name"), text(f, "phone"), optional_text(f, "email"), optional_text(f, "address"),
         optional_text(f, "notes"), now, now});
}

void insert_asset(Db& db, const Actor& actor, const Op& op, const std::string& now) {
    auto f = fields_of(op);
    fieldsync::validate_insert(fieldsync::entity_fields("assets"), Writer::device, *f, "create an asset");
    check_in_bucket(db, actor, "customers", text(f, "customer_id"), "customer_id");
    check_serial_free(db, text(f, "serial_no"), op.row_id);
    db.execute(
        "INSERT INTO assets (id, customer_id, model, serial_no, purchase_date, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
        {op.row_id, text(f, "customer_id"), text(f, "model"), text(f, "serial_no"), optional_text(f, "purchase_date"),
         now, now});
}

void insert_attachment(Db& db, const Actor& actor, const Op& op, const std::string& now) {
    auto f = fields_of(op);
    fieldsync::validate_insert(fieldsync::entity_fields("attachments"), Writer::device, *f, "add an attachment");
    std::string sha = text(f, "sha256");
    if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw Error(ErrorCode::invalid_field, Message{"attachment.sha256", {}}, "sha256");
    // The type is sent back as the Content-Type of the bytes, so it must be a plain media type.
    static const std::regex media_type("[a-z]+/[a-z0-9.+-]+");
    if (!std::regex_match(text(f, "content_type"), media_type))
        throw Error(ErrorCode::invalid_field, Message{"attachment.content_type", {}}, "content_type");
    check_in_bucket(db, actor, "jobs", text(f, "job_id"), "job_id");
    db.execute(
        "INSERT INTO attachments (id, job_id, kind, sha256, content_type, size_bytes, file_name, caption, author_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {op.row_id, text(f, "job_id"), text(f, "kind"), sha, text(f, "content_type"), integer(f, "size_bytes"),
         text_or_null(text(f, "file_name")), text_or_null(text(f, "caption")), text_or_null(actor.id), now});
}

std::int64_t apply_insert(Db& db, const Actor& actor, const Op& op) {
    const std::string& table = fieldsync::find_table(op.table)->name;
    auto rejected = fieldsync::check_insert(op);
    if (!rejected.empty()) throw Error(rejected.front().code, rejected.front().reason, rejected.front().field);
    if (load_synced_row(db, table, op.row_id))
        throw Error(ErrorCode::conflict, Message{"sync.row_exists", {{"table", table}, {"id", op.row_id}}}, "row_id");
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    auto fields = fields_of(op);
    if (table == "customers") {
        insert_customer(db, op, now);
    } else if (table == "assets") {
        insert_asset(db, actor, op, now);
    } else if (table == "job_notes") {
        // Only an assigned job takes notes from its technician's device.
        check_in_bucket(db, actor, "jobs", text(fields, "job_id"), "job_id");
        NoteService::insert(db, actor, op.row_id, fields, Writer::device);
    } else {
        insert_attachment(db, actor, op, now);
    }
    FieldStamp stamp{op.timestamp, {}};
    for (const auto& [field, value] : *fields) stamp.fields.insert(field);
    return record_change(db, table, op.row_id, &stamp);
}

}  // namespace

std::int64_t apply_op(Db& db, const Actor& actor, const Op& op, JobService& jobs,
                      std::vector<std::string>& superseded) {
    fieldsync::check_op_allowed(op);
    // The device's clock is trusted only within the tolerance; past it, its writes would win every field.
    fieldsync::check_skew(op.timestamp, fieldsync::now_ms());
    server_clock().receive(op.timestamp);
    switch (op.kind) {
        case OpKind::insert:
            return apply_insert(db, actor, op);
        case OpKind::update:
            return apply_update(db, actor, op, superseded);
        case OpKind::action:
            // A job assigned to someone else is refused here with the reason; one still assigned but closed or
            // cancelled goes on, so the workflow names the transition it refuses.
            if (db.scalar("SELECT COUNT(*) FROM jobs WHERE id = ? AND assignee_id = ?", {op.row_id, actor.id}) == 0)
                throw job_left_device(op.row_id, "row_id");
            // JobService validates the transition, the role and the fields as for any API call.
            jobs.act_in(db, actor, op.row_id, op.action, fields_of(op));
            return row_version(db, "jobs", op.row_id);
        case OpKind::delete_:
            break;
    }
    throw Error(ErrorCode::forbidden, Message{"sync.kind_forbidden", {{"kind", "delete"}, {"table", op.table}}},
                "kind");
}

}  // namespace fieldserver
