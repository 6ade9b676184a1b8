// JSON views of the replica's bookkeeping and of sync reports, shared by the C API and the fieldtech CLI.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"

namespace fieldmobile {

// [{seq, op, created_at, acknowledged, acked_checkpoint}], in outbox order.
Poco::JSON::Array::Ptr outbox_json(const Replica& replica);
// [{op, code, message, field, recorded_at}].
Poco::JSON::Array::Ptr conflicts_json(const Replica& replica);
Poco::JSON::Object::Ptr report_json(const SyncReport& report);
// Visible jobs (only assignee_id's when not empty), each with "pending_ops".
Poco::JSON::Array::Ptr jobs_json(const Replica& replica, const std::string& assignee_id);

}  // namespace fieldmobile
