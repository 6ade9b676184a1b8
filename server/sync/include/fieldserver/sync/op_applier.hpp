// Applies one op a device pushed, inside the caller's transaction: inserts and updates by the per-field conflict
// rules of fieldsync (conflict.hpp), action ops through the job workflow. The server decides, whatever the
// device says: every rule is checked again here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/op.hpp"

namespace fieldserver {

// Returns the row's sync version after the op, and in superseded the fields of an update that a newer edit of the
// same field kept (last writer wins). Throws fieldsync::Error with the reason the op is rejected (the caller rolls
// back and keeps a conflict record).
std::int64_t apply_op(Db& db, const Actor& actor, const fieldsync::Op& op, JobService& jobs,
                      std::vector<std::string>& superseded);

}  // namespace fieldserver
