// Moving a deployment's data between stores: a SQLite deployment into PostgreSQL when one shop grows into many,
// and backups (any store into a SQLite file and an attachment folder) and their restore. Every copy is checked.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "fieldserver/app/config.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// What a copy moved and checked.
struct StoreCopyReport {
    std::map<std::string, std::int64_t> rows;  // per table, equal on both sides
    std::size_t attachments = 0;               // complete uploads copied
    std::size_t audit_chains = 0;              // jobs whose audit chain verified in the copy
    std::int64_t last_seq = 0;                 // the change log's last seq, equal on both sides (device cursors)
};

// Copies every row of `from` and every complete attachment of its store (the folder from_attachments on SQLite)
// into `to` (its folder to_attachments on SQLite), which is migrated first and must hold no users or jobs. Then
// checks the copy: row counts per table, the change-log counters and last seq, the attachments, and every job's
// audit chain. Throws std::runtime_error naming what differs. One side must be SQLite: its schema lists the tables.
StoreCopyReport copy_store(Database& from, const std::string& from_attachments, Database& to,
                           const std::string& to_attachments);

// The command-line tools over copy_store, on the configured deployment: "move-to-postgres" (argument: a
// PostgreSQL connection string), "backup" (a SQLite file to create; attachments go to FILE.attachments) and
// "restore" (such a backup, into the configured store, which must be empty). Prints what was copied and checked.
int run_store_command(const std::string& command, const std::string& argument, const ServerConfig& cfg);

}  // namespace fieldserver
