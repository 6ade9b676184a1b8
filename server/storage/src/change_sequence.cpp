// The change-log counter: one row updated by every log writer, read with a share lock by pulls on PostgreSQL.
#include "fieldserver/storage/change_sequence.hpp"

namespace fieldserver {

std::int64_t next_change_seq(Db& db) {
    // One round trip per entry, not two: on PostgreSQL the row stays locked to the commit, so every statement
    // between a transaction's first entry and its commit holds up the next writer.
    return db.scalar("UPDATE sync_counters SET value = value + 1 WHERE name = 'last_seq' RETURNING value");
}

std::int64_t stable_change_seq(Db& db) {
    // SQLite has no row locks; its readers see one snapshot for the whole transaction already.
    if (db.dialect() == Dialect::postgresql)
        return db.scalar("SELECT value FROM sync_counters WHERE name = 'last_seq' FOR SHARE");
    return db.scalar("SELECT value FROM sync_counters WHERE name = 'last_seq'");
}

void lock_change_log(Db& db) { db.execute("UPDATE sync_counters SET value = value WHERE name = 'last_seq'"); }

std::int64_t sync_counter(Db& db, const std::string& name) {
    return db.scalar("SELECT value FROM sync_counters WHERE name = ?", {name});
}

void raise_sync_counter(Db& db, const std::string& name, std::int64_t value) {
    db.execute("UPDATE sync_counters SET value = ? WHERE name = ? AND value < ?", {value, name, value});
}

}  // namespace fieldserver
