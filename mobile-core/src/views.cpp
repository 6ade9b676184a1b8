// JSON views of the outbox, conflicts, jobs and sync reports.
#include "fieldmobile/views.hpp"

namespace fieldmobile {

using Poco::JSON::Array;
using Poco::JSON::Object;

Array::Ptr outbox_json(const Replica& replica) {
    Array::Ptr out = new Array;
    for (const auto& e : replica.outbox()) {
        Object::Ptr item = new Object;
        item->set("seq", e.seq);
        item->set("op", fieldsync::encode_op(e.op));
        item->set("created_at", e.created_at);
        item->set("acknowledged", e.acked_checkpoint.has_value());
        item->set("acked_checkpoint",
                  e.acked_checkpoint ? Poco::Dynamic::Var(*e.acked_checkpoint) : Poco::Dynamic::Var());
        out->add(item);
    }
    return out;
}

Array::Ptr conflicts_json(const Replica& replica) {
    Array::Ptr out = new Array;
    for (const auto& c : replica.conflicts()) {
        Object::Ptr item = new Object;
        item->set("op", fieldsync::encode_op(c.op));
        item->set("code", std::string(fieldsync::to_string(c.error.code)));
        item->set("message", c.error.message);
        item->set("field", c.error.field.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(c.error.field));
        item->set("recorded_at", c.recorded_at);
        out->add(item);
    }
    return out;
}

Object::Ptr report_json(const SyncReport& r) {
    Object::Ptr out = new Object;
    out->set("pushed", static_cast<std::int64_t>(r.pushed));
    out->set("applied", static_cast<std::int64_t>(r.applied));
    out->set("rejected", static_cast<std::int64_t>(r.rejected));
    Poco::JSON::Array::Ptr superseded = new Poco::JSON::Array;
    for (const auto& s : r.superseded) superseded->add(s);
    out->set("superseded", superseded);
    out->set("pulled", static_cast<std::int64_t>(r.pulled));
    out->set("pages", static_cast<std::int64_t>(r.pages));
    out->set("checkpoint_applied", r.checkpoint_applied);
    out->set("checkpoint_deferred", r.checkpoint_deferred);
    out->set("rebootstrapped", r.rebootstrapped);
    out->set("uploaded_bytes", r.uploaded_bytes);
    out->set("attachments_waiting", static_cast<std::int64_t>(r.attachments_waiting));
    out->set("cursor", r.cursor);
    return out;
}

Array::Ptr jobs_json(const Replica& replica, const std::string& assignee_id) {
    Array::Ptr out = new Array;
    for (auto job : replica.jobs(assignee_id)) {
        job->set("pending_ops", replica.pending_ops("jobs", job->optValue<std::string>("id", "")));
        out->add(job);
    }
    return out;
}

}  // namespace fieldmobile
