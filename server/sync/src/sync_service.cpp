// Push (exactly once per op id, one transaction per op), pull (pages of the device's buckets, a consistent
// checkpoint at the end), conflict records and compaction.
#include "fieldserver/sync/sync_service.hpp"

#include <Poco/NumberParser.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/storage/change_sequence.hpp"
#include "fieldserver/sync/op_applier.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/bucket.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;
using fieldsync::OpResult;
using fieldsync::OpStatus;

namespace {

// last_seen_at is kept to the minute: a device pulling in a loop does not write on every pull.
constexpr std::int64_t kLastSeenResolutionMs = 60'000;

// Runs a bookkeeping write that a read may do without: skipped while the storage is full.
template <class F>
void keep_books(Database& database, F&& f) {
    try {
        database.write(std::forward<F>(f));
    } catch (const StorageFull&) {
        // Nothing was written; the reader's answer does not depend on it.
    }
}

const char* kConflictColumns =
    "id, device_id, user_id, op_id, table_name, row_id, op_json, error_code, error_message, error_field, status, "
    "resolution_note, resolved_by, resolved_at, created_at, message_json";

// A catalog message as stored beside a conflict: {"id", "args": {name: value}}; NULL for a message outside it.
Value message_json(const fieldsync::Message& message) {
    if (message.empty()) return Value(std::monostate{});
    Poco::JSON::Object::Ptr args = new Poco::JSON::Object;
    for (const auto& [name, value] : message.args) args->set(name, value);
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("id", message.id);
    out->set("args", args);
    return Value(to_json(out));
}

void require_device(const Actor& actor) {
    if (actor.device_id.empty()) throw Error(ErrorCode::forbidden, Message{"sync.device_token", {}});
}

// The result stored for op_id, if the op was pushed before. An op id another user sent is refused, not
// answered with that user's result.
std::optional<OpResult> remembered(Db& db, const Actor& actor, const std::string& op_id) {
    auto row = db.query_one(
        "SELECT user_id, status, version, error_code, error_message, error_field, superseded_json FROM sync_op_results "
        "WHERE op_id = ?",
        {op_id});
    if (!row) return std::nullopt;
    OpResult result;
    result.op_id = op_id;
    if (text(row, "user_id") != actor.id) {
        result.status = OpStatus::rejected;
        result.error = fieldsync::WireError{ErrorCode::conflict,
                                            fieldsync::localize({"sync.op_reused", {{"op_id", op_id}}}), "op_id"};
        return result;
    }
    if (text(row, "status") == "applied") {
        result.status = OpStatus::applied;
        result.version = integer(row, "version");
        if (auto fields = row->getArray("superseded"))
            for (const auto& f : *fields) result.superseded.push_back(f.convert<std::string>());
        return result;
    }
    result.status = OpStatus::rejected;
    result.error =
        fieldsync::WireError{fieldsync::error_code_named(text(row, "error_code")).value_or(ErrorCode::internal),
                             text(row, "error_message"), text(row, "error_field")};
    return result;
}

std::string superseded_json(const std::vector<std::string>& fields) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& f : fields) out->add(f);
    return to_json(out);
}

void remember(Db& db, const Actor& actor, const fieldsync::Op& op, const OpResult& result) {
    db.execute(
        "INSERT INTO sync_op_results (op_id, device_id, user_id, table_name, row_id, status, version, error_code, "
        "error_message, error_field, superseded_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {op.op_id, actor.device_id, actor.id, op.table, op.row_id, std::string(fieldsync::to_string(result.status)),
         result.version,
         result.error ? Value(std::string(fieldsync::to_string(result.error->code))) : Value(std::monostate{}),
         result.error ? Value(result.error->message) : Value(std::monostate{}),
         result.error ? text_or_null(result.error->field) : Value(std::monostate{}),
         result.superseded.empty() ? Value(std::monostate{}) : Value(superseded_json(result.superseded)),
         fieldsync::format_utc(fieldsync::now_ms())});
}

// An applied op whose values lost to newer edits: kept for the office to know of (status superseded, nothing to
// resolve), beside the rejected ops.
void record_superseded(Db& db, const Actor& actor, const fieldsync::Op& op, const std::vector<std::string>& fields) {
    std::string names;
    for (const auto& f : fields) names += (names.empty() ? "" : ", ") + f;
    fieldsync::Message why{"sync.superseded", {{"fields", names}}};
    db.execute(std::string("INSERT INTO sync_conflicts (") + kConflictColumns +
                   ") VALUES (?, ?, ?, ?, ?, ?, ?, 'conflict', ?, ?, 'superseded', NULL, NULL, NULL, ?, ?)",
               {fieldsync::uuid_v7(), actor.device_id, actor.id, op.op_id, op.table, op.row_id,
                to_json(fieldsync::encode_op(op)), fieldsync::render(why, fieldsync::Locale::en), fields.front(),
                fieldsync::format_utc(fieldsync::now_ms()), message_json(why)});
}

// A conflict record as staff read it: the record, the names of its device, technician and resolver, and the job
// it concerns (the row of a jobs op, the job_id field of a note or attachment insert) with its ticket number.
// Named with AS: without it, SQLite leaves the name of a qualified column unspecified.
const char* kConflictView =
    "c.id AS id, c.device_id AS device_id, c.user_id AS user_id, c.op_id AS op_id, c.table_name AS table_name, "
    "c.row_id AS row_id, c.op_json AS op_json, c.error_code AS error_code, c.error_message AS error_message, "
    "c.error_field AS error_field, c.status AS status, c.resolution_note AS resolution_note, "
    "c.resolved_by AS resolved_by, c.resolved_at AS resolved_at, c.created_at AS created_at, "
    "c.message_json AS message_json, d.name AS device_name, u.name AS user_name, r.name AS resolved_by_name";
const char* kConflictFrom =
    "sync_conflicts c LEFT JOIN sync_devices d ON d.id = c.device_id LEFT JOIN users u ON u.id = c.user_id "
    "LEFT JOIN users r ON r.id = c.resolved_by";

void add_conflict_jobs(Db& db, const Poco::JSON::Array::Ptr& conflicts) {
    for (const auto& v : *conflicts) {
        auto c = v.extract<Poco::JSON::Object::Ptr>();
        auto op = c->getObject("op");
        auto fields = op ? op->getObject("fields") : nullptr;
        std::string job_id = text(c, "table_name") == "jobs" ? text(c, "row_id") : text(fields, "job_id");
        auto job = job_id.empty() ? nullptr : db.query_one("SELECT id, ticket_no FROM jobs WHERE id = ?", {job_id});
        c->set("job_id", job ? Poco::Dynamic::Var(text(job, "id")) : Poco::Dynamic::Var());
        c->set("ticket_no", job ? Poco::Dynamic::Var(text(job, "ticket_no")) : Poco::Dynamic::Var());
        // The reason in the reader's language when it came from the catalog; the English text otherwise.
        fieldsync::Message why;
        if (auto message = c->getObject("message")) {
            why.id = text(message, "id");
            if (auto args = message->getObject("args"))
                for (const auto& [name, value] : *args) why.args.emplace_back(name, value.toString());
        }
        auto code = fieldsync::error_code_named(text(c, "error_code")).value_or(ErrorCode::internal);
        c->set("error_message",
               why.empty() ? fieldsync::error_text(Error(code, text(c, "error_message"), text(c, "error_field")),
                                                   fieldsync::current_locale())
                           : fieldsync::localize(why));
        c->remove("message");
    }
}

Poco::JSON::Object::Ptr conflict_by_id(Db& db, const std::string& id) {
    Poco::JSON::Array::Ptr one =
        db.query(std::string("SELECT ") + kConflictView + " FROM " + kConflictFrom + " WHERE c.id = ?", {id});
    add_conflict_jobs(db, one);
    return one->getObject(0);
}

std::int64_t int_param(const Query& query, const std::string& name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
    auto it = query.find(name);
    if (it == query.end()) return fallback;
    Poco::Int64 value = 0;
    if (!Poco::NumberParser::tryParse64(it->second, value) || value < min || value > max)
        throw Error(ErrorCode::invalid_field,
                    Message{"field.whole_number",
                            {{"field", name}, {"min", std::to_string(min)}, {"max", std::to_string(max)}}},
                    name);
    return value;
}

// One range of the (bucket, seq) index per bucket, merged by seq: one query over all the buckets sorted every
// change left to send for each page, so a bootstrap took time quadratic in its size. Each row is read in place
// into its change, its stored text kept as it is sent (no JSON object per row). A put that a later entry of its row
// in this bucket supersedes is skipped (as compaction would drop it): a row the bucket no longer holds reaches a new
// or lagging device as its remove, never as its old puts. The buckets are read from the one whose changes start first;
// once limit + 1 changes are in hand, a later bucket is read only up to the newest of them: that is all a page can
// still take from it (a bootstrap used to read every bucket's whole page and send half).
std::vector<fieldsync::Change> changes_after(Db& db, const std::vector<std::string>& buckets, std::int64_t cursor,
                                             std::int64_t last, std::int64_t limit) {
    std::vector<std::pair<std::int64_t, std::string>> starts;
    for (const auto& bucket : buckets)
        starts.emplace_back(
            db.scalar("SELECT COALESCE(MIN(seq), 0) FROM sync_changes WHERE bucket = ? AND seq > ? AND seq <= ?",
                      {bucket, cursor, last}),
            bucket);
    std::sort(starts.begin(), starts.end());
    std::vector<fieldsync::Change> changes;
    auto by_seq = [](const auto& a, const auto& b) { return a.seq < b.seq; };
    for (const auto& [start, bucket] : starts) {
        if (start == 0) continue;
        std::int64_t below = last;
        if (static_cast<std::int64_t>(changes.size()) > limit) {
            std::sort(changes.begin(), changes.end(), by_seq);
            changes.resize(static_cast<std::size_t>(limit + 1));
            below = changes.back().seq;
        }
        db.each(
            "SELECT seq, table_name, row_id, version, op, row_json FROM sync_changes c "
            "WHERE bucket = ? AND seq > ? AND seq <= ? AND NOT (op = 'put' AND EXISTS (SELECT 1 FROM sync_changes "
            "later WHERE later.bucket = c.bucket AND later.table_name = c.table_name AND later.row_id = c.row_id AND "
            "later.seq > c.seq AND later.seq <= ?)) ORDER BY seq LIMIT ?",
            {bucket, cursor, below, last, limit + 1}, [&](const RowView& row) {
                fieldsync::Change& change = changes.emplace_back();
                change.seq = row.integer(0);
                change.bucket = bucket;
                change.table = row.text(1);
                change.row_id = row.text(2);
                change.version = row.integer(3);
                change.op = row.text(4) == "put" ? fieldsync::ChangeOp::put : fieldsync::ChangeOp::remove;
                if (change.op == fieldsync::ChangeOp::put) change.row_text = row.text(5);
                return true;
            });
    }
    std::sort(changes.begin(), changes.end(), by_seq);
    return changes;
}

// Fills the page with changes in seq order up to limit changes or max_bytes (at least one change).
void fill_page(fieldsync::PullResponse& out, std::vector<fieldsync::Change> changes, std::int64_t limit,
               std::int64_t max_bytes) {
    std::int64_t bytes = 0;
    for (auto& change : changes) {
        // The size of the change as sent, near enough: its row plus the fixed keys.
        std::int64_t size = 160 + static_cast<std::int64_t>(change.row_text.size());
        if (static_cast<std::int64_t>(out.changes.size()) == limit ||
            (!out.changes.empty() && bytes + size > max_bytes)) {
            out.has_more = true;
            break;
        }
        bytes += size;
        out.changes.push_back(std::move(change));
    }
}

}  // namespace

OpResult SyncService::apply_one(const Actor& actor, const fieldsync::Op& op) {
    try {
        return db_.write([&](Db& db) {
            if (auto previous = remembered(db, actor, op.op_id)) return *previous;
            OpResult result;
            result.op_id = op.op_id;
            result.status = OpStatus::applied;
            result.version = apply_op(db, actor, op, jobs_, result.superseded);
            remember(db, actor, op, result);
            if (!result.superseded.empty()) record_superseded(db, actor, op, result.superseded);
            // The log now holds this op's changes: the device's write checkpoint moves up to them.
            db.execute("UPDATE sync_devices SET write_checkpoint = ? WHERE id = ?",
                       {sync_counter(db, "last_seq"), actor.device_id});
            return result;
        });
    } catch (const Error& e) {
        // The op's own transaction rolled back; its rejection is remembered and kept for a dispatcher.
        return db_.write([&](Db& db) {
            if (auto previous = remembered(db, actor, op.op_id)) return *previous;
            OpResult result;
            result.op_id = op.op_id;
            result.status = OpStatus::rejected;
            // The device shows (and keeps in its conflict copies) the text in its user's language, as the push
            // asked with Accept-Language; the code and field stay what programs read. A retried push gets this text.
            result.error =
                fieldsync::WireError{e.code(), fieldsync::error_text(e, fieldsync::current_locale()), e.field()};
            remember(db, actor, op, result);
            db.execute(
                std::string("INSERT INTO sync_conflicts (") + kConflictColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, NULL, NULL, ?, ?)",
                {fieldsync::uuid_v7(), actor.device_id, actor.id, op.op_id, op.table, op.row_id,
                 to_json(fieldsync::encode_op(op)), std::string(fieldsync::to_string(e.code())), std::string(e.what()),
                 text_or_null(e.field()), fieldsync::format_utc(fieldsync::now_ms()), message_json(e.message())});
            return result;
        });
    } catch (const Poco::Exception&) {
        // On PostgreSQL a concurrent push of the same op can win the insert of the result: answer with its result.
        auto previous = db_.read([&](Db& db) { return remembered(db, actor, op.op_id); });
        if (previous) return *previous;
        throw;
    }
}

fieldsync::PushResponse SyncService::push(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_device(actor);
    auto request = fieldsync::decode_push_request(*body, limits_.wire);
    if (request.device_id != actor.device_id)
        throw Error(ErrorCode::forbidden, Message{"sync.device_mismatch", {{"id", request.device_id}}}, "device_id");
    fieldsync::PushResponse response;
    for (const auto& op : request.ops) response.results.push_back(apply_one(actor, op));
    response.write_checkpoint = db_.read(
        [&](Db& db) { return db.scalar("SELECT write_checkpoint FROM sync_devices WHERE id = ?", {actor.device_id}); });
    return response;
}

fieldsync::PullResponse SyncService::pull(const Actor& actor, const Query& query) {
    require_device(actor);
    allow_filters(query, {"cursor", "max_bytes"});
    std::int64_t cursor = int_param(query, "cursor", 0, 0, std::numeric_limits<std::int64_t>::max());
    auto max_changes = static_cast<std::int64_t>(limits_.wire.max_changes_per_pull);
    std::int64_t limit = int_param(query, "limit", max_changes, 1, max_changes);
    std::int64_t max_bytes = int_param(query, "max_bytes", limits_.default_page_bytes, 1, limits_.max_page_bytes);
    auto buckets = fieldsync::technician_device_buckets(actor.id);
    // The device's bookkeeping is written apart from the page and only when there is something to write, so a
    // device pulling in a loop neither queues behind nor holds up the writers. A read from cursor 0 notes the
    // compaction it begins under (a compaction between this write and the read costs one more reset, no more).
    // Both writes are bookkeeping: with the storage full a pull still answers (the next one writes them).
    if (cursor == 0)
        keep_books(db_, [&](Db& db) {
            std::int64_t compacted = sync_counter(db, "compacted_up_to");
            db.execute(
                "UPDATE sync_devices SET bootstrap_compacted_up_to = ? WHERE id = ? AND bootstrap_compacted_up_to <> ?",
                {compacted, actor.device_id, compacted});
        });
    std::int64_t now = fieldsync::now_ms();
    bool seen_long_ago = false;
    // One snapshot for the page and the checksums, so both describe the same committed state; on PostgreSQL
    // stable_change_seq also waits for log writers in flight and holds them off until both are read.
    auto page = db_.snapshot([&](Db& db) {
        fieldsync::PullResponse out;
        std::int64_t last = stable_change_seq(db);
        auto device =
            db.query_one("SELECT write_checkpoint, last_seen_at FROM sync_devices WHERE id = ?", {actor.device_id});
        out.write_checkpoint = integer(device, "write_checkpoint");
        seen_long_ago = text(device, "last_seen_at") < fieldsync::format_utc(now - kLastSeenResolutionMs);
        // A cursor past the log's end comes from another server's log (or a restored backup): start over too.
        // A cursor below the compaction point is stale unless this device began reading from 0 after that
        // compaction: then the entries compaction dropped were never part of what it holds.
        std::int64_t compacted = sync_counter(db, "compacted_up_to");
        if (cursor != 0 &&
            (cursor > last ||
             (cursor < compacted && db.scalar("SELECT bootstrap_compacted_up_to FROM sync_devices WHERE id = ?",
                                              {actor.device_id}) != compacted))) {
            out.reset_required = true;
            return out;
        }
        fill_page(out, changes_after(db, buckets, cursor, last, limit), limit, max_bytes);
        out.cursor = out.has_more ? out.changes.back().seq : last;
        if (!out.has_more) out.checkpoint = fieldsync::Checkpoint{last, bucket_checksums(db, buckets)};
        return out;
    });
    if (seen_long_ago)
        keep_books(db_, [&](Db& db) {
            db.execute("UPDATE sync_devices SET last_seen_at = ? WHERE id = ?",
                       {fieldsync::format_utc(now), actor.device_id});
        });
    return page;
}

Poco::JSON::Object::Ptr SyncService::list_conflicts(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher});
    allow_filters(query, {"status", "user_id", "device_id"});
    std::string where = "1 = 1";
    Params params;
    if (auto status = filter(query, "status"); !status.empty()) {
        if (status != "open" && status != "dismissed" && status != "applied_manually" && status != "superseded")
            throw Error(ErrorCode::invalid_field,
                        Message{"field.one_of",
                                {{"field", "status"}, {"values", "open, dismissed, applied_manually, superseded"}}},
                        "status");
        where += " AND c.status = ?";
        params.emplace_back(status);
    } else {
        where += " AND c.status <> 'superseded'";  // to know, not to resolve: listed when asked for
    }
    for (const char* key : {"user_id", "device_id"})
        if (auto v = filter(query, key); !v.empty()) {
            where += std::string(" AND c.") + key + " = ?";
            params.emplace_back(v);
        }
    return db_.read([&](Db& db) {
        auto page =
            paged(db, kConflictView, kConflictFrom, where, params, "c.created_at DESC, c.id DESC", page_of(query));
        add_conflict_jobs(db, page->getArray("items"));
        return page;
    });
}

Poco::JSON::Object::Ptr SyncService::resolve_conflict(const Actor& actor, const std::string& id,
                                                      const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher});
    static const std::vector<fieldsync::FieldSpec> required = {
        {.name = "resolution", .type = fieldsync::FieldType::string, .allowed = {"dismissed", "applied_manually"}},
    };
    static const std::vector<fieldsync::FieldSpec> optional = {
        {.name = "note", .type = fieldsync::FieldType::string, .max_length = 2000},
    };
    fieldsync::validate_fields(required, optional, *body, "resolve a conflict");
    return db_.write([&](Db& db) {
        auto conflict = db.query_one("SELECT status FROM sync_conflicts WHERE id = ?", {id});
        if (!conflict) throw Error(ErrorCode::not_found, Message{"sync.no_conflict", {{"id", id}}});
        if (text(conflict, "status") != "open")
            throw Error(ErrorCode::conflict,
                        Message{"sync.conflict_resolved", {{"id", id}, {"conflict_status", text(conflict, "status")}}},
                        "resolution");
        db.execute(
            "UPDATE sync_conflicts SET status = ?, resolution_note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
            {text(body, "resolution"), text_or_null(text(body, "note")), text_or_null(actor.id),
             fieldsync::format_utc(fieldsync::now_ms()), id});
        return conflict_by_id(db, id);
    });
}

Poco::JSON::Object::Ptr SyncService::compact(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin});
    static const std::vector<fieldsync::FieldSpec> optional = {
        {.name = "up_to_seq", .type = fieldsync::FieldType::integer, .min = 0},
    };
    fieldsync::validate_fields({}, optional, *body, "compact the change log");
    return db_.write([&](Db& db) {
        lock_change_log(db);
        std::int64_t last = sync_counter(db, "last_seq");
        std::int64_t up_to = has_value(body, "up_to_seq") ? std::min(integer(body, "up_to_seq"), last) : last;
        // A remove is needed only by devices whose cursor is before it, and those must reset now; a put is needed
        // only while it is the newest entry of its row in its bucket.
        std::size_t deleted = db.execute(
            "DELETE FROM sync_changes WHERE seq <= ? AND (op = 'remove' OR EXISTS (SELECT 1 FROM sync_changes later "
            "WHERE later.bucket = sync_changes.bucket AND later.table_name = sync_changes.table_name AND "
            "later.row_id = sync_changes.row_id AND later.seq > sync_changes.seq))",
            {up_to});
        raise_sync_counter(db, "compacted_up_to", up_to);
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("compacted_up_to", sync_counter(db, "compacted_up_to"));
        out->set("deleted", static_cast<std::int64_t>(deleted));
        out->set("last_seq", last);
        return out;
    });
}

LiveStart SyncService::live(const Actor& actor) {
    require_device(actor);
    LiveStart start;
    start.buckets = fieldsync::technician_device_buckets(actor.id);
    start.seq = db_.read([&](Db& db) {
        std::int64_t seq = 0;
        for (const auto& bucket : start.buckets)
            seq = std::max(seq, db.scalar("SELECT MAX(seq) FROM sync_changes WHERE bucket = ?", {bucket}));
        return seq;
    });
    return start;
}

}  // namespace fieldserver
