// Sequence numbers of the sync change log, handed out in commit order on both SQLite and PostgreSQL.
#pragma once

#include <cstdint>
#include <string>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// The next change-log seq, inside the caller's transaction. It increments the row sync_counters.last_seq, whose
// row lock a PostgreSQL transaction holds until it commits: a second writer waits there, so no seq is ever
// committed after a higher one and a device reading "after cursor C" never skips a change. SQLite has one
// writer anyway. Never reused, even after compaction deleted the entries with the highest seqs.
std::int64_t next_change_seq(Db& db);

// The last seq handed out, waiting for any writer still holding the log (PostgreSQL: FOR SHARE), so the log and
// the bucket checksums read after it in the same transaction describe one committed state.
std::int64_t stable_change_seq(Db& db);

// Takes the log for this transaction without handing out a seq (compaction).
void lock_change_log(Db& db);

// A named counter of sync_counters (compacted_up_to), and raising it.
std::int64_t sync_counter(Db& db, const std::string& name);
void raise_sync_counter(Db& db, const std::string& name, std::int64_t value);

}  // namespace fieldserver
