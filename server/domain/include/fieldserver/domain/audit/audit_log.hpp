// The audit trail: every change of a job as an event (who, when, from where, what), hash-chained per job
// so that editing or deleting a stored event shows.
#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <string>
#include <vector>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldserver/util/signing_key.hpp"

namespace fieldserver {

// Signs every job's chain head from now on: each appended event replaces the job's checkpoint (length, last
// hash, the job's state, signed with key) in audit_checkpoints, appends it to the journal file (one JSON line,
// outside the database) and queues it for webhooks subscribed to "audit_checkpoint". Set once at start; without
// it nothing is signed and verification checks the chain and the state alone. Each instance appends only to its own
// journal, audit_journal_path(journal_dir, node_id), so instances sharing the folder never interleave their lines;
// verification reads every journal in the folder (audit_journal_files), its own and other instances'.
void use_audit_checkpoints(std::shared_ptr<const SigningKey> key, const std::string& journal_dir,
                           const std::string& node_id);

// <journal_dir>/audit-checkpoints.<node_id>.jsonl: the journal one instance writes.
std::string audit_journal_path(const std::string& journal_dir, const std::string& node_id);
// Every journal in the folder (audit-checkpoints*.jsonl: each instance's, and one restored from a backup), sorted.
std::vector<std::string> audit_journal_files(const std::string& journal_dir);

// The public key checkpoints are signed with (PEM), or empty when none is in use.
std::string audit_public_key_pem();

// Signs the current head of every job that has no checkpoint and never had one (jobs from before checkpoints; the
// journal names those that had), after checking its chain; returns how many. Run at start.
std::size_t anchor_unsigned_jobs(Database& database);

// Appends an event to job_id's chain inside the caller's transaction (for a job action, as a listener of the
// published change: job_change.hpp).
void append_event(Db& db, const std::string& job_id, const Actor& actor, const std::string& action,
                  const Poco::JSON::Object::Ptr& before, const Poco::JSON::Object::Ptr& after);

// {job_id, ok, events, broken_at (seq of the first bad event, or null), reason}. Beyond the chain itself it checks
// that the job's state is the one its last event recorded, and, with checkpoints in use, that the chain ends
// where the latest signed checkpoint (and the journal outside the database) says it ends.
Poco::JSON::Object::Ptr verify_chain(Db& db, const std::string& job_id);

// Events of a job in order, with before and after as objects.
Poco::JSON::Array::Ptr list_events(Db& db, const std::string& job_id);

}  // namespace fieldserver
