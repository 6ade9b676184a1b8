// The server's change log: every committed change of a synced row, per bucket, with a strictly increasing seq,
// written in the same transaction as the change itself. Devices pull it by bucket (sync_service.hpp).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fieldserver/storage/database.hpp"
#include "fieldsync/conflict.hpp"
#include "fieldsync/hlc.hpp"

namespace fieldserver {

// The server's hybrid logical clock, shared by every request thread; it stamps the fields the API changes, so a
// device's older offline edit cannot overwrite a newer office edit.
fieldsync::Hlc& server_clock();

// Starts the server clock as node (one per instance), restored to the greatest reading stored in the database, so
// it never runs backwards across a restart. Once per process, before serving; until then the clock is "server".
void start_server_clock(Database& database, const std::string& node);

// The writer of a synced op: its HLC and the fields it wrote, which get that HLC even when a value is unchanged.
struct FieldStamp {
    fieldsync::HlcTimestamp hlc;
    std::set<std::string> fields;
};

// Records the current state of a row in the change log, inside the caller's transaction: a new sync version
// when its content changed, puts for every bucket that should hold it (at that version), removes for every
// bucket that held it and no longer should, and the bucket checksums. A row that no longer exists is removed
// everywhere. For jobs, also its plans (recorded through their job), and when the job entered or left a bucket
// every row whose buckets follow the job (its customer, asset, notes, attachments, visits and the asset's
// warranties), so a job reaching a technician brings what it needs and a job leaving takes it away; those rows'
// own changes are recorded by whoever writes them. Returns the row's sync version (0: never existed).
// Throws std::invalid_argument for a table that is not synced.
std::int64_t record_change(Db& db, const std::string& table, const std::string& row_id,
                           const FieldStamp* stamp = nullptr);

// The row as devices receive it (its id and the fields of conflict.hpp's rules), or null when it does not exist.
Poco::JSON::Object::Ptr load_synced_row(Db& db, const std::string& table, const std::string& row_id);

// The sync version of a row (0 when it was never recorded).
std::int64_t row_version(Db& db, const std::string& table, const std::string& row_id);

// The row's fields with the HLC of the write that set each (fields never stamped have HLC zero), for
// fieldsync::merge_update.
fieldsync::RowState row_state(Db& db, const std::string& table, const std::string& row_id,
                              const Poco::JSON::Object::Ptr& row);

// Whether a bucket holds the row now.
bool bucket_holds(Db& db, const std::string& bucket, const std::string& table, const std::string& row_id);

// The checksum of each bucket (0 for a bucket that holds nothing).
std::map<std::string, std::uint64_t> bucket_checksums(Db& db, const std::vector<std::string>& buckets);

// A plan's row id: plans are keyed by (job_id, version) in the database, devices need one UUID per row, so the
// id is derived (UUID version 8 from SHA-256) and the same on every server.
std::string plan_row_id(const std::string& job_id, std::int64_t plan_version);

// Records every synced row the log has never seen (rows written before the change log existed); returns how
// many. Run at startup.
std::size_t record_unlogged_rows(Database& database);

}  // namespace fieldserver
