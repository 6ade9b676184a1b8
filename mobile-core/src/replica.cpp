// The device replica: local writes as ops, rows rebuilt as server state plus pending ops, pull pages and
// checkpoints applied in single transactions.
#include "fieldmobile/replica.hpp"

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>

#include <array>
#include <fstream>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "fieldsync/action_checks.hpp"
#include "fieldsync/bucket.hpp"
#include "fieldsync/checksum.hpp"
#include "fieldsync/conflict.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/json_scan.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"
#include "sqlite.hpp"

namespace fieldmobile {

const std::vector<std::pair<std::string_view, std::string_view>>& device_migrations();

namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Op;
using fieldsync::OpKind;
using Poco::JSON::Object;

Object::Ptr parse_object(const std::string& text) { return fieldsync::parse_json_object(text); }

std::string json_text(const Object::Ptr& object) { return fieldsync::to_json_text(object); }

// A string field, or empty when absent or null.
std::string str(const Object::Ptr& object, const std::string& key) {
    if (!object || !object->has(key) || object->isNull(key)) return {};
    return object->get(key).convert<std::string>();
}

std::string now_text() { return fieldsync::format_utc(fieldsync::now_ms()); }

Op decode_stored_op(const std::string& text) { return fieldsync::decode_op(*parse_object(text)); }

// The optimistic effect of a workflow action on the visible job: the state the workflow says it moves to. A move
// the workflow no longer allows from the current server state changes nothing; the server will reject the op.
void replay_action(Object::Ptr& row, const Op& op, const std::string& role) {
    const auto& workflow = fieldsync::Workflow::builtin();
    fieldsync::JobPosition position{str(row, "state"), str(row, "previous_state"), str(row, "mode")};
    std::string target;
    try {
        target = workflow.target(workflow.resolve(op.action, position, role), position);
    } catch (const Error&) {
        return;
    }
    if (target == "on_hold") row->set("previous_state", position.state);
    if (position.state == "on_hold" && target != "on_hold") row->set("previous_state", Poco::Dynamic::Var());
    row->set("state", target);
    // What the acceptance summary shows (job_summary.cpp) must be there offline too: the server records the
    // repair's fields on the job when it applies complete_repair.
    if (op.action == "complete_repair" && op.fields) {
        Object::Ptr repair = row->getObject("repair") ? row->getObject("repair") : Object::Ptr(new Object);
        for (const auto& [k, v] : *op.fields) repair->set(k, v);
        row->set("repair", repair);
    }
    if (op.action == "submit_assessment" && op.fields) {
        if (auto plan = op.fields->getObject("plan"); plan && plan->has("mode")) row->set("mode", str(plan, "mode"));
    }
}

// The device's own version of a row (0021_visible_overlay.sql): the server's row with pending ops replayed.
constexpr const char* kShowRowSql =
    "INSERT INTO local_rows (tbl, row_id, row_json, server_version, pending_ops, state, assignee_id, ticket_no, "
    "job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, row_id) DO UPDATE SET row_json = "
    "excluded.row_json, server_version = excluded.server_version, pending_ops = excluded.pending_ops, state = "
    "excluded.state, assignee_id = excluded.assignee_id, ticket_no = excluded.ticket_no, job_id = excluded.job_id";

// A server row the device's ops deleted: hidden until the ops are settled.
constexpr const char* kHideRowSql =
    "INSERT INTO local_rows (tbl, row_id, row_json, server_version, pending_ops) VALUES (?, ?, NULL, ?, ?) ON "
    "CONFLICT (tbl, row_id) DO UPDATE SET row_json = NULL, server_version = excluded.server_version, pending_ops = "
    "excluded.pending_ops, state = NULL, assignee_id = NULL, ticket_no = NULL, job_id = NULL";

// The row's entry checksum goes with it; the triggers of 0020_bucket_checksums.sql fold it into its bucket's sum.
// With it the columns screens filter by, read from the row as sent.
constexpr const char* kPutServerRowSql =
    "INSERT INTO server_rows (tbl, row_id, bucket, version, row_json, is_stale, checksum, state, assignee_id, "
    "ticket_no, job_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT (tbl, row_id) DO UPDATE SET bucket = "
    "excluded.bucket, version = excluded.version, row_json = excluded.row_json, is_stale = 0, checksum = "
    "excluded.checksum, state = excluded.state, assignee_id = excluded.assignee_id, ticket_no = excluded.ticket_no, "
    "job_id = excluded.job_id";

// The migration that gave server rows their entry checksums: rows written before it get theirs when it runs.
constexpr std::string_view kChecksumMigration = "0020_bucket_checksums.sql";

// An entry checksum as SQLite stores it: the same 64 bits, read as a signed integer.
std::int64_t stored_checksum(std::string_view table, std::string_view row_id, std::int64_t version) {
    return static_cast<std::int64_t>(fieldsync::entry_checksum(table, row_id, version));
}

// Binds the indexed columns from index on, NULL for empty.
void bind_columns(sqlite::Statement& s, int index, const IndexedColumns& columns) {
    for (const std::string* column : {&columns.state, &columns.assignee_id, &columns.ticket_no, &columns.job_id}) {
        if (column->empty())
            s.bind_null(index++);
        else
            s.bind_text(index++, *column);
    }
}

// Runs kShowRowSql on s, binding the values by reference (no copies of the row text).
void write_local_row(sqlite::Statement& s, std::string_view table, std::string_view row_id, std::string_view text,
                     std::int64_t server_version, std::int64_t pending, const IndexedColumns& columns) {
    s.bind_text(1, table);
    s.bind_text(2, row_id);
    s.bind_text(3, text);
    s.bind_integer(4, server_version);
    s.bind_integer(5, pending);
    bind_columns(s, 6, columns);
    s.step();
    s.reset();
}

// Runs kPutServerRowSql on s for a put whose row is text, the same way; a page prepares s once.
void write_server_row(sqlite::Statement& s, const fieldsync::Change& change, std::string_view text,
                      const IndexedColumns& columns) {
    s.bind_text(1, change.table);
    s.bind_text(2, change.row_id);
    s.bind_text(3, change.bucket);
    s.bind_integer(4, change.version);
    s.bind_text(5, text);
    s.bind_integer(6, stored_checksum(change.table, change.row_id, change.version));
    bind_columns(s, 7, columns);
    s.step();
    s.reset();
}

// The columns of visible_rows that are read from the row, so the app can query jobs without parsing rows.
IndexedColumns indexed_columns(const std::string& table, const Object::Ptr& row) {
    bool job = table == "jobs";
    return {job ? str(row, "state") : "", job ? str(row, "assignee_id") : "", job ? str(row, "ticket_no") : "",
            str(row, "job_id")};
}

// The indexed columns of a put as the server sent it, and whether the row has an id (without one the device shows it
// rebuilt, which adds the id). A row kept as text is scanned for just these members.
std::pair<IndexedColumns, bool> sent_columns(const fieldsync::Change& change) {
    if (change.row) return {indexed_columns(change.table, change.row), change.row->has("id")};
    static const std::vector<std::string_view> keys{"id", "state", "assignee_id", "ticket_no", "job_id"};
    auto members = fieldsync::scan_members(change.row_text, keys);
    if (!members) {
        auto row = parse_object(change.row_text);
        return {indexed_columns(change.table, row), row->has("id")};
    }
    bool job = change.table == "jobs";
    auto value = [&](std::size_t i, bool wanted) { return wanted ? (*members)[i].value_or("") : std::string(); };
    return {IndexedColumns{value(1, job), value(2, job), value(3, job), value(4, true)}, (*members)[0].has_value()};
}

// The bucket sums from the rows' stored checksums, whatever bucket_checksums held.
void sum_buckets(sqlite::Connection& db) {
    db.run("DELETE FROM bucket_checksums");
    db.run(
        "INSERT INTO bucket_checksums (bucket, high, low) SELECT bucket, sum((checksum >> 32) & 4294967295), "
        "sum(checksum & 4294967295) FROM server_rows GROUP BY bucket");
}

// A bootstrap into an empty replica writes its rows without upkeep: the indexes and checksum triggers of
// server_rows are dropped for it (their SQL kept in sync_state under "deferred:<name>") and made again once at its
// end, which costs less than keeping them row by row. Queries stay correct meanwhile, only slower.
void defer_row_upkeep(sqlite::Connection& db) {
    auto& s = db.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'server_rows' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL");
    std::vector<std::array<std::string, 3>> objects;
    while (s.step()) objects.push_back({s.text(0), s.text(1), s.text(2)});
    s.reset();
    for (const auto& [type, name, sql] : objects) {
        db.run("INSERT INTO sync_state (key, value) VALUES (?, ?)", {"deferred:" + name, sql});
        db.exec_script((type == "index" ? "DROP INDEX " : "DROP TRIGGER ") + name);
    }
}

// Makes again what defer_row_upkeep dropped, and the bucket sums the triggers did not keep meanwhile.
void restore_row_upkeep(sqlite::Connection& db) {
    auto& s = db.prepare("SELECT key, value FROM sync_state WHERE key LIKE 'deferred:%' ORDER BY key");
    std::vector<std::pair<std::string, std::string>> deferred;
    while (s.step()) deferred.emplace_back(s.text(0), s.text(1));
    s.reset();
    if (deferred.empty()) return;
    for (const auto& [key, sql] : deferred) {
        db.exec_script(sql);
        db.run("DELETE FROM sync_state WHERE key = ?", {key});
    }
    sum_buckets(db);
}

}  // namespace

Replica::Replica(const std::string& path) : path_(path), db_(std::make_unique<sqlite::Connection>(path)) {
    migrate();
    {
        // A bootstrap that stopped half-way (the app was killed) leaves its upkeep deferred: made again here.
        sqlite::Transaction tx(*db_);
        restore_row_upkeep(*db_);
        tx.commit();
    }
    if (!state("node_id")) set_state("node_id", "device-" + fieldsync::uuid_v7());
    restore_clock();
}

Replica::~Replica() = default;

void Replica::migrate() {
    db_->exec_script("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
    for (const auto& [name, sql] : device_migrations()) {
        std::string key(name);
        if (db_->integer("SELECT COUNT(*) FROM schema_migrations WHERE name = ?", {key}).value_or(0) > 0) continue;
        sqlite::Transaction tx(*db_);
        db_->exec_script(std::string(sql));
        if (name == kChecksumMigration) recheck_checksums();
        db_->run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", {key, now_text()});
        tx.commit();
    }
}

void Replica::restore_clock() {
    auto last = clock_ ? std::optional(clock_->last()) : std::nullopt;
    clock_ = std::make_unique<fieldsync::Hlc>(node_id());
    if (auto saved = state("hlc")) clock_->restore(fieldsync::parse_hlc(*saved));
    if (last) clock_->restore(*last);
}

// --- sync state

std::optional<std::string> Replica::state(const std::string& key) const {
    return db_->text("SELECT value FROM sync_state WHERE key = ?", {key});
}

void Replica::set_state(const std::string& key, const std::string& value) {
    db_->run("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             {key, value});
}

void Replica::erase_state(const std::string& key) { db_->run("DELETE FROM sync_state WHERE key = ?", {key}); }

std::string Replica::node_id() const { return state("node_id").value_or(""); }

std::string Replica::role() const { return state("role").value_or("technician"); }

void Replica::set_device(const std::string& device_id, const std::string& device_token) {
    sqlite::Transaction tx(*db_);
    set_state("device_id", device_id);
    set_state("device_token", device_token);
    // The server knows the device by its id, so later HLCs carry it; earlier ops keep the node they were made by.
    if (fieldsync::is_node_id(device_id)) set_state("node_id", device_id);
    tx.commit();
    restore_clock();
}

std::int64_t Replica::cursor() const {
    auto c = state("cursor");
    return c ? std::stoll(*c) : 0;
}

std::int64_t Replica::acknowledged_write_checkpoint() const {
    auto c = state("acked_write_checkpoint");
    return c ? std::stoll(*c) : 0;
}

// --- reading

std::vector<Object::Ptr> Replica::query_rows(const std::string& sql, const std::vector<std::string>& args) const {
    std::vector<sqlite::Value> values(args.begin(), args.end());
    auto& s = db_->prepare(sql);
    s.bind(values);
    std::vector<std::string> texts;
    while (s.step()) texts.push_back(s.text(0));
    s.reset();
    std::vector<Object::Ptr> out;
    for (const auto& t : texts) out.push_back(parse_object(t));
    return out;
}

Object::Ptr Replica::row(const std::string& table, const std::string& row_id) const {
    auto rows = query_rows("SELECT row_json FROM visible_rows WHERE tbl = ? AND row_id = ?", {table, row_id});
    return rows.empty() ? nullptr : rows.front();
}

std::vector<Object::Ptr> Replica::rows(const std::string& table) const {
    return query_rows("SELECT row_json FROM visible_rows WHERE tbl = ? ORDER BY row_id", {table});
}

std::vector<Object::Ptr> Replica::jobs(const std::string& assignee_id) const {
    if (assignee_id.empty())
        return query_rows("SELECT row_json FROM visible_rows WHERE tbl = 'jobs' ORDER BY ticket_no, row_id", {});
    return query_rows(
        "SELECT row_json FROM visible_rows WHERE tbl = 'jobs' AND assignee_id = ? ORDER BY ticket_no, row_id",
        {assignee_id});
}

Object::Ptr Replica::find_job(const std::string& ticket_or_id) const {
    auto rows =
        query_rows("SELECT row_json FROM visible_rows WHERE tbl = 'jobs' AND (ticket_no = ? OR row_id = ?) LIMIT 1",
                   {ticket_or_id, ticket_or_id});
    return rows.empty() ? nullptr : rows.front();
}

std::vector<Object::Ptr> Replica::rows_of_job(const std::string& table, const std::string& job_id) const {
    return query_rows("SELECT row_json FROM visible_rows WHERE tbl = ? AND job_id = ? ORDER BY row_id",
                      {table, job_id});
}

std::int64_t Replica::pending_ops(const std::string& table, const std::string& row_id) const {
    return db_->integer("SELECT COUNT(*) FROM outbox WHERE tbl = ? AND row_id = ?", {table, row_id}).value_or(0);
}

Object::Ptr Replica::server_row(const std::string& table, const std::string& row_id, std::int64_t* version) const {
    auto& s = db_->prepare("SELECT row_json, version FROM server_rows WHERE tbl = ? AND row_id = ?");
    s.bind({table, row_id});
    Object::Ptr out;
    if (s.step()) {
        out = parse_object(s.text(0));
        if (version) *version = s.integer(1);
    }
    s.reset();
    return out;
}

// --- local writes

Op Replica::new_op(const std::string& table, const std::string& row_id, OpKind kind) {
    Op op;
    op.op_id = fieldsync::uuid_v7();
    op.table = table;
    op.row_id = row_id;
    op.kind = kind;
    op.timestamp = clock_->now();
    std::int64_t version = 0;
    server_row(table, row_id, &version);
    op.base_version = version;
    return op;
}

void Replica::append_op(const Op& op) {
    // Round-trip through the strict decoder the server uses, so nothing unpushable ever enters the outbox.
    auto encoded = fieldsync::encode_op(op);
    fieldsync::decode_op(*encoded);
    sqlite::Transaction tx(*db_);
    db_->run("INSERT INTO outbox (op_id, tbl, row_id, op_json, created_at) VALUES (?, ?, ?, ?, ?)",
             {op.op_id, op.table, op.row_id, json_text(encoded), now_text()});
    set_state("hlc", fieldsync::format_hlc(op.timestamp));
    rebuild(op.table, op.row_id);
    tx.commit();
}

std::string Replica::insert(const std::string& table, const Object::Ptr& fields) {
    Op op = new_op(table, fieldsync::uuid_v7(), OpKind::insert);
    op.fields = fields ? fields : Object::Ptr(new Object);
    auto rejected = fieldsync::check_insert(op);
    if (!rejected.empty()) throw Error(rejected.front().code, rejected.front().reason, rejected.front().field);
    append_op(op);
    return op.row_id;
}

std::string Replica::update(const std::string& table, const std::string& row_id, const Object::Ptr& fields) {
    if (!row(table, row_id)) throw Error(ErrorCode::not_found, "no " + table + " row " + row_id + " on this device");
    Op op = new_op(table, row_id, OpKind::update);
    op.fields = fields ? fields : Object::Ptr(new Object);
    fieldsync::check_op_allowed(op);
    for (const auto& [name, value] : *op.fields) {
        const auto* rule = fieldsync::find_field_rule(table, name);
        if (!rule) throw Error(ErrorCode::invalid_field, name + " is not a field of " + table, name);
        if (*rule != fieldsync::FieldRule::lww)
            throw Error(ErrorCode::forbidden,
                        name + " of " + table + " cannot be changed on a device" +
                            (table == "jobs" ? "; use a workflow action" : ""),
                        name);
    }
    append_op(op);
    return op.op_id;
}

std::string Replica::act(const std::string& job_id, const std::string& action, const Object::Ptr& fields) {
    auto job = row("jobs", job_id);
    if (!job) throw Error(ErrorCode::not_found, "no job " + job_id + " on this device");
    const auto& workflow = fieldsync::Workflow::builtin();
    fieldsync::JobPosition position{str(job, "state"), str(job, "previous_state"), str(job, "mode")};
    Object::Ptr body = fields ? fields : Object::Ptr(new Object);
    const auto& transition = workflow.resolve(action, position, role());
    workflow.validate(transition, *body, position.mode);
    fieldsync::check_action_details(action, *body);
    Op op = new_op("jobs", job_id, OpKind::action);
    op.action = action;
    op.fields = body;
    append_op(op);
    return op.op_id;
}

std::string Replica::add_attachment(const std::string& job_id, const std::string& kind, const std::string& bytes,
                                    const std::string& content_type, const std::string& file_name,
                                    const std::string& caption) {
    if (!row("jobs", job_id)) throw Error(ErrorCode::not_found, "no job " + job_id + " on this device");
    std::string sha = fieldsync::sha256_hex(bytes);
    Poco::File(attachment_dir()).createDirectories();
    std::string file = attachment_dir() + "/" + sha;
    if (!Poco::File(file).exists()) {
        // Written aside and renamed, so a file under its hash is always complete.
        std::string partial = file + ".partial";
        {
            std::ofstream out(partial, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!out) throw Error(ErrorCode::internal, "cannot write " + partial);
        }
        Poco::File(partial).renameTo(file);
    }
    Object::Ptr fields = new Object;
    fields->set("job_id", job_id);
    fields->set("kind", kind);
    fields->set("sha256", sha);
    fields->set("content_type", content_type);
    fields->set("size_bytes", static_cast<std::int64_t>(bytes.size()));
    fields->set("file_name", file_name);
    if (!caption.empty()) fields->set("caption", caption);
    sqlite::Transaction tx(*db_);
    db_->run(
        "INSERT INTO attachment_files (sha256, path, size_bytes, content_type) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (sha256) DO NOTHING",
        {sha, file, static_cast<std::int64_t>(bytes.size()), content_type});
    std::string id = insert("attachments", fields);
    tx.commit();
    return id;
}

void Replica::write(const std::function<void()>& body) {
    sqlite::Transaction tx(*db_);
    body();
    tx.commit();
}

// Local = server state + pending ops: the server's row (if any) with every op still in the outbox replayed in
// order. Acknowledged ops stay replayed until a checkpoint shows the server's row with them.
void Replica::rebuild(const std::string& table, const std::string& row_id) {
    std::int64_t version = 0;
    Object::Ptr row = server_row(table, row_id, &version);
    bool on_server = row != nullptr, shown_as_sent = on_server && row->has("id");
    auto& s = db_->prepare("SELECT op_json FROM outbox WHERE tbl = ? AND row_id = ? ORDER BY seq");
    s.bind({table, row_id});
    std::vector<std::string> ops;
    while (s.step()) ops.push_back(s.text(0));
    s.reset();
    std::string role_name = role();
    for (const auto& text : ops) {
        Op op = decode_stored_op(text);
        switch (op.kind) {
            case OpKind::insert:
                if (!row) row = new Object;
                if (op.fields)
                    for (const auto& [k, v] : *op.fields) row->set(k, v);
                row->set("id", row_id);
                break;
            case OpKind::update:
                if (row && op.fields)
                    for (const auto& [k, v] : *op.fields) row->set(k, v);
                break;
            case OpKind::delete_:
                row = nullptr;
                break;
            case OpKind::action:
                if (row) replay_action(row, op, role_name);
                break;
        }
    }
    auto pending = static_cast<std::int64_t>(ops.size());
    // Nothing of the device's own: visible_rows shows the server's row as it is (or nothing).
    if ((ops.empty() && shown_as_sent) || (!row && !on_server)) {
        db_->run("DELETE FROM local_rows WHERE tbl = ? AND row_id = ?", {table, row_id});
        return;
    }
    if (!row) {
        db_->run(kHideRowSql, {table, row_id, version, pending});
        return;
    }
    if (!row->has("id")) row->set("id", row_id);
    show(table, row_id, json_text(row), version, pending, indexed_columns(table, row));
}

void Replica::show(const std::string& table, const std::string& row_id, const std::string& row_text,
                   std::int64_t server_version, std::int64_t pending, const IndexedColumns& columns) {
    write_local_row(db_->prepare(kShowRowSql), table, row_id, row_text, server_version, pending, columns);
}

// --- outbox and conflicts

std::vector<OutboxEntry> Replica::outbox() const {
    auto& s = db_->prepare("SELECT seq, op_json, created_at, acked_checkpoint FROM outbox ORDER BY seq");
    std::vector<OutboxEntry> out;
    std::vector<std::string> texts;
    while (s.step()) {
        OutboxEntry e;
        e.seq = s.integer(0);
        texts.push_back(s.text(1));
        e.created_at = s.text(2);
        if (!s.is_null(3)) e.acked_checkpoint = s.integer(3);
        out.push_back(std::move(e));
    }
    s.reset();
    for (std::size_t i = 0; i < out.size(); ++i) out[i].op = decode_stored_op(texts[i]);
    return out;
}

std::vector<Op> Replica::unacknowledged(std::size_t max) const {
    auto& s = db_->prepare("SELECT op_json FROM outbox WHERE acked_checkpoint IS NULL ORDER BY seq LIMIT ?");
    s.bind({static_cast<std::int64_t>(max)});
    std::vector<std::string> texts;
    while (s.step()) texts.push_back(s.text(0));
    s.reset();
    std::vector<Op> out;
    for (const auto& t : texts) out.push_back(decode_stored_op(t));
    return out;
}

SettleResult Replica::settle(const fieldsync::PushResponse& response) {
    SettleResult result;
    sqlite::Transaction tx(*db_);
    std::set<std::pair<std::string, std::string>> touched;
    for (const auto& r : response.results) {
        auto& s = db_->prepare("SELECT tbl, row_id, op_json FROM outbox WHERE op_id = ? AND acked_checkpoint IS NULL");
        s.bind({r.op_id});
        if (!s.step()) {
            s.reset();
            continue;
        }
        std::string table = s.text(0), row_id = s.text(1), op_json = s.text(2);
        s.reset();
        if (r.status == fieldsync::OpStatus::applied) {
            db_->run("UPDATE outbox SET acked_checkpoint = ?, server_version = ? WHERE op_id = ?",
                     {response.write_checkpoint, r.version, r.op_id});
            ++result.applied;
            if (!r.superseded.empty()) {
                std::string line = table + " " + row_id + ":";
                for (std::size_t i = 0; i < r.superseded.size(); ++i) line += (i ? ", " : " ") + r.superseded[i];
                result.superseded.push_back(line);
            }
        } else {
            fieldsync::WireError error = r.error.value_or(fieldsync::WireError{});
            db_->run(
                "INSERT INTO conflicts (op_id, tbl, row_id, op_json, code, message, field, recorded_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (op_id) DO NOTHING",
                {r.op_id, table, row_id, op_json, std::string(fieldsync::to_string(error.code)), error.message,
                 error.field, now_text()});
            db_->run("DELETE FROM outbox WHERE op_id = ?", {r.op_id});
            touched.insert({table, row_id});
            ++result.rejected;
        }
    }
    if (result.applied > 0 && response.write_checkpoint > acknowledged_write_checkpoint())
        set_state("acked_write_checkpoint", std::to_string(response.write_checkpoint));
    for (const auto& [table, row_id] : touched) rebuild(table, row_id);
    tx.commit();
    return result;
}

std::vector<ConflictRecord> Replica::conflicts() const {
    auto& s = db_->prepare("SELECT op_json, code, message, field, recorded_at FROM conflicts ORDER BY recorded_at");
    std::vector<std::pair<std::string, ConflictRecord>> raw;
    while (s.step()) {
        ConflictRecord c;
        c.error.code = fieldsync::error_code_named(s.text(1)).value_or(ErrorCode::internal);
        c.error.message = s.text(2);
        c.error.field = s.text(3);
        c.recorded_at = s.text(4);
        raw.emplace_back(s.text(0), std::move(c));
    }
    s.reset();
    std::vector<ConflictRecord> out;
    for (auto& [text, c] : raw) {
        c.op = decode_stored_op(text);
        out.push_back(std::move(c));
    }
    return out;
}

// --- pull

// The sums the triggers keep: one row read per bucket, however many rows the bucket holds.
bool Replica::verify_checksums(const fieldsync::Checkpoint& checkpoint, std::vector<std::string>& mismatched) const {
    for (const auto& [bucket, expected] : checkpoint.buckets)
        if (bucket_checksum(bucket) != expected) mismatched.push_back(bucket);
    return mismatched.empty();
}

std::uint64_t Replica::bucket_checksum(const std::string& bucket) const {
    auto& s = db_->prepare("SELECT high, low FROM bucket_checksums WHERE bucket = ?");
    s.bind({bucket});
    std::uint64_t value = 0;
    if (s.step()) value = (static_cast<std::uint64_t>(s.integer(0)) << 32) + static_cast<std::uint64_t>(s.integer(1));
    s.reset();
    return value;
}

std::vector<std::string> Replica::recheck_checksums() {
    sqlite::Transaction tx(*db_);
    std::map<std::string, std::uint64_t> before;
    auto& b = db_->prepare("SELECT bucket FROM bucket_checksums");
    while (b.step()) before[b.text(0)] = 0;
    b.reset();
    for (auto& [bucket, sum] : before) sum = bucket_checksum(bucket);
    // Every row's checksum from its table, id and version, written back where the stored one differs.
    std::map<std::string, fieldsync::BucketChecksum> sums;
    std::vector<std::tuple<std::string, std::string, std::int64_t>> wrong;
    auto& s = db_->prepare("SELECT tbl, row_id, version, bucket, checksum FROM server_rows");
    while (s.step()) {
        auto entry = stored_checksum(s.text(0), s.text(1), s.integer(2));
        sums[s.text(3)].add(s.text(0), s.text(1), s.integer(2));
        if (s.is_null(4) || s.integer(4) != entry) wrong.emplace_back(s.text(0), s.text(1), entry);
    }
    s.reset();
    for (const auto& [table, row_id, entry] : wrong)
        db_->run("UPDATE server_rows SET checksum = ? WHERE tbl = ? AND row_id = ?", {entry, table, row_id});
    sum_buckets(*db_);
    std::vector<std::string> drifted;
    for (const auto& [bucket, sum] : sums)
        if (before[bucket] != sum.value()) drifted.push_back(bucket);
    for (const auto& [bucket, sum] : before)
        if (!sums.count(bucket) && sum != 0) drifted.push_back(bucket);
    tx.commit();
    return drifted;
}

PageResult Replica::apply_pull_page(const fieldsync::PullResponse& page) {
    PageResult result;
    sqlite::Transaction tx(*db_);
    // A row with ops in the outbox or a version of the device's own is rebuilt (server row + pending ops) after the
    // page; any other row is shown as the server sent it, so writing its server row is all there is to do: each
    // row is written once, and never read back and parsed again.
    std::set<std::pair<std::string, std::string>> pending;
    auto& p = db_->prepare("SELECT tbl, row_id FROM outbox UNION SELECT tbl, row_id FROM local_rows");
    while (p.step()) pending.insert({p.text(0), p.text(1)});
    p.reset();
    std::set<std::pair<std::string, std::string>> touched;
    if (page.has_more && cursor() == 0 && !db_->integer("SELECT EXISTS (SELECT 1 FROM server_rows)").value_or(1))
        defer_row_upkeep(*db_);
    // Prepared once for the page, not looked up by its text for every row.
    auto& put_server_row = db_->prepare(kPutServerRowSql);
    for (const auto& change : page.changes) {
        bool settled = !pending.count({change.table, change.row_id});
        if (change.op == fieldsync::ChangeOp::put) {
            // A page decoded from text carries each row as the server's text: stored as it came, with only the
            // indexed columns read out of it.
            std::string parsed_text = change.row ? json_text(change.row) : std::string();
            const std::string& text = change.row ? parsed_text : change.row_text;
            auto [columns, has_id] = sent_columns(change);
            write_server_row(put_server_row, change, text, columns);
            if (!settled || !has_id) touched.insert({change.table, change.row_id});
        } else {
            // Removed from the bucket: the device loses the row, not just its view of it.
            db_->run("DELETE FROM server_rows WHERE tbl = ? AND row_id = ?", {change.table, change.row_id});
            if (!settled) touched.insert({change.table, change.row_id});
        }
        ++result.changes;
    }
    set_state("cursor", std::to_string(page.cursor));
    if (!page.has_more) restore_row_upkeep(*db_);
    if (!page.has_more && page.checkpoint) {
        if (page.write_checkpoint < acknowledged_write_checkpoint()) {
            result.checkpoint_deferred = true;
        } else {
            auto& s = db_->prepare("SELECT tbl, row_id FROM server_rows WHERE is_stale = 1");
            while (s.step()) touched.insert({s.text(0), s.text(1)});
            s.reset();
            db_->run("DELETE FROM server_rows WHERE is_stale = 1");
            if (verify_checksums(*page.checkpoint, result.mismatched_buckets)) {
                auto& a = db_->prepare("SELECT tbl, row_id FROM outbox WHERE acked_checkpoint <= ?");
                a.bind({page.write_checkpoint});
                while (a.step()) touched.insert({a.text(0), a.text(1)});
                a.reset();
                db_->run("DELETE FROM outbox WHERE acked_checkpoint <= ?", {page.write_checkpoint});
                set_state("checkpoint_seq", std::to_string(page.checkpoint->seq));
                for (const auto& [bucket, sum] : page.checkpoint->buckets)
                    set_state("checksum:" + bucket, fieldsync::format_checksum(sum));
                result.checkpoint_applied = true;
            }
        }
    }
    for (const auto& [table, row_id] : touched) rebuild(table, row_id);
    tx.commit();
    return result;
}

void Replica::begin_rebootstrap() {
    sqlite::Transaction tx(*db_);
    // The one full pass over the rows: a re-download reads them all anyway.
    recheck_checksums();
    db_->run("UPDATE server_rows SET is_stale = 1");
    set_state("cursor", "0");
    tx.commit();
}

// --- attachments

namespace {

constexpr const char* kAttachmentFileSql =
    "SELECT sha256, path, size_bytes, content_type, uploaded_bytes FROM attachment_files";

std::vector<AttachmentFile> read_files(sqlite::Statement& s) {
    std::vector<AttachmentFile> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), s.text(3), s.integer(4)});
    s.reset();
    return out;
}

}  // namespace

std::vector<AttachmentFile> Replica::attachments_to_upload() const {
    return read_files(
        db_->prepare(std::string(kAttachmentFileSql) + " WHERE uploaded_bytes < size_bytes ORDER BY sha256"));
}

std::vector<AttachmentFile> Replica::attachment_files() const {
    return read_files(db_->prepare(std::string(kAttachmentFileSql) + " ORDER BY sha256"));
}

std::optional<AttachmentFile> Replica::attachment_file(const std::string& sha256) const {
    auto& s = db_->prepare(std::string(kAttachmentFileSql) + " WHERE sha256 = ?");
    s.bind({sha256});
    auto files = read_files(s);
    if (files.empty()) return std::nullopt;
    return files.front();
}

void Replica::set_uploaded_bytes(const std::string& sha256, std::int64_t bytes) {
    db_->run("UPDATE attachment_files SET uploaded_bytes = ? WHERE sha256 = ?", {bytes, sha256});
}

}  // namespace fieldmobile
