// The sync endpoints' logic: devices push ops (each applied exactly once by op id, its result remembered) and
// pull the change log of their buckets in pages ending at a checkpoint; rejected ops become conflict records a
// dispatcher resolves; an admin compacts the log.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/wire.hpp"

namespace fieldserver {

struct SyncLimits {
    fieldsync::WireLimits wire;                     // ops per push, changes per pull page
    std::int64_t default_page_bytes = 1024 * 1024;  // a pull page's size when the device names none
    std::int64_t max_page_bytes = 8 * 1024 * 1024;
};

// Where a device's live stream starts: its buckets and the newest seq their change log holds.
struct LiveStart {
    std::vector<std::string> buckets;
    std::int64_t seq = 0;
};

class SyncService {
  public:
    SyncService(Database& db, JobService& jobs, SyncLimits limits = {}) : db_(db), jobs_(jobs), limits_(limits) {}

    // A fieldsync::PushRequest from the device of actor (a device token); the PushResponse.
    fieldsync::PushResponse push(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // Query cursor (>= 0), limit (1..max_changes_per_pull) and max_bytes; the PullResponse of the device's buckets.
    fieldsync::PullResponse pull(const Actor& actor, const Query& query);

    // Staff: conflict records (filter status open|dismissed|applied_manually, user_id, device_id).
    Poco::JSON::Object::Ptr list_conflicts(const Actor& actor, const Query& query);
    // Staff: {resolution: dismissed|applied_manually, note?} closes an open conflict record.
    Poco::JSON::Object::Ptr resolve_conflict(const Actor& actor, const std::string& id,
                                             const Poco::JSON::Object::Ptr& body);

    // Admin: {up_to_seq?} drops log entries a newer entry of the same row and bucket supersedes, and removes, up to
    // that seq (default: all); devices with an older cursor must reset. {compacted_up_to, deleted, last_seq}.
    Poco::JSON::Object::Ptr compact(const Actor& actor, const Poco::JSON::Object::Ptr& body);

    // For the device of actor (a device token): its buckets and their newest committed seq.
    LiveStart live(const Actor& actor);

  private:
    fieldsync::OpResult apply_one(const Actor& actor, const fieldsync::Op& op);

    Database& db_;
    JobService& jobs_;
    SyncLimits limits_;
};

}  // namespace fieldserver
