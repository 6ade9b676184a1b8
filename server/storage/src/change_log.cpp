// The change log, its per-row bookkeeping (sync versions, field HLCs, bucket membership) and bucket checksums.
#include "fieldserver/storage/change_log.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <utility>

#include "fieldserver/storage/change_feed.hpp"
#include "fieldserver/storage/change_relay.hpp"
#include "fieldserver/storage/change_sequence.hpp"
#include "fieldserver/storage/search_index.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/bucket.hpp"
#include "fieldsync/checksum.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {
namespace {

// The SELECT of each synced table's rows as devices receive them; its columns are the fields of the table's
// rules in sync/src/conflict.cpp (a server test checks that they agree).
const std::map<std::string, std::string> kRowSelects = {
    {"customers", "SELECT id, name, phone, email, address, notes, lat, lng, created_at, updated_at FROM customers"},
    {"assets",
     "SELECT id, customer_id, model, serial_no, purchase_date, warranty_until, created_at, updated_at FROM assets"},
    {"jobs",
     "SELECT id, ticket_no, customer_id, asset_id, description, channel, priority, category, state, previous_state, "
     "assignee_id, mode, plan_version, approved_plan_version, is_warranty_repair, linked_job_id, rework_count, "
     "schedule_json, repair_json, close_reason, reported_by, created_at, updated_at, notes, site_contact, "
     "site_phone, site_address, access_notes FROM jobs"},
    {"plans",
     "SELECT job_id, version AS plan_version, findings, fault_category, is_warranty_covered, is_customer_caused, "
     "mode, items_json, total_cents, cost_to_customer_cents, currency, status, created_by, created_at, decided_by, "
     "decided_at FROM plans"},
    {"job_notes", "SELECT id, job_id, kind, body, author_id, created_at FROM job_notes"},
    {"attachments",
     "SELECT id, job_id, kind, sha256, content_type, size_bytes, file_name, caption, author_id, created_at "
     "FROM attachments"},
    {"parts", "SELECT id, sku, name, unit, unit_price_cents, currency, is_active, created_at FROM parts"},
    {"fault_categories", "SELECT id, code, name, parent_id, is_active, created_at FROM fault_categories"},
    {"warranties", "SELECT id, asset_id, job_id, covers, starts_on, ends_on, created_at FROM warranties"},
    {"visits",
     "SELECT id, job_id, technician_id, kind, starts_at, ends_at, status, created_by, created_at FROM visits"},
    {"job_messages", "SELECT id, job_id, author_role, author_name, body, created_at FROM job_messages"},
};

const std::string& select_of(const std::string& table) {
    auto it = kRowSelects.find(table);
    if (it == kRowSelects.end()) throw std::invalid_argument("not a synced table: " + table);
    return it->second;
}

Poco::Dynamic::Var value_of(const Poco::JSON::Object::Ptr& row, const std::string& key) {
    return row && row->has(key) ? row->get(key) : Poco::Dynamic::Var();
}

// The technician buckets of the jobs matching where: assigned and not finished (a closed or cancelled job
// leaves its technician's tablet).
std::vector<std::string> technician_buckets(Db& db, const std::string& where, Params params) {
    std::string sql = "SELECT DISTINCT assignee_id FROM jobs WHERE assignee_id IS NOT NULL AND " + where;
    const auto& workflow = fieldsync::Workflow::builtin();
    for (const auto& state : workflow.states())
        if (workflow.is_terminal(state)) {
            sql += " AND state <> ?";
            params.emplace_back(state);
        }
    std::vector<std::string> out;
    for (auto rows = db.query(sql + " ORDER BY assignee_id", params); const auto& v : *rows)
        out.push_back(fieldsync::technician_bucket(text(v.extract<Poco::JSON::Object::Ptr>(), "assignee_id")));
    return out;
}

// The buckets that should hold a row, following conflict.hpp's buckets: technicians' for job-related rows,
// the catalog for parts and fault categories.
std::vector<std::string> buckets_for(Db& db, const std::string& table, const Poco::JSON::Object::Ptr& row) {
    if (fieldsync::bucket_kind_of(table) == fieldsync::BucketKind::catalog)
        return {std::string(fieldsync::kCatalogBucket)};
    if (table == "jobs") return technician_buckets(db, "id = ?", {text(row, "id")});
    if (table == "customers") return technician_buckets(db, "customer_id = ?", {text(row, "id")});
    if (table == "assets") return technician_buckets(db, "asset_id = ?", {text(row, "id")});
    if (table == "warranties") return technician_buckets(db, "asset_id = ?", {text(row, "asset_id")});
    // plans, job_notes, attachments, visits, job_messages
    return technician_buckets(db, "id = ?", {text(row, "job_id")});
}

void adjust_checksum(Db& db, const std::string& bucket, const std::string& table, const std::string& row_id,
                     std::int64_t old_version, std::int64_t new_version) {
    auto row = db.query_one("SELECT checksum, row_count FROM sync_bucket_checksums WHERE bucket = ?", {bucket});
    fieldsync::BucketChecksum sum(row ? fieldsync::parse_checksum(text(row, "checksum")) : 0);
    std::int64_t count = row ? integer(row, "row_count") : 0;
    if (old_version > 0) {
        sum.remove(table, row_id, old_version);
        --count;
    }
    if (new_version > 0) {
        sum.add(table, row_id, new_version);
        ++count;
    }
    db.execute(
        "INSERT INTO sync_bucket_checksums (bucket, checksum, row_count) VALUES (?, ?, ?) ON CONFLICT (bucket) DO "
        "UPDATE SET checksum = excluded.checksum, row_count = excluded.row_count",
        {bucket, fieldsync::format_checksum(sum.value()), count});
}

void append(Db& db, const std::string& bucket, const std::string& table, const std::string& row_id,
            std::int64_t version, const char* op, const Value& row_text) {
    std::int64_t seq = next_change_seq(db);
    db.execute(
        "INSERT INTO sync_changes (seq, bucket, table_name, row_id, version, op, row_json, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {seq, bucket, table, row_id, version, std::string(op), row_text, fieldsync::format_utc(fieldsync::now_ms())});
    // Devices listening live hear of the entry once it is committed, never before (docs/sync-protocol.md).
    db.after_commit([notice = ChangeNotice{bucket, seq}] { change_feed().publish(notice); });
    notify_other_instances(db, bucket, seq);
}

// Gives each last-writer-wins field that this write set the writer's HLC: the op's for the fields it named,
// the server clock's for any other field whose value changed (an office edit through the API).
void stamp_fields(Db& db, const std::string& table, const std::string& row_id, const Poco::JSON::Object::Ptr& before,
                  const Poco::JSON::Object::Ptr& after, const FieldStamp* stamp) {
    bool raised = false;
    for (const auto& column : fieldsync::find_table(table)->fields) {
        if (column.rule != fieldsync::FieldRule::lww) continue;
        bool stamped = stamp && stamp->fields.count(column.name) > 0;
        if (!stamped && to_json(value_of(before, column.name)) == to_json(value_of(after, column.name))) continue;
        // An edit made here follows every edit of the row already stored, even one stamped by a device whose clock
        // runs ahead, or by another instance: the clock is raised past the row's field clocks before it reads.
        if (!stamped && !std::exchange(raised, true))
            for (auto rows =
                     db.query("SELECT hlc FROM sync_field_clocks WHERE table_name = ? AND row_id = ?", {table, row_id});
                 const auto& v : *rows)
                if (auto seen = fieldsync::try_parse_hlc(text(v.extract<Poco::JSON::Object::Ptr>(), "hlc")))
                    server_clock().restore(*seen);
        std::string hlc = fieldsync::format_hlc(stamped ? stamp->hlc : server_clock().now());
        db.execute(
            "INSERT INTO sync_field_clocks (table_name, row_id, field, hlc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (table_name, row_id, field) DO UPDATE SET hlc = excluded.hlc",
            {table, row_id, column.name, hlc});
    }
}

// Records one row whose current state the caller loaded (null: it no longer exists); returns its version. Sets
// *moved when a bucket took the row or let it go.
std::int64_t sync_row(Db& db, const std::string& table, const std::string& row_id, const Poco::JSON::Object::Ptr& row,
                      const FieldStamp* stamp, bool* moved = nullptr) {
    auto registered =
        db.query_one("SELECT version, row_json FROM sync_rows WHERE table_name = ? AND row_id = ?", {table, row_id});
    std::int64_t version = registered ? integer(registered, "version") : 0;
    Poco::JSON::Object::Ptr before = registered ? registered->getObject("row") : nullptr;
    std::string row_text = row ? to_json(row) : std::string();
    if (row) {
        stamp_fields(db, table, row_id, before, row, stamp);
        if (!before || to_json(before) != row_text) {
            version += 1;
            db.execute(
                "INSERT INTO sync_rows (table_name, row_id, version, row_json) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (table_name, row_id) DO UPDATE SET version = excluded.version, row_json = "
                "excluded.row_json",
                {table, row_id, version, row_text});
        }
    } else if (before) {
        // Deleted: the version stays, so a row created again under the same id continues after it.
        db.execute("UPDATE sync_rows SET row_json = NULL WHERE table_name = ? AND row_id = ?", {table, row_id});
    }
    if (version == 0) return 0;

    std::vector<std::string> targets = row ? buckets_for(db, table, row) : std::vector<std::string>{};
    std::map<std::string, std::int64_t> members;
    for (auto rows = db.query("SELECT bucket, version FROM sync_memberships WHERE table_name = ? AND row_id = ?",
                              {table, row_id});
         const auto& v : *rows) {
        auto m = v.extract<Poco::JSON::Object::Ptr>();
        members[text(m, "bucket")] = integer(m, "version");
    }
    for (const auto& bucket : targets) {
        auto it = members.find(bucket);
        std::int64_t held = it == members.end() ? 0 : it->second;
        if (it != members.end())
            members.erase(it);
        else if (moved)
            *moved = true;
        if (held == version) continue;
        append(db, bucket, table, row_id, version, "put", row_text);
        db.execute(
            "INSERT INTO sync_memberships (bucket, table_name, row_id, version) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (table_name, row_id, bucket) DO UPDATE SET version = excluded.version",
            {bucket, table, row_id, version});
        adjust_checksum(db, bucket, table, row_id, held, version);
    }
    // What is left was held and should no longer be: access revoked, not just hidden.
    if (moved && !members.empty()) *moved = true;
    for (const auto& [bucket, held] : members) {
        append(db, bucket, table, row_id, version, "remove", std::monostate{});
        db.execute("DELETE FROM sync_memberships WHERE bucket = ? AND table_name = ? AND row_id = ?",
                   {bucket, table, row_id});
        adjust_checksum(db, bucket, table, row_id, held, 0);
    }
    return version;
}

std::int64_t sync_by_id(Db& db, const std::string& table, const std::string& row_id, const FieldStamp* stamp) {
    return sync_row(db, table, row_id, load_synced_row(db, table, row_id), stamp);
}

// The rows whose buckets follow a job's. Plans are recorded through their job, so always; the other rows record
// their own changes, so they are visited only when the job entered or left a bucket (moved).
void follow_job(Db& db, const std::string& job_id, const Poco::JSON::Object::Ptr& job, bool moved) {
    if (!job) return;
    for (auto rows = db.query(select_of("plans") + " WHERE job_id = ? ORDER BY version", {job_id});
         const auto& v : *rows) {
        auto plan = v.extract<Poco::JSON::Object::Ptr>();
        std::string id = plan_row_id(job_id, integer(plan, "plan_version"));
        plan->set("id", id);
        sync_row(db, "plans", id, plan, nullptr);
    }
    if (!moved) return;
    sync_by_id(db, "customers", text(job, "customer_id"), nullptr);
    if (has_value(job, "asset_id")) sync_by_id(db, "assets", text(job, "asset_id"), nullptr);
    for (const char* table : {"job_notes", "attachments", "visits", "job_messages"})
        for (auto rows = db.query(std::string("SELECT id FROM ") + table + " WHERE job_id = ? ORDER BY id", {job_id});
             const auto& v : *rows)
            sync_by_id(db, table, text(v.extract<Poco::JSON::Object::Ptr>(), "id"), nullptr);
    if (has_value(job, "asset_id"))
        for (auto rows = db.query("SELECT id FROM warranties WHERE asset_id = ? ORDER BY id", {text(job, "asset_id")});
             const auto& v : *rows)
            sync_by_id(db, "warranties", text(v.extract<Poco::JSON::Object::Ptr>(), "id"), nullptr);
}

// The clock start_server_clock made; until then (tools and tests that never start one) a clock of node "server".
std::atomic<fieldsync::Hlc*> started_clock{nullptr};

}  // namespace

fieldsync::Hlc& server_clock() {
    static fieldsync::Hlc unstarted("server");
    auto* clock = started_clock.load();
    return clock ? *clock : unstarted;
}

void start_server_clock(Database& database, const std::string& node) {
    // Made once per process, before requests are served, and kept until it ends.
    static std::unique_ptr<fieldsync::Hlc> clock;
    if (clock) throw std::logic_error("start_server_clock: the server clock has started already");
    clock = std::make_unique<fieldsync::Hlc>(node);
    // Every reading that ever stamped a field is stored with it; the greatest one is where the clock stopped.
    auto last = database.read([](Db& db) { return db.query_one("SELECT MAX(hlc) AS hlc FROM sync_field_clocks"); });
    if (auto seen = fieldsync::try_parse_hlc(text(last, "hlc"))) clock->restore(*seen);
    started_clock = clock.get();
}

std::int64_t record_change(Db& db, const std::string& table, const std::string& row_id, const FieldStamp* stamp) {
    if (table == "plans") throw std::invalid_argument("record_change: plans are recorded through their job");
    auto row = load_synced_row(db, table, row_id);
    bool moved = false;
    std::int64_t version = sync_row(db, table, row_id, row, stamp, &moved);
    if (table == "jobs") follow_job(db, row_id, row, moved);
    // Every write of a synced row comes through here in its transaction, so the jobs' search documents follow too.
    index_changed_row(db, table, row_id);
    return version;
}

Poco::JSON::Object::Ptr load_synced_row(Db& db, const std::string& table, const std::string& row_id) {
    if (table == "plans") {
        // The id is derived, so the plan is found through what the log recorded of it.
        auto registered =
            db.query_one("SELECT row_json FROM sync_rows WHERE table_name = 'plans' AND row_id = ?", {row_id});
        auto recorded = registered ? registered->getObject("row") : nullptr;
        if (!recorded) return nullptr;
        auto plan = db.query_one(select_of("plans") + " WHERE job_id = ? AND version = ?",
                                 {text(recorded, "job_id"), integer(recorded, "plan_version")});
        if (plan) plan->set("id", row_id);
        return plan;
    }
    return db.query_one(select_of(table) + " WHERE id = ?", {row_id});
}

std::int64_t row_version(Db& db, const std::string& table, const std::string& row_id) {
    return db.scalar("SELECT version FROM sync_rows WHERE table_name = ? AND row_id = ?", {table, row_id});
}

fieldsync::RowState row_state(Db& db, const std::string& table, const std::string& row_id,
                              const Poco::JSON::Object::Ptr& row) {
    fieldsync::RowState state;
    for (const auto& [key, value] : *row)
        if (key != "id") state[key] = {value, fieldsync::HlcTimestamp{}};
    for (auto rows =
             db.query("SELECT field, hlc FROM sync_field_clocks WHERE table_name = ? AND row_id = ?", {table, row_id});
         const auto& v : *rows) {
        auto clock = v.extract<Poco::JSON::Object::Ptr>();
        auto it = state.find(text(clock, "field"));
        if (it != state.end()) it->second.hlc = fieldsync::parse_hlc(text(clock, "hlc"));
    }
    return state;
}

bool bucket_holds(Db& db, const std::string& bucket, const std::string& table, const std::string& row_id) {
    return db.scalar("SELECT COUNT(*) FROM sync_memberships WHERE bucket = ? AND table_name = ? AND row_id = ?",
                     {bucket, table, row_id}) > 0;
}

std::map<std::string, std::uint64_t> bucket_checksums(Db& db, const std::vector<std::string>& buckets) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& bucket : buckets) {
        auto row = db.query_one("SELECT checksum FROM sync_bucket_checksums WHERE bucket = ?", {bucket});
        out[bucket] = row ? fieldsync::parse_checksum(text(row, "checksum")) : 0;
    }
    return out;
}

std::string plan_row_id(const std::string& job_id, std::int64_t plan_version) {
    std::string hex = sha256_hex("plans\n" + job_id + "\n" + std::to_string(plan_version)).substr(0, 32);
    hex[12] = '8';  // version 8: a custom, name-derived UUID (RFC 9562)
    hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];  // the RFC variant
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20);
}

std::size_t record_unlogged_rows(Database& database) {
    return database.write([](Db& db) {
        std::size_t recorded = 0;
        // Jobs first: recording a job records its plans, which have no id column to look for.
        for (const char* table : {"jobs", "customers", "assets", "job_notes", "attachments", "parts",
                                  "fault_categories", "warranties", "visits", "job_messages"}) {
            auto ids = db.query(std::string("SELECT id FROM ") + table +
                                    " WHERE id NOT IN (SELECT row_id FROM sync_rows WHERE table_name = ?) ORDER BY id",
                                {std::string(table)});
            for (const auto& v : *ids) {
                std::string id = text(v.extract<Poco::JSON::Object::Ptr>(), "id");
                if (row_version(db, table, id) > 0) continue;  // recorded meanwhile, with an earlier job
                record_change(db, table, id);
                ++recorded;
            }
        }
        return recorded;
    });
}

}  // namespace fieldserver
